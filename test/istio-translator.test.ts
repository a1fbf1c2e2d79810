/**
 * The Istio translator (issue #4), driven through the public pipeline `translate()` with estates from the builders.
 * Every emitted object is validated against the real Istio CRDs (skipped loudly when ../shared/schemas is missing).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCanonicalJson } from "../src/codec/canonical.js";
import type { ForeignConfig } from "../src/discovery/types.js";
import type { KubeObject } from "../src/model/common.js";
import type { AccessPolicy, TrafficPolicy } from "../src/model/networking.js";
import { type TranslationResult } from "../src/translate/index.js";
import { accessPolicy, istioMesh, linkerdMesh, meshRef, service, trafficPolicy, virtualMesh, workload } from "./helpers/builders.js";
import { runChecked, type Estate } from "./helpers/translate.js";

/** Runs the pipeline and checks every emitted object against the CRDs. */
function run(e: Estate): TranslationResult {
  return runChecked(e).result;
}

function find(result: TranslationResult, cluster: string, kind: string, name = "reviews"): KubeObject | undefined {
  return (result.clusters[cluster] ?? []).find((o) => o.kind === kind && o.metadata.name === name);
}

function spec(result: TranslationResult, cluster: string, kind: string, name = "reviews"): unknown {
  const o = find(result, cluster, kind, name);
  if (!o) throw new Error(`no ${kind} ${name} on ${cluster}; got ${(result.clusters[cluster] ?? []).map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
  return o["spec"];
}

function kinds(result: TranslationResult, cluster = "c1"): string[] {
  return (result.clusters[cluster] ?? []).map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
}

function destStatus(result: TranslationResult, policy: string, dest = "reviews.bookinfo.c1", kind: "trafficPolicies" | "accessPolicies" = "trafficPolicies") {
  return result.statuses[kind][`${policy}.meshhub`]?.destinations[dest];
}

const REVIEWS = { kubeServiceRefs: { services: [{ name: "reviews", namespace: "bookinfo", clusterName: "c1" }] } };
const FQDN = "reviews.bookinfo.svc.cluster.local";
const c1 = istioMesh("c1", { trustDomain: "c1.example" });
const reviews = service(c1, "reviews", "bookinfo", { subsets: { version: ["v1", "v2", "v3"], env: ["prod"] } });
const ratings = service(c1, "ratings", "bookinfo");
const base: Estate = { meshes: [c1], services: [reviews, ratings] };

const tp = (name: string, policy: unknown, extra: Record<string, unknown> = {}, ts?: string): TrafficPolicy =>
  trafficPolicy(name, { destinationSelector: [REVIEWS], policy, ...extra }, ts ? { creationTimestamp: ts } : {});

const defaultRoute = (port?: number) => ({
  name: port === undefined ? "default" : `default-${port}`,
  ...(port !== undefined ? { match: [{ port }] } : {}),
  route: [{ destination: { host: FQDN, ...(port !== undefined ? { port: { number: port } } : {}) } }],
});

describe("istio translator: VirtualService per field", () => {
  it("renders a traffic shift to subsets with weights summing to 100, and the DestinationRule with those subsets", () => {
    const canary = tp("canary", {
      trafficShift: {
        destinations: [
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v1" } }, weight: 1 },
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v2" } }, weight: 1 },
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v3" } }, weight: 1 },
        ],
      },
    });
    const r = run({ ...base, trafficPolicies: [canary] });
    expect(destStatus(r, "canary")).toEqual({ state: "ACCEPTED" });
    const vs = find(r, "c1", "VirtualService");
    expect(vs).toEqual({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: {
        name: "reviews",
        namespace: "bookinfo",
        labels: { "app.kubernetes.io/managed-by": "meshhub" },
        annotations: { "meshhub.io/sources": "TrafficPolicy/meshhub/canary", "meshhub.io/destination": "reviews.bookinfo.c1" },
      },
      spec: {
        hosts: [FQDN],
        http: [
          {
            name: "canary.meshhub",
            route: [
              { destination: { host: FQDN, subset: "version-v1", port: { number: 9080 } }, weight: 34 },
              { destination: { host: FQDN, subset: "version-v2", port: { number: 9080 } }, weight: 33 },
              { destination: { host: FQDN, subset: "version-v3", port: { number: 9080 } }, weight: 33 },
            ],
          },
        ],
      },
    });
    expect(find(r, "c1", "DestinationRule")).toEqual({
      apiVersion: "networking.istio.io/v1",
      kind: "DestinationRule",
      metadata: {
        name: "reviews",
        namespace: "bookinfo",
        labels: { "app.kubernetes.io/managed-by": "meshhub" },
        annotations: { "meshhub.io/sources": "TrafficPolicy/meshhub/canary", "meshhub.io/destination": "reviews.bookinfo.c1" },
      },
      spec: {
        host: FQDN,
        subsets: [
          { name: "version-v1", labels: { version: "v1" } },
          { name: "version-v2", labels: { version: "v2" } },
          { name: "version-v3", labels: { version: "v3" } },
        ],
      },
    });
  });

  it("names subsets from the sorted labels and shifts to another local service by FQDN", () => {
    const p = tp("split", {
      trafficShift: {
        destinations: [
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v2", env: "prod" } }, weight: 90 },
          { kubeService: { name: "ratings", namespace: "bookinfo", clusterName: "c1" }, weight: 10 },
        ],
      },
    });
    const r = run({ ...base, trafficPolicies: [p] });
    expect(spec(r, "c1", "VirtualService")).toEqual({
      hosts: [FQDN],
      http: [
        {
          name: "split.meshhub",
          route: [
            { destination: { host: FQDN, subset: "env-prod-version-v2", port: { number: 9080 } }, weight: 90 },
            { destination: { host: "ratings.bookinfo.svc.cluster.local", port: { number: 9080 } }, weight: 10 },
          ],
        },
      ],
    });
    expect(spec(r, "c1", "DestinationRule")).toEqual({ host: FQDN, subsets: [{ name: "env-prod-version-v2", labels: { env: "prod", version: "v2" } }] });
  });

  it("renders fault injection (abort defaults to 100%, delay with its percentage); equal-length prefixes order lexically", () => {
    const abort = tp("abort", { faultInjection: { abort: { httpStatus: 503 } } }, { httpRequestMatchers: [{ prefix: "/abort" }] });
    const delay = tp("delay", { faultInjection: { fixedDelay: "250ms", percentage: 12.5 } }, { httpRequestMatchers: [{ prefix: "/delay" }] });
    const r = run({ ...base, trafficPolicies: [abort, delay] });
    expect(spec(r, "c1", "VirtualService")).toEqual({
      hosts: [FQDN],
      http: [
        { name: "abort.meshhub", match: [{ uri: { prefix: "/abort" } }], route: [{ destination: { host: FQDN } }], fault: { abort: { httpStatus: 503, percentage: { value: 100 } } } },
        { name: "delay.meshhub", match: [{ uri: { prefix: "/delay" } }], route: [{ destination: { host: FQDN } }], fault: { delay: { fixedDelay: "0.25s", percentage: { value: 12.5 } } } },
        defaultRoute(),
      ],
    });
  });

  it("renders timeout, retries, CORS, mirror and header manipulation on one route, with durations in seconds", () => {
    const p = tp("everything", {
      requestTimeout: "1m",
      retries: { attempts: 3, perTryTimeout: "1.5s", retryOn: "5xx,connect-failure,503" },
      corsPolicy: { allowOrigins: [{ exact: "https://a.example" }, { regex: "https://.*\\.b\\.example" }], allowMethods: ["GET", "POST"], allowHeaders: ["x-token"], exposeHeaders: ["x-trace"], maxAge: "24h", allowCredentials: true },
      mirror: { kubeService: { name: "ratings", namespace: "bookinfo", clusterName: "c1" }, percentage: 5 },
      headerManipulation: { appendRequestHeaders: { "x-env": "prod" }, removeRequestHeaders: ["x-secret", "cookie"], appendResponseHeaders: { "x-served-by": "reviews" }, removeResponseHeaders: ["server"] },
    });
    const r = run({ ...base, trafficPolicies: [p] });
    expect(spec(r, "c1", "VirtualService")).toEqual({
      hosts: [FQDN],
      http: [
        {
          name: "everything.meshhub",
          route: [{ destination: { host: FQDN } }],
          timeout: "60s",
          retries: { attempts: 3, perTryTimeout: "1.5s", retryOn: "5xx,connect-failure,503" },
          corsPolicy: { allowOrigins: [{ exact: "https://a.example" }, { regex: "https://.*\\.b\\.example" }], allowMethods: ["GET", "POST"], allowHeaders: ["x-token"], exposeHeaders: ["x-trace"], maxAge: "86400s", allowCredentials: true },
          mirror: { host: "ratings.bookinfo.svc.cluster.local", port: { number: 9080 } },
          mirrorPercentage: { value: 5 },
          headers: { request: { add: { "x-env": "prod" }, remove: ["cookie", "x-secret"] }, response: { add: { "x-served-by": "reviews" }, remove: ["server"] } },
        },
      ],
    });
    // Only route features: no DestinationRule.
    expect(find(r, "c1", "DestinationRule")).toBeUndefined();
  });

  it("renders outlier detection and the TLS mode in the DestinationRule, and no VirtualService without routes", () => {
    const od = tp("eject", { outlierDetection: { consecutiveErrors: 3, interval: "500ms" } });
    const tls = tp("tls", { mtls: { istio: { tlsMode: "ISTIO_MUTUAL" } } });
    const r = run({ ...base, trafficPolicies: [od, tls] });
    expect(find(r, "c1", "VirtualService")).toBeUndefined();
    expect(find(r, "c1", "DestinationRule")?.metadata.annotations).toEqual({ "meshhub.io/sources": "TrafficPolicy/meshhub/eject,TrafficPolicy/meshhub/tls", "meshhub.io/destination": "reviews.bookinfo.c1" });
    expect(spec(r, "c1", "DestinationRule")).toEqual({
      host: FQDN,
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3, interval: "0.5s", baseEjectionTime: "30s", maxEjectionPercent: 100 }, tls: { mode: "ISTIO_MUTUAL" } },
    });
  });

  it("renders every kind of request match and source, and appends a default route", () => {
    const p = tp(
      "match",
      { requestTimeout: "2s" },
      {
        sourceSelector: [{ kubeWorkloadMatcher: { labels: { app: "productpage" }, namespaces: ["front"] } }],
        httpRequestMatchers: [
          {
            exact: "/reviews/1",
            method: "GET",
            headers: [
              { name: "X-User", value: "jason" },
              { name: "x-version", value: "v[0-9]+", regex: true },
              { name: "x-debug" },
              { name: "X-Canary", value: "off", invertMatch: true },
              { name: "x-blocked", invertMatch: true },
            ],
            queryParameters: [
              { name: "page", value: "2" },
              { name: "sort", value: "a.*", regex: true },
              { name: "flag" },
            ],
          },
        ],
      },
    );
    const r = run({ ...base, trafficPolicies: [p] });
    expect(spec(r, "c1", "VirtualService")).toEqual({
      hosts: [FQDN],
      http: [
        {
          name: "match.meshhub",
          match: [
            {
              uri: { exact: "/reviews/1" },
              method: { exact: "GET" },
              headers: { "x-user": { exact: "jason" }, "x-version": { regex: "v[0-9]+" }, "x-debug": {} },
              withoutHeaders: { "x-canary": { exact: "off" }, "x-blocked": {} },
              queryParams: { page: { exact: "2" }, sort: { regex: "a.*" }, flag: { regex: ".*" } },
              sourceLabels: { app: "productpage" },
              sourceNamespace: "front",
            },
          ],
          route: [{ destination: { host: FQDN } }],
          timeout: "2s",
        },
        defaultRoute(),
      ],
    });
  });
});

describe("istio translator: merging and ordering", () => {
  it("merges two policies with the same matchers into one route named after both", () => {
    const a = tp("a-timeout", { requestTimeout: "3s" }, { httpRequestMatchers: [{ prefix: "/api" }] }, "2026-01-01T00:00:00Z");
    const b = tp("b-retries", { retries: { attempts: 2 } }, { httpRequestMatchers: [{ prefix: "/api" }] }, "2026-01-02T00:00:00Z");
    const r = run({ ...base, trafficPolicies: [b, a] });
    expect(spec(r, "c1", "VirtualService")).toEqual({
      hosts: [FQDN],
      http: [{ name: "a-timeout.meshhub+b-retries.meshhub", match: [{ uri: { prefix: "/api" } }], route: [{ destination: { host: FQDN } }], timeout: "3s", retries: { attempts: 2 } }, defaultRoute()],
    });
    expect(find(r, "c1", "VirtualService")?.metadata.annotations?.["meshhub.io/sources"]).toBe("TrafficPolicy/meshhub/a-timeout,TrafficPolicy/meshhub/b-retries");
  });

  it("orders routes exact > regex > prefix, longer first, more headers first, catch-all last", () => {
    const policies = [
      tp("catchall", { requestTimeout: "9s" }),
      tp("short-prefix", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/a" }] }),
      tp("long-prefix", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/a/b/c" }] }),
      tp("regex", { requestTimeout: "1s" }, { httpRequestMatchers: [{ regex: "/a/.*" }] }),
      tp("exact", { requestTimeout: "1s" }, { httpRequestMatchers: [{ exact: "/a" }] }),
      tp("prefix-header", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/a", headers: [{ name: "x-user", value: "jason" }] }] }),
    ];
    const r = run({ ...base, trafficPolicies: policies });
    const http = (spec(r, "c1", "VirtualService") as { http: { name: string }[] }).http;
    expect(http.map((h) => h.name)).toEqual(["exact.meshhub", "regex.meshhub", "long-prefix.meshhub", "prefix-header.meshhub", "short-prefix.meshhub", "catchall.meshhub"]);
  });

  it("duplicates every route per port on a multi-port service, port as the last tie-breaker", () => {
    const multi = service(c1, "reviews", "bookinfo", { ports: [{ port: 9443, name: "https" }, { port: 9080, name: "http" }], subsets: { version: ["v1", "v2"] } });
    const p = tp("api", {
      requestTimeout: "5s",
      trafficShift: {
        destinations: [
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v1" }, port: 9080 }, weight: 75 },
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v2" }, port: 9080 }, weight: 25 },
        ],
      },
    }, { httpRequestMatchers: [{ prefix: "/api" }] });
    const r = run({ meshes: [c1], services: [multi], trafficPolicies: [p] });
    const route = (port: number) => ({
      name: `api.meshhub-${port}`,
      match: [{ uri: { prefix: "/api" }, port }],
      route: [
        { destination: { host: FQDN, subset: "version-v1", port: { number: port } }, weight: 75 },
        { destination: { host: FQDN, subset: "version-v2", port: { number: port } }, weight: 25 },
      ],
      timeout: "5s",
    });
    expect(spec(r, "c1", "VirtualService")).toEqual({ hosts: [FQDN], http: [route(9080), route(9443), defaultRoute(9080), defaultRoute(9443)] });
  });

  it("makes repeated route names unique (one policy with two matchers)", () => {
    const p = tp("two", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/x" }, { prefix: "/y" }] });
    const r = run({ ...base, trafficPolicies: [p] });
    const http = (spec(r, "c1", "VirtualService") as { http: { name: string }[] }).http;
    expect(http.map((h) => h.name)).toEqual(["two.meshhub-1", "two.meshhub-2", "default"]);
  });
});

describe("istio translator: conflicts", () => {
  const older = tp("older", { requestTimeout: "2s" }, {}, "2026-01-01T00:00:00Z");
  const newer = tp("newer", { requestTimeout: "7s", retries: { attempts: 1 } }, {}, "2026-02-01T00:00:00Z");

  it("makes the later policy CONFLICT, naming the winner and the field; the output and statuses do not depend on input order", () => {
    const r1 = run({ ...base, trafficPolicies: [older, newer] });
    const r2 = run({ ...base, trafficPolicies: [newer, older] });
    expect(toCanonicalJson(r1.clusters)).toBe(toCanonicalJson(r2.clusters));
    expect(toCanonicalJson(r1.statuses)).toBe(toCanonicalJson(r2.statuses));
    expect(destStatus(r1, "older")).toEqual({ state: "ACCEPTED" });
    const lost = destStatus(r1, "newer");
    expect(lost?.state).toBe("CONFLICT");
    expect(lost?.errors).toHaveLength(1);
    expect(lost?.errors?.[0]).toContain("field requestTimeout");
    expect(lost?.errors?.[0]).toContain("TrafficPolicy meshhub/older");
    // Nothing of the loser is applied (not even its retries).
    expect(spec(r1, "c1", "VirtualService")).toEqual({ hosts: [FQDN], http: [{ name: "older.meshhub", route: [{ destination: { host: FQDN } }], timeout: "2s" }] });
  });

  it("does not treat equal values as a conflict", () => {
    const same = tp("same", { requestTimeout: "2s" }, {}, "2026-03-01T00:00:00Z");
    const r = run({ ...base, trafficPolicies: [same, older] });
    expect(destStatus(r, "same")).toEqual({ state: "ACCEPTED" });
    expect(spec(r, "c1", "VirtualService")).toEqual({ hosts: [FQDN], http: [{ name: "older.meshhub+same.meshhub", route: [{ destination: { host: FQDN } }], timeout: "2s" }] });
  });

  it("rejects fault injection with timeout or retries in one policy (Istio would ignore them)", () => {
    const p = tp("both", { faultInjection: { abort: { httpStatus: 500 }, percentage: 10 }, requestTimeout: "1s" });
    const r = run({ ...base, trafficPolicies: [p] });
    expect(destStatus(r, "both")?.state).toBe("INVALID");
    expect(destStatus(r, "both")?.errors?.[0]).toContain("Istio does not enable timeouts or retries on a route with fault injection");
    expect(find(r, "c1", "VirtualService")).toBeUndefined();
  });

  it("makes the later of two merged policies CONFLICT when one injects faults and the other sets retries", () => {
    const fault = tp("fault", { faultInjection: { fixedDelay: "1s" } }, {}, "2026-01-01T00:00:00Z");
    const retry = tp("retry", { retries: { attempts: 3 }, outlierDetection: {} }, {}, "2026-01-02T00:00:00Z");
    for (const order of [[fault, retry], [retry, fault]]) {
      const r = run({ ...base, trafficPolicies: order });
      expect(destStatus(r, "fault")).toEqual({ state: "ACCEPTED" });
      expect(destStatus(r, "retry")?.state).toBe("CONFLICT");
      expect(destStatus(r, "retry")?.errors?.[0]).toContain("TrafficPolicy meshhub/fault");
      expect(spec(r, "c1", "VirtualService")).toEqual({ hosts: [FQDN], http: [{ name: "fault.meshhub", route: [{ destination: { host: FQDN } }], fault: { delay: { fixedDelay: "1s", percentage: { value: 100 } } } }] });
      // The loser contributes nothing, not even its destination-level outlier detection.
      expect(find(r, "c1", "DestinationRule")).toBeUndefined();
    }
  });
});

describe("istio translator: DestinationRule only when needed", () => {
  it("emits no DestinationRule for route-only features on the whole service", () => {
    const r = run({ ...base, trafficPolicies: [tp("t", { requestTimeout: "1s" })] });
    expect(kinds(r)).toEqual(["VirtualService bookinfo/reviews"]);
  });

  it("hashes subset names that are not DNS labels", () => {
    const s = service(c1, "reviews", "bookinfo", { subsets: { "app.kubernetes.io/version": ["V2"] } });
    const p = tp("odd", { trafficShift: { destinations: [{ kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { "app.kubernetes.io/version": "V2" } } }] } });
    const r = run({ meshes: [c1], services: [s], trafficPolicies: [p] });
    const subsets = (spec(r, "c1", "DestinationRule") as { subsets: { name: string }[] }).subsets;
    expect(subsets).toHaveLength(1);
    expect(subsets[0]?.name).toMatch(/^app-kubernetes-io-version-v2-[0-9a-f]{8}$/);
    const http = (spec(r, "c1", "VirtualService") as { http: { route: { destination: { subset: string } }[] }[] }).http;
    expect(http[0]?.route[0]?.destination.subset).toBe(subsets[0]?.name);
  });

  it("defines a subset of another service in that service's DestinationRule, even when no policy selects it", () => {
    const r2 = service(c1, "ratings", "bookinfo", { subsets: { version: ["v1"] } });
    const p = tp("other-subset", { trafficShift: { destinations: [{ kubeService: { name: "ratings", namespace: "bookinfo", clusterName: "c1", subset: { version: "v1" } } }] } });
    const r = run({ meshes: [c1], services: [reviews, r2], trafficPolicies: [p] });
    expect(destStatus(r, "other-subset")?.state).toBe("ACCEPTED");
    expect(kinds(r)).toEqual(["DestinationRule bookinfo/ratings", "VirtualService bookinfo/reviews"]);
    expect(spec(r, "c1", "DestinationRule", "ratings")).toEqual({ host: "ratings.bookinfo.svc.cluster.local", subsets: [{ name: "version-v1", labels: { version: "v1" } }] });
    const vs = spec(r, "c1", "VirtualService") as { http: { route: { destination: { host: string; subset?: string } }[] }[] };
    expect(vs.http[0]!.route[0]!.destination).toMatchObject({ host: "ratings.bookinfo.svc.cluster.local", subset: "version-v1" });
    expect(find(r, "c1", "DestinationRule", "ratings")?.metadata.annotations?.["meshhub.io/sources"]).toBe("TrafficPolicy/meshhub/other-subset");
  });
});

describe("istio translator: clashes with hand-written config", () => {
  const foreign = (kind: string, name: string, hosts: string[], namespace = "bookinfo"): ForeignConfig => ({ cluster: "c1", apiVersion: "networking.istio.io/v1", kind, namespace, name, hosts, services: [] });
  const policies = [tp("t", { requestTimeout: "1s" }), tp("o", { outlierDetection: {} })];
  const ap = accessPolicy("allow-all", { destinationSelector: [REVIEWS] });

  it("emits nothing for a host a hand-written VirtualService configures; every affected policy is INVALID naming it", () => {
    const r = run({ ...base, trafficPolicies: policies, accessPolicies: [ap], foreignConfig: [foreign("VirtualService", "reviews-by-hand", [FQDN])] });
    expect(kinds(r)).toEqual(["AuthorizationPolicy bookinfo/reviews"]);
    for (const p of ["t", "o"]) {
      expect(destStatus(r, p)?.state).toBe("INVALID");
      expect(destStatus(r, p)?.errors?.[0]).toContain("VirtualService bookinfo/reviews-by-hand");
    }
  });

  it("treats a hand-written DestinationRule (short host form) the same way", () => {
    const r = run({ ...base, trafficPolicies: policies, foreignConfig: [foreign("DestinationRule", "reviews-dr", ["reviews.bookinfo"], "ops")] });
    expect(kinds(r)).toEqual([]);
    expect(destStatus(r, "t")?.errors?.[0]).toContain("DestinationRule ops/reviews-dr");
  });

  it("ignores config for other hosts, other clusters, and a bare short name from another namespace", () => {
    const r = run({
      ...base,
      trafficPolicies: policies,
      foreignConfig: [foreign("VirtualService", "other", ["ratings.bookinfo.svc.cluster.local"]), { ...foreign("VirtualService", "remote", [FQDN]), cluster: "c9" }, foreign("VirtualService", "short", ["reviews"], "ops")],
    });
    expect(kinds(r)).toEqual(["DestinationRule bookinfo/reviews", "VirtualService bookinfo/reviews"]);
    expect(destStatus(r, "t")).toEqual({ state: "ACCEPTED" });
  });

  it("emits anyway with allowCoexisting", () => {
    const r = run({ ...base, trafficPolicies: policies, foreignConfig: [foreign("VirtualService", "reviews-by-hand", [FQDN])], options: { allowCoexisting: true } });
    expect(kinds(r)).toEqual(["DestinationRule bookinfo/reviews", "VirtualService bookinfo/reviews"]);
    expect(destStatus(r, "t")).toEqual({ state: "ACCEPTED" });
  });
});

describe("istio translator: AuthorizationPolicy", () => {
  const c2 = istioMesh("c2", { trustDomain: "c2.example" });
  const vm = virtualMesh("vm", { meshes: [meshRef(c1), meshRef(c2)], federation: {} });
  const estate: Estate = { meshes: [c1, c2], services: [reviews, ratings, service(c2, "productpage", "front")], virtualMeshes: [vm] };
  const ap = (name: string, spec: Record<string, unknown>) => accessPolicy(name, { destinationSelector: [REVIEWS], ...spec });

  it("renders principals with each cluster's trust domain, namespaces without a cluster, and operations", () => {
    const policies = [
      ap("a-sa", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "productpage", namespace: "front", clusterName: "c2" }, { name: "ops", namespace: "tools" }] } }], allowedPaths: ["/reviews*", "/health"], allowedMethods: ["GET"], allowedPorts: [9080] }),
      ap("b-ns", { sourceSelector: [{ kubeIdentityMatcher: { namespaces: ["front"] } }, { kubeIdentityMatcher: { namespaces: ["batch"], clusters: ["c1"] } }] }),
      ap("c-cluster", { sourceSelector: [{ kubeIdentityMatcher: { clusters: ["c2"] } }] }),
      ap("d-any", {}),
    ];
    const r = run({ ...estate, accessPolicies: policies });
    expect(find(r, "c1", "AuthorizationPolicy")).toEqual({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: {
        name: "reviews",
        namespace: "bookinfo",
        labels: { "app.kubernetes.io/managed-by": "meshhub" },
        annotations: { "meshhub.io/sources": "AccessPolicy/meshhub/a-sa,AccessPolicy/meshhub/b-ns,AccessPolicy/meshhub/c-cluster,AccessPolicy/meshhub/d-any", "meshhub.io/destination": "reviews.bookinfo.c1" },
      },
      spec: {
        action: "ALLOW",
        selector: { matchLabels: { app: "reviews" } },
        rules: [
          {
            from: [{ source: { principals: ["c1.example/ns/tools/sa/ops", "c2.example/ns/front/sa/productpage", "c2.example/ns/tools/sa/ops"] } }],
            to: [{ operation: { paths: ["/health", "/reviews*"], methods: ["GET"], ports: ["9080"] } }],
          },
          { from: [{ source: { principals: ["c1.example/ns/batch/sa/*"] } }, { source: { namespaces: ["front"] } }] },
          { from: [{ source: { principals: ["c2.example/ns/*"] } }] },
          { from: [{ source: { principals: ["*"] } }] },
        ],
      },
    });
    for (const p of ["a-sa", "b-ns", "c-cluster", "d-any"]) expect(destStatus(r, p, "reviews.bookinfo.c1", "accessPolicies")).toEqual({ state: "ACCEPTED" });
  });

  it("renders allowed service ports as the workload's target ports", () => {
    const s = service(c1, "reviews", "bookinfo", { ports: [{ port: 80, name: "http", targetPort: 8080 }] });
    const r = run({ meshes: [c1], services: [s], accessPolicies: [ap("ports", { allowedPorts: [80, 9000] })] });
    expect(spec(r, "c1", "AuthorizationPolicy")).toEqual({
      action: "ALLOW",
      selector: { matchLabels: { app: "reviews" } },
      rules: [{ from: [{ source: { principals: ["*"] } }], to: [{ operation: { ports: ["8080", "9000"] } }] }],
    });
  });

  it("fails closed: unknown, untrusted, Linkerd and ambiguous source clusters leave the rule out, and an allow-nothing policy stays", () => {
    const l3 = linkerdMesh("c3");
    const c4 = istioMesh("c4", { trustDomain: "c4.example" });
    const c5 = istioMesh("c5", { trustDomain: "c1.example" });
    const sa = (name: string, clusterName: string) => ap(name, { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "x", namespace: "y", clusterName }] } }] });
    const r = run({
      meshes: [c1, c2, l3, c4, c5],
      services: [reviews],
      virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(c1), meshRef(c2), meshRef(c5)] })],
      accessPolicies: [sa("unregistered", "nowhere"), sa("linkerd", "c3"), sa("untrusted", "c4"), sa("shared-td", "c5"), ap("shared-td-ns", { sourceSelector: [{ kubeIdentityMatcher: { clusters: ["c1"] } }] })],
    });
    expect(spec(r, "c1", "AuthorizationPolicy")).toEqual({ action: "ALLOW", selector: { matchLabels: { app: "reviews" } } });
    const err = (p: string) => {
      const s = destStatus(r, p, "reviews.bookinfo.c1", "accessPolicies");
      expect(s?.state).toBe("INVALID");
      return s?.errors?.join("\n") ?? "";
    };
    expect(err("unregistered")).toContain('cluster "nowhere" is not registered');
    expect(err("linkerd")).toContain("Istio cannot verify Linkerd identities");
    expect(err("untrusted")).toContain("does not share trust");
    expect(err("shared-td")).toContain("Give each cluster its own trust domain");
    expect(err("shared-td-ns")).toContain("also used on c5");
  });

  it("emits no AuthorizationPolicy when no AccessPolicy selects the destination", () => {
    const r = run({ ...base, trafficPolicies: [tp("t", { requestTimeout: "1s" })] });
    expect(find(r, "c1", "AuthorizationPolicy")).toBeUndefined();
  });

  it("refuses a service without a pod selector rather than locking down its whole namespace", () => {
    const s = service(c1, "reviews", "bookinfo", { selector: {} });
    const r = run({ meshes: [c1], services: [s], accessPolicies: [ap("any", {})] });
    expect(kinds(r)).toEqual([]);
    expect(destStatus(r, "any", "reviews.bookinfo.c1", "accessPolicies")?.errors?.[0]).toContain("has no pod selector");
  });
});

describe("istio translator: versions and federation", () => {
  it("uses v1beta1 APIs for Istio 1.21", () => {
    const old = istioMesh("c1", { version: "1.21.4" });
    const s = service(old, "reviews", "bookinfo");
    const r = run({ meshes: [old], services: [s], trafficPolicies: [tp("t", { requestTimeout: "1s", mtls: { istio: { tlsMode: "ISTIO_MUTUAL" } } })], accessPolicies: [accessPolicy("a", { destinationSelector: [REVIEWS] })] });
    expect((r.clusters["c1"] ?? []).map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(["security.istio.io/v1beta1 AuthorizationPolicy", "networking.istio.io/v1beta1 DestinationRule", "networking.istio.io/v1beta1 VirtualService"]);
  });

  it("uses v1 for 1.22 and for an unparsable version", () => {
    for (const version of ["1.22.0", "sha256-0123abcd"]) {
      const m = istioMesh("c1", { version });
      const r = run({ meshes: [m], services: [service(m, "reviews", "bookinfo")], trafficPolicies: [tp("t", { requestTimeout: "1s" })] });
      expect(find(r, "c1", "VirtualService")?.apiVersion).toBe("networking.istio.io/v1");
    }
  });

  it("rejects withoutHeaders on Istio 1.4", () => {
    const old = istioMesh("c1", { version: "1.4.3" });
    const r = run({ meshes: [old], services: [service(old, "reviews", "bookinfo")], trafficPolicies: [tp("t", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/", headers: [{ name: "x", invertMatch: true }] }] })] });
    expect(destStatus(r, "t")?.errors?.join("\n")).toContain("requires Istio ≥ 1.5 (found 1.4.3)");
  });

  // Federation exports a service through its cluster's east-west gateway: c2 needs one for c1 to reach it.
  const c2 = istioMesh("c2", { trustDomain: "c2.example", eastWestAddress: "198.51.100.2" });
  const remote = service(c2, "reviews", "bookinfo", { subsets: { version: ["v3"] } });
  const shift = tp("spill", {
    trafficShift: {
      destinations: [
        { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1" }, weight: 80 },
        { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c2" }, weight: 20 },
      ],
    },
  });

  it("routes a cross-cluster shift to the federated host", () => {
    // A non-default hostname suffix needs smart DNS proxying on every Istio mesh.
    const smart1 = istioMesh("c1", { trustDomain: "c1.example", smartDnsProxyingEnabled: true });
    const smart2 = istioMesh("c2", { trustDomain: "c2.example", eastWestAddress: "198.51.100.2", smartDnsProxyingEnabled: true });
    for (const [federation, host, meshes] of [
      [{}, "reviews.bookinfo.svc.c2.global", [c1, c2]],
      [{ hostnameSuffix: "mesh.internal" }, "reviews.bookinfo.svc.c2.mesh.internal", [smart1, smart2]],
    ] as const) {
      const r = run({ meshes: [...meshes], services: [reviews, remote], trafficPolicies: [shift], virtualMeshes: [virtualMesh("vm", { meshes: meshes.map(meshRef), federation })] });
      expect(spec(r, "c1", "VirtualService")).toEqual({
        hosts: [FQDN],
        http: [
          {
            name: "spill.meshhub",
            route: [
              { destination: { host: FQDN, port: { number: 9080 } }, weight: 80 },
              { destination: { host, port: { number: 9080 } }, weight: 20 },
            ],
          },
        ],
      });
    }
  });

  it("rejects a cross-cluster shift without a federating VirtualMesh, naming both clusters", () => {
    for (const virtualMeshes of [[], [virtualMesh("vm", { meshes: [meshRef(c1), meshRef(c2)] })]]) {
      const r = run({ meshes: [c1, c2], services: [reviews, remote], trafficPolicies: [shift], virtualMeshes });
      const s = destStatus(r, "spill");
      expect(s?.state).toBe("INVALID");
      expect(s?.errors?.[0]).toContain("is on cluster c2 but the destination reviews.bookinfo.c1 is on cluster c1");
      expect(s?.errors?.[0]).toContain("group the meshes of clusters c1 and c2 in a VirtualMesh with federation set");
      expect(find(r, "c1", "VirtualService")).toBeUndefined();
    }
  });
});

describe("istio translator: precise errors", () => {
  const invalid = (policy: TrafficPolicy): string => {
    const r = run({ ...base, trafficPolicies: [policy] });
    const s = destStatus(r, policy.metadata.name);
    expect(s?.state).toBe("INVALID");
    return s?.errors?.join("\n") ?? "";
  };

  it("rejects header matches Istio would ignore or could not key", () => {
    expect(invalid(tp("m", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/", headers: [{ name: "authority", value: "x" }] }] }))).toContain("Istio ignores a header match named authority");
    expect(invalid(tp("d", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/", headers: [{ name: "X-A", value: "1" }, { name: "x-a", value: "2" }] }] }))).toContain("header x-a is matched twice");
  });

  it("rejects regular expressions RE2 cannot run", () => {
    expect(invalid(tp("re", { requestTimeout: "1s" }, { httpRequestMatchers: [{ regex: "/(?!admin).*" }] }))).toContain("RE2");
  });

  it("rejects durations below Istio's 1ms minimum", () => {
    expect(invalid(tp("tiny", { faultInjection: { fixedDelay: "500us" } }))).toContain("fixedDelay 500us is below Istio's 1ms minimum");
  });

  it("rejects weights that would round to 0%", () => {
    const p = tp("thin", {
      trafficShift: {
        destinations: [
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v1" } }, weight: 999 },
          { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v2" } }, weight: 1 },
        ],
      },
    });
    expect(invalid(p)).toContain("less than 1% of the total 1000");
  });

  it("rejects a shift into a Linkerd mesh", () => {
    const l2 = linkerdMesh("c2");
    const target = service(l2, "reviews", "bookinfo");
    const p = tp("cross", { trafficShift: { destinations: [{ kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c2" } }] } });
    const r = run({ meshes: [c1, l2], services: [reviews, target], trafficPolicies: [p], workloads: [workload(c1, "reviews", "bookinfo")] });
    expect(destStatus(r, "cross")?.errors?.[0]).toContain("cross-mesh mTLS between Istio and Linkerd is not supported");
  });
});

describe("istio translator: determinism", () => {
  it("gives byte-identical manifests and statuses for any input order (property)", () => {
    const c2 = istioMesh("c2", { trustDomain: "c2.example", eastWestAddress: "198.51.100.2" });
    const remote = service(c2, "reviews", "bookinfo");
    const traffic = [
      tp("a", { requestTimeout: "2s" }, {}, "2026-01-01T00:00:00Z"),
      tp("b", { requestTimeout: "3s" }, {}, "2026-01-02T00:00:00Z"),
      tp("c", { retries: { attempts: 2 } }, { httpRequestMatchers: [{ prefix: "/api" }] }),
      tp("d", { faultInjection: { abort: { httpStatus: 503 } } }, { httpRequestMatchers: [{ prefix: "/api" }] }),
      tp("e", { trafficShift: { destinations: [{ kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c1", subset: { version: "v2" } }, weight: 3 }, { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c2" }, weight: 1 }] } }, { httpRequestMatchers: [{ exact: "/x" }] }),
      tp("f", { outlierDetection: { consecutiveErrors: 2 } }),
      tp("g", { outlierDetection: { consecutiveErrors: 3 } }),
    ];
    const access = [
      accessPolicy("p", { destinationSelector: [REVIEWS], sourceSelector: [{ kubeIdentityMatcher: { clusters: ["c2"] } }] }),
      accessPolicy("q", { destinationSelector: [REVIEWS], allowedMethods: ["GET"] }),
    ];
    const vm = virtualMesh("vm", { meshes: [meshRef(c1), meshRef(c2)], federation: {} });
    const render = (tps: TrafficPolicy[], aps: AccessPolicy[]) => {
      const r = run({ meshes: [c1, c2], services: [reviews, remote], trafficPolicies: tps, accessPolicies: aps, virtualMeshes: [vm] });
      return toCanonicalJson({ clusters: r.clusters, statuses: r.statuses });
    };
    const reference = render(traffic, access);
    fc.assert(
      fc.property(fc.shuffledSubarray(traffic, { minLength: traffic.length }), fc.shuffledSubarray(access, { minLength: access.length }), (tps, aps) => {
        expect(render(tps, aps)).toBe(reference);
      }),
      { numRuns: 40 },
    );
    const parsed = JSON.parse(reference) as { statuses: { trafficPolicies: Record<string, { destinations: Record<string, { state: string }> }> } };
    const states = Object.fromEntries(Object.entries(parsed.statuses.trafficPolicies).map(([k, v]) => [k, v.destinations["reviews.bookinfo.c1"]?.state]));
    expect(states).toEqual({ "a.meshhub": "ACCEPTED", "b.meshhub": "CONFLICT", "c.meshhub": "ACCEPTED", "d.meshhub": "CONFLICT", "e.meshhub": "ACCEPTED", "f.meshhub": "ACCEPTED", "g.meshhub": "CONFLICT" });
  });
});
