import { compareStrings } from "../codec/canonical.js";
import type { MeshWorkload } from "../model/discovery.js";
import type { IdentitySelector, WorkloadSelector } from "../model/networking.js";
import { identitySelected, workloadSelected } from "./selectors.js";

/** `namespace/name` of a workload's mesh. */
function meshKeyOf(w: MeshWorkload): string {
  return `${w.spec.mesh.namespace}/${w.spec.mesh.name}`;
}

/**
 * Indexes workloads by mesh, namespace, label and service account, so finding the workloads a policy affects costs
 * what it matches. Lists it returns are sorted by name and shared: callers must not mutate them.
 */
export class WorkloadIndex {
  private readonly byMesh = new Map<string, MeshWorkload[]>();
  private readonly namesByMesh = new Map<string, readonly string[]>();
  private readonly byMeshNamespace = new Map<string, MeshWorkload[]>();
  private readonly byMeshLabel = new Map<string, MeshWorkload[]>();

  constructor(workloads: readonly MeshWorkload[]) {
    const sorted = [...workloads].sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
    for (const w of sorted) {
      const mk = meshKeyOf(w);
      push(this.byMesh, mk, w);
      push(this.byMeshNamespace, `${mk}|${w.spec.kubernetes.controller.namespace}`, w);
      for (const [k, v] of Object.entries(w.spec.kubernetes.podLabels)) push(this.byMeshLabel, `${mk}|${k}=${v}`, w);
    }
    for (const [mk, list] of this.byMesh) this.namesByMesh.set(mk, Object.freeze(list.map((w) => w.metadata.name)));
  }

  /** Names of the workloads of `meshKey` selected by a TrafficPolicy `sourceSelector` (empty = all of them). */
  selectedBySource(meshKey: string, selectors: readonly WorkloadSelector[] | undefined): readonly string[] {
    if (!selectors?.length || selectors.some((s) => !s.kubeWorkloadMatcher)) return this.namesByMesh.get(meshKey) ?? [];
    return this.filter(meshKey, selectors.map((s) => ({ namespaces: s.kubeWorkloadMatcher?.namespaces, labels: s.kubeWorkloadMatcher?.labels })), (w) => workloadSelected(selectors, w));
  }

  /** Names of the workloads of `meshKey` whose identity an AccessPolicy `sourceSelector` selects (empty = all). */
  selectedByIdentity(meshKey: string, selectors: readonly IdentitySelector[] | undefined): readonly string[] {
    if (!selectors?.length || selectors.some((s) => !s.kubeIdentityMatcher && !s.kubeServiceAccountRefs)) return this.namesByMesh.get(meshKey) ?? [];
    const narrowing = selectors.flatMap((s) => [
      ...(s.kubeIdentityMatcher ? [{ namespaces: s.kubeIdentityMatcher.namespaces }] : []),
      ...(s.kubeServiceAccountRefs?.serviceAccounts ?? []).map((sa) => ({ namespaces: sa.namespace !== undefined ? [sa.namespace] : undefined })),
    ]);
    return this.filter(meshKey, narrowing, (w) => identitySelected(selectors, w));
  }

  /** Candidates from the narrowest bucket of each alternative, then the exact predicate. */
  private filter(meshKey: string, alternatives: { namespaces?: readonly string[] | undefined; labels?: Readonly<Record<string, string>> | undefined }[], predicate: (w: MeshWorkload) => boolean): readonly string[] {
    const picked = new Set<MeshWorkload>();
    for (const alt of alternatives) {
      let candidates: readonly MeshWorkload[] = this.byMesh.get(meshKey) ?? [];
      if (alt.namespaces?.length) candidates = alt.namespaces.flatMap((ns) => this.byMeshNamespace.get(`${meshKey}|${ns}`) ?? []);
      else if (alt.labels && Object.keys(alt.labels).length > 0) {
        for (const [k, v] of Object.entries(alt.labels)) {
          const bucket = this.byMeshLabel.get(`${meshKey}|${k}=${v}`) ?? [];
          if (bucket.length < candidates.length) candidates = bucket;
        }
      }
      for (const w of candidates) if (!picked.has(w) && predicate(w)) picked.add(w);
    }
    return [...picked].map((w) => w.metadata.name).sort(compareStrings);
  }
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
