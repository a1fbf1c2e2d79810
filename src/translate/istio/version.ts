import { istioAtLeast, parseIstioVersion, type IstioVersion } from "../../discovery/versions.js";
import type { Mesh } from "../../model/discovery.js";

/**
 * Which Istio API versions and features a mesh supports, from the discovered control-plane version.
 *
 * An unparsable version (an image digest, `latest`, a vendor tag) is read as "the latest Istio": meshhub emits the
 * `v1` APIs and applies no minimum-version checks. Guessing old would silently change output for every modern
 * cluster with an unusual tag; guessing new only matters for clusters older than 1.22, which discovery reports with
 * a parsable tag in practice.
 */

/** The version of an Istio mesh, or undefined for a Linkerd mesh or an unparsable tag. */
export function istioVersionOf(mesh: Mesh): IstioVersion | undefined {
  if (!("istio" in mesh.spec)) return undefined;
  let version = VERSIONS.get(mesh);
  if (version === undefined) VERSIONS.set(mesh, (version = parseIstioVersion(mesh.spec.istio.installation.version) ?? null));
  return version ?? undefined;
}

/** Parsed versions per discovered mesh (null: unparsable): asked for every object of every destination. */
const VERSIONS = new WeakMap<Mesh, IstioVersion | null>();

/** True when the mesh is at least Istio `major.minor`, or its version is unknown (assumed latest). */
export function istioSupports(mesh: Mesh, major: number, minor: number): boolean {
  const v = istioVersionOf(mesh);
  return v === undefined || istioAtLeast(v, major, minor);
}

/** `networking.istio.io/v1` is served from Istio 1.22 (v1beta1 from 1.5, schema-identical). */
export function networkingApiVersion(mesh: Mesh): string {
  return istioSupports(mesh, 1, 22) ? "networking.istio.io/v1" : "networking.istio.io/v1beta1";
}

/** `security.istio.io/v1` is officially served from Istio 1.22 (v1beta1 before, schema-identical). */
export function securityApiVersion(mesh: Mesh): string {
  return istioSupports(mesh, 1, 22) ? "security.istio.io/v1" : "security.istio.io/v1beta1";
}

/** The discovered version as written, for messages. */
export function describeIstioVersion(mesh: Mesh): string {
  return "istio" in mesh.spec ? mesh.spec.istio.installation.version : "unknown";
}
