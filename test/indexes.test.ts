/**
 * The selector indexes answer from buckets and fast paths; these properties check them against the plain
 * predicates applied to every object, for random estates and selectors.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareStrings } from "../src/codec/canonical.js";
import type { IdentitySelector, WorkloadSelector } from "../src/model/networking.js";
import { identitySelected, meshServiceKey, ServiceIndex, labelsMatch, workloadSelected } from "../src/resolve/selectors.js";
import { WorkloadIndex } from "../src/resolve/workloads.js";
import { istioMesh, service, workload } from "./helpers/builders.js";

const meshes = [istioMesh("east"), istioMesh("west")];
const namespaces = ["a", "b", "c"];
const names = ["x", "y", "z", "w"];
const labelValues = ["1", "2"];

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const labelsArb = fc.dictionary(fc.constantFrom("app", "tier"), fc.constantFrom(...labelValues), { maxKeys: 2 });
/** Some workloads run in a remote cluster ("north") of their mesh, as in an Istio primary-remote installation. */
const workloadsArb = fc.uniqueArray(fc.record({ mesh: fc.nat(1), remote: fc.boolean(), name: fc.constantFrom(...names), ns: fc.constantFrom(...namespaces), labels: labelsArb, sa: fc.constantFrom(...names) }), { selector: (w) => `${w.mesh}/${w.remote}/${w.ns}/${w.name}`, maxLength: 20 }).map((ws) =>
  ws.map((w) => {
    const built = workload(meshes[w.mesh]!, w.name, w.ns, { labels: w.labels, serviceAccount: w.sa });
    if (!w.remote) return built;
    const controller = { ...built.spec.kubernetes.controller, clusterName: "north" };
    return { ...built, metadata: { ...built.metadata, name: `${built.metadata.name}-north` }, spec: { ...built.spec, kubernetes: { ...built.spec.kubernetes, controller } } };
  }),
);
const clustersArb = maybe(fc.subarray(["east", "west", "north"]));
const namespacesArb = maybe(fc.subarray(namespaces));
const workloadSelectorArb: fc.Arbitrary<WorkloadSelector> = fc.record({ kubeWorkloadMatcher: maybe(fc.record({ namespaces: namespacesArb, clusters: clustersArb, labels: maybe(labelsArb) }, { requiredKeys: [] })) }, { requiredKeys: [] });
const identitySelectorArb: fc.Arbitrary<IdentitySelector> = fc.record(
  {
    kubeIdentityMatcher: maybe(fc.record({ namespaces: namespacesArb, clusters: clustersArb }, { requiredKeys: [] })),
    kubeServiceAccountRefs: maybe(fc.record({ serviceAccounts: fc.array(fc.record({ name: maybe(fc.constantFrom(...names)), namespace: maybe(fc.constantFrom(...namespaces)), clusterName: maybe(fc.constantFrom("east", "west", "north")) }, { requiredKeys: [] }), { maxLength: 2 }) })),
  },
  { requiredKeys: [] },
);
const meshKeys = meshes.map((m) => `${m.metadata.namespace}/${m.metadata.name}`);

function bruteForce(ws: ReturnType<typeof workload>[], meshKey: string, pick: (w: ReturnType<typeof workload>) => boolean): string[] {
  return ws.filter((w) => `${w.spec.mesh.namespace}/${w.spec.mesh.name}` === meshKey && pick(w)).map((w) => w.metadata.name).sort(compareStrings);
}

describe("WorkloadIndex", () => {
  it("selects what the predicates select, sorted, from any selectors", () => {
    fc.assert(
      fc.property(workloadsArb, fc.array(workloadSelectorArb, { maxLength: 2 }), fc.array(identitySelectorArb, { maxLength: 2 }), (ws, sources, identities) => {
        const index = new WorkloadIndex(ws);
        // Twice, the second time with equal copies: selections are remembered by content, per mesh and kind.
        const rounds: [WorkloadSelector[], IdentitySelector[]][] = [[sources, identities], structuredClone([sources, identities])];
        for (const [src, ids] of rounds) {
          for (const mk of meshKeys) {
            expect([...index.selectedBySource(mk, src)]).toEqual(bruteForce(ws, mk, (w) => workloadSelected(src, w)));
            expect([...index.selectedByIdentity(mk, ids)]).toEqual(bruteForce(ws, mk, (w) => identitySelected(ids, w)));
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("ServiceIndex", () => {
  const servicesArb = fc.uniqueArray(fc.record({ mesh: fc.nat(1), name: fc.constantFrom(...names), ns: fc.constantFrom(...namespaces), labels: labelsArb }), { selector: (s) => `${s.mesh}/${s.ns}/${s.name}`, maxLength: 20 }).map((ss) =>
    ss.map((s) => service(meshes[s.mesh]!, s.name, s.ns, { labels: s.labels })),
  );
  it("matches what a scan matches", () => {
    fc.assert(
      fc.property(servicesArb, fc.record({ namespaces: namespacesArb, clusters: clustersArb, labels: maybe(labelsArb) }, { requiredKeys: [] }), (ss, filter) => {
        const index = new ServiceIndex(ss);
        const scan = ss.filter((s) => {
          const ref = s.spec.kubeService.ref;
          return (!filter.clusters?.length || filter.clusters.includes(ref.clusterName)) && (!filter.namespaces?.length || filter.namespaces.includes(ref.namespace)) && labelsMatch(filter.labels, s.spec.kubeService.labels);
        });
        const keys = (list: readonly typeof ss[number][]) => list.map(meshServiceKey).sort(compareStrings);
        expect(keys(index.match(filter))).toEqual(keys(scan));
        expect(index.all.map(meshServiceKey)).toEqual(keys(ss));
      }),
      { numRuns: 300 },
    );
  });

  it("finds services by exact pod selector as a scan does", () => {
    const withSelectors = fc.uniqueArray(fc.record({ mesh: fc.nat(1), name: fc.constantFrom(...names), ns: fc.constantFrom(...namespaces), selector: labelsArb }), { selector: (s) => `${s.mesh}/${s.ns}/${s.name}`, maxLength: 20 }).map((ss) =>
      ss.map((s) => service(meshes[s.mesh]!, s.name, s.ns, { selector: s.selector })),
    );
    fc.assert(
      fc.property(withSelectors, fc.constantFrom("east", "west"), fc.constantFrom(...namespaces), labelsArb, (ss, cluster, ns, selector) => {
        const index = new ServiceIndex(ss);
        const same = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);
        const scan = ss
          .filter((s) => s.spec.kubeService.ref.clusterName === cluster && s.spec.kubeService.ref.namespace === ns && same(s.spec.kubeService.workloadSelectorLabels, selector))
          .map((s) => s.spec.kubeService.ref.name)
          .sort(compareStrings);
        expect(index.selectingExactly(cluster, ns, selector).map((s) => s.spec.kubeService.ref.name)).toEqual(scan);
      }),
      { numRuns: 300 },
    );
  });
});
