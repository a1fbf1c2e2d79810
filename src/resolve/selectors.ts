import { compareStrings } from "../codec/canonical.js";
import { canonicalKey } from "../codec/canonical-key.js";
import type { MeshService, MeshWorkload } from "../model/discovery.js";
import type { AccessPolicy, DestinationSelector, IdentitySelector, TrafficPolicy, WorkloadSelector } from "../model/networking.js";
import { trimBuckets } from "../util/arrays.js";

/** `name.namespace.cluster`: how statuses and errors name a destination service. */
export function serviceKey(ref: { name: string; namespace: string; clusterName: string }): string {
  return `${ref.name}.${ref.namespace}.${ref.clusterName}`;
}

/** `name.namespace`: how statuses name a policy. */
export function policyKey(meta: { name: string; namespace?: string }): string {
  return `${meta.name}.${meta.namespace ?? "default"}`;
}

export function meshServiceKey(s: MeshService): string {
  return serviceKey(s.spec.kubeService.ref);
}

/** True when every label of `selector` is in `labels`. */
export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Sorts `[key, service]` pairs by key: each key is built once, not once per comparison. */
function sortKeyed(keyed: (readonly [string, MeshService])[]): MeshService[] {
  return keyed.sort((a, b) => compareStrings(a[0], b[0])).map((e) => e[1]);
}

/**
 * Indexes services by key, cluster, namespace and label so a selector costs what it matches, not
 * policies × services.
 */
export class ServiceIndex {
  readonly all: readonly MeshService[];
  private readonly byKey = new Map<string, MeshService>();
  /** Each service's key, built (and flattened) once: selection and every later stage look it up instead. */
  private readonly keys = new Map<MeshService, string>();
  private readonly byCluster = new Map<string, MeshService[]>();
  /** Nested maps (cluster → namespace, label key → value): lookups on existing strings, no key built per service. */
  private readonly byNamespace = new Map<string, Map<string, MeshService[]>>();
  private readonly byLabel = new Map<string, Map<string, MeshService[]>>();
  private readonly clusterNames = new Set<string>();
  /** cluster → namespace → pod selector (canonical key) → services by name; built per namespace on first use. */
  private readonly bySelector = new Map<string, Map<string, Map<string, MeshService[]>>>();

  constructor(services: readonly MeshService[], clusters: Iterable<string> = []) {
    const keyed = services.map((s) => {
      const key = meshServiceKey(s);
      key.charCodeAt(0); // flattens the template literal's string tree once; the key lives as long as the index
      this.keys.set(s, key);
      return [key, s] as const;
    });
    this.all = sortKeyed(keyed);
    for (const c of clusters) this.clusterNames.add(c);
    for (const [key, s] of keyed) {
      const ref = s.spec.kubeService.ref;
      this.byKey.set(key, s);
      this.clusterNames.add(ref.clusterName);
      push(this.byCluster, ref.clusterName, s);
      let namespaces = this.byNamespace.get(ref.clusterName);
      if (!namespaces) this.byNamespace.set(ref.clusterName, (namespaces = new Map()));
      push(namespaces, ref.namespace, s);
      const labels = s.spec.kubeService.labels;
      for (const k in labels) {
        let values = this.byLabel.get(k);
        if (!values) this.byLabel.set(k, (values = new Map()));
        push(values, labels[k]!, s);
      }
    }
    trimBuckets(this.byCluster);
    for (const namespaces of this.byNamespace.values()) trimBuckets(namespaces);
    for (const values of this.byLabel.values()) trimBuckets(values);
  }

  get(key: string): MeshService | undefined {
    return this.byKey.get(key);
  }

  /** `name.namespace.cluster` of a service (the indexed string for indexed services). */
  keyOf(s: MeshService): string {
    return this.keys.get(s) ?? meshServiceKey(s);
  }

  hasCluster(cluster: string): boolean {
    return this.clusterNames.has(cluster);
  }

  /** Services of one cluster and namespace whose pod selector is exactly `selector`, sorted by name. */
  selectingExactly(cluster: string, namespace: string, selector: Readonly<Record<string, string>>): readonly MeshService[] {
    let namespaces = this.bySelector.get(cluster);
    if (!namespaces) this.bySelector.set(cluster, (namespaces = new Map()));
    let selectors = namespaces.get(namespace);
    if (!selectors) {
      namespaces.set(namespace, (selectors = new Map()));
      const inNamespace = [...(this.byNamespace.get(cluster)?.get(namespace) ?? [])].sort((a, b) => compareStrings(a.spec.kubeService.ref.name, b.spec.kubeService.ref.name));
      for (const s of inNamespace) push(selectors, canonicalKey(s.spec.kubeService.workloadSelectorLabels), s);
      trimBuckets(selectors);
    }
    return selectors.get(canonicalKey(selector)) ?? [];
  }

  /** Services matching a `kubeServiceMatcher`-like filter (omitted parts are wildcards), in no particular order. */
  match(filter: { labels?: Record<string, string>; namespaces?: string[]; clusters?: string[] }): MeshService[] {
    // Candidate buckets are compared by size before anything is copied: cost follows the narrowest filter.
    const buckets: (readonly MeshService[])[][] = [];
    for (const [k, v] of Object.entries(filter.labels ?? {})) buckets.push([this.byLabel.get(k)?.get(v) ?? []]);
    if (filter.clusters?.length && filter.namespaces?.length) {
      buckets.push(filter.clusters.flatMap((c) => filter.namespaces!.map((n) => this.byNamespace.get(c)?.get(n) ?? [])));
    } else if (filter.clusters?.length) {
      buckets.push(filter.clusters.map((c) => this.byCluster.get(c) ?? []));
    }
    const size = (parts: (readonly MeshService[])[]): number => parts.reduce((n, p) => n + p.length, 0);
    const smallest = buckets.length > 0 ? buckets.reduce((a, b) => (size(b) < size(a) ? b : a)) : [this.all];
    const out: MeshService[] = [];
    for (const part of smallest) {
      for (const s of part) {
        const ref = s.spec.kubeService.ref;
        if (filter.clusters?.length && !filter.clusters.includes(ref.clusterName)) continue;
        if (filter.namespaces?.length && !filter.namespaces.includes(ref.namespace)) continue;
        if (!labelsMatch(filter.labels, s.spec.kubeService.labels)) continue;
        out.push(s);
      }
    }
    return out;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The result of resolving a destination selector list. */
export interface SelectedServices {
  /** Selected services, sorted by key, without duplicates. */
  readonly services: readonly MeshService[];
  /** References that name no discovered service, e.g. `Destination reviews.bookinfo.cluster-1 not found`. */
  readonly errors: readonly string[];
}

/**
 * Resolves `destinationSelector`: entries are OR-ed; inside an entry, `kubeServiceMatcher` and
 * `kubeServiceRefs` are OR-ed as in Gloo Mesh; an empty list, or an empty entry, selects every service.
 */
export function selectDestinations(selectors: readonly DestinationSelector[] | undefined, index: ServiceIndex): SelectedServices {
  if (!selectors || selectors.length === 0) return { services: index.all, errors: [] };
  // The most common selector names one service: no map to merge into, nothing to sort.
  const only = selectors.length === 1 && !selectors[0]!.kubeServiceMatcher ? selectors[0]!.kubeServiceRefs?.services : undefined;
  if (only?.length === 1) {
    const s = index.get(serviceKey(only[0]!));
    return s ? { services: [s], errors: [] } : { services: [], errors: [destinationNotFound(only[0]!, index)] };
  }
  const picked = new Map<string, MeshService>();
  const errors: string[] = [];
  for (const sel of selectors) {
    if (!sel.kubeServiceMatcher && !sel.kubeServiceRefs) return { services: index.all, errors: [] };
    if (sel.kubeServiceMatcher) for (const s of index.match(sel.kubeServiceMatcher)) picked.set(index.keyOf(s), s);
    for (const ref of sel.kubeServiceRefs?.services ?? []) {
      const key = serviceKey(ref);
      const s = index.get(key);
      if (s) picked.set(key, s);
      else errors.push(destinationNotFound(ref, index));
    }
  }
  return { services: sortKeyed([...picked]), errors: errors.length > 0 ? [...new Set(errors)].sort(compareStrings) : [] };
}

/** The error for a reference to a service that discovery did not find, with the likely reason. */
export function destinationNotFound(ref: { name: string; namespace: string; clusterName: string }, index: ServiceIndex): string {
  const key = serviceKey(ref);
  if (!index.hasCluster(ref.clusterName)) {
    const shellVar = /^\$\{?[A-Za-z_]/.test(ref.clusterName) ? " (it looks like an unexpanded shell variable)" : "";
    return `Destination ${key} not found: cluster ${JSON.stringify(ref.clusterName)} is not registered${shellVar}`;
  }
  return `Destination ${key} not found`;
}

/** True when a workload is selected by a TrafficPolicy `sourceSelector` (empty list = every workload). */
export function workloadSelected(selectors: readonly WorkloadSelector[] | undefined, w: MeshWorkload): boolean {
  if (!selectors || selectors.length === 0) return true;
  const k = w.spec.kubernetes;
  return selectors.some((sel) => {
    const m = sel.kubeWorkloadMatcher;
    if (!m) return true;
    if (m.clusters?.length && !m.clusters.includes(k.controller.clusterName)) return false;
    if (m.namespaces?.length && !m.namespaces.includes(k.controller.namespace)) return false;
    return labelsMatch(m.labels, k.podLabels);
  });
}

/** True when a workload's identity (service account) is selected by an AccessPolicy `sourceSelector`. */
export function identitySelected(selectors: readonly IdentitySelector[] | undefined, w: MeshWorkload): boolean {
  if (!selectors || selectors.length === 0) return true;
  const k = w.spec.kubernetes;
  return selectors.some((sel) => {
    if (!sel.kubeIdentityMatcher && !sel.kubeServiceAccountRefs) return true;
    const m = sel.kubeIdentityMatcher;
    if (m) {
      const okCluster = !m.clusters?.length || m.clusters.includes(k.controller.clusterName);
      const okNs = !m.namespaces?.length || m.namespaces.includes(k.controller.namespace);
      if (okCluster && okNs) return true;
    }
    return (sel.kubeServiceAccountRefs?.serviceAccounts ?? []).some(
      (sa) =>
        (sa.name === undefined || sa.name === k.serviceAccountName) &&
        (sa.namespace === undefined || sa.namespace === k.controller.namespace) &&
        (sa.clusterName === undefined || sa.clusterName === k.controller.clusterName),
    );
  });
}

/**
 * True when a policy's status counts `w` among the workloads it affects: a client in the mesh of one of the policy's
 * destinations (`namespace/name` mesh keys) that its sourceSelector selects. Exact also where the status lists only
 * the first names.
 */
export function affectedAsSource(policy: TrafficPolicy | AccessPolicy, destinationMeshes: ReadonlySet<string>, w: MeshWorkload): boolean {
  if (!destinationMeshes.has(`${w.spec.mesh.namespace}/${w.spec.mesh.name}`)) return false;
  return policy.kind === "TrafficPolicy" ? workloadSelected(policy.spec.sourceSelector, w) : identitySelected(policy.spec.sourceSelector, w);
}
