/** Ordered pod-restart steps for Istio and Linkerd, as data. Pure. */
import { compareStrings } from "../codec/canonical.js";
import type { Mesh, MeshGateway, MeshWorkload } from "../model/discovery.js";
import { ISTIO_CACERTS, ISTIO_KEYS, keyOf } from "./common.js";
import type { LabelSelector, RestartPlan, RestartStep, RestartTarget, WaitCondition } from "./types.js";

const ROLLOUT: WaitCondition = { condition: "rollout-complete", timeoutSeconds: 600 };

/** Which tiers restart, each with the reason (omitted tier: no restart). */
export interface RestartScope {
  readonly controlPlane?: string;
  readonly gateways?: string;
  readonly workloads?: string;
  /** Extra conditions before the workload step (e.g. Linkerd's `IssuerUpdated` after an issuer change). */
  readonly workloadsWaitBefore?: readonly WaitCondition[];
}

function selectorText(s: LabelSelector): string {
  const parts = Object.entries(s.matchLabels)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === "Exists") parts.push(e.key);
    else parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(",")})`);
  }
  return parts.join(",");
}

/** Controllers per mesh key, computed once per workload list (plans ask for every mesh). */
const CONTROLLERS_BY_MESH = new WeakMap<readonly MeshWorkload[], Map<string, RestartTarget["controllers"]>>();

function controllersOf(mesh: Mesh, workloads: readonly MeshWorkload[]): RestartTarget["controllers"] {
  let byMesh = CONTROLLERS_BY_MESH.get(workloads);
  if (!byMesh) {
    // Per mesh: controllers by `namespace/kind/name`, de-duplicated as they come, then the keys sorted without a
    // comparator (code-unit order, as compareStrings): a quarter faster than a callback sort of pairs at 200k workloads.
    const keyed = new Map<string, Map<string, { kind: string; name: string; namespace: string }>>();
    for (const w of workloads) {
      const key = `${w.spec.mesh.namespace}/${w.spec.mesh.name}`;
      let controllers = keyed.get(key);
      if (!controllers) keyed.set(key, (controllers = new Map()));
      const c = w.spec.kubernetes.controller;
      const id = `${c.namespace}/${c.kind}/${c.name}`;
      if (!controllers.has(id)) controllers.set(id, { kind: c.kind, name: c.name, namespace: c.namespace });
    }
    byMesh = new Map();
    for (const [key, controllers] of keyed) byMesh.set(key, [...controllers.keys()].sort().map((id) => controllers.get(id)!));
    CONTROLLERS_BY_MESH.set(workloads, byMesh);
  }
  return byMesh.get(keyOf(mesh)) ?? [];
}

function workloadManual(cluster: string, target: RestartTarget, meshLabel: string): string {
  if (target.controllers.length === 0) {
    return `restart every Deployment, StatefulSet and DaemonSet whose pods match ${selectorText(target.podSelector)} (${meshLabel}), namespace by namespace: kubectl --context ${cluster} -n <namespace> rollout restart deployment,statefulset,daemonset`;
  }
  const byNs = new Map<string, string[]>();
  for (const c of target.controllers) {
    const list = byNs.get(c.namespace) ?? [];
    list.push(`${c.kind.toLowerCase()}/${c.name}`);
    byNs.set(c.namespace, list);
  }
  return [...byNs.entries()].map(([ns, names]) => `kubectl --context ${cluster} -n ${ns} rollout restart ${names.join(" ")}`).join(" && ");
}

function deploymentManual(cluster: string, target: RestartTarget): string {
  return `kubectl --context ${cluster} -n ${target.namespace ?? "<namespace>"} rollout restart deployment -l ${selectorText(target.podSelector)}`;
}

function finish(automatic: boolean, steps: Omit<RestartStep, "order" | "automatic" | "action">[]): RestartPlan {
  return {
    automatic,
    summary: steps.length === 0 ? "no restart needed" : automatic ? "automatic (autoRestartPods: true)" : "manual restart required (autoRestartPods is not true)",
    steps: steps.map((s, i) => ({ order: i + 1, action: "rollout-restart", automatic, ...s })),
  };
}

function gatewayStep(cluster: string, gw: MeshGateway, reason: string, extraWait: readonly WaitCondition[]): Omit<RestartStep, "order" | "automatic" | "action"> {
  const target: RestartTarget = { namespace: gw.namespace, podSelector: { matchLabels: gw.workloadLabels }, controllers: [] };
  return { cluster, tier: "gateways", target, waitBefore: [], waitFor: [ROLLOUT, ...extraWait], reason: `${reason} (gateway ${gw.namespace}/${gw.name})`, manual: deploymentManual(cluster, target) };
}

/**
 * Istio: istiod first (it reads `cacerts` at start and ignores a changed `root-cert.pem` until restarted), then the
 * ingress and east-west gateways, then every injected workload — each after the new roots reached its namespace.
 */
export function istioRestartPlan(mesh: Mesh, automatic: boolean, scope: RestartScope, workloads: readonly MeshWorkload[]): RestartPlan {
  if (!("istio" in mesh.spec)) throw new Error("istioRestartPlan needs an Istio mesh");
  const i = mesh.spec.istio;
  const cluster = i.installation.cluster;
  const ns = i.installation.namespace;
  const steps: Omit<RestartStep, "order" | "automatic" | "action">[] = [];
  const rootSynced: WaitCondition = { condition: "root-cert-synced", configMap: "istio-ca-root-cert", key: "root-cert.pem", sameAs: `Secret ${ns}/${ISTIO_CACERTS} ${ISTIO_KEYS.rootCert}` };
  if (scope.controlPlane) {
    const labels = Object.keys(i.installation.podLabels).length > 0 ? i.installation.podLabels : { app: "istiod", ...(i.installation.revision ? { "istio.io/rev": i.installation.revision } : {}) };
    const target: RestartTarget = { namespace: ns, podSelector: { matchLabels: labels }, controllers: [] };
    steps.push({ cluster, tier: "control-plane", target, waitBefore: [], waitFor: [ROLLOUT], reason: scope.controlPlane, manual: deploymentManual(cluster, target) });
  }
  if (scope.gateways) {
    const gws = [...i.ingressGateways, ...i.eastWestGateways];
    for (const gw of gws) steps.push(gatewayStep(cluster, gw, scope.gateways, [rootSynced]));
  }
  if (scope.workloads) {
    const target: RestartTarget = { namespace: null, podSelector: { matchLabels: { "security.istio.io/tlsMode": "istio" } }, controllers: controllersOf(mesh, workloads) };
    steps.push({ cluster, tier: "workloads", target, waitBefore: [rootSynced, ...(scope.workloadsWaitBefore ?? [])], waitFor: [ROLLOUT], reason: scope.workloads, manual: workloadManual(cluster, target, `injected by ${ns}`) });
  }
  return finish(automatic, steps);
}

/**
 * Linkerd: the identity controller first, then the rest of the control plane, the multicluster gateway, then every
 * meshed workload (proxies load the trust anchors only at start-up).
 */
export function linkerdRestartPlan(mesh: Mesh, automatic: boolean, scope: RestartScope, workloads: readonly MeshWorkload[]): RestartPlan {
  if (!("linkerd" in mesh.spec)) throw new Error("linkerdRestartPlan needs a Linkerd mesh");
  const l = mesh.spec.linkerd;
  const cluster = l.installation.cluster;
  const ns = l.installation.namespace;
  const steps: Omit<RestartStep, "order" | "automatic" | "action">[] = [];
  const checkProxies: WaitCondition = { condition: "linkerd-proxies-match-ca", command: `linkerd --context ${cluster} --linkerd-namespace ${ns} check --proxy` };
  if (scope.controlPlane) {
    const identity: RestartTarget = { namespace: ns, podSelector: { matchLabels: { "linkerd.io/control-plane-component": "identity" } }, controllers: [{ kind: "Deployment", name: "linkerd-identity", namespace: ns }] };
    steps.push({ cluster, tier: "control-plane", target: identity, waitBefore: [], waitFor: [ROLLOUT], reason: `${scope.controlPlane} (identity controller first)`, manual: deploymentManual(cluster, identity) });
    const rest: RestartTarget = {
      namespace: ns,
      podSelector: { matchLabels: { "linkerd.io/control-plane-ns": ns }, matchExpressions: [{ key: "linkerd.io/control-plane-component", operator: "NotIn", values: ["identity"] }] },
      controllers: [],
    };
    steps.push({ cluster, tier: "control-plane", target: rest, waitBefore: [], waitFor: [ROLLOUT], reason: `${scope.controlPlane} (rest of the control plane)`, manual: `kubectl --context ${cluster} -n ${ns} rollout restart deployment` });
  }
  if (scope.gateways && l.multiclusterGateway) steps.push(gatewayStep(cluster, l.multiclusterGateway, scope.gateways, []));
  if (scope.workloads) {
    const target: RestartTarget = { namespace: null, podSelector: { matchLabels: { "linkerd.io/control-plane-ns": ns } }, controllers: controllersOf(mesh, workloads) };
    steps.push({ cluster, tier: "workloads", target, waitBefore: [...(scope.workloadsWaitBefore ?? [])], waitFor: [ROLLOUT, checkProxies], reason: scope.workloads, manual: workloadManual(cluster, target, `meshed by ${ns}, outside ${ns}`) });
  }
  return finish(automatic, steps);
}

/** The restart plan for either mesh type. */
export function restartPlanFor(mesh: Mesh, automatic: boolean, scope: RestartScope, workloads: readonly MeshWorkload[]): RestartPlan {
  return "istio" in mesh.spec ? istioRestartPlan(mesh, automatic, scope, workloads) : linkerdRestartPlan(mesh, automatic, scope, workloads);
}
