import { canonicalKey } from "../codec/canonical-key.js";
import type { MeshWorkload } from "../model/discovery.js";
import type { IdentitySelector, WorkloadSelector } from "../model/networking.js";
import { identitySelected, workloadSelected } from "./selectors.js";
import { sortedByCodeUnit, trimBuckets } from "../util/arrays.js";

/**
 * The workloads of one mesh, in discovery order. The name-sorted list and the namespace and label buckets are built
 * on first use: at scale, sorting and bucketing hundreds of thousands of scattered objects is a real cost, and many
 * estates never ask for some of them.
 */
class MeshWorkloads {
  readonly all: MeshWorkload[] = [];
  private sortedNames: readonly string[] | undefined;
  private namespaces: Map<string, MeshWorkload[]> | undefined;
  /** label key → label value → workloads. */
  private labels: Map<string, Map<string, MeshWorkload[]>> | undefined;
  /** namespace → service account → workloads. */
  private serviceAccounts: Map<string, Map<string, MeshWorkload[]>> | undefined;
  private readonly namespaceNames = new Map<string, readonly string[]>();
  private clusterNames: ReadonlySet<string> | undefined;

  /** The clusters this mesh's workloads run in. */
  clusters(): ReadonlySet<string> {
    return (this.clusterNames ??= new Set(this.all.map((w) => w.spec.kubernetes.controller.clusterName)));
  }

  /** The sorted names of one namespace's workloads, kept: many policies select a whole namespace. */
  namesInNamespace(namespace: string): readonly string[] {
    let names = this.namespaceNames.get(namespace);
    if (!names) {
      const list = this.inNamespace(namespace).map((w) => w.metadata.name);
      this.namespaceNames.set(namespace, (names = Object.freeze(sortedByCodeUnit(list))));
    }
    return names;
  }

  withServiceAccount(namespace: string, serviceAccount: string): readonly MeshWorkload[] {
    if (!this.serviceAccounts) {
      this.serviceAccounts = new Map();
      for (const w of this.all) {
        const k = w.spec.kubernetes;
        if (k.serviceAccountName === undefined) continue;
        let byName = this.serviceAccounts.get(k.controller.namespace);
        if (!byName) this.serviceAccounts.set(k.controller.namespace, (byName = new Map()));
        push(byName, k.serviceAccountName, w);
      }
      for (const byName of this.serviceAccounts.values()) trimBuckets(byName);
    }
    return this.serviceAccounts.get(namespace)?.get(serviceAccount) ?? NO_WORKLOADS;
  }

  /** Every workload's name, sorted. */
  names(): readonly string[] {
    if (!this.sortedNames) {
      const names = this.all.map((w) => w.metadata.name);
      this.sortedNames = Object.freeze(sortedByCodeUnit(names));
    }
    return this.sortedNames;
  }

  inNamespace(namespace: string): readonly MeshWorkload[] {
    if (!this.namespaces) {
      this.namespaces = new Map();
      for (const w of this.all) push(this.namespaces, w.spec.kubernetes.controller.namespace, w);
      trimBuckets(this.namespaces);
    }
    return this.namespaces.get(namespace) ?? NO_WORKLOADS;
  }

  withLabel(key: string, value: string): readonly MeshWorkload[] {
    if (!this.labels) {
      this.labels = new Map();
      for (const w of this.all) {
        const podLabels = w.spec.kubernetes.podLabels;
        for (const k in podLabels) {
          let values = this.labels.get(k);
          if (!values) this.labels.set(k, (values = new Map()));
          push(values, podLabels[k]!, w);
        }
      }
      for (const values of this.labels.values()) trimBuckets(values);
    }
    return this.labels.get(key)?.get(value) ?? NO_WORKLOADS;
  }
}

const NO_WORKLOADS: readonly MeshWorkload[] = [];

/**
 * Selections remembered per index: past this many, the memo starts over, so a long-lived session whose edits keep
 * inventing new selectors does not grow without bound.
 */
const SELECTION_MEMO_LIMIT = 100_000;

/** A selector list's canonical key, per list object (a policy's selector is read once per mesh it spans). */
const SELECTOR_KEYS = new WeakMap<object, string>();

function selectorKey(selectors: readonly object[]): string {
  let key = SELECTOR_KEYS.get(selectors);
  if (key === undefined) SELECTOR_KEYS.set(selectors, (key = canonicalKey(selectors)));
  return key;
}

/**
 * Indexes workloads by mesh, namespace, label and service account, so finding the workloads a policy affects costs
 * what it matches. Lists it returns are sorted by name and shared: callers must not mutate them.
 */
export class WorkloadIndex {
  /** mesh namespace → mesh name → workloads: two lookups on existing strings instead of a key built per workload. */
  private readonly byMesh = new Map<string, Map<string, MeshWorkloads>>();
  /**
   * Names per (kind, mesh, selector): policies often repeat a selector (a team's namespace), and the same list then
   * also lets statuses share their merged workload lists.
   */
  private readonly selections = new Map<string, readonly string[]>();

  constructor(workloads: readonly MeshWorkload[]) {
    for (const w of workloads) {
      const ref = w.spec.mesh;
      let byName = this.byMesh.get(ref.namespace);
      if (!byName) this.byMesh.set(ref.namespace, (byName = new Map()));
      let mesh = byName.get(ref.name);
      if (!mesh) byName.set(ref.name, (mesh = new MeshWorkloads()));
      mesh.all.push(w);
    }
  }

  private mesh(meshKey: string): MeshWorkloads | undefined {
    const slash = meshKey.indexOf("/");
    return this.byMesh.get(meshKey.slice(0, slash))?.get(meshKey.slice(slash + 1));
  }

  /** Names of the workloads of `meshKey` selected by a TrafficPolicy `sourceSelector` (empty = all of them). */
  selectedBySource(meshKey: string, selectors: readonly WorkloadSelector[] | undefined): readonly string[] {
    return this.remembered("source", meshKey, selectors, () => this.computeBySource(meshKey, selectors));
  }

  /** Names of the workloads of `meshKey` whose identity an AccessPolicy `sourceSelector` selects (empty = all). */
  selectedByIdentity(meshKey: string, selectors: readonly IdentitySelector[] | undefined): readonly string[] {
    return this.remembered("identity", meshKey, selectors, () => this.computeByIdentity(meshKey, selectors));
  }

  private remembered(kind: string, meshKey: string, selectors: readonly object[] | undefined, compute: () => readonly string[]): readonly string[] {
    if (!selectors?.length) return compute(); // every workload: already one shared list per mesh
    const key = `${kind}\n${meshKey}\n${selectorKey(selectors)}`;
    let names = this.selections.get(key);
    if (names === undefined) {
      if (this.selections.size >= SELECTION_MEMO_LIMIT) this.selections.clear();
      this.selections.set(key, (names = compute()));
    }
    return names;
  }

  private computeBySource(meshKey: string, selectors: readonly WorkloadSelector[] | undefined): readonly string[] {
    if (!selectors?.length || selectors.some((s) => !s.kubeWorkloadMatcher)) return this.mesh(meshKey)?.names() ?? [];
    const only = selectors.length === 1 ? selectors[0]!.kubeWorkloadMatcher! : undefined;
    if (only && only.namespaces?.length === 1 && !only.labels && this.coversMesh(meshKey, only.clusters)) return this.mesh(meshKey)?.namesInNamespace(only.namespaces[0]!) ?? [];
    return this.filter(meshKey, selectors.map((s) => ({ clusters: s.kubeWorkloadMatcher?.clusters, namespaces: s.kubeWorkloadMatcher?.namespaces, labels: s.kubeWorkloadMatcher?.labels })), (w) => workloadSelected(selectors, w));
  }

  private computeByIdentity(meshKey: string, selectors: readonly IdentitySelector[] | undefined): readonly string[] {
    if (!selectors?.length || selectors.some((s) => !s.kubeIdentityMatcher && !s.kubeServiceAccountRefs)) return this.mesh(meshKey)?.names() ?? [];
    const only = selectors.length === 1 && !selectors[0]!.kubeServiceAccountRefs?.serviceAccounts?.length ? selectors[0]!.kubeIdentityMatcher : undefined;
    if (only && only.namespaces?.length === 1 && this.coversMesh(meshKey, only.clusters)) return this.mesh(meshKey)?.namesInNamespace(only.namespaces[0]!) ?? [];
    const narrowing = selectors.flatMap((s): Alternative[] => [
      ...(s.kubeIdentityMatcher ? [{ clusters: s.kubeIdentityMatcher.clusters, namespaces: s.kubeIdentityMatcher.namespaces }] : []),
      ...(s.kubeServiceAccountRefs?.serviceAccounts ?? []).map((sa) => ({
        clusters: sa.clusterName !== undefined ? [sa.clusterName] : undefined,
        ...(sa.namespace !== undefined && sa.name !== undefined ? { serviceAccount: { namespace: sa.namespace, name: sa.name } } : { namespaces: sa.namespace !== undefined ? [sa.namespace] : undefined }),
      })),
    ]);
    return this.filter(meshKey, narrowing, (w) => identitySelected(selectors, w));
  }

  /** True when a matcher's cluster list (empty = any) includes every cluster the mesh's workloads run in. */
  private coversMesh(meshKey: string, clusters: readonly string[] | undefined): boolean {
    if (!clusters?.length) return true;
    const mesh = this.mesh(meshKey);
    if (!mesh) return true;
    for (const c of mesh.clusters()) if (!clusters.includes(c)) return false;
    return true;
  }

  /** Candidates from the narrowest bucket of each alternative, then the exact predicate. */
  private filter(meshKey: string, alternatives: readonly Alternative[], predicate: (w: MeshWorkload) => boolean): readonly string[] {
    const mesh = this.mesh(meshKey);
    if (!mesh) return [];
    const picked = new Set<MeshWorkload>();
    for (const alt of alternatives) {
      // An alternative for other clusters picks nothing here: most meshes run in one cluster, and scanning their
      // buckets only to reject every workload on its cluster cost (policies × bucket size) — quadratic in the estate.
      if (alt.clusters?.length && !alt.clusters.some((c) => mesh.clusters().has(c))) continue;
      let candidates: readonly MeshWorkload[] = mesh.all;
      if (alt.serviceAccount) candidates = mesh.withServiceAccount(alt.serviceAccount.namespace, alt.serviceAccount.name);
      else if (alt.namespaces?.length) candidates = alt.namespaces.length === 1 ? mesh.inNamespace(alt.namespaces[0]!) : alt.namespaces.flatMap((ns) => mesh.inNamespace(ns));
      else if (alt.labels) {
        for (const k in alt.labels) {
          const bucket = mesh.withLabel(k, alt.labels[k]!);
          if (bucket.length < candidates.length) candidates = bucket;
        }
      }
      for (const w of candidates) if (!picked.has(w) && predicate(w)) picked.add(w);
    }
    const names: string[] = [];
    for (const w of picked) names.push(w.metadata.name);
    return Object.freeze(sortedByCodeUnit(names));
  }
}

/** One alternative of a selector, narrowing the candidates the exact predicate then checks. */
interface Alternative {
  /** Clusters it is limited to (undefined or empty: any). */
  readonly clusters?: readonly string[] | undefined;
  readonly namespaces?: readonly string[] | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly serviceAccount?: { readonly namespace: string; readonly name: string };
}


function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
