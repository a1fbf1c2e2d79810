import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { toCanonicalJson, toCanonicalYamlStream } from "../src/codec/canonical.js";
import { translate, TranslationSession, type TranslationResult } from "../src/translate/index.js";
import type { AccessPolicy, TrafficPolicy, VirtualMesh } from "../src/model/networking.js";
import { refOf } from "../src/resolve/order.js";
import { accessPolicy, discovery, istioMesh, linkerdMesh, service, trafficPolicy, virtualMesh, workload } from "./helpers/builders.js";

const east = istioMesh("east", { trustDomain: "east.mesh", eastWestAddress: "198.51.100.20" });
const east2 = istioMesh("east2", { trustDomain: "east2.mesh", eastWestAddress: "198.51.100.21" });
const west = linkerdMesh("west", { trustDomain: "west.mesh", gatewayAddress: "198.51.100.30" });
const services = [
  service(east, "reviews", "shop", { subsets: { version: ["v1", "v2", "v3"] } }),
  service(east, "ratings", "shop", { subsets: { version: ["v1", "v2"] } }),
  service(east, "catalog", "shop", { ports: [{ port: 9080, name: "http" }, { port: 9090, name: "grpc" }] }),
  service(east2, "reviews", "shop", { subsets: { version: ["v1"] } }),
  service(west, "web-svc", "emojivoto", { ports: [{ port: 80, name: "http", targetPort: 8080 }] }),
  service(west, "web-canary", "emojivoto", { ports: [{ port: 80, name: "http", targetPort: 8080 }] }),
];
const estate = discovery({
  meshes: [east, east2, west],
  services,
  workloads: [workload(east, "frontend", "shop"), workload(east, "reviews-v1", "shop", { labels: { app: "reviews", version: "v1" }, serviceAccount: "reviews" }), workload(west, "web", "emojivoto", { labels: { app: "web-svc" } })],
});
const vm = virtualMesh("federated", { meshes: [east, east2].map((m) => ({ name: m.metadata.name, namespace: "meshhub" })), federation: { permissive: {} }, globalAccessPolicy: "ENABLED" });

const ref = (name: string, namespace: string, clusterName: string) => ({ name, namespace, clusterName });
const dest = fc.constantFrom(
  [{ kubeServiceRefs: { services: [ref("reviews", "shop", "east")] } }],
  [{ kubeServiceRefs: { services: [ref("ratings", "shop", "east")] } }],
  [{ kubeServiceRefs: { services: [ref("web-svc", "emojivoto", "west")] } }],
  [{ kubeServiceMatcher: { clusters: ["east"] } }],
  [],
);
const shiftTo = (svc: string, subset: string, cluster = "east") => ({ kubeService: { name: svc, namespace: "shop", clusterName: cluster, subset: { version: subset } }, weight: 50 });
const policy = fc.oneof(
  fc.record({ requestTimeout: fc.constantFrom("1s", "2s", "1.5s") }),
  fc.record({ retries: fc.record({ attempts: fc.integer({ min: 0, max: 3 }) }) }),
  fc.constantFrom({ trafficShift: { destinations: [shiftTo("ratings", "v1"), shiftTo("ratings", "v2")] } }, { trafficShift: { destinations: [shiftTo("reviews", "v3"), shiftTo("reviews", "v1", "east2")] } }, { trafficShift: { destinations: [{ kubeService: ref("web-canary", "emojivoto", "west"), weight: 1 }] } }),
  fc.constant({ outlierDetection: { consecutiveErrors: 3 } }),
  fc.constant({ corsPolicy: { allowOrigins: [{ exact: "https://a.example" }] } }),
);
const traffic = fc.record({ name: fc.constantFrom("a", "b", "c", "d"), dest, prefix: fc.option(fc.constantFrom("/api", "/v1"), { nil: undefined }), policy, ts: fc.option(fc.constantFrom("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), { nil: undefined }) }).map((t) =>
  trafficPolicy(t.name, { destinationSelector: t.dest, ...(t.prefix && !("outlierDetection" in t.policy) ? { httpRequestMatchers: [{ prefix: t.prefix }] } : {}), policy: t.policy }, t.ts ? { creationTimestamp: t.ts } : {}),
);
const access = fc.record({ name: fc.constantFrom("p", "q"), dest, sa: fc.constantFrom("frontend", "reviews", "web"), cluster: fc.constantFrom("east", "west", "east2") }).map((a) =>
  accessPolicy(a.name, { destinationSelector: a.dest, sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: a.sa, namespace: a.sa === "web" ? "emojivoto" : "shop", clusterName: a.cluster }] } }] }),
);
type Change = { kind: "upsert"; object: TrafficPolicy | AccessPolicy | VirtualMesh } | { kind: "remove"; name: string; policyKind: "TrafficPolicy" | "AccessPolicy" | "VirtualMesh" };
const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 4, arbitrary: traffic.map((object) => ({ kind: "upsert" as const, object })) },
  { weight: 2, arbitrary: access.map((object) => ({ kind: "upsert" as const, object })) },
  { weight: 2, arbitrary: fc.record({ name: fc.constantFrom("a", "b", "c", "d", "p", "q"), policyKind: fc.constantFrom("TrafficPolicy" as const, "AccessPolicy" as const) }).map((r) => ({ kind: "remove" as const, ...r })) },
  { weight: 1, arbitrary: fc.constantFrom<Change>({ kind: "upsert", object: vm }, { kind: "remove", name: "federated", policyKind: "VirtualMesh" }) },
);

function render(r: TranslationResult): string {
  const { clusters, statuses, federation, diagnostics } = r;
  return Object.entries(clusters).map(([c, objs]) => `# ${c}\n${toCanonicalYamlStream(objs)}`).join("") + toCanonicalJson({ statuses, federation, diagnostics, resolved: r.resolved.map((d) => ({ key: d.key, routes: d.traffic.routes, access: d.access, subsets: d.referencedSubsets })) });
}

describe("TranslationSession", () => {
  it("after any sequence of changes equals a full translation of the same inputs, byte for byte (property)", () => {
    fc.assert(
      fc.property(fc.array(traffic, { maxLength: 3 }), fc.array(change, { minLength: 1, maxLength: 8 }), (initial, changes) => {
        const tps = new Map<string, TrafficPolicy>(initial.map((p) => [p.metadata.name, p]));
        const aps = new Map<string, AccessPolicy>();
        const vms = new Map<string, VirtualMesh>();
        const session = new TranslationSession({ discovery: estate, trafficPolicies: [...tps.values()] });
        const idOf = (o: { apiVersion: string; kind: string; namespace?: string; metadata?: { name: string; namespace?: string }; name?: string }): string =>
          `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? o.namespace ?? ""}/${o.metadata?.name ?? o.name}`;
        for (const c of changes) {
          const replica = new Map(Object.entries(session.result().clusters).map(([cl, objs]) => [cl, new Map(objs.map((o) => [idOf(o), toCanonicalJson(o)]))]));
          let delta;
          if (c.kind === "upsert") {
            const o = c.object;
            if (o.kind === "TrafficPolicy") tps.set(o.metadata.name, o);
            else if (o.kind === "AccessPolicy") aps.set(o.metadata.name, o);
            else vms.set(o.metadata.name, o);
            delta = session.apply({ upsert: [o] });
          } else {
            (c.policyKind === "TrafficPolicy" ? tps : c.policyKind === "AccessPolicy" ? aps : vms).delete(c.name);
            delta = session.apply({ remove: [{ kind: c.policyKind, name: c.name, namespace: "meshhub" }] });
          }
          const full = translate({ discovery: estate, trafficPolicies: [...tps.values()], accessPolicies: [...aps.values()], virtualMeshes: [...vms.values()] });
          expect(render(session.result())).toBe(render(full));
          // Applying the delta to the previous outputs gives the new outputs: it reports exactly what changed.
          for (const [cl, d] of Object.entries(delta.clusters)) {
            const objs = replica.get(cl) ?? new Map<string, string>();
            for (const r of d.removed) expect(objs.delete(idOf(r))).toBe(true);
            for (const u of d.upserted) objs.set(idOf(u), toCanonicalJson(u));
            replica.set(cl, objs);
          }
          const expected = Object.fromEntries(Object.entries(full.clusters).map(([cl, objs]) => [cl, [...objs.map((o) => idOf(o))].sort()]));
          const got = Object.fromEntries([...replica].filter(([, m]) => m.size > 0).map(([cl, m]) => [cl, [...m.keys()].sort()]));
          expect(got).toEqual(expected);
          for (const [cl, objs] of Object.entries(full.clusters)) for (const o of objs) expect(replica.get(cl)!.get(idOf(o))).toBe(toCanonicalJson(o));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("keeps a destination's subsets when its last policy goes but another destination's routes still shift to them", () => {
    const ap = accessPolicy("p", { destinationSelector: [{ kubeServiceRefs: { services: [ref("ratings", "shop", "east")] } }], sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "frontend", namespace: "shop", clusterName: "east" }] } }] });
    const shift = trafficPolicy("a", { destinationSelector: [{ kubeServiceRefs: { services: [ref("reviews", "shop", "east")] } }], policy: { trafficShift: { destinations: [shiftTo("ratings", "v1"), shiftTo("ratings", "v2")] } } });
    const session = new TranslationSession({ discovery: estate, accessPolicies: [ap] });
    session.apply({ upsert: [shift] });
    const delta = session.apply({ remove: [refOf(ap)] });
    expect(render(session.result())).toBe(render(translate({ discovery: estate, trafficPolicies: [shift] })));
    expect(session.result().clusters.east!.map((o) => `${o.kind}/${o.metadata.name}`)).toContain("DestinationRule/ratings");
    expect(delta.clusters.east!.removed.map((o) => `${o.kind}/${o.name}`)).toEqual(["AuthorizationPolicy/ratings"]);
  });

  it("returns only what changed, and recomputes only the destinations a policy edit can affect", () => {
    const tpA = trafficPolicy("a", { destinationSelector: [{ kubeServiceRefs: { services: [ref("reviews", "shop", "east")] } }], policy: { requestTimeout: "1s" } });
    const tpB = trafficPolicy("b", { destinationSelector: [{ kubeServiceRefs: { services: [ref("ratings", "shop", "east")] } }], policy: { requestTimeout: "1s" } });
    const session = new TranslationSession({ discovery: estate, trafficPolicies: [tpA, tpB] });
    const edited = trafficPolicy("a", { destinationSelector: [{ kubeServiceRefs: { services: [ref("reviews", "shop", "east")] } }], policy: { requestTimeout: "3s" } });
    const delta = session.apply({ upsert: [edited] });
    expect(delta.recomputed).toEqual({ destinations: 1, full: false });
    expect(Object.keys(delta.clusters)).toEqual(["east"]);
    expect(delta.clusters.east!.upserted.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["VirtualService/reviews"]);
    expect(delta.clusters.east!.removed).toEqual([]);
    expect(Object.keys(delta.statuses.trafficPolicies)).toEqual([]);

    const removed = session.apply({ remove: [refOf(tpB)] });
    expect(removed.clusters.east!.removed).toEqual([{ apiVersion: "networking.istio.io/v1", kind: "VirtualService", namespace: "shop", name: "ratings" }]);
    expect(removed.statuses.trafficPolicies).toEqual({ "b.meshhub": null });
  });
});

describe("a destination whose mesh was not discovered", () => {
  // A caller-built discovery can name a mesh it does not hold: every policy on the service is INVALID there, and
  // nothing is emitted for it.
  const orphan = service(istioMesh("gone"), "billing", "shop");
  const input = {
    discovery: discovery({ meshes: [east], services: [...services.slice(0, 1), orphan] }),
    trafficPolicies: [trafficPolicy("timeout", { destinationSelector: [{ kubeServiceRefs: { services: [ref("billing", "shop", "gone")] } }], policy: { requestTimeout: "1s" } })],
    accessPolicies: [accessPolicy("allow", { sourceSelector: [{ kubeIdentityMatcher: { namespaces: ["shop"] } }], destinationSelector: [{ kubeServiceRefs: { services: [ref("billing", "shop", "gone")] } }] })],
  };
  const message = "the mesh meshhub/istiod-istio-system-gone of destination billing.shop.gone was not discovered";

  it("reports every policy on it INVALID with the reason, and emits nothing for it", () => {
    const r = translate(input);
    for (const status of [r.statuses.trafficPolicies["timeout.meshhub"]!, r.statuses.accessPolicies["allow.meshhub"]!]) {
      expect(status.state).toBe("INVALID");
      expect(status.destinations["billing.shop.gone"]).toEqual({ state: "INVALID", errors: [message] });
    }
    expect(Object.values(r.clusters).flat().filter((o) => o.metadata.name.includes("billing"))).toEqual([]);
  });

  it("a session reaches the same result", () => {
    const session = new TranslationSession({ ...input, trafficPolicies: [], accessPolicies: [] });
    session.apply({ upsert: [...input.trafficPolicies, ...input.accessPolicies] });
    expect(toCanonicalJson(session.result())).toBe(toCanonicalJson(translate(input)));
  });
});
