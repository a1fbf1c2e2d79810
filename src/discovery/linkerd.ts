import { compareStrings } from "../codec/canonical.js";
import type { LinkerdMeshSpec, Mesh, MeshGateway, TrustAnchorInfo } from "../model/discovery.js";
import { DISCOVERY_API_VERSION } from "../model/discovery.js";
import { parsePemBundle } from "./certs.js";
import type { DetectedMesh, DiscoveryContext } from "./context.js";
import { buildGateway } from "./gateways.js";
import { imageVersion } from "./images.js";
import { discoveredLabels, discoveredName } from "./naming.js";
import type { ContainerInfo, PodSpecInfo } from "./pods.js";
import { readMatchLabels, readPodTemplate } from "./pods.js";
import { readService } from "./service-spec.js";
import type { ClusterIndex, RawObject } from "./snapshot-index.js";
import { asNonEmptyString, asRecord, getIn } from "./util.js";
import { parseYamlValue } from "./yaml-value.js";

export const LINKERD_CONTROL_PLANE_NS_LABEL = "linkerd.io/control-plane-ns";
export const LINKERD_MULTICLUSTER_NAMESPACE = "linkerd-multicluster";
export const LINKERD_GATEWAY_SERVICE = "linkerd-gateway";

/** Control-plane Deployments in order of preference for the mesh name and version. */
const CONTROL_PLANE_DEPLOYMENTS = ["linkerd-destination", "linkerd-identity", "linkerd-controller"] as const;

function controllerContainer(containers: readonly ContainerInfo[]): ContainerInfo | undefined {
  return containers.find((c) => c.imageRef.path.endsWith("linkerd/controller") || c.imageRef.path.endsWith("linkerd-io/controller"));
}

interface LinkerdConfigValues {
  trustDomain: string;
  clusterDomain: string;
  linkerdVersion?: string;
  anchorsPem?: { pem: string; where: string };
}

/**
 * Reads `linkerd-config`: the `values` key (Helm values as YAML, Linkerd ≥2.10; `global.*` in 2.9-era values) or the
 * legacy `global` key (JSON, Linkerd ≤2.9). Missing pieces default to `cluster.local`.
 */
function readLinkerdConfig(ctx: DiscoveryContext, index: ClusterIndex, anchor: RawObject, namespace: string): LinkerdConfigValues {
  const out: LinkerdConfigValues = { trustDomain: "cluster.local", clusterDomain: "cluster.local" };
  const cm = index.get("ConfigMap", namespace, "linkerd-config");
  if (!cm) {
    ctx.sink.object(anchor, "warning", `ConfigMap ${namespace}/linkerd-config not found; trust domain and cluster domain default to cluster.local`, { hint: "include linkerd-config in the snapshot" });
    return out;
  }
  const values = getIn(cm.raw, ["data", "values"]);
  const legacy = getIn(cm.raw, ["data", "global"]);
  let parsedValues: Record<string, unknown> | undefined;
  if (values !== undefined) {
    if (typeof values !== "string") {
      ctx.sink.object(cm, "error", "values is not a string; defaults used", { path: "data.values", expected: "a YAML string (Helm values)", value: values });
    } else {
      const p = parseYamlValue(values);
      if (!p.ok) ctx.sink.object(cm, "error", `values is not valid YAML (${p.error}); defaults used`, { path: "data.values", expected: "YAML Helm values" });
      else if (p.value !== null && p.value !== undefined && !asRecord(p.value)) ctx.sink.object(cm, "error", "values is not a mapping; defaults used", { path: "data.values", expected: "a mapping", value: p.value });
      else parsedValues = asRecord(p.value);
    }
  }
  if (parsedValues) {
    const global = asRecord(parsedValues.global);
    const pick = (key: string): string | undefined => asNonEmptyString(parsedValues?.[key]) ?? asNonEmptyString(global?.[key]);
    out.trustDomain = pick("identityTrustDomain") ?? out.trustDomain;
    out.clusterDomain = pick("clusterDomain") ?? out.clusterDomain;
    out.linkerdVersion = pick("linkerdVersion");
    const pem = pick("identityTrustAnchorsPEM");
    if (pem) out.anchorsPem = { pem, where: `ConfigMap ${namespace}/linkerd-config values.identityTrustAnchorsPEM` };
    return out;
  }
  if (typeof legacy === "string") {
    const p = parseYamlValue(legacy);
    const g = p.ok ? asRecord(p.value) : undefined;
    if (!g) {
      ctx.sink.object(cm, "error", `global is not a JSON object${p.ok ? "" : ` (${p.error})`}; defaults used`, { path: "data.global", expected: "a JSON object" });
      return out;
    }
    out.trustDomain = asNonEmptyString(getIn(g, ["identityContext", "trustDomain"])) ?? out.trustDomain;
    out.clusterDomain = asNonEmptyString(g.clusterDomain) ?? out.clusterDomain;
    out.linkerdVersion = asNonEmptyString(g.version);
    const pem = asNonEmptyString(getIn(g, ["identityContext", "trustAnchorsPem"]));
    if (pem) out.anchorsPem = { pem, where: `ConfigMap ${namespace}/linkerd-config global.identityContext.trustAnchorsPem` };
  } else if (values === undefined) {
    ctx.sink.object(cm, "warning", "linkerd-config has neither a values nor a global key; defaults used", { path: "data" });
  }
  return out;
}

/** Trust anchors from `linkerd-identity-trust-roots` (`ca-bundle.crt`, Linkerd ≥2.12), else from linkerd-config. */
function readTrustAnchors(ctx: DiscoveryContext, index: ClusterIndex, anchor: RawObject, namespace: string, config: LinkerdConfigValues): TrustAnchorInfo[] {
  const cm = index.get("ConfigMap", namespace, "linkerd-identity-trust-roots");
  let pem: string | undefined;
  let where = "";
  let owner: RawObject = anchor;
  let path = "";
  if (cm) {
    const bundle = getIn(cm.raw, ["data", "ca-bundle.crt"]);
    if (typeof bundle === "string") {
      pem = bundle;
      where = `ConfigMap ${namespace}/linkerd-identity-trust-roots ca-bundle.crt`;
      owner = cm;
      path = "data.ca-bundle.crt";
    } else {
      ctx.sink.object(cm, "warning", "ca-bundle.crt is missing or not a string", { path: "data.ca-bundle.crt", expected: "a PEM bundle", value: bundle });
    }
  }
  if (pem === undefined && config.anchorsPem) {
    pem = config.anchorsPem.pem;
    where = config.anchorsPem.where;
  }
  if (pem === undefined) {
    ctx.sink.object(anchor, "warning", "no Linkerd trust anchors found (ConfigMap linkerd-identity-trust-roots or linkerd-config)", { hint: "include linkerd-identity-trust-roots in the snapshot" });
    return [];
  }
  const out: TrustAnchorInfo[] = [];
  const certs = parsePemBundle(pem, { keepPem: true, source: where });
  if (certs.length === 0) ctx.sink.object(owner, "warning", "trust anchor bundle holds no PEM certificate", { path });
  for (const c of certs) {
    if (c.ok) out.push(c.info);
    else ctx.sink.object(owner, "warning", `trust anchor ${c.index} cannot be parsed: ${c.error}`, { path });
  }
  return out;
}

interface Candidate {
  readonly d: RawObject;
  readonly template: PodSpecInfo;
  readonly controller: ContainerInfo;
}

/**
 * Finds Linkerd control planes: `linkerd-destination` / `linkerd-identity` (legacy `linkerd-controller`) Deployments
 * running Linkerd's controller image (`cr.l5d.io/linkerd/controller`, legacy `gcr.io/linkerd-io/controller`). One mesh
 * per namespace, named after `linkerd-destination` (else `linkerd-identity`).
 */
export function detectLinkerdMeshes(ctx: DiscoveryContext, index: ClusterIndex): DetectedMesh[] {
  const cluster = index.cluster;
  const byNamespace = new Map<string, Candidate[]>();
  for (const d of index.list("Deployment")) {
    if (!(CONTROL_PLANE_DEPLOYMENTS as readonly string[]).includes(d.name)) continue;
    const template = readPodTemplate(d, ctx.sink);
    if (!template) continue;
    const controller = controllerContainer(template.containers);
    if (!controller) continue;
    const list = byNamespace.get(d.namespace) ?? [];
    list.push({ d, template, controller });
    byNamespace.set(d.namespace, list);
  }
  const pending: { detected: Omit<DetectedMesh, "mesh" | "gatewaySelectors" | "controlPlaneDeployments">; spec: LinkerdMeshSpec; selectors: Record<string, string>[]; deployments: string[] }[] = [];
  for (const namespace of [...byNamespace.keys()].sort(compareStrings)) {
    const candidates = (byNamespace.get(namespace) ?? []).sort((a, b) => CONTROL_PLANE_DEPLOYMENTS.indexOf(a.d.name as never) - CONTROL_PLANE_DEPLOYMENTS.indexOf(b.d.name as never));
    const canonical = candidates[0];
    if (!canonical) continue;
    const config = readLinkerdConfig(ctx, index, canonical.d, namespace);
    let version = imageVersion(canonical.controller.imageRef);
    if (canonical.controller.imageRef.tag === undefined) {
      if (config.linkerdVersion) version = config.linkerdVersion;
      else {
        ctx.sink.object(canonical.d, "warning", `Linkerd controller image ${canonical.controller.image} has no tag and linkerd-config has no linkerdVersion; version recorded as ${JSON.stringify(version)}`, {
          path: "spec.template.spec.containers",
        });
      }
    }
    for (const other of candidates.slice(1)) {
      const v = other.controller.imageRef.tag;
      if (v !== undefined && canonical.controller.imageRef.tag !== undefined && v !== canonical.controller.imageRef.tag) {
        ctx.sink.object(other.d, "warning", `runs Linkerd ${v} while ${canonical.d.name} runs ${canonical.controller.imageRef.tag}; upgrade in progress? version taken from ${canonical.d.name}`);
      }
    }
    const name = discoveredName(canonical.d.name, namespace, cluster);
    pending.push({
      detected: { type: "linkerd", cluster, namespace, name },
      spec: {
        installation: { namespace, cluster, version, podLabels: readMatchLabels(canonical.d, ctx.sink), image: canonical.controller.image },
        clusterDomain: config.clusterDomain,
        trustDomain: config.trustDomain,
        version,
        trustAnchors: readTrustAnchors(ctx, index, canonical.d, namespace, config),
      },
      selectors: [],
      deployments: candidates.map((c) => c.d.name),
    });
  }

  const gwObj = index.get("Service", LINKERD_MULTICLUSTER_NAMESPACE, LINKERD_GATEWAY_SERVICE);
  if (gwObj && pending.length > 0) {
    const cpNs = gwObj.labels[LINKERD_CONTROL_PLANE_NS_LABEL] ?? index.namespace(LINKERD_MULTICLUSTER_NAMESPACE)?.labels[LINKERD_CONTROL_PLANE_NS_LABEL];
    const target = pending.find((p) => p.detected.namespace === cpNs) ?? pending.find((p) => p.detected.namespace === "linkerd") ?? pending[0];
    if (target) {
      const svc = readService(gwObj, ctx.sink);
      const gw: MeshGateway = buildGateway(index, svc, { role: "multicluster gateway", tlsPortName: "mc-gateway", defaultTlsPort: 4143, requireTlsPort: true }, ctx.sink);
      target.spec.multiclusterGateway = gw;
      if (svc.selector) target.selectors.push({ ...svc.selector });
    }
  }

  return pending.map((p) => {
    const mesh: Mesh = {
      apiVersion: DISCOVERY_API_VERSION,
      kind: "Mesh",
      metadata: { name: p.detected.name, namespace: ctx.managementNamespace, labels: discoveredLabels(cluster) },
      spec: { linkerd: p.spec },
    };
    return { ...p.detected, mesh, controlPlaneDeployments: p.deployments, gatewaySelectors: p.selectors };
  });
}
