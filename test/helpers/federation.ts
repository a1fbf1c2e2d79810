/**
 * Shared by the federation tests: runs `translate()` and checks what every run must satisfy — every emitted object
 * validates against the CRDs (core Service/Namespace patches are skipped by the helper), no error diagnostics (two
 * different objects with one identity), and every object says where it comes from: owned objects carry the owner
 * label and `meshhub.io/sources`, server-side-apply patches of user objects carry `meshhub.io/sources` and never the
 * owner label.
 */
import { expect } from "vitest";
import type { KubeObject } from "../../src/model/common.js";
import type { MeshService, MeshWorkload, Mesh } from "../../src/model/discovery.js";
import type { AccessPolicy, TrafficPolicy, VirtualMesh } from "../../src/model/networking.js";
import type { ApprovalStatus } from "../../src/model/status.js";
import { translate, type TranslationResult } from "../../src/translate/index.js";
import type { TranslateOptions } from "../../src/translate/types.js";
import { discovery } from "./builders.js";
import { expectValid, loadSharedCrds } from "./crds.js";

const crds = loadSharedCrds();

export interface FederationEstate {
  meshes: Mesh[];
  services?: MeshService[];
  workloads?: MeshWorkload[];
  trafficPolicies?: TrafficPolicy[];
  accessPolicies?: AccessPolicy[];
  virtualMeshes?: VirtualMesh[];
  options?: TranslateOptions;
}

export function runFederation(e: FederationEstate): TranslationResult {
  const { meshes, services = [], workloads = [], ...resources } = e;
  const result = translate({ discovery: discovery({ meshes, services, workloads }), ...resources });
  const all = Object.values(result.clusters).flat();
  if (crds) {
    const { skipped } = expectValid(crds, all);
    expect(skipped.every((s) => s === "v1 Service" || s === "v1 Namespace")).toBe(true);
  }
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  for (const o of all) {
    const patch = o.metadata.annotations?.["meshhub.io/patch"] === "server-side-apply";
    expect(o.metadata.annotations?.["meshhub.io/sources"], `${o.kind} ${o.metadata.name}`).toMatch(/^(TrafficPolicy|AccessPolicy|VirtualMesh)\//);
    expect(o.metadata.labels?.["app.kubernetes.io/managed-by"], `${o.kind} ${o.metadata.name}`).toBe(patch ? undefined : "meshhub");
  }
  return result;
}

/** The objects on a cluster, as `Kind namespace/name`. */
export function ids(r: TranslationResult, cluster: string): string[] {
  return (r.clusters[cluster] ?? []).map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
}

export function obj(r: TranslationResult, cluster: string, kind: string, name: string, namespace?: string): KubeObject {
  const o = (r.clusters[cluster] ?? []).find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  if (!o) throw new Error(`no ${kind} ${namespace ?? "*"}/${name} on ${cluster}; got ${ids(r, cluster).join(", ")}`);
  return o;
}

export function maybe(r: TranslationResult, cluster: string, kind: string, name: string): KubeObject | undefined {
  return (r.clusters[cluster] ?? []).find((x) => x.kind === kind && x.metadata.name === name);
}

/** The status of one mesh in the VirtualMesh `vm.meshhub`. */
export function meshStatus(r: TranslationResult, mesh: Mesh, vm = "vm.meshhub"): ApprovalStatus | undefined {
  return r.statuses.virtualMeshes[vm]?.meshes[`${mesh.metadata.name}.${mesh.metadata.namespace ?? ""}`];
}

/** Owned metadata as meshhub writes it. */
export function owned(name: string, namespace: string | undefined, sources: string, annotations: Record<string, string> = {}): KubeObject["metadata"] {
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    labels: { "app.kubernetes.io/managed-by": "meshhub" },
    annotations: { ...annotations, "meshhub.io/sources": sources },
  };
}

/** An Istio networking object meshhub emits for a federated service (`meshhub.io/destination` names the service). */
export function federationObject(kind: string, name: string, namespace: string, destination: string, spec: unknown, sources = "VirtualMesh/meshhub/vm"): KubeObject {
  return { apiVersion: "networking.istio.io/v1", kind, metadata: owned(name, namespace, sources, { "meshhub.io/destination": destination }), spec };
}
