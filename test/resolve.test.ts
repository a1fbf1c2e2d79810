import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { comparePrecedence, sortByPrecedence } from "../src/resolve/order.js";
import { resolveAccessRule } from "../src/resolve/access.js";
import { selectDestinations, ServiceIndex } from "../src/resolve/selectors.js";
import { resolveTraffic } from "../src/resolve/traffic.js";
import { mergeSorted } from "../src/resolve/status.js";
import { compareStrings } from "../src/codec/canonical.js";
import { accessPolicy, istioMesh, service, trafficPolicy } from "./helpers/builders.js";

const mesh = istioMesh("east");
const reviews = service(mesh, "reviews", "shop", { subsets: { version: ["v1", "v2", "v3"] }, selector: { app: "reviews" } });
const ratings = service(mesh, "ratings", "shop");
const catalog = service(mesh, "catalog", "shop", { ports: [{ port: 9080, name: "http" }, { port: 9090, name: "grpc" }] });
const other = service(mesh, "ratings", "other", { labels: { app: "ratings", team: "x" } });
const index = new ServiceIndex([reviews, ratings, catalog, other], ["east", "west"]);
const ref = (name: string, namespace: string, clusterName: string) => ({ name, namespace, clusterName });

describe("selectDestinations", () => {
  it("selects everything for an empty list", () => {
    expect(selectDestinations(undefined, index).services).toHaveLength(4);
    expect(selectDestinations([], index).services).toHaveLength(4);
  });

  it("ORs entries and matches labels, namespaces and clusters through the index", () => {
    const r = selectDestinations([{ kubeServiceMatcher: { labels: { app: "ratings" }, namespaces: ["shop"] } }, { kubeServiceRefs: { services: [{ name: "catalog", namespace: "shop", clusterName: "east" }] } }], index);
    expect(r.services.map((s) => s.metadata.name)).toEqual(["catalog-shop-east", "ratings-shop-east"]);
    expect(selectDestinations([{ kubeServiceMatcher: { clusters: ["west"] } }], index).services).toEqual([]);
  });

  it("reports references that name no service, and says why", () => {
    const r = selectDestinations([{ kubeServiceRefs: { services: [{ name: "nope", namespace: "shop", clusterName: "east" }, { name: "petstore", namespace: "default", clusterName: "$OSM_CLUSTER" }] } }], index);
    expect(r.errors).toEqual([
      "Destination nope.shop.east not found",
      'Destination petstore.default.$OSM_CLUSTER not found: cluster "$OSM_CLUSTER" is not registered (it looks like an unexpanded shell variable)',
    ]);
  });

  it("resolves a selector naming one service as a list of many names it (the short path agrees with the general one)", () => {
    for (const r of [ref("reviews", "shop", "east"), ref("nope", "shop", "east"), ref("petstore", "default", "$OSM_CLUSTER")]) {
      const one = selectDestinations([{ kubeServiceRefs: { services: [r] } }], index);
      const general = selectDestinations([{ kubeServiceRefs: { services: [r, r] } }], index);
      expect(one).toEqual(general);
    }
    expect(selectDestinations([{ kubeServiceRefs: { services: [ref("reviews", "shop", "east")] } }], index).services).toEqual([reviews]);
  });

  it("matches exactly what a brute-force scan matches (property)", () => {
    const labelArb = fc.constantFrom("app", "team", "service");
    fc.assert(
      fc.property(
        fc.record({ labels: fc.option(fc.dictionary(labelArb, fc.constantFrom("ratings", "reviews", "x", "catalog"), { maxKeys: 2 }), { nil: undefined }), namespaces: fc.option(fc.subarray(["shop", "other", "none"]), { nil: undefined }), clusters: fc.option(fc.subarray(["east", "west"]), { nil: undefined }) }),
        (m) => {
          const got = index.match(m).map((s) => s.metadata.name).sort();
          const want = index.all
            .filter((s) => {
              const ref = s.spec.kubeService.ref;
              return (!m.clusters?.length || m.clusters.includes(ref.clusterName)) && (!m.namespaces?.length || m.namespaces.includes(ref.namespace)) && Object.entries(m.labels ?? {}).every(([k, v]) => s.spec.kubeService.labels[k] === v);
            })
            .map((s) => s.metadata.name)
            .sort();
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("precedence", () => {
  it("orders by creationTimestamp, then those without, then namespace/name", () => {
    const a = trafficPolicy("a", {}, { creationTimestamp: "2026-02-01T00:00:00Z" });
    const b = trafficPolicy("b", {}, { creationTimestamp: "2026-01-01T00:00:00Z" });
    const c = trafficPolicy("c", {});
    const d = trafficPolicy("a", {}, { namespace: "zzz" });
    expect(sortByPrecedence([c, d, a, b]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(["meshhub/b", "meshhub/a", "meshhub/c", "zzz/a"]);
    expect(comparePrecedence(a, a)).toBe(0);
  });
});

describe("resolveTraffic", () => {
  const shift = (subset: string, weight: number) => ({ kubeService: { name: "reviews", namespace: "shop", clusterName: "east", subset: { version: subset } }, weight });

  it("merges policies with the same source and matchers into one route, remembering who set what", () => {
    const p1 = trafficPolicy("timeouts", { policy: { requestTimeout: "2s" } });
    const p2 = trafficPolicy("split", { policy: { trafficShift: { destinations: [shift("v1", 80), shift("v2", 20)] } } });
    const { resolved, reports } = resolveTraffic(reviews, sortByPrecedence([p1, p2]), index, "east");
    expect(reports).toEqual([]);
    expect(resolved.routes).toHaveLength(1);
    const route = resolved.routes[0]!;
    expect(route.name).toBe("split.meshhub+timeouts.meshhub");
    expect(route.actions.requestTimeout).toEqual({ value: "2s", setBy: { kind: "TrafficPolicy", name: "timeouts", namespace: "meshhub" }, field: "spec.policy.requestTimeout" });
    expect(route.actions.trafficShift?.value.map((d) => [d.key, d.subset, d.weight, d.port])).toEqual([
      ["reviews.shop.east", { version: "v1" }, 80, 9080],
      ["reviews.shop.east", { version: "v2" }, 20, 9080],
    ]);
  });

  it("gives CONFLICT to the later policy for a field set to a different value, naming the winner, whatever the input order", () => {
    const older = trafficPolicy("older", { policy: { requestTimeout: "2s" } }, { creationTimestamp: "2026-01-01T00:00:00Z" });
    const newer = trafficPolicy("newer", { policy: { requestTimeout: "9s", retries: { attempts: 3 } } }, { creationTimestamp: "2026-02-01T00:00:00Z" });
    for (const input of [[older, newer], [newer, older]]) {
      const { resolved, reports } = resolveTraffic(reviews, sortByPrecedence(input), index, "east");
      expect(reports).toEqual([{ policy: { kind: "TrafficPolicy", name: "newer", namespace: "meshhub" }, state: "CONFLICT", message: expect.stringMatching(/^field requestTimeout of the default route is already set to a different value by TrafficPolicy meshhub\/older/) }]);
      // Nothing is half-applied: the loser's retries are not merged either.
      expect(resolved.routes[0]!.actions.retries).toBeUndefined();
      expect(resolved.applied.map((r) => r.name)).toEqual(["older"]);
    }
  });

  it("does not treat equal values as a conflict", () => {
    const a = trafficPolicy("a", { policy: { requestTimeout: "2s" } });
    const b = trafficPolicy("b", { policy: { requestTimeout: "2s" } });
    const { reports, resolved } = resolveTraffic(reviews, [a, b], index, "east");
    expect(reports).toEqual([]);
    expect(resolved.routes[0]!.policies.map((p) => p.name)).toEqual(["a", "b"]);
  });

  it("splits routes to one match each and orders them most specific first, catch-all last", () => {
    const p = trafficPolicy("m", {
      httpRequestMatchers: [{ prefix: "/a" }, { exact: "/a/b" }, { regex: "/a/.*" }, { prefix: "/a/long" }, { prefix: "/a", headers: [{ name: "x", value: "1" }] }],
      policy: { requestTimeout: "1s" },
    });
    const catchAll = trafficPolicy("z", { policy: { retries: { attempts: 1 } } });
    const { resolved } = resolveTraffic(reviews, [p, catchAll], index, "east");
    expect(resolved.routes.map((r) => JSON.stringify(r.matcher ?? "*"))).toEqual([
      '{"exact":"/a/b"}',
      '{"regex":"/a/.*"}',
      '{"prefix":"/a/long"}',
      '{"prefix":"/a","headers":[{"name":"x","value":"1"}]}',
      '{"prefix":"/a"}',
      '"*"',
    ]);
  });

  it("drops a matcher-only group (no action, no route) and skips policies whose source clusters exclude this cluster", () => {
    const matchOnly = trafficPolicy("match-only", { httpRequestMatchers: [{ prefix: "/x" }] });
    const westOnly = trafficPolicy("west-only", { sourceSelector: [{ kubeWorkloadMatcher: { clusters: ["west"] } }], policy: { requestTimeout: "1s" } });
    const { resolved, reports } = resolveTraffic(reviews, [matchOnly, westOnly], index, "east");
    expect(reports).toEqual([]);
    expect(resolved.routes).toEqual([]);
  });

  it("reports feature errors as INVALID: unknown shift target, missing port on a multi-port service, missing fault type, outlier with a source selector", () => {
    const bad = [
      trafficPolicy("unknown-target", { policy: { trafficShift: { destinations: [{ kubeService: { name: "gone", namespace: "shop", clusterName: "east" }, weight: 1 }] } } }),
      trafficPolicy("no-port", { policy: { trafficShift: { destinations: [{ kubeService: { name: "catalog", namespace: "shop", clusterName: "east" }, weight: 1 }] } } }),
      trafficPolicy("no-fault-type", { policy: { faultInjection: { percentage: 5 } } }),
      trafficPolicy("outlier-with-source", { sourceSelector: [{ kubeWorkloadMatcher: { labels: { app: "x" } } }], policy: { outlierDetection: {} } }),
      trafficPolicy("bad-subset", { policy: { trafficShift: { destinations: [shift("v9", 1)] } } }),
    ];
    const { reports } = resolveTraffic(reviews, bad, index, "east");
    expect(reports.map((r) => [r.policy.name, r.state, r.message])).toEqual([
      ["unknown-target", "INVALID", "traffic-shift: invalid traffic shift destination gone.shop.east: Destination gone.shop.east not found"],
      ["no-port", "INVALID", "traffic-shift: must provide port for traffic shift destination service catalog.shop.east with multiple ports (2) defined: one of 9080, 9090"],
      ["no-fault-type", "INVALID", "fault-injection: FaultInjection type must be specified (fixedDelay or abort)"],
      ["outlier-with-source", "INVALID", "outlier-detection: applies to every caller of the destination, so it requires an empty sourceSelector"],
      ["bad-subset", "INVALID", "traffic-shift: invalid traffic shift destination reviews.shop.east: no workload of the service has label version=v9 (known values: v1, v2, v3)"],
    ]);
  });

  it("fills Gloo Mesh's outlier detection defaults and lets a mesh veto a policy", () => {
    const p = trafficPolicy("od", { policy: { outlierDetection: { consecutiveErrors: 2 } } });
    const { resolved } = resolveTraffic(reviews, [p], index, "east");
    expect(resolved.destinationActions.outlierDetection?.value).toEqual({ consecutiveErrors: 2, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 100 });
    const vetoed = resolveTraffic(reviews, [p], index, "east", () => ["not on this mesh"]);
    expect(vetoed.reports).toEqual([{ policy: expect.objectContaining({ name: "od" }), state: "INVALID", message: "not on this mesh" }]);
    expect(vetoed.resolved.destinationActions).toEqual({});
  });
});

describe("resolveAccessRule", () => {
  it("resolves sources, and fails closed on what cannot be resolved", () => {
    const ok = resolveAccessRule(accessPolicy("ok", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "web", namespace: "shop", clusterName: "east" }] } }, { kubeIdentityMatcher: { namespaces: ["ops"] } }], allowedMethods: ["GET", "GET"], allowedPorts: [9080] }), index);
    expect(ok.rule).toEqual({
      policy: { kind: "AccessPolicy", name: "ok", namespace: "meshhub" },
      sources: [
        { kind: "namespace", namespace: "ops" },
        { kind: "serviceAccount", name: "web", namespace: "shop", cluster: "east" },
      ],
      methods: ["GET"],
      ports: [9080],
    });
    const unknown = resolveAccessRule(accessPolicy("u", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "web", namespace: "shop", clusterName: "mars" }] } }] }), index);
    expect(unknown.rule).toBeUndefined();
    expect(unknown.errors[0]).toMatch(/cluster "mars" is not registered.*access is not widened/);
    const noNs = resolveAccessRule(accessPolicy("n", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "web" }] } }] }), index);
    expect(noNs.rule).toBeUndefined();
    expect(resolveAccessRule(accessPolicy("any", {}), index).rule?.sources).toEqual([{ kind: "anyMeshIdentity" }]);
  });
});

describe("mergeSorted (status workload lists)", () => {
  it("equals de-duplicating and sorting the concatenation, for any sorted, duplicate-free lists", () => {
    const list = fc.uniqueArray(fc.string({ unit: "binary", maxLength: 4 }), { maxLength: 12 }).map((xs) => xs.sort(compareStrings));
    fc.assert(
      fc.property(fc.array(list, { maxLength: 5 }), fc.nat(4), (lists, repeat) => {
        const withShared = lists.length > 0 ? [...lists, lists[repeat % lists.length]!] : lists;
        expect(mergeSorted(withShared)).toEqual([...new Set(withShared.flat())].sort(compareStrings));
      }),
      { numRuns: 500 },
    );
  });

  it("merges a set of shared lists once: the same lists in any order give the same array", () => {
    const list = fc.uniqueArray(fc.string({ unit: "binary", maxLength: 4 }), { maxLength: 12 }).map((xs) => xs.sort(compareStrings));
    fc.assert(
      fc.property(fc.array(list, { minLength: 2, maxLength: 9 }), fc.nat(), (lists, seed) => {
        const first = mergeSorted(lists);
        const shuffled = [...lists].sort((a, b) => ((lists.indexOf(a) * 7919 + seed) % 13) - ((lists.indexOf(b) * 7919 + seed) % 13));
        expect(mergeSorted(shuffled)).toBe(first);
        expect(first).toEqual([...new Set(lists.flat())].sort(compareStrings));
        // Copies of the same content are other lists: merged on their own, to the same names.
        expect(mergeSorted(lists.map((l) => [...l]))).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});
