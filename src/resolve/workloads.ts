import { compareStrings } from "../codec/canonical.js";
import type { MeshWorkload } from "../model/discovery.js";
import type { IdentitySelector, WorkloadSelector } from "../model/networking.js";
import { identitySelected, workloadSelected } from "./selectors.js";

/** `namespace/name` of a workload's mesh. */
function meshKeyOf(w: MeshWorkload): string {
  return `${w.spec.mesh.namespace}/${w.spec.mesh.name}`;
}

/** The workloads of one mesh, sorted by name, and buckets of them by namespace and by label. */
interface MeshWorkloads {
  readonly all: MeshWorkload[];
  names: readonly string[];
  readonly byNamespace: Map<string, MeshWorkload[]>;
  /** label key → label value → workloads. Nested maps: no key string is built per workload and label. */
  readonly byLabel: Map<string, Map<string, MeshWorkload[]>>;
}

const NO_WORKLOADS: readonly MeshWorkload[] = [];

/**
 * Indexes workloads by mesh, namespace, label and service account, so finding the workloads a policy affects costs
 * what it matches. Lists it returns are sorted by name and shared: callers must not mutate them.
 */
export class WorkloadIndex {
  private readonly byMesh = new Map<string, MeshWorkloads>();

  constructor(workloads: readonly MeshWorkload[]) {
    const sorted = [...workloads].sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
    for (const w of sorted) {
      const mk = meshKeyOf(w);
      let mesh = this.byMesh.get(mk);
      if (!mesh) this.byMesh.set(mk, (mesh = { all: [], names: [], byNamespace: new Map(), byLabel: new Map() }));
      mesh.all.push(w);
      push(mesh.byNamespace, w.spec.kubernetes.controller.namespace, w);
      const labels = w.spec.kubernetes.podLabels;
      for (const k in labels) {
        let values = mesh.byLabel.get(k);
        if (!values) mesh.byLabel.set(k, (values = new Map()));
        push(values, labels[k]!, w);
      }
    }
    for (const mesh of this.byMesh.values()) mesh.names = Object.freeze(mesh.all.map((w) => w.metadata.name));
  }

  /** Names of the workloads of `meshKey` selected by a TrafficPolicy `sourceSelector` (empty = all of them). */
  selectedBySource(meshKey: string, selectors: readonly WorkloadSelector[] | undefined): readonly string[] {
    if (!selectors?.length || selectors.some((s) => !s.kubeWorkloadMatcher)) return this.byMesh.get(meshKey)?.names ?? [];
    return this.filter(meshKey, selectors.map((s) => ({ namespaces: s.kubeWorkloadMatcher?.namespaces, labels: s.kubeWorkloadMatcher?.labels })), (w) => workloadSelected(selectors, w));
  }

  /** Names of the workloads of `meshKey` whose identity an AccessPolicy `sourceSelector` selects (empty = all). */
  selectedByIdentity(meshKey: string, selectors: readonly IdentitySelector[] | undefined): readonly string[] {
    if (!selectors?.length || selectors.some((s) => !s.kubeIdentityMatcher && !s.kubeServiceAccountRefs)) return this.byMesh.get(meshKey)?.names ?? [];
    const narrowing = selectors.flatMap((s) => [
      ...(s.kubeIdentityMatcher ? [{ namespaces: s.kubeIdentityMatcher.namespaces }] : []),
      ...(s.kubeServiceAccountRefs?.serviceAccounts ?? []).map((sa) => ({ namespaces: sa.namespace !== undefined ? [sa.namespace] : undefined })),
    ]);
    return this.filter(meshKey, narrowing, (w) => identitySelected(selectors, w));
  }

  /** Candidates from the narrowest bucket of each alternative, then the exact predicate. */
  private filter(meshKey: string, alternatives: { namespaces?: readonly string[] | undefined; labels?: Readonly<Record<string, string>> | undefined }[], predicate: (w: MeshWorkload) => boolean): readonly string[] {
    const mesh = this.byMesh.get(meshKey);
    if (!mesh) return [];
    const picked = new Set<MeshWorkload>();
    for (const alt of alternatives) {
      let candidates: readonly MeshWorkload[] = mesh.all;
      if (alt.namespaces?.length) candidates = alt.namespaces.length === 1 ? (mesh.byNamespace.get(alt.namespaces[0]!) ?? NO_WORKLOADS) : alt.namespaces.flatMap((ns) => mesh.byNamespace.get(ns) ?? []);
      else if (alt.labels) {
        for (const k in alt.labels) {
          const bucket = mesh.byLabel.get(k)?.get(alt.labels[k]!) ?? NO_WORKLOADS;
          if (bucket.length < candidates.length) candidates = bucket;
        }
      }
      for (const w of candidates) if (!picked.has(w) && predicate(w)) picked.add(w);
    }
    const names: string[] = [];
    for (const w of picked) names.push(w.metadata.name);
    return isSorted(names) ? names : names.sort(compareStrings);
  }
}

/** Buckets are sorted by name, so one bucket's picks usually need no sort. */
function isSorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (compareStrings(names[i - 1]!, names[i]!) > 0) return false;
  return true;
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
