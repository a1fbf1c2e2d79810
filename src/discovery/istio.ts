import { compareStrings } from "../codec/canonical.js";
import type { IstioMeshSpec, Mesh, MeshGateway, TrustAnchorInfo } from "../model/discovery.js";
import { DISCOVERY_API_VERSION } from "../model/discovery.js";
import { parsePemBundle } from "./certs.js";
import type { DetectedMesh, DiscoveryContext } from "./context.js";
import { buildGateway } from "./gateways.js";
import { imageVersion } from "./images.js";
import { discoveredLabels, discoveredName } from "./naming.js";
import type { ContainerInfo } from "./pods.js";
import { readMatchLabels, readPodTemplate } from "./pods.js";
import { readService } from "./service-spec.js";
import type { ClusterIndex, RawObject } from "./snapshot-index.js";
import { asRecord, asString, getIn, isEmpty, isRecord, selectorMatches } from "./util.js";
import { parseYamlValue } from "./yaml-value.js";

export const ISTIO_REV_LABEL = "istio.io/rev";
export const ISTIO_NETWORK_LABEL = "topology.istio.io/network";
export const DEFAULT_TRUST_DOMAIN = "cluster.local";

/** `default` (and empty) mean the default revision, recorded as undefined. */
export function normalizeRevision(rev: string | undefined): string | undefined {
  return rev === undefined || rev === "" || rev === "default" ? undefined : rev;
}

function isIstiodName(name: string): boolean {
  return name === "istiod" || name === "istio-pilot" || name.startsWith("istiod-");
}

function pilotContainer(containers: readonly ContainerInfo[]): ContainerInfo | undefined {
  const pilots = containers.filter((c) => c.imageRef.path.includes("pilot"));
  return pilots.find((c) => c.name === "discovery") ?? pilots[0];
}

interface MeshConfigValues {
  trustDomain: string;
  meshId?: string;
  smartDns: boolean;
}

/** Reads trust domain, mesh ID and DNS proxying from the `istio[-<rev>]` ConfigMap's `mesh` key. */
function readMeshConfig(ctx: DiscoveryContext, index: ClusterIndex, istiod: RawObject, namespace: string, revision: string | undefined): MeshConfigValues {
  const cmName = revision ? `istio-${revision}` : "istio";
  const defaults: MeshConfigValues = { trustDomain: DEFAULT_TRUST_DOMAIN, smartDns: false };
  const cm = index.get("ConfigMap", namespace, cmName);
  if (!cm) {
    ctx.sink.object(istiod, "warning", `mesh config ConfigMap ${namespace}/${cmName} not found; trust domain defaults to ${DEFAULT_TRUST_DOMAIN}`, {
      hint: "include the istio ConfigMap in the snapshot",
    });
    return defaults;
  }
  const text = getIn(cm.raw, ["data", "mesh"]);
  if (text === undefined) return defaults; // Istio falls back to built-in defaults too
  if (typeof text !== "string") {
    ctx.sink.object(cm, "error", "mesh config is not a string; defaults used", { path: "data.mesh", expected: "a YAML string (MeshConfig)", value: text });
    return defaults;
  }
  const parsed = parseYamlValue(text);
  if (!parsed.ok) {
    ctx.sink.object(cm, "error", `mesh config is not valid YAML (${parsed.error}); defaults used (trust domain ${DEFAULT_TRUST_DOMAIN})`, { path: "data.mesh", expected: "a YAML MeshConfig" });
    return defaults;
  }
  if (parsed.value === null || parsed.value === undefined) return defaults;
  const mesh = asRecord(parsed.value);
  if (!mesh) {
    ctx.sink.object(cm, "error", "mesh config is not a mapping; defaults used", { path: "data.mesh", expected: "a YAML MeshConfig mapping", value: parsed.value });
    return defaults;
  }
  const out: MeshConfigValues = { ...defaults };
  if (mesh.trustDomain !== undefined && mesh.trustDomain !== null) {
    if (typeof mesh.trustDomain === "string") {
      if (mesh.trustDomain !== "") out.trustDomain = mesh.trustDomain;
    } else ctx.sink.object(cm, "error", "trustDomain is not a string; default used", { path: "data.mesh trustDomain", expected: "a string", value: mesh.trustDomain });
  }
  const defaultConfig = mesh.defaultConfig;
  if (defaultConfig !== undefined && defaultConfig !== null && !isRecord(defaultConfig)) {
    ctx.sink.object(cm, "error", "defaultConfig is not a mapping; ignored", { path: "data.mesh defaultConfig", expected: "a mapping", value: defaultConfig });
  }
  const meshId = getIn(defaultConfig, ["meshId"]);
  if (typeof meshId === "string" && meshId !== "") out.meshId = meshId;
  const dns = getIn(defaultConfig, ["proxyMetadata", "ISTIO_META_DNS_CAPTURE"]);
  out.smartDns = dns === "true" || dns === true;
  return out;
}

const CACERTS_KEYS = ["root-cert.pem", "ca-cert.pem", "cert-chain.pem"] as const;

/** Certificates of a plugged-in CA (`cacerts` Secret). Private keys (`ca-key.pem`) are never read. */
function readCaCerts(ctx: DiscoveryContext, index: ClusterIndex, namespace: string): TrustAnchorInfo[] | undefined {
  const secret = index.get("Secret", namespace, "cacerts");
  if (!secret) return undefined;
  const out: TrustAnchorInfo[] = [];
  for (const key of CACERTS_KEYS) {
    const encoded = getIn(secret.raw, ["data", key]);
    const plain = getIn(secret.raw, ["stringData", key]);
    let pem: string | undefined;
    if (typeof encoded === "string") pem = Buffer.from(encoded, "base64").toString("utf8");
    else if (typeof plain === "string") pem = plain;
    if (pem === undefined) continue;
    const certs = parsePemBundle(pem, { source: `Secret ${namespace}/cacerts ${key}` });
    if (certs.length === 0) ctx.sink.object(secret, "warning", `${key} holds no PEM certificate`, { path: `data.${key}` });
    for (const c of certs) {
      if (c.ok) out.push(c.info);
      else ctx.sink.object(secret, "warning", `certificate ${c.index} of ${key} cannot be parsed: ${c.error}`, { path: `data.${key}` });
    }
  }
  return out;
}

/** Revision tags: `istio-revision-tag-*` webhooks labelled `istio.io/tag` → `istio.io/rev`. */
export function istioRevisionTags(index: ClusterIndex): Map<string, string> {
  const tags = new Map<string, string>();
  for (const w of index.list("MutatingWebhookConfiguration")) {
    const tag = w.labels["istio.io/tag"];
    const rev = w.labels[ISTIO_REV_LABEL];
    if (tag && rev && !tags.has(tag)) tags.set(tag, rev);
  }
  return tags;
}

interface PendingIstio {
  readonly deployment: RawObject;
  readonly detected: Omit<DetectedMesh, "mesh" | "gatewaySelectors" | "controlPlaneDeployments">;
  readonly spec: Omit<IstioMeshSpec, "ingressGateways" | "eastWestGateways">;
  readonly ingress: MeshGateway[];
  readonly eastWest: MeshGateway[];
  readonly selectors: Record<string, string>[];
}

/** Revision of the gateway workload a Service selects, when its Deployment or pods say. */
function gatewayRevision(index: ClusterIndex, namespace: string, selector: Readonly<Record<string, string>>): string | undefined {
  for (const kind of ["Deployment", "StatefulSet", "DaemonSet"] as const) {
    for (const d of index.inNamespace(kind, namespace)) {
      const labels = asRecord(getIn(d.raw, ["spec", "template", "metadata", "labels"])) ?? {};
      const strLabels: Record<string, string> = {};
      for (const [k, v] of Object.entries(labels)) if (typeof v === "string") strLabels[k] = v;
      if (!selectorMatches(selector, strLabels)) continue;
      const rev = strLabels[ISTIO_REV_LABEL] ?? asString(getIn(d.raw, ["spec", "template", "metadata", "annotations", ISTIO_REV_LABEL])) ?? d.labels[ISTIO_REV_LABEL];
      if (rev !== undefined) return rev;
    }
  }
  for (const p of index.inNamespace("Pod", namespace)) {
    if (!selectorMatches(selector, p.labels)) continue;
    const rev = p.labels[ISTIO_REV_LABEL] ?? p.annotations[ISTIO_REV_LABEL];
    if (rev !== undefined) return rev;
  }
  return undefined;
}

/**
 * Finds Istio control planes: `istiod`, `istiod-<revision>` or legacy `istio-pilot` Deployments running a pilot image,
 * with their mesh config, network, CA certificates and gateways.
 */
export function detectIstioMeshes(ctx: DiscoveryContext, index: ClusterIndex): DetectedMesh[] {
  const cluster = index.cluster;
  const pending: PendingIstio[] = [];
  for (const d of index.list("Deployment")) {
    if (!isIstiodName(d.name)) continue;
    const template = readPodTemplate(d, ctx.sink);
    if (!template) continue;
    const pilot = pilotContainer(template.containers);
    if (!pilot) {
      if (d.name === "istiod" || d.name === "istio-pilot") {
        ctx.sink.object(d, "warning", "Deployment is named like istiod but runs no pilot image; not treated as an Istio control plane", { path: "spec.template.spec.containers" });
      }
      continue;
    }
    const rawRevision = d.labels[ISTIO_REV_LABEL] ?? template.labels[ISTIO_REV_LABEL] ?? pilot.env.REVISION ?? (d.name.startsWith("istiod-") ? d.name.slice("istiod-".length) : undefined);
    const revision = normalizeRevision(rawRevision);
    const version = imageVersion(pilot.imageRef);
    if (pilot.imageRef.tag === undefined) {
      ctx.sink.object(d, "warning", `istiod image ${pilot.image} has no tag; version recorded as ${JSON.stringify(version)} and cannot be compared`, {
        path: "spec.template.spec.containers",
        hint: "pin by tag and digest (image:1.29.6@sha256:…) so meshhub can read the version",
      });
    }
    const namespace = d.namespace;
    const meshConfig = readMeshConfig(ctx, index, d, namespace, revision);
    const network = index.namespace(namespace)?.labels[ISTIO_NETWORK_LABEL] || pilot.env.NETWORK || undefined;
    const clusterId = pilot.env.CLUSTER_ID || undefined;
    const name = discoveredName(d.name, namespace, cluster);
    const spec: PendingIstio["spec"] = {
      installation: {
        namespace,
        cluster,
        version,
        revision,
        podLabels: readMatchLabels(d, ctx.sink),
        image: pilot.image,
      },
      trustDomain: meshConfig.trustDomain,
      istiodServiceAccount: template.serviceAccountName,
      meshId: meshConfig.meshId,
      network,
      clusterId,
      caCertificates: readCaCerts(ctx, index, namespace),
      smartDnsProxyingEnabled: meshConfig.smartDns,
    };
    pending.push({ deployment: d, detected: { type: "istio", cluster, namespace, name, revision }, spec, ingress: [], eastWest: [], selectors: [] });
  }

  // Two istiods with the same revision in one namespace cannot both be right: keep the first by name, warn.
  const seen = new Map<string, PendingIstio>();
  const meshes: PendingIstio[] = [];
  for (const p of pending.sort((a, b) => compareStrings(a.detected.name, b.detected.name))) {
    const key = `${p.detected.namespace}/${p.detected.revision ?? ""}`;
    const first = seen.get(key);
    if (first) {
      ctx.sink.object(p.deployment, "warning", `another istiod (${first.deployment.name}) serves the same revision (${p.detected.revision ?? "default"}) in this namespace`);
    } else seen.set(key, p);
    meshes.push(p);
  }

  attachIstioGateways(ctx, index, meshes);

  return meshes.map((p) => {
    const mesh: Mesh = {
      apiVersion: DISCOVERY_API_VERSION,
      kind: "Mesh",
      metadata: { name: p.detected.name, namespace: ctx.managementNamespace, labels: discoveredLabels(cluster) },
      spec: { istio: { ...p.spec, ingressGateways: p.ingress, eastWestGateways: p.eastWest } },
    };
    return { ...p.detected, mesh, controlPlaneDeployments: [p.deployment.name], gatewaySelectors: p.selectors };
  });
}

/** Finds ingress and east-west gateway Services in each control-plane namespace and attaches them to the mesh of their revision. */
function attachIstioGateways(ctx: DiscoveryContext, index: ClusterIndex, meshes: readonly PendingIstio[]): void {
  const namespaces = [...new Set(meshes.map((m) => m.detected.namespace))].sort(compareStrings);
  for (const namespace of namespaces) {
    const inNs = meshes.filter((m) => m.detected.namespace === namespace);
    for (const svcObj of index.inNamespace("Service", namespace)) {
      const selector = getIn(svcObj.raw, ["spec", "selector"]);
      if (!isRecord(selector) || isEmpty(selector)) continue;
      const strSelector: Record<string, string> = {};
      for (const [k, v] of Object.entries(selector)) if (typeof v === "string") strSelector[k] = v;
      const eastWest = !isEmpty(ctx.eastWestGatewayLabels) && selectorMatches(ctx.eastWestGatewayLabels, strSelector);
      const ingress = !eastWest && !isEmpty(ctx.ingressGatewayLabels) && selectorMatches(ctx.ingressGatewayLabels, strSelector);
      if (!eastWest && !ingress) continue;
      const svc = readService(svcObj, ctx.sink);
      const rev = normalizeRevision(gatewayRevision(index, namespace, strSelector));
      const target =
        inNs.find((m) => m.detected.revision === rev) ??
        (inNs.length === 1 ? inNs[0] : undefined) ??
        inNs.find((m) => m.detected.revision === undefined) ??
        inNs[0];
      if (!target) continue;
      const gw = buildGateway(
        index,
        svc,
        eastWest
          ? { role: "east-west gateway", tlsPortName: "tls", defaultTlsPort: 15443, requireTlsPort: true }
          : { role: "ingress gateway", tlsPortName: "tls", requireTlsPort: false },
        ctx.sink,
      );
      (eastWest ? target.eastWest : target.ingress).push(gw);
      target.selectors.push(strSelector);
    }
  }
  for (const m of meshes) {
    m.ingress.sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
    m.eastWest.sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
  }
}
