import { compareStrings } from "../codec/canonical.js";
import { canonicalKey, jsonEqual } from "../codec/canonical-key.js";
import type { Diagnostic, Discovery } from "../discovery/types.js";
import { decideFederation, renderFederation, type FederationDecisions, type FederationPlan, type RenderedObject } from "../federation/index.js";
import { renderFederatedCopies } from "../federation/copies.js";
import { validateVirtualMeshes } from "../federation/validate.js";
import type { KubeObject } from "../model/common.js";
import { DISCOVERY_API_VERSION, type KubernetesCluster, type Mesh, type MeshService } from "../model/discovery.js";
import type { AccessPolicy, TrafficPolicy, VirtualMesh } from "../model/networking.js";
import type { PolicyStatus, VirtualMeshStatus } from "../model/status.js";
import { resolveAccessRule, type ResolvedAccessRule } from "../resolve/access.js";
import { comparePrecedence, refOf, sortByPrecedence, type PolicyRef } from "../resolve/order.js";
import { policyKey, selectDestinations, ServiceIndex } from "../resolve/selectors.js";
import { StatusCollector } from "../resolve/status.js";
import { resolveTraffic, TrafficMemo } from "../resolve/traffic.js";
import { WorkloadIndex } from "../resolve/workloads.js";
import { planCertificates } from "../trust/plan.js";
import type { CertificatePlan } from "../trust/types.js";
import { mergeMetadataPatches } from "./linkerd/service-patch.js";
import { MESH_TRANSLATORS } from "./registry.js";
import { compareSlots, SlotTable, type ObjectId, type Slot } from "./slots.js";
import type { DestinationContext, MeshTranslator, ReferencedSubset, ResolvedDestination, TranslateOptions } from "./types.js";
import { alternate, exactly, sortedKeys, sortInPlace } from "../util/arrays.js";

/** Input of a translation: discovery plus the meshhub resources to realise. */
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

/** The output of a translation. Its JSON form (`meshctl translate -o json`) is a public contract. */
export interface TranslationResult {
  readonly discovery: Discovery;
  /**
   * Manifests per cluster, sorted by (kind, namespace, name). Read-only: fragments many objects hold alike (owner
   * labels, a policy's authentication references, a rule, a pod selector) are built once, shared and frozen, so an
   * edit in place throws; edit a copy (`structuredClone`).
   */
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

export type { ObjectId };

/** A change to the inputs of a {@link TranslationSession}. */
export interface TranslationChange {
  /** Policies and VirtualMeshes added or updated (matched by kind, namespace and name). */
  readonly upsert?: readonly (TrafficPolicy | AccessPolicy | VirtualMesh)[];
  /** Policies and VirtualMeshes removed. */
  readonly remove?: readonly PolicyRef[];
  /** New discovery (a cluster changed): everything is recomputed. */
  readonly discovery?: Discovery;
}

/** What one {@link TranslationSession.apply} changed: only the outputs and statuses that differ. */
export interface TranslationDelta {
  /** Per cluster: objects created or changed (read-only, as in {@link TranslationResult.clusters}), and identities of objects no longer emitted. */
  readonly clusters: Record<string, { readonly upserted: KubeObject[]; readonly removed: ObjectId[] }>;
  /** Statuses that changed (null: the policy or VirtualMesh is gone). */
  readonly statuses: {
    readonly trafficPolicies: Record<string, PolicyStatus | null>;
    readonly accessPolicies: Record<string, PolicyStatus | null>;
    readonly virtualMeshes: Record<string, VirtualMeshStatus | null>;
  };
  /** How much was recomputed: destinations re-resolved, and whether the whole estate was (discovery, VirtualMesh). */
  readonly recomputed: { readonly destinations: number; readonly full: boolean };
}

type AnyPolicy = TrafficPolicy | AccessPolicy;

/** One identity's object before and after a change (null / undefined: absent). */
interface ObjectChange {
  readonly slot: Slot;
  readonly before: KubeObject | null;
  readonly now: KubeObject | undefined;
}

interface Selection {
  readonly ref: PolicyRef;
  readonly services: readonly string[];
  readonly collector: StatusCollector;
  readonly rule?: { rule?: ResolvedAccessRule; errors: string[] };
}

interface Unit {
  readonly key: string;
  /** Its context is rebuilt when rendering rather than kept: a unit per destination adds up. */
  readonly translator?: MeshTranslator;
  dest?: ResolvedDestination;
  /** Reports of pass 1 (kept so pass 2 can be redone alone). */
  readonly resolveCollector: StatusCollector;
  /** Reports of pass 1 + pass 2 + federated copies. */
  collector: StatusCollector;
  /** Subsets this unit's routes reference, per target service. */
  readonly refsOut: ReadonlyMap<string, ReferencedSubset[]>;
  objects: Emitted;
  copies: Emitted;
}

/**
 * What one contributor emits: objects in several clusters (copies, per-VirtualMesh objects), or a destination's own
 * objects, all in its cluster (held without a per-object wrapper: there is a unit per destination).
 */
type Emitted = readonly RenderedObject[] | { readonly cluster: string; readonly objects: readonly KubeObject[] };

const NOTHING_EMITTED: Emitted = Object.freeze([]);

/** Contributor key of the per-VirtualMesh objects: between destinations (`1:`) and federated copies (`3:`). */
const VIRTUAL_MESH_CONTRIBUTOR = "2:virtual-meshes";

/** The empty list of resolved destinations' fields (shared: resolved destinations are read-only). */
const NONE: readonly never[] = Object.freeze([]);

/** Lists of one item, per item: most destinations are selected by a single AccessPolicy (shared, frozen). */
const SINGLETONS = new WeakMap<object, readonly object[]>();

/** The list without spare capacity; empty and single-item lists are shared (resolved destinations are read-only). */
function sharedList<T extends object>(items: T[]): readonly T[] {
  if (items.length === 0) return NONE;
  if (items.length > 1) return exactly(items);
  let one = SINGLETONS.get(items[0]!);
  if (one === undefined) SINGLETONS.set(items[0]!, (one = Object.freeze([items[0]!])));
  return one as readonly T[];
}

/** The traffic of a destination no TrafficPolicy selects (shared: resolved destinations are read-only). */
const NO_TRAFFIC: ResolvedDestination["traffic"] = Object.freeze({ routes: Object.freeze([]), destinationActions: Object.freeze({}), applied: Object.freeze([]) });

/** The pass-1 collector of every unit without reports (most of them); never reported into (pass 2 clones it). */
const NO_REPORTS = new StatusCollector();

function meshKeyOf(m: { metadata: { name: string; namespace?: string } }): string {
  return `${m.metadata.namespace}/${m.metadata.name}`;
}

function subjectOf(ref: PolicyRef): string {
  return `${ref.kind}/${policyKey(ref)}`;
}

/** Default cluster record for a cluster that was discovered but not declared. */
function defaultCluster(name: string, managementNamespace: string): KubernetesCluster {
  return { apiVersion: DISCOVERY_API_VERSION, kind: "KubernetesCluster", metadata: { name, namespace: managementNamespace }, spec: { clusterDomain: "cluster.local" } };
}

/**
 * The translation pipeline as a stateful engine: a full build computes every destination as an independent unit
 * (selection → resolve → render → federated copies) and remembers what each unit read and wrote, so a change to a
 * policy recomputes only the destinations it can affect. {@link translate} is a full build; a
 * {@link TranslationSession} keeps the engine alive for controllers.
 */
export class TranslationEngine {
  private discovery!: Discovery;
  private readonly options: TranslateOptions;
  private readonly traffic = new Map<string, TrafficPolicy>();
  private readonly access = new Map<string, AccessPolicy>();
  private readonly vms = new Map<string, VirtualMesh>();

  // Derived from discovery and VirtualMeshes (rebuilt by a full build).
  private clusters = new Map<string, KubernetesCluster>();
  private meshes = new Map<string, Mesh>();
  /** namespace → name → mesh: a service's mesh found without building its key. */
  private meshesByRef = new Map<string, Map<string, Mesh>>();
  private index!: ServiceIndex;
  private workloadIndex!: WorkloadIndex;
  private trafficMemo!: TrafficMemo;
  private virtualMeshOf = new Map<string, VirtualMesh>();
  private federation!: FederationDecisions;
  private peersCache = new Map<Mesh, Mesh[]>();
  private virtualMeshCache = new Map<Mesh, VirtualMesh | undefined>();
  /** One closure for every destination context. */
  private readonly referencedSubsetsOf = (serviceKey: string): readonly ReferencedSubset[] => this.referenced.get(serviceKey) ?? [];
  private globalCollector = new StatusCollector();
  private vmCollector = new StatusCollector();
  private vmObjects: RenderedObject[] = [];
  private federationPlan: FederationPlan | null = null;
  private certificatePlan: CertificatePlan | null = null;
  private trustDiagnostics: Diagnostic[] = [];

  // Per policy and per destination.
  private readonly selections = new Map<string, Selection>();
  /** Destination → the subjects of the policies selecting it (a list: most hold two or three, and there is one per destination). */
  private readonly policiesOfDest = new Map<string, string[]>();
  private readonly units = new Map<string, Unit>();
  private readonly referrers = new Map<string, Set<string>>();
  private readonly referenced = new Map<string, ReferencedSubset[]>();

  // Assembled outputs.
  /** Per emitted identity: who contributed what, and the object assembled from it. */
  private readonly slots = new SlotTable();
  private readonly objectDiagnostics = new Map<Slot, Diagnostic>();
  private readonly subjectCollectors = new Map<string, Set<StatusCollector>>();
  private readonly statusCache = new Map<string, PolicyStatus | VirtualMeshStatus>();
  /** During an incremental apply: each unit as it was before the apply replaced or removed it (undefined: absent). */
  private unitsReplaced: Map<string, Unit | undefined> | undefined;
  /**
   * During an incremental apply: each touched identity's object before the change (null: absent). Emitted objects are
   * never mutated. Slots emptied meanwhile are kept until the delta is read, so an identity keeps one slot.
   */
  private recording: Map<Slot, KubeObject | null> | undefined;

  constructor(input: TranslateInput) {
    this.options = input.options ?? {};
    this.discovery = input.discovery;
    for (const p of input.trafficPolicies ?? []) this.traffic.set(subjectOf(refOf(p)), p);
    for (const p of input.accessPolicies ?? []) this.access.set(subjectOf(refOf(p)), p);
    for (const v of input.virtualMeshes ?? []) this.vms.set(subjectOf(refOf(v)), v);
    this.build();
  }

  // ---- full build ------------------------------------------------------------------------------------------

  private build(): void {
    const d = this.discovery;
    this.clusters = new Map(d.clusters.map((c) => [c.metadata.name, c]));
    this.meshes = new Map(d.meshes.map((m) => [meshKeyOf(m), m]));
    this.meshesByRef = new Map();
    for (const m of d.meshes) {
      const ns = m.metadata.namespace ?? "";
      let byName = this.meshesByRef.get(ns);
      if (!byName) this.meshesByRef.set(ns, (byName = new Map()));
      byName.set(m.metadata.name, m);
    }
    this.index = new ServiceIndex(d.services, this.clusters.keys());
    this.workloadIndex = new WorkloadIndex(d.workloads);
    this.trafficMemo = new TrafficMemo(this.index);
    this.peersCache = new Map();
    this.virtualMeshCache = new Map();
    this.selections.clear();
    this.policiesOfDest.clear();
    this.units.clear();
    this.referrers.clear();
    this.referenced.clear();
    this.slots.clear();
    this.objectDiagnostics.clear();
    this.subjectCollectors.clear();
    this.statusCache.clear();

    const virtualMeshes = sortByPrecedence([...this.vms.values()]);
    this.globalCollector = new StatusCollector();
    this.virtualMeshOf = validateVirtualMeshes(virtualMeshes, this.meshes, this.globalCollector);
    this.federation = decideFederation({ virtualMeshes, virtualMeshOf: this.virtualMeshOf, meshes: this.meshes, index: this.index, statuses: this.globalCollector, allowCoexisting: this.options.allowCoexisting === true });

    // Units are independent: the order they are resolved and rendered in cannot change the output (result() sorts).
    // The two kinds take turns: select() compiled while it had seen only TrafficPolicies kept falling back to the
    // interpreter at every AccessPolicy (V8 keeps code that lacks feedback: ~3,000 deopts, cold, at 100k services).
    for (const key of alternate([...this.traffic.keys()], [...this.access.keys()])) this.select(key);
    for (const [key, subjects] of this.policiesOfDest) if (subjects.length > 1) this.policiesOfDest.set(key, exactly(subjects));
    const destinations = this.byPlacement(this.policiesOfDest.keys());
    for (const key of destinations) this.resolveUnit(key);
    this.refreshReferenced(destinations);
    for (const key of [...this.units.keys()]) this.renderUnit(key);
    this.renderVirtualMeshLevel();
    this.certificatePlan = this.planTrust(virtualMeshes);

    // A full build assembles each identity once, after every contribution is in.
    for (const [, unit] of this.units) {
      const keys = this.contributorKeys(unit);
      this.replaceContributions(keys.main, NOTHING_EMITTED, unit.objects);
      this.replaceContributions(keys.copies, NOTHING_EMITTED, unit.copies);
    }
    this.replaceContributions(VIRTUAL_MESH_CONTRIBUTOR, NOTHING_EMITTED, this.vmObjects);
    this.slots.forEach((slot) => this.assemble(slot));
    this.attach(this.globalCollector);
    this.attach(this.vmCollector);
    for (const selection of this.selections.values()) this.attach(selection.collector);
    for (const unit of this.units.values()) this.attach(unit.collector);
    for (const subject of this.subjectCollectors.keys()) this.renderStatus(subject);
  }

  // ---- selection ------------------------------------------------------------------------------------------

  private policyOf(subject: string): AnyPolicy | undefined {
    return this.traffic.get(subject) ?? this.access.get(subject);
  }

  /** Selects the destinations of one policy and records them; returns the keys it selected before and now. */
  private select(subject: string): { before: readonly string[]; after: readonly string[] } {
    const previous = this.selections.get(subject);
    for (const key of previous?.services ?? []) {
      const subjects = this.policiesOfDest.get(key);
      const at = subjects ? subjects.indexOf(subject) : -1;
      if (at >= 0) subjects!.splice(at, 1);
    }
    this.selections.delete(subject);
    const policy = this.policyOf(subject);
    if (!policy) return { before: previous?.services ?? [], after: [] };
    const ref = refOf(policy);
    const collector = new StatusCollector();
    collector.register(ref, policy.metadata.generation);
    const selected = selectDestinations(policy.spec.destinationSelector, this.index);
    for (const e of selected.errors) collector.policyError(ref, e);
    const meshKeys = new Set<string>();
    const services: string[] = [];
    let lastMesh: MeshService["spec"]["mesh"] | undefined;
    for (const s of selected.services) {
      const key = this.index.keyOf(s);
      services.push(key);
      const mesh = s.spec.mesh;
      if (!lastMesh || mesh.name !== lastMesh.name || mesh.namespace !== lastMesh.namespace) meshKeys.add(`${mesh.namespace}/${mesh.name}`);
      lastMesh = mesh;
      const subjects = this.policiesOfDest.get(key);
      if (subjects) subjects.push(subject);
      else this.policiesOfDest.set(key, [subject]);
    }
    for (const mk of meshKeys) {
      const names = policy.kind === "TrafficPolicy" ? this.workloadIndex.selectedBySource(mk, policy.spec.sourceSelector) : this.workloadIndex.selectedByIdentity(mk, policy.spec.sourceSelector);
      collector.addWorkloads(ref, names);
    }
    const rule = policy.kind === "AccessPolicy" ? resolveAccessRule(policy, this.index) : undefined;
    const kept = exactly(services);
    collector.accept(ref, kept); // selection lists destinations sorted by key
    this.selections.set(subject, { ref, services: kept, collector, ...(rule ? { rule } : {}) });
    return { before: previous?.services ?? [], after: kept };
  }

  /**
   * Destination keys grouped by cluster, then namespace (first-seen order within): consecutive units then fill the
   * same slot maps, which keeps a large estate's build in cache.
   */
  private byPlacement(keys: Iterable<string>): string[] {
    const byCluster = new Map<string, Map<string, string[]>>();
    for (const key of keys) {
      const ref = this.index.get(key)!.spec.kubeService.ref;
      let namespaces = byCluster.get(ref.clusterName);
      if (!namespaces) byCluster.set(ref.clusterName, (namespaces = new Map()));
      const list = namespaces.get(ref.namespace);
      if (list) list.push(key);
      else namespaces.set(ref.namespace, [key]);
    }
    const out: string[] = [];
    for (const namespaces of byCluster.values()) for (const list of namespaces.values()) for (const key of list) out.push(key);
    return out;
  }

  // ---- per destination ---------------------------------------------------------------------------------------

  private peersOf(mesh: Mesh): Mesh[] {
    let peers = this.peersCache.get(mesh);
    if (peers) return peers;
    const vm = this.virtualMeshOf.get(meshKeyOf(mesh));
    peers = !vm ? [mesh] : vm.spec.meshes.map((r) => this.meshes.get(`${r.namespace}/${r.name}`)).filter((m): m is Mesh => m !== undefined && this.virtualMeshOf.get(meshKeyOf(m)) === vm);
    this.peersCache.set(mesh, peers);
    return peers;
  }

  private contextFor(service: MeshService, mesh: Mesh, key: string): DestinationContext {
    const clusterName = service.spec.kubeService.ref.clusterName;
    let vm = this.virtualMeshCache.get(mesh);
    if (vm === undefined && !this.virtualMeshCache.has(mesh)) this.virtualMeshCache.set(mesh, (vm = this.virtualMeshOf.get(meshKeyOf(mesh))));
    return {
      key,
      service,
      mesh,
      cluster: this.clusterOf(clusterName),
      discovery: this.discovery,
      index: this.index,
      options: this.options,
      virtualMesh: vm,
      trustPeers: this.peersOf(mesh),
      referencedSubsetsOf: this.referencedSubsetsOf,
      federation: this.federation,
    };
  }

  private meshOf(service: MeshService): Mesh | undefined {
    return this.meshesByRef.get(service.spec.mesh.namespace)?.get(service.spec.mesh.name);
  }

  private clusterOf(name: string): KubernetesCluster {
    return this.clusters.get(name) ?? defaultCluster(name, this.discovery.managementNamespace);
  }

  private rememberUnit(key: string): void {
    if (this.unitsReplaced && !this.unitsReplaced.has(key)) this.unitsReplaced.set(key, this.units.get(key));
  }

  private setUnit(key: string, unit: Unit): void {
    this.rememberUnit(key);
    this.units.set(key, unit);
  }

  private deleteUnit(key: string): void {
    this.rememberUnit(key);
    this.units.delete(key);
  }

  /** A unit as it was before the current apply (units are otherwise changed in place only when rendered). */
  private unitBefore(key: string): Unit | undefined {
    return this.unitsReplaced?.has(key) ? this.unitsReplaced.get(key) : this.units.get(key);
  }

  /** Pass 1 for one destination: its policies in precedence order, resolved, checked and merged. */
  private resolveUnit(key: string): void {
    const subjects = this.policiesOfDest.get(key);
    if (!subjects || subjects.length === 0) {
      this.policiesOfDest.delete(key);
      this.deleteUnit(key);
      this.ensureTargetUnit(key); // still a target of other destinations' routes: its subsets stay defined
      return;
    }
    // TrafficPolicies, and AccessPolicies by subject (it finds their selection), each in precedence order. A list
    // starts as a literal of its first item: most destinations have one policy of a kind, and a list grown by push
    // from empty reserves 16 slots (garbage made per destination is what a large estate's scavenges pay for).
    let tps: TrafficPolicy[] | undefined;
    let aps: string[] | undefined;
    for (const subject of subjects) {
      const tp = this.traffic.get(subject);
      if (tp) {
        if (tps) tps.push(tp);
        else tps = [tp];
      } else if (aps) aps.push(subject);
      else aps = [subject];
    }
    if (tps && tps.length > 1) sortInPlace(tps, comparePrecedence);
    if (aps && aps.length > 1) sortInPlace(aps, (a, b) => comparePrecedence(this.access.get(a)!, this.access.get(b)!));
    let collector: StatusCollector | undefined; // made on the first report: most destinations have none
    const service = this.index.get(key)!;
    const mesh = this.meshOf(service);
    if (!mesh) {
      const message = `the mesh ${service.spec.mesh.namespace}/${service.spec.mesh.name} of destination ${key} was not discovered`;
      collector = new StatusCollector();
      for (const tp of tps ?? []) collector.report(refOf(tp), key, "INVALID", message);
      for (const subject of aps ?? []) collector.report(this.selections.get(subject)!.ref, key, "INVALID", message);
      this.setUnit(key, { key, resolveCollector: collector, collector, refsOut: NO_REFERENCES, objects: NOTHING_EMITTED, copies: NOTHING_EMITTED });
      return;
    }
    const translator = MESH_TRANSLATORS["istio" in mesh.spec ? "istio" : "linkerd"];
    const ctx = this.contextFor(service, mesh, key);
    let traffic = NO_TRAFFIC;
    if (tps) {
      const resolved = resolveTraffic(
        service,
        tps,
        this.index,
        service.spec.kubeService.ref.clusterName,
        (policy, actions) => translator.checkTraffic(policy, actions, ctx),
        translator.checkMerge ? (route, incoming, where) => translator.checkMerge!(route, incoming, where, ctx) : undefined,
        this.trafficMemo,
      );
      traffic = resolved.resolved;
      for (const r of resolved.reports) (collector ??= new StatusCollector()).report(r.policy, key, r.state, r.message);
    }
    let access: readonly ResolvedAccessRule[] = NONE;
    let accessRefs: readonly PolicyRef[] = NONE;
    if (aps) {
      let rules: ResolvedAccessRule[] | undefined;
      let refs: PolicyRef[] | undefined;
      for (const subject of aps) {
        const selection = this.selections.get(subject)!;
        const ref = selection.ref;
        if (refs) refs.push(ref);
        else refs = [ref];
        const resolved = selection.rule!;
        if (!resolved.rule) {
          for (const e of resolved.errors) (collector ??= new StatusCollector()).report(ref, key, "INVALID", e);
          continue;
        }
        const unsupported = translator.checkAccess(this.access.get(subject)!, resolved.rule, ctx);
        if (unsupported.length > 0) for (const e of unsupported) (collector ??= new StatusCollector()).report(ref, key, "INVALID", e);
        else if (rules) rules.push(resolved.rule);
        else rules = [resolved.rule];
      }
      if (rules) access = sharedList(rules);
      accessRefs = sharedList(refs!);
    }
    const dest: ResolvedDestination = { key, service, mesh, traffic, access, accessPolicies: accessRefs, referencedSubsets: NONE };
    const reported = collector ?? NO_REPORTS;
    this.setUnit(key, { key, translator, dest, resolveCollector: reported, collector: reported, refsOut: referencesOf(dest), objects: NOTHING_EMITTED, copies: NOTHING_EMITTED });
  }

  /** A unit for a service no policy selects but whose subsets routes reference (its DestinationRule defines them). */
  private ensureTargetUnit(key: string): void {
    if (this.units.has(key) || !(this.referenced.get(key)?.length)) return;
    const service = this.index.get(key);
    const mesh = service && this.meshOf(service);
    if (!service || !mesh) return;
    const dest: ResolvedDestination = { key, service, mesh, traffic: NO_TRAFFIC, access: NONE, accessPolicies: NONE, referencedSubsets: NONE };
    this.setUnit(key, { key, translator: MESH_TRANSLATORS["istio" in mesh.spec ? "istio" : "linkerd"], dest, resolveCollector: NO_REPORTS, collector: NO_REPORTS, refsOut: NO_REFERENCES, objects: NOTHING_EMITTED, copies: NOTHING_EMITTED });
  }

  /**
   * Recomputes which subsets are referenced for every target of the given units' routes (before and after).
   * Returns the targets whose referenced subsets changed.
   */
  private refreshReferenced(unitKeys: Iterable<string>, previousRefs: ReadonlyMap<string, ReadonlyMap<string, ReferencedSubset[]>> = new Map()): Set<string> {
    const targets = new Set<string>();
    for (const key of unitKeys) {
      for (const t of previousRefs.get(key)?.keys() ?? []) {
        targets.add(t);
        this.referrers.get(t)?.delete(key);
      }
      for (const t of this.units.get(key)?.refsOut.keys() ?? []) {
        targets.add(t);
        let set = this.referrers.get(t);
        if (!set) this.referrers.set(t, (set = new Set()));
        set.add(key);
      }
    }
    const changed = new Set<string>();
    for (const t of targets) {
      const list = [...(this.referrers.get(t) ?? [])].sort(compareStrings).flatMap((k) => this.units.get(k)?.refsOut.get(t) ?? []);
      const unique = new Map<string, ReferencedSubset>();
      for (const r of list) {
        const key = canonicalKey(r.labels);
        if (!unique.has(key)) unique.set(key, r);
      }
      const next = [...unique.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => v);
      const before = this.referenced.get(t) ?? [];
      if (!jsonEqual(before, next)) changed.add(t);
      if (next.length > 0) this.referenced.set(t, next);
      else this.referenced.delete(t);
      if (next.length > 0) this.ensureTargetUnit(t);
      else if (!this.policiesOfDest.has(t) && this.units.has(t)) this.deleteUnit(t);
    }
    return changed;
  }

  /** Pass 2 and the federated copies for one destination. */
  private renderUnit(key: string): void {
    const unit = this.units.get(key);
    if (!unit) return;
    unit.collector = unit.resolveCollector;
    if (!unit.dest || !unit.translator) {
      unit.objects = NOTHING_EMITTED;
      unit.copies = NOTHING_EMITTED;
      return;
    }
    const referencedSubsets = this.referenced.get(key) ?? NONE;
    const dest: ResolvedDestination = unit.dest.referencedSubsets === referencedSubsets ? unit.dest : { ...unit.dest, referencedSubsets };
    unit.dest = dest;
    const ctx = this.contextFor(dest.service, dest.mesh, key);
    const out = unit.translator.translateDestination(dest, ctx);
    // Pass 1's reports are kept apart (pass 2 may be redone alone); copy them only when more reports follow.
    if (out.reports.length > 0 || this.federation.exportsOf(key).length > 0) unit.collector = unit.resolveCollector.clone();
    for (const r of out.reports) unit.collector.report(r.policy, key, r.state, r.message);
    const cluster = dest.service.spec.kubeService.ref.clusterName;
    unit.objects = out.objects.length > 0 ? { cluster, objects: exactly(out.objects) } : NOTHING_EMITTED;
    if (this.federation.exportsOf(key).length === 0) {
      unit.copies = NOTHING_EMITTED;
      return;
    }
    unit.copies = renderFederatedCopies(this.federation, {
      destinations: [{ ctx, translator: unit.translator, dest }],
      policiesOf: (k) => sortByPrecedence([...(this.policiesOfDest.get(k) ?? [])].map((s) => this.traffic.get(s)).filter((p): p is TrafficPolicy => p !== undefined)),
      clusterOf: (name) => this.clusterOf(name),
      index: this.index,
      statuses: unit.collector,
    });
  }

  /** Per-VirtualMesh objects: federation gateways, ServiceEntries, Links, global access control, and the plan. */
  private renderVirtualMeshLevel(): void {
    this.vmCollector = new StatusCollector();
    const rendered = renderFederation(this.federation, {
      destinations: [],
      policiesOf: () => [],
      referencedSubsetsOf: (k) => this.referenced.get(k) ?? [],
      clusterOf: (name) => this.clusterOf(name),
      workloads: this.discovery.workloads,
      index: this.index,
      statuses: this.vmCollector,
    });
    this.vmObjects = rendered.objects;
    this.federationPlan = rendered.plan;
  }

  private planTrust(virtualMeshes: readonly VirtualMesh[]): CertificatePlan | null {
    this.trustDiagnostics = [];
    const wanting = virtualMeshes.filter((vm) => vm.spec.mtlsConfig?.shared && !vm.spec.mtlsConfig.shared.intermediateCertificateAuthority);
    if (wanting.length === 0) return null;
    if (!this.options.now) {
      this.trustDiagnostics.push({ severity: "warning", kind: "VirtualMesh", message: "no certificate plan: pass options.now (the instant certificate dates are computed from) to plan the shared trust of VirtualMeshes with mtlsConfig.shared" });
      return null;
    }
    const groupings = wanting.map((vm) => ({ virtualMesh: vm, meshes: vm.spec.meshes.map((r) => this.meshes.get(`${r.namespace}/${r.name}`)).filter((m): m is Mesh => m !== undefined && this.virtualMeshOf.get(meshKeyOf(m)) === vm) }));
    const plan = planCertificates({ virtualMeshes: groupings, now: this.options.now, managementNamespace: this.discovery.managementNamespace, workloads: this.discovery.workloads, ...this.options.certificates });
    return plan.virtualMeshes.length > 0 ? plan : null;
  }

  // ---- assembling outputs --------------------------------------------------------------------------------------

  /**
   * Contribution order decides merges of two patches of one object and which of two clashing objects is kept:
   * destinations in key order, then per-VirtualMesh objects, then federated copies — the order of a full build.
   */
  private contributorKeys(unit: Unit): { main: string; copies: string } {
    return { main: `1:${unit.key}`, copies: `3:${unit.key}` };
  }

  private contribute(unit: Unit, touched = new Set<Slot>(), previous?: { objects: Emitted; copies: Emitted }): Set<Slot> {
    const keys = this.contributorKeys(unit);
    this.replaceContributions(keys.main, previous?.objects ?? NOTHING_EMITTED, unit.objects, touched);
    this.replaceContributions(keys.copies, previous?.copies ?? NOTHING_EMITTED, unit.copies, touched);
    for (const t of touched) this.assemble(t);
    return touched;
  }

  private contributeVirtualMeshLevel(previous: RenderedObject[] = [], touched = new Set<Slot>()): Set<Slot> {
    this.replaceContributions(VIRTUAL_MESH_CONTRIBUTOR, previous, this.vmObjects, touched);
    for (const t of touched) this.assemble(t);
    return touched;
  }

  /** Swaps one contributor's objects (removing what it no longer emits) without scanning other contributors. */
  private replaceContributions(contributor: string, before: Emitted, after: Emitted, touched?: Set<Slot>): void {
    // Loops rather than a visitor callback: this runs twice per destination, and each closure is garbage.
    if ("cluster" in before) for (const object of before.objects) this.withdraw(contributor, before.cluster, object, touched);
    else for (const { cluster, object } of before) this.withdraw(contributor, cluster, object, touched);
    if ("cluster" in after) for (const object of after.objects) this.put(contributor, after.cluster, object, touched);
    else for (const { cluster, object } of after) this.put(contributor, cluster, object, touched);
  }

  private withdraw(contributor: string, cluster: string, object: KubeObject, touched: Set<Slot> | undefined): void {
    const slot = this.slots.get(cluster, object);
    if (slot?.remove(contributor)) touched?.add(slot);
  }

  private put(contributor: string, cluster: string, object: KubeObject, touched: Set<Slot> | undefined): void {
    const slot = this.slots.obtain(cluster, object);
    slot.add(contributor, object);
    touched?.add(slot);
  }

  /** Folds the contributions to one object identity into the object emitted (patches merge; clashes keep the first). */
  private assemble(slot: Slot): void {
    if (this.recording && !this.recording.has(slot)) this.recording.set(slot, slot.final ?? null);
    this.objectDiagnostics.delete(slot);
    let final: KubeObject | undefined;
    const size = slot.size();
    if (size === 1) final = slot.object ?? slot.more!.values().next().value;
    else if (size > 1) {
      for (const [, obj] of slot.entries().sort(([a], [b]) => compareStrings(a, b))) {
        if (!final) {
          final = obj;
          continue;
        }
        if (jsonEqual(final, obj)) continue;
        const merged = mergeMetadataPatches(final, obj);
        if (merged) final = merged;
        else this.objectDiagnostics.set(slot, { severity: "error", cluster: slot.cluster, kind: obj.kind, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}), name: obj.metadata.name, message: "two different objects with the same identity were produced; the first is kept" });
      }
    }
    slot.final = final;
    if (size === 0 && !this.recording) this.slots.delete(slot);
  }

  // ---- statuses --------------------------------------------------------------------------------------------------

  private attach(collector: StatusCollector): void {
    if (collector.isEmpty()) return;
    for (const subject of collector.subjects()) {
      let set = this.subjectCollectors.get(subject);
      if (!set) this.subjectCollectors.set(subject, (set = new Set()));
      set.add(collector);
    }
  }

  private detach(collector: StatusCollector, touched: Set<string>): void {
    for (const subject of collector.subjects()) {
      this.subjectCollectors.get(subject)?.delete(collector);
      touched.add(subject);
    }
  }

  private renderStatus(subject: string): void {
    const collectors = this.subjectCollectors.get(subject);
    const exists = this.policyOf(subject) ?? this.vms.get(subject);
    const status = exists && collectors ? StatusCollector.renderSubject(subject, [...collectors]) : undefined;
    if (status) this.statusCache.set(subject, status);
    else {
      this.statusCache.delete(subject);
      if (!exists) this.subjectCollectors.delete(subject);
    }
  }

  // ---- reading ---------------------------------------------------------------------------------------------------

  /** The full result, as {@link translate} returns it. */
  result(): TranslationResult {
    // Slots come sorted by cluster, then exactly as compareObjects orders objects.
    const clusters: Record<string, KubeObject[]> = {};
    for (const slot of this.slots.sorted()) if (slot.final) (clusters[slot.cluster] ??= []).push(slot.final);
    const statuses = { trafficPolicies: {} as Record<string, PolicyStatus>, accessPolicies: {} as Record<string, PolicyStatus>, virtualMeshes: {} as Record<string, VirtualMeshStatus> };
    for (const subject of [...this.statusCache.keys()].sort(compareStrings)) {
      const [kind, key] = subject.split("/") as [string, string];
      const status = this.statusCache.get(subject)!;
      if (kind === "TrafficPolicy") statuses.trafficPolicies[key] = status as PolicyStatus;
      else if (kind === "AccessPolicy") statuses.accessPolicies[key] = status as PolicyStatus;
      else statuses.virtualMeshes[key] = status as VirtualMeshStatus;
    }
    const objectDiagnostics = [...this.objectDiagnostics.entries()].sort(([a], [b]) => compareSlots(a, b)).map(([, d]) => d);
    return {
      discovery: this.discovery,
      clusters,
      statuses,
      certificatePlan: this.certificatePlan,
      federation: this.federationPlan,
      diagnostics: [...this.discovery.diagnostics, ...objectDiagnostics, ...this.trustDiagnostics],
      resolved: this.resolvedDestinations(),
    };
  }

  /** Every destination's resolved decisions, by key. */
  private resolvedDestinations(): ResolvedDestination[] {
    const out: ResolvedDestination[] = [];
    for (const key of sortedKeys(this.units)) {
      const dest = this.units.get(key)!.dest;
      if (dest) out.push(dest);
    }
    return out;
  }

  // ---- incremental -----------------------------------------------------------------------------------------------

  /** Applies a change and returns only what changed. See {@link TranslationSession}. */
  apply(change: TranslationChange): TranslationDelta {
    const vmChanged = [...(change.upsert ?? []), ...(change.remove ?? [])].some((x) => x.kind === "VirtualMesh");
    if (change.discovery || vmChanged) {
      const beforeStatuses = new Map(this.statusCache);
      // A build makes new slots: identities are matched across it by their token.
      const before = new Map<string, Slot>();
      for (const slot of this.slots) if (slot.final) before.set(slot.token(), slot);
      if (change.discovery) this.discovery = change.discovery;
      this.applyInputs(change);
      this.build();
      const changes: ObjectChange[] = [];
      for (const slot of this.slots) {
        const token = slot.token();
        if (slot.final) changes.push({ slot, before: before.get(token)?.final ?? null, now: slot.final });
        before.delete(token);
      }
      for (const old of before.values()) changes.push({ slot: old, before: old.final!, now: undefined });
      return this.delta(changes, beforeStatuses, new Set([...beforeStatuses.keys(), ...this.statusCache.keys()]), this.units.size, true);
    }

    const changedSubjects = this.applyInputs(change);
    const affected = new Set<string>();
    const touchedStatuses = new Set<string>(changedSubjects);
    for (const subject of changedSubjects) {
      const old = this.selections.get(subject);
      if (old) this.detach(old.collector, touchedStatuses);
      const { before, after } = this.select(subject);
      for (const k of before) affected.add(k);
      for (const k of after) affected.add(k);
      const now = this.selections.get(subject);
      if (now) this.attach(now.collector);
    }

    // Pass 1 for the affected destinations; units replaced or removed from here on are remembered as they were.
    this.unitsReplaced = new Map();
    for (const key of [...affected].sort(compareStrings)) this.resolveUnit(key);
    const previousRefs = new Map<string, ReadonlyMap<string, ReferencedSubset[]>>();
    for (const key of affected) {
      const before = this.unitBefore(key);
      if (before) previousRefs.set(key, before.refsOut);
    }
    const changedTargets = this.refreshReferenced(affected, previousRefs);

    // Pass 2 for them, for targets whose referenced subsets changed, and for units routing to those targets.
    const render = new Set<string>([...affected, ...changedTargets]);
    for (const t of changedTargets) for (const r of this.referrers.get(t) ?? []) render.add(r);
    const touchedObjects = new Set<Slot>();
    this.recording = new Map();
    for (const key of [...render].sort(compareStrings)) {
      const before = this.unitBefore(key);
      const beforeOutputs = before ? { objects: before.objects, copies: before.copies } : { objects: NOTHING_EMITTED, copies: NOTHING_EMITTED };
      const beforeCollector = before?.collector;
      if (beforeCollector) this.detach(beforeCollector, touchedStatuses);
      this.renderUnit(key);
      const unit = this.units.get(key);
      if (unit) {
        this.contribute(unit, touchedObjects, beforeOutputs);
        this.attach(unit.collector);
        for (const s of unit.collector.subjects()) touchedStatuses.add(s);
      } else {
        const keys = { main: `1:${key}`, copies: `3:${key}` };
        this.replaceContributions(keys.main, beforeOutputs.objects, NOTHING_EMITTED, touchedObjects);
        this.replaceContributions(keys.copies, beforeOutputs.copies, NOTHING_EMITTED, touchedObjects);
        for (const t of touchedObjects) this.assemble(t);
      }
    }
    // ServiceEntry endpoint labels follow referenced subsets of federated services.
    if ([...changedTargets].some((t) => this.federation.virtualMeshes.some((d) => d.exports.some((e) => e.key === t)))) {
      const before = this.vmObjects;
      this.detach(this.vmCollector, touchedStatuses);
      this.renderVirtualMeshLevel();
      this.attach(this.vmCollector);
      this.contributeVirtualMeshLevel(before, touchedObjects);
    }
    const beforeStatuses = new Map<string, PolicyStatus | VirtualMeshStatus>();
    for (const subject of touchedStatuses) {
      const previous = this.statusCache.get(subject);
      if (previous) beforeStatuses.set(subject, previous);
      this.renderStatus(subject);
    }
    const changes: ObjectChange[] = [];
    for (const [slot, before] of this.recording) {
      changes.push({ slot, before, now: slot.final });
      if (slot.size() === 0) this.slots.delete(slot);
    }
    this.recording = undefined;
    this.unitsReplaced = undefined;
    return this.delta(changes, beforeStatuses, touchedStatuses, render.size, false);
  }

  /** Records upserts and removals; returns the subjects of changed policies (VirtualMeshes are handled by a build). */
  private applyInputs(change: TranslationChange): string[] {
    const changed: string[] = [];
    for (const r of change.remove ?? []) {
      const subject = subjectOf(r);
      if (this.traffic.delete(subject) || this.access.delete(subject)) changed.push(subject);
      this.vms.delete(subject);
    }
    for (const p of change.upsert ?? []) {
      const subject = subjectOf(refOf(p));
      if (p.kind === "TrafficPolicy") this.traffic.set(subject, p);
      else if (p.kind === "AccessPolicy") this.access.set(subject, p);
      else this.vms.set(subject, p);
      if (p.kind !== "VirtualMesh") changed.push(subject);
    }
    return [...new Set(changed)];
  }

  private delta(changes: ObjectChange[], beforeStatuses: ReadonlyMap<string, PolicyStatus | VirtualMeshStatus>, subjects: ReadonlySet<string>, destinations: number, full: boolean): TranslationDelta {
    const clusters: Record<string, { upserted: KubeObject[]; removed: ObjectId[] }> = {};
    const entry = (c: string) => (clusters[c] ??= { upserted: [], removed: [] });
    for (const { slot, before, now } of changes.sort((a, b) => compareSlots(a.slot, b.slot))) {
      if (now && (before === null || !jsonEqual(now, before))) entry(slot.cluster).upserted.push(now);
      else if (!now && before !== null) entry(slot.cluster).removed.push(slot.id());
    }
    for (const c of Object.keys(clusters)) if (clusters[c]!.upserted.length === 0 && clusters[c]!.removed.length === 0) delete clusters[c];
    const statuses = { trafficPolicies: {} as Record<string, PolicyStatus | null>, accessPolicies: {} as Record<string, PolicyStatus | null>, virtualMeshes: {} as Record<string, VirtualMeshStatus | null> };
    for (const subject of [...subjects].sort(compareStrings)) {
      const now = this.statusCache.get(subject) ?? null;
      const before = beforeStatuses.get(subject);
      if (before !== undefined && now !== null && jsonEqual(before, now)) continue;
      if (before === undefined && now === null) continue;
      const [kind, key] = subject.split("/") as [string, string];
      if (kind === "TrafficPolicy") statuses.trafficPolicies[key] = now as PolicyStatus | null;
      else if (kind === "AccessPolicy") statuses.accessPolicies[key] = now as PolicyStatus | null;
      else statuses.virtualMeshes[key] = now as VirtualMeshStatus | null;
    }
    return { clusters, statuses, recomputed: { destinations, full } };
  }
}

/** Shared by every unit that references no subset (most of them). */
const NO_REFERENCES: ReadonlyMap<string, ReferencedSubset[]> = new Map();

/** Subsets a destination's routes shift or mirror to, per target service. */
function referencesOf(dest: ResolvedDestination): ReadonlyMap<string, ReferencedSubset[]> {
  if (dest.traffic.routes.length === 0) return NO_REFERENCES;
  const out = new Map<string, ReferencedSubset[]>();
  const add = (targetKey: string, labels: Readonly<Record<string, string>> | undefined, setBy: PolicyRef): void => {
    if (!labels || Object.keys(labels).length === 0) return;
    const list = out.get(targetKey) ?? [];
    const key = canonicalKey(labels);
    if (!list.some((r) => canonicalKey(r.labels) === key)) list.push({ labels, setBy, from: dest.key });
    out.set(targetKey, list);
  };
  for (const route of dest.traffic.routes) {
    const shift = route.actions.trafficShift;
    for (const b of shift?.value ?? []) add(b.key, b.subset, shift!.setBy);
    const mirror = route.actions.mirror;
    if (mirror) add(mirror.value.key, mirror.value.subset, mirror.setBy);
  }
  return out.size > 0 ? out : NO_REFERENCES;
}

