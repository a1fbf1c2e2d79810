import { compareObjects, compareStrings, toCanonicalJson } from "../codec/canonical.js";
import type { Diagnostic, Discovery } from "../discovery/types.js";
import type { KubeObject } from "../model/common.js";
import { DISCOVERY_API_VERSION, type KubernetesCluster, type Mesh, type MeshService } from "../model/discovery.js";
import type { AccessPolicy, TrafficPolicy, VirtualMesh } from "../model/networking.js";
import type { PolicyStatus, VirtualMeshStatus } from "../model/status.js";
import { resolveAccessRule, type ResolvedAccessRule } from "../resolve/access.js";
import { refOf, sortByPrecedence, type PolicyRef } from "../resolve/order.js";
import { meshServiceKey, selectDestinations, ServiceIndex } from "../resolve/selectors.js";
import { WorkloadIndex } from "../resolve/workloads.js";
import { StatusCollector } from "../resolve/status.js";
import { resolveTraffic } from "../resolve/traffic.js";
import { validateVirtualMeshes } from "../federation/validate.js";
import { decideFederation, renderFederation, type FederationPlan } from "../federation/index.js";
import { planCertificates } from "../trust/plan.js";
import type { CertificatePlan } from "../trust/types.js";
import { mergeMetadataPatches } from "./linkerd/service-patch.js";
import { MESH_TRANSLATORS } from "./registry.js";
import type { DestinationContext, MeshTranslator, ReferencedSubset, ResolvedDestination, TranslateOptions } from "./types.js";

/** Input of {@link translate}: discovery plus the meshhub resources to realise. */
export interface TranslateInput {
  readonly discovery: Discovery;
  readonly trafficPolicies?: readonly TrafficPolicy[];
  readonly accessPolicies?: readonly AccessPolicy[];
  readonly virtualMeshes?: readonly VirtualMesh[];
  readonly options?: TranslateOptions;
}

/** Statuses of every input policy and VirtualMesh, keyed `name.namespace`. */
export interface TranslationStatuses {
  readonly trafficPolicies: Record<string, PolicyStatus>;
  readonly accessPolicies: Record<string, PolicyStatus>;
  readonly virtualMeshes: Record<string, VirtualMeshStatus>;
}

/** The output of {@link translate}. Its JSON form (`meshctl translate -o json`) is a public contract. */
export interface TranslationResult {
  readonly discovery: Discovery;
  /** Manifests per cluster, sorted by (kind, namespace, name). */
  readonly clusters: Record<string, KubeObject[]>;
  readonly statuses: TranslationStatuses;
  /** The certificate-signing plan for VirtualMeshes with shared trust (null when none needs one). */
  readonly certificatePlan: CertificatePlan | null;
  /**
   * What VirtualMesh federation and global access control decided beyond the manifests: who reaches which service
   * under which name, Secrets the cluster adapter must create, restarts (null when no VirtualMesh federates or
   * enables global access control).
   */
  readonly federation: FederationPlan | null;
  readonly diagnostics: readonly Diagnostic[];
  /** The resolved decisions per destination, with provenance: what `describe` and simulators read. */
  readonly resolved: readonly ResolvedDestination[];
}

/** Default cluster record for a cluster that was discovered but not declared. */
function defaultCluster(name: string, managementNamespace: string): KubernetesCluster {
  return { apiVersion: DISCOVERY_API_VERSION, kind: "KubernetesCluster", metadata: { name, namespace: managementNamespace }, spec: { clusterDomain: "cluster.local" } };
}

function meshOf(service: MeshService, meshes: ReadonlyMap<string, Mesh>): Mesh | undefined {
  return meshes.get(`${service.spec.mesh.namespace}/${service.spec.mesh.name}`);
}

function meshTypeOf(mesh: Mesh): "istio" | "linkerd" {
  return "istio" in mesh.spec ? "istio" : "linkerd";
}

/**
 * Turns discovery plus TrafficPolicies, AccessPolicies and VirtualMeshes into per-cluster manifests and statuses.
 * Pure and deterministic: the same inputs in any order give byte-identical output.
 */
export function translate(input: TranslateInput): TranslationResult {
  const { discovery } = input;
  const options = input.options ?? {};
  const trafficPolicies = sortByPrecedence(input.trafficPolicies ?? []);
  const accessPolicies = sortByPrecedence(input.accessPolicies ?? []);
  const virtualMeshes = sortByPrecedence(input.virtualMeshes ?? []);
  const statuses = new StatusCollector();
  const diagnostics: Diagnostic[] = [...discovery.diagnostics];

  const clusters = new Map<string, KubernetesCluster>();
  for (const c of discovery.clusters) clusters.set(c.metadata.name, c);
  const meshes = new Map<string, Mesh>();
  for (const m of discovery.meshes) meshes.set(`${m.metadata.namespace}/${m.metadata.name}`, m);
  const index = new ServiceIndex(discovery.services, clusters.keys());

  // Selection: which policies select which destination, in precedence order.
  const meshesByPolicy = new Map<PolicyRef, Set<string>>();
  const noteMesh = (ref: PolicyRef, s: MeshService): void => {
    let set = meshesByPolicy.get(ref);
    if (!set) meshesByPolicy.set(ref, (set = new Set()));
    set.add(`${s.spec.mesh.namespace}/${s.spec.mesh.name}`);
  };
  const trafficRefs = new Map<TrafficPolicy, PolicyRef>();
  const accessRefs = new Map<AccessPolicy, PolicyRef>();
  const trafficByDestination = new Map<string, TrafficPolicy[]>();
  for (const tp of trafficPolicies) {
    const ref = refOf(tp);
    trafficRefs.set(tp, ref);
    statuses.register(ref, tp.metadata.generation);
    const selected = selectDestinations(tp.spec.destinationSelector, index);
    for (const e of selected.errors) statuses.policyError(ref, e);
    for (const s of selected.services) {
      const key = meshServiceKey(s);
      statuses.report(ref, key, "ACCEPTED");
      noteMesh(ref, s);
      push(trafficByDestination, key, tp);
    }
  }
  const accessByDestination = new Map<string, { policy: AccessPolicy; rule?: ResolvedAccessRule; errors: string[] }[]>();
  for (const ap of accessPolicies) {
    const ref = refOf(ap);
    accessRefs.set(ap, ref);
    statuses.register(ref, ap.metadata.generation);
    const selected = selectDestinations(ap.spec.destinationSelector, index);
    for (const e of selected.errors) statuses.policyError(ref, e);
    const resolved = resolveAccessRule(ap, index);
    for (const s of selected.services) {
      const key = meshServiceKey(s);
      statuses.report(ref, key, "ACCEPTED");
      noteMesh(ref, s);
      push(accessByDestination, key, { policy: ap, ...resolved });
    }
  }

  const outputs = new Map<string, Map<string, KubeObject>>();
  const emit = (cluster: string, obj: KubeObject): void => {
    let m = outputs.get(cluster);
    if (!m) outputs.set(cluster, (m = new Map()));
    const id = `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
    const previous = m.get(id);
    if (previous && toCanonicalJson(previous) !== toCanonicalJson(obj)) {
      // Two server-side-apply patches of one user object (e.g. failure accrual and the export label) become one.
      const merged = mergeMetadataPatches(previous, obj);
      if (merged) {
        m.set(id, merged);
        return;
      }
      diagnostics.push({ severity: "error", cluster, kind: obj.kind, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), name: obj.metadata.name, message: "two different objects with the same identity were produced; the first is kept" });
      return;
    }
    m.set(id, obj);
  };

  const virtualMeshOf = validateVirtualMeshes(virtualMeshes, meshes, statuses);
  const federation = decideFederation({ virtualMeshes, virtualMeshOf, meshes, index, statuses, allowCoexisting: options.allowCoexisting === true });
  const peersCache = new Map<Mesh, Mesh[]>();
  const peersOf = (mesh: Mesh): Mesh[] => {
    let peers = peersCache.get(mesh);
    if (peers) return peers;
    const vm = virtualMeshOf.get(`${mesh.metadata.namespace}/${mesh.metadata.name}`);
    peers = !vm
      ? [mesh]
      : vm.spec.meshes.map((r) => meshes.get(`${r.namespace}/${r.name}`)).filter((m): m is Mesh => m !== undefined && virtualMeshOf.get(`${m.metadata.namespace}/${m.metadata.name}`) === vm);
    peersCache.set(mesh, peers);
    return peers;
  };

  let referenced = new Map<string, ReferencedSubset[]>();
  // Pass 1: resolve every selected destination (selection, support checks, merge, conflicts).
  const prepared: { ctx: DestinationContext; translator: MeshTranslator; dest: Omit<ResolvedDestination, "referencedSubsets"> }[] = [];
  const destinationKeys = [...new Set([...trafficByDestination.keys(), ...accessByDestination.keys()])].sort(compareStrings);
  const contextFor = (service: MeshService, mesh: Mesh, key: string): DestinationContext => {
    const clusterName = service.spec.kubeService.ref.clusterName;
    const meshKey = `${mesh.metadata.namespace}/${mesh.metadata.name}`;
    return {
      key,
      service,
      mesh,
      cluster: clusters.get(clusterName) ?? defaultCluster(clusterName, discovery.managementNamespace),
      discovery,
      index,
      options,
      ...(virtualMeshOf.has(meshKey) ? { virtualMesh: virtualMeshOf.get(meshKey)! } : {}),
      trustPeers: peersOf(mesh),
      referencedSubsetsOf: (serviceKey) => referenced.get(serviceKey) ?? [],
      federation,
    };
  };
  for (const key of destinationKeys) {
    const service = index.get(key)!;
    const mesh = meshOf(service, meshes);
    const tps = trafficByDestination.get(key) ?? [];
    const aps = accessByDestination.get(key) ?? [];
    if (!mesh) {
      const message = `the mesh ${service.spec.mesh.namespace}/${service.spec.mesh.name} of destination ${key} was not discovered`;
      for (const p of [...tps, ...aps.map((a) => a.policy)]) statuses.report(refOf(p), key, "INVALID", message);
      continue;
    }
    const translator: MeshTranslator = MESH_TRANSLATORS[meshTypeOf(mesh)];
    const ctx = contextFor(service, mesh, key);
    const { resolved: traffic, reports } = resolveTraffic(
      service,
      tps,
      index,
      service.spec.kubeService.ref.clusterName,
      (policy, actions) => translator.checkTraffic(policy, actions, ctx),
      translator.checkMerge ? (route, incoming, where) => translator.checkMerge!(route, incoming, where, ctx) : undefined,
    );
    for (const r of reports) statuses.report(r.policy, key, r.state, r.message);
    const access: ResolvedAccessRule[] = [];
    for (const a of aps) {
      const ref = refOf(a.policy);
      if (!a.rule) {
        for (const e of a.errors) statuses.report(ref, key, "INVALID", e);
        continue;
      }
      const unsupported = translator.checkAccess(a.policy, a.rule, ctx);
      if (unsupported.length > 0) for (const e of unsupported) statuses.report(ref, key, "INVALID", e);
      else access.push(a.rule);
    }
    prepared.push({ ctx, translator, dest: { key, service, mesh, traffic, access, accessPolicies: aps.map((a) => refOf(a.policy)) } });
  }

  // Subsets referenced by shifts and mirrors, per target service: a target's DestinationRule must define them.
  referenced = collectReferencedSubsets(prepared.map((p) => p.dest));
  const preparedKeys = new Set(prepared.map((p) => p.dest.key));
  for (const targetKey of [...referenced.keys()].sort(compareStrings)) {
    if (preparedKeys.has(targetKey)) continue;
    const service = index.get(targetKey);
    const mesh = service && meshOf(service, meshes);
    if (!service || !mesh) continue;
    prepared.push({ ctx: contextFor(service, mesh, targetKey), translator: MESH_TRANSLATORS[meshTypeOf(mesh)], dest: { key: targetKey, service, mesh, traffic: { routes: [], destinationActions: {}, applied: [] }, access: [], accessPolicies: [] } });
  }
  prepared.sort((a, b) => compareStrings(a.dest.key, b.dest.key));

  // Pass 2: render.
  const resolvedDestinations: ResolvedDestination[] = [];
  for (const { ctx, translator, dest: partial } of prepared) {
    const dest: ResolvedDestination = { ...partial, referencedSubsets: referenced.get(partial.key) ?? [] };
    resolvedDestinations.push(dest);
    const out = translator.translateDestination(dest, ctx);
    for (const r of out.reports) statuses.report(r.policy, dest.key, r.state, r.message);
    for (const obj of out.objects) emit(dest.service.spec.kubeService.ref.clusterName, obj);
  }

  // Federation and global access control: per-mesh objects, federated copies of Istio destinations, the plan.
  const federated = renderFederation(federation, {
    destinations: prepared.map((p, i) => ({ ctx: p.ctx, translator: p.translator, dest: resolvedDestinations[i]! })),
    policiesOf: (key) => trafficByDestination.get(key) ?? [],
    referencedSubsetsOf: (key) => referenced.get(key) ?? [],
    clusterOf: (name) => clusters.get(name) ?? defaultCluster(name, discovery.managementNamespace),
    workloads: discovery.workloads,
    index,
    statuses,
  });
  for (const { cluster, object } of federated.objects) emit(cluster, object);

  // The workloads each policy affects as sources: selected clients in the meshes of its destinations.
  const workloadIndex = new WorkloadIndex(discovery.workloads);
  for (const tp of trafficPolicies) {
    const ref = trafficRefs.get(tp)!;
    for (const mk of meshesByPolicy.get(ref) ?? []) statuses.addWorkloads(ref, workloadIndex.selectedBySource(mk, tp.spec.sourceSelector));
  }
  for (const ap of accessPolicies) {
    const ref = accessRefs.get(ap)!;
    for (const mk of meshesByPolicy.get(ref) ?? []) statuses.addWorkloads(ref, workloadIndex.selectedByIdentity(mk, ap.spec.sourceSelector));
  }

  const certificatePlan = planTrust(virtualMeshes, virtualMeshOf, meshes, discovery, options, diagnostics);

  const clustersOut: Record<string, KubeObject[]> = {};
  for (const name of [...outputs.keys()].sort(compareStrings)) clustersOut[name] = [...outputs.get(name)!.values()].sort(compareObjects);
  return {
    discovery,
    clusters: clustersOut,
    statuses: {
      trafficPolicies: statuses.policyStatuses("TrafficPolicy"),
      accessPolicies: statuses.policyStatuses("AccessPolicy"),
      virtualMeshes: statuses.virtualMeshStatuses(),
    },
    certificatePlan,
    federation: federated.plan,
    diagnostics,
    resolved: resolvedDestinations,
  };
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The certificate plan of the accepted VirtualMeshes with shared trust, or null when none needs one. */
function planTrust(
  virtualMeshes: readonly VirtualMesh[],
  virtualMeshOf: ReadonlyMap<string, VirtualMesh>,
  meshes: ReadonlyMap<string, Mesh>,
  discovery: Discovery,
  options: TranslateOptions,
  diagnostics: Diagnostic[],
): CertificatePlan | null {
  const wanting = virtualMeshes.filter((vm) => vm.spec.mtlsConfig?.shared && !vm.spec.mtlsConfig.shared.intermediateCertificateAuthority);
  if (wanting.length === 0) return null;
  if (!options.now) {
    diagnostics.push({ severity: "warning", kind: "VirtualMesh", message: "no certificate plan: pass options.now (the instant certificate dates are computed from) to plan the shared trust of VirtualMeshes with mtlsConfig.shared" });
    return null;
  }
  const groupings = wanting.map((vm) => ({
    virtualMesh: vm,
    meshes: vm.spec.meshes.map((r) => meshes.get(`${r.namespace}/${r.name}`)).filter((m): m is Mesh => m !== undefined && virtualMeshOf.get(`${m.metadata.namespace}/${m.metadata.name}`) === vm),
  }));
  const plan = planCertificates({ virtualMeshes: groupings, now: options.now, managementNamespace: discovery.managementNamespace, workloads: discovery.workloads, ...options.certificates });
  return plan.virtualMeshes.length > 0 ? plan : null;
}

/** Subsets referenced by traffic shifts and mirrors of every destination, keyed by the target service. */
function collectReferencedSubsets(dests: readonly Omit<ResolvedDestination, "referencedSubsets">[]): Map<string, ReferencedSubset[]> {
  const out = new Map<string, Map<string, ReferencedSubset>>();
  const add = (targetKey: string, labels: Readonly<Record<string, string>> | undefined, setBy: PolicyRef, from: string): void => {
    if (!labels || Object.keys(labels).length === 0) return;
    let m = out.get(targetKey);
    if (!m) out.set(targetKey, (m = new Map()));
    const id = toCanonicalJson(labels);
    if (!m.has(id)) m.set(id, { labels, setBy, from });
  };
  for (const d of dests) {
    for (const route of d.traffic.routes) {
      const shift = route.actions.trafficShift;
      for (const b of shift?.value ?? []) add(b.key, b.subset, shift!.setBy, d.key);
      const mirror = route.actions.mirror;
      if (mirror) add(mirror.value.key, mirror.value.subset, mirror.setBy, d.key);
    }
  }
  const result = new Map<string, ReferencedSubset[]>();
  for (const [k, m] of out) result.set(k, [...m.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => v));
  return result;
}

