/**
 * The Linkerd translator (issue #5), driven through the public pipeline `translate()` with estates from the
 * builders. Every emitted object except the core/v1 Service patches is validated against the real Linkerd, SMI and
 * Gateway API (v1.4.1) CRDs — skipped loudly when ../shared/schemas is missing.
 */
import { describe, expect, it } from "vitest";
import { toCanonicalJson } from "../src/codec/canonical.js";
import type { ForeignConfig } from "../src/discovery/types.js";
import type { KubeObject } from "../src/model/common.js";
import type { Mesh } from "../src/model/discovery.js";
import type { AccessPolicy, TrafficPolicy } from "../src/model/networking.js";
import { TranslationSession, type TranslationResult } from "../src/translate/index.js";
import { flavourForVersion } from "../src/translate/linkerd/index.js";
import { MANAGED_BY_LABEL, PATCH_ANNOTATION, SOURCES_ANNOTATION } from "../src/translate/metadata.js";
import { accessPolicy, cluster, istioMesh, linkerdMesh, meshRef, service, trafficPolicy, virtualMesh, workload } from "./helpers/builders.js";
import { runChecked, type Estate } from "./helpers/translate.js";

/** Runs the pipeline; every emitted object must conform to its CRD, and no two objects may collide. */
function run(e: Estate): TranslationResult {
  const { result, skipped } = runChecked(e);
  // Only the Service patches are core objects.
  expect(skipped.every((s) => s === "v1 Service")).toBe(true);
  return result;
}

function objects(result: TranslationResult, c = "c1"): KubeObject[] {
  return result.clusters[c] ?? [];
}

function ofKind(result: TranslationResult, kind: string, c = "c1"): KubeObject[] {
  return objects(result, c).filter((o) => o.kind === kind);
}

function get(result: TranslationResult, kind: string, name: string, c = "c1"): KubeObject {
  const o = objects(result, c).find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} on ${c}; got ${objects(result, c).map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
  return o;
}

function spec(o: KubeObject): Record<string, unknown> {
  return o["spec"] as Record<string, unknown>;
}

function rules(o: KubeObject): Record<string, unknown>[] {
  return spec(o)["rules"] as Record<string, unknown>[];
}

function status(result: TranslationResult, policy: string, dest = "reviews.bookinfo.c1", kind: "trafficPolicies" | "accessPolicies" = "trafficPolicies") {
  return result.statuses[kind][`${policy}.meshhub`]?.destinations[dest];
}

/** The single error of a policy for a destination (fails when there is not exactly one). */
function onlyError(result: TranslationResult, policy: string, dest = "reviews.bookinfo.c1", kind: "trafficPolicies" | "accessPolicies" = "trafficPolicies"): string {
  const s = status(result, policy, dest, kind);
  expect(s?.state).toBe("INVALID");
  expect(s?.errors).toHaveLength(1);
  return s!.errors![0]!;
}

const EDGE = "edge-26.8.3";
const V216 = "stable-2.16.0";
const V214 = "stable-2.14.10";

const REVIEWS = { kubeServiceRefs: { services: [{ name: "reviews", namespace: "bookinfo", clusterName: "c1" }] } };
const target = (name: string, extra: Record<string, unknown> = {}) => ({ kubeService: { name, namespace: "bookinfo", clusterName: "c1", ...extra } });

function estate(version: string, extra: Partial<Estate> = {}): Estate & { mesh: Mesh } {
  const mesh = linkerdMesh("c1", { version });
  return {
    mesh,
    meshes: [mesh],
    services: [
      service(mesh, "reviews", "bookinfo", { subsets: { version: ["v1", "v2", "v3"] } }),
      service(mesh, "reviews-v2", "bookinfo", { selector: { app: "reviews", version: "v2" } }),
      service(mesh, "ratings", "bookinfo"),
      service(mesh, "details", "other"),
    ],
    workloads: [workload(mesh, "productpage", "bookinfo")],
    ...extra,
  };
}

const tp = (name: string, policy: unknown, extra: Record<string, unknown> = {}, ts?: string): TrafficPolicy =>
  trafficPolicy(name, { destinationSelector: [REVIEWS], policy, ...extra }, ts ? { creationTimestamp: ts } : {});

const ap = (name: string, spec: Record<string, unknown> = {}): AccessPolicy => accessPolicy(name, { destinationSelector: [REVIEWS], ...spec });

/** Asserts an "unsupported" message names the feature, the mesh and version, and an alternative. */
function expectPrecise(message: string, feature: string | RegExp, version: string, alternative: RegExp): void {
  if (typeof feature === "string") expect(message).toContain(feature);
  else expect(message).toMatch(feature);
  expect(message).toContain("Linkerd");
  expect(message).toContain(version);
  expect(message).toMatch(alternative);
}

// ---------------------------------------------------------------------------------------------------------------------

describe("version-aware flavour", () => {
  it.each([
    ["edge-26.8.3", "gateway.networking.k8s.io/v1", "policy.linkerd.io/v1beta3"],
    ["version-2.18", "gateway.networking.k8s.io/v1", "policy.linkerd.io/v1beta3"],
    ["edge-25.4.1", "gateway.networking.k8s.io/v1", "policy.linkerd.io/v1beta3"],
    ["edge-24.11.8", "policy.linkerd.io/v1beta3", "policy.linkerd.io/v1beta3"],
    ["stable-2.16.0", "policy.linkerd.io/v1beta3", "policy.linkerd.io/v1beta3"],
    ["edge-24.8.2", "policy.linkerd.io/v1beta3", "policy.linkerd.io/v1beta3"],
  ])("%s → outbound %s HTTPRoute, Server %s", (version, routeApi, serverApi) => {
    const e = estate(version);
    const r = run({ ...e, trafficPolicies: [tp("timeout", { requestTimeout: "2s" })], accessPolicies: [ap("open")] });
    const route = get(r, "HTTPRoute", "reviews-9080");
    expect(route.apiVersion).toBe(routeApi);
    expect(spec(route)["parentRefs"]).toEqual([{ group: "core", kind: "Service", name: "reviews", port: 9080 }]);
    expect(get(r, "Server", "reviews-9080").apiVersion).toBe(serverApi);
    expect(ofKind(r, "ServiceProfile")).toEqual([]);
  });

  it.each(["stable-2.14.10", "edge-24.2.1", "stable-2.12.0"])("%s → ServiceProfile, no HTTPRoute", (version) => {
    const r = run({ ...estate(version), trafficPolicies: [tp("timeout", { requestTimeout: "2s" })] });
    expect(get(r, "ServiceProfile", "reviews.bookinfo.svc.cluster.local").apiVersion).toBe("linkerd.io/v1alpha2");
    expect(ofKind(r, "HTTPRoute")).toEqual([]);
  });

  it("edge releases map to their stable minor; unknown versions are an error, never a guess", () => {
    expect(flavourForVersion("edge-24.8.2").label).toBe("Linkerd edge-24.8.2 (≈ stable 2.16)");
    expect(flavourForVersion("edge-24.7.5").routes).toBe("service-profile");
    expect(flavourForVersion("stable-2.9.4").routes).toBeUndefined();
    const r = run({ ...estate("latest"), trafficPolicies: [tp("timeout", { requestTimeout: "2s" })], accessPolicies: [ap("open")] });
    expect(onlyError(r, "timeout")).toContain("cannot tell which Linkerd configuration Linkerd latest accepts");
    expect(onlyError(r, "open", undefined, "accessPolicies")).toContain("cannot tell which Linkerd policy resources Linkerd latest serves");
    // Access still fails closed, with the Server version every Linkerd since 2.11 serves.
    expect(objects(r).map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual(["policy.linkerd.io/v1beta1 Server reviews-9080"]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe.each([
  [EDGE, "gateway.networking.k8s.io/v1"],
  [V216, "policy.linkerd.io/v1beta3"],
  ["edge-24.8.2", "policy.linkerd.io/v1beta3"],
])("HTTPRoute flavour on %s", (version, api) => {
  const gw = api.startsWith("gateway");

  it("renders path, method, header and query matches in the resolved order, one rule per resolved route", () => {
    const e = estate(version);
    const r = run({
      ...e,
      trafficPolicies: [
        tp("matches", { requestTimeout: "3s" }, {
          httpRequestMatchers: [
            { exact: "/reviews/1", method: "GET" },
            { prefix: "/api", headers: [{ name: "x-user", value: "jason" }, { name: "x-canary" }, { name: "x-re", value: "a|ab", regex: true }] },
            { regex: "/v[0-9]+/.*", queryParameters: [{ name: "debug", value: "1" }, { name: "trace" }] },
            { prefix: "/static/" },
            { prefix: "/" },
          ],
        }),
      ],
    });
    const route = get(r, "HTTPRoute", "reviews-9080");
    expect(route.apiVersion).toBe(api);
    expect(rules(route).map((x) => x["matches"])).toEqual([
      [{ path: { type: "Exact", value: "/reviews/1" }, method: "GET" }],
      [{ path: { type: "RegularExpression", value: "^(?:/v[0-9]+/.*)$" }, queryParams: [{ type: "Exact", name: "debug", value: "1" }, { type: "RegularExpression", name: "trace", value: ".*" }] }],
      [{ path: { type: "RegularExpression", value: "^/static/.*$" } }],
      [
        {
          path: { type: "PathPrefix", value: "/api" },
          headers: [
            { type: "Exact", name: "x-user", value: "jason" },
            { type: "RegularExpression", name: "x-canary", value: ".*" },
            { type: "RegularExpression", name: "x-re", value: "^(?:a|ab)$" },
          ],
        },
        {
          path: { type: "RegularExpression", value: "^/api[^/].*$" },
          headers: [
            { type: "Exact", name: "x-user", value: "jason" },
            { type: "RegularExpression", name: "x-canary", value: ".*" },
            { type: "RegularExpression", name: "x-re", value: "^(?:a|ab)$" },
          ],
        },
      ],
      [{ path: { type: "PathPrefix", value: "/" } }],
    ]);
    // Every rule without a trafficShift goes to the Service itself, on the parent port.
    for (const rule of rules(route)) expect(rule["backendRefs"]).toEqual([{ name: "reviews", port: 9080 }]);
  });

  it("renders weighted backendRefs for a traffic shift, a per-subset Service for a subset", () => {
    const r = run({
      ...estate(version),
      trafficPolicies: [
        tp("canary", {
          trafficShift: {
            destinations: [
              { ...target("reviews"), weight: 75 },
              { ...target("reviews", { subset: { version: "v2" } }), weight: 20 },
              { ...target("details", { namespace: "other" }), weight: 5 },
            ],
          },
        }),
      ],
    });
    const [rule] = rules(get(r, "HTTPRoute", "reviews-9080"));
    expect(rule!["backendRefs"]).toEqual([
      { name: "reviews", port: 9080, weight: 75 },
      { name: "reviews-v2", port: 9080, weight: 20 },
      { name: "details", namespace: "other", port: 9080, weight: 5 },
    ]);
    expect(rule!["matches"]).toBeUndefined();
  });

  it("maps headerManipulation to RequestHeaderModifier/ResponseHeaderModifier filters (append → add, remove → remove)", () => {
    const r = run({
      ...estate(version),
      trafficPolicies: [
        tp("headers", {
          headerManipulation: { appendRequestHeaders: { "x-b": "2", "x-a": "1" }, removeRequestHeaders: ["cookie"], appendResponseHeaders: { "x-served-by": "reviews" }, removeResponseHeaders: ["server"] },
        }),
      ],
    });
    const [rule] = rules(get(r, "HTTPRoute", "reviews-9080"));
    const request = { type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "x-a", value: "1" }, { name: "x-b", value: "2" }], remove: ["cookie"] } };
    const response = { type: "ResponseHeaderModifier", responseHeaderModifier: { add: [{ name: "x-served-by", value: "reviews" }], remove: ["server"] } };
    if (gw) {
      expect(rule!["filters"]).toEqual([request, response]);
      expect(rule!["backendRefs"]).toEqual([{ name: "reviews", port: 9080 }]);
    } else {
      // policy.linkerd.io/v1beta3 has no rule-level ResponseHeaderModifier: it goes on the backend.
      expect(rule!["filters"]).toEqual([request]);
      expect(rule!["backendRefs"]).toEqual([{ name: "reviews", port: 9080, filters: [response] }]);
    }
  });

  it("sets the request timeout where this Linkerd reads it (1.5s → 1500ms)", () => {
    const r = run({ ...estate(version), trafficPolicies: [tp("timeout", { requestTimeout: "1.5s" })] });
    const route = get(r, "HTTPRoute", "reviews-9080");
    expect(rules(route)[0]!["timeouts"]).toEqual({ request: "1500ms" });
    // Linkerd reads rules[].timeouts only on its own HTTPRoute; Gateway-API routes need the annotation.
    expect(route.metadata.annotations?.["timeout.linkerd.io/request"]).toBe(gw ? "1500ms" : undefined);
  });

  it("renders retries as route annotations (attempts → limit, perTryTimeout → timeout, retryOn → http)", () => {
    const r = run({ ...estate(version), trafficPolicies: [tp("retries", { retries: { attempts: 3, perTryTimeout: "0.25s", retryOn: "5xx,gateway-error,429,500-504" } })] });
    const a = get(r, "HTTPRoute", "reviews-9080").metadata.annotations!;
    expect(a["retry.linkerd.io/limit"]).toBe("3");
    expect(a["retry.linkerd.io/timeout"]).toBe("250ms");
    expect(a["retry.linkerd.io/http"]).toBe("5xx,gateway-error,429,500-504");
  });

  it("attempts: 0 means no retries, said explicitly (Linkerd would otherwise default to one retry)", () => {
    const r = run({ ...estate(version), trafficPolicies: [tp("noretry", { retries: { attempts: 0, retryOn: "5xx" } })] });
    const a = get(r, "HTTPRoute", "reviews-9080").metadata.annotations!;
    expect(a["retry.linkerd.io/limit"]).toBe("0");
    expect(a["retry.linkerd.io/http"]).toBeUndefined();
  });

  it("puts rules with different route-wide annotations in separate HTTPRoutes for the same parent", () => {
    const r = run({
      ...estate(version),
      trafficPolicies: [
        tp("api", { retries: { attempts: 2 } }, { httpRequestMatchers: [{ prefix: "/api/" }] }, "2024-01-01T00:00:00Z"),
        tp("all", { requestTimeout: "5s" }, {}, "2024-01-02T00:00:00Z"),
      ],
    });
    const routes = ofKind(r, "HTTPRoute");
    expect(routes).toHaveLength(2);
    const first = get(r, "HTTPRoute", "reviews-9080");
    expect(first.metadata.annotations?.["retry.linkerd.io/limit"]).toBe("2");
    expect(first.metadata.annotations?.[SOURCES_ANNOTATION]).toBe("TrafficPolicy/meshhub/api");
    const second = routes.find((x) => x !== first)!;
    expect(second.metadata.name).toMatch(/^reviews-9080-[0-9a-f]{8}$/);
    expect(second.metadata.annotations?.["retry.linkerd.io/limit"]).toBeUndefined();
    expect(rules(second)[0]!["timeouts"]).toEqual({ request: "5s" });
  });

  it("renders one HTTPRoute per TCP service port, each parent naming its port", () => {
    const e = estate(version);
    const multi = service(e.mesh, "reviews", "bookinfo", {
      ports: [
        { port: 9080, name: "http" },
        { port: 9090, name: "http-admin" },
        { port: 5353, name: "dns" },
      ],
    });
    multi.spec.kubeService.ports[2]!.protocol = "UDP";
    const r = run({ ...e, services: [multi], trafficPolicies: [tp("timeout", { requestTimeout: "2s" })] });
    expect(ofKind(r, "HTTPRoute").map((o) => o.metadata.name)).toEqual(["reviews-9080", "reviews-9090"]);
    expect(rules(get(r, "HTTPRoute", "reviews-9090"))[0]!["backendRefs"]).toEqual([{ name: "reviews", port: 9090 }]);
  });

  it("splits more than 16 rules over several HTTPRoutes", () => {
    const matchers = Array.from({ length: 20 }, (_, i) => ({ exact: `/p${String(i).padStart(2, "0")}` }));
    const r = run({ ...estate(version), trafficPolicies: [tp("many", { requestTimeout: "1s" }, { httpRequestMatchers: matchers })] });
    expect(rules(get(r, "HTTPRoute", "reviews-9080"))).toHaveLength(16);
    expect(rules(get(r, "HTTPRoute", "reviews-9080-2"))).toHaveLength(4);
  });

  it("puts failure accrual on the Service as an annotations-only server-side-apply patch", () => {
    const r = run({ ...estate(version), trafficPolicies: [tp("eject", { outlierDetection: { consecutiveErrors: 3, baseEjectionTime: "2.5s" } })] });
    const patch = get(r, "Service", "reviews");
    expect(patch).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "reviews",
        namespace: "bookinfo",
        annotations: {
          "balancer.linkerd.io/failure-accrual": "consecutive",
          "balancer.linkerd.io/failure-accrual-consecutive-max-failures": "3",
          "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": "2500ms",
          [PATCH_ANNOTATION]: "server-side-apply",
          [SOURCES_ANNOTATION]: "TrafficPolicy/meshhub/eject",
        },
      },
    });
    // Never the owner label, never spec or labels of the user's Service.
    expect(patch.metadata.labels?.[MANAGED_BY_LABEL]).toBeUndefined();
    expect(patch["spec"]).toBeUndefined();
    expect(ofKind(r, "HTTPRoute")).toEqual([]);
  });

  it("does not overwrite hand-written failure-accrual annotations on the user's Service", () => {
    const e = estate(version);
    const own = service(e.mesh, "reviews", "bookinfo", { annotations: { "balancer.linkerd.io/failure-accrual": "consecutive", "balancer.linkerd.io/failure-accrual-consecutive-max-failures": "10" } });
    const r = run({ ...e, services: [own], trafficPolicies: [tp("eject", { outlierDetection: { consecutiveErrors: 3 } })] });
    expect(onlyError(r, "eject")).toContain('hand-written failure-accrual annotations (balancer.linkerd.io/failure-accrual-consecutive-max-failures: "10")');
    expect(objects(r)).toEqual([]);
    // Annotations meshhub patched earlier (the Service carries the patch marker) are meshhub's to change.
    const patched = service(e.mesh, "reviews", "bookinfo", { annotations: { ...own.spec.kubeService.annotations, [PATCH_ANNOTATION]: "server-side-apply" } });
    const again = run({ ...e, services: [patched], trafficPolicies: [tp("eject", { outlierDetection: { consecutiveErrors: 3 } })] });
    expect(get(again, "Service", "reviews").metadata.annotations?.["balancer.linkerd.io/failure-accrual-consecutive-max-failures"]).toBe("3");
  });

  it("raises the max penalty when the base ejection time is above Linkerd's 1m default", () => {
    const r = run({ ...estate(version), trafficPolicies: [tp("eject", { outlierDetection: { baseEjectionTime: "2m" } })] });
    const a = get(r, "Service", "reviews").metadata.annotations!;
    expect(a["balancer.linkerd.io/failure-accrual-consecutive-min-penalty"]).toBe("2m");
    expect(a["balancer.linkerd.io/failure-accrual-consecutive-max-penalty"]).toBe("2m");
    expect(a["balancer.linkerd.io/failure-accrual-consecutive-max-failures"]).toBe("5");
  });

  it("marks every owned object with the owner label, sources and destination annotations", () => {
    const r = run({ ...estate(version), trafficPolicies: [tp("timeout", { requestTimeout: "2s" })], accessPolicies: [ap("open")] });
    for (const o of objects(r)) {
      expect(o.metadata.labels?.[MANAGED_BY_LABEL]).toBe("meshhub");
      // A MeshTLSAuthentication serves every destination of its policy in the namespace: it names none.
      expect(o.metadata.annotations?.["meshhub.io/destination"]).toBe(o.kind === "MeshTLSAuthentication" ? undefined : "reviews.bookinfo.c1");
      expect(o.metadata.annotations?.[SOURCES_ANNOTATION]).toMatch(/^(TrafficPolicy\/meshhub\/timeout|AccessPolicy\/meshhub\/open)(,(TrafficPolicy\/meshhub\/timeout|AccessPolicy\/meshhub\/open))*$/);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe(`ServiceProfile flavour (${V214})`, () => {
  it("names the profile <svc>.<ns>.svc.<cluster-domain> and renders conditions and timeouts in resolved order", () => {
    const mesh = linkerdMesh("c1", { version: V214, clusterDomain: "corp.local" });
    const r = run({
      meshes: [mesh],
      services: [service(mesh, "reviews", "bookinfo")],
      trafficPolicies: [
        tp("t", { requestTimeout: "1.5s" }, { httpRequestMatchers: [{ prefix: "/api.v1/", method: "POST" }, { exact: "/health" }, { regex: "/r/[0-9]+" }] }),
        tp("all", { requestTimeout: "10s" }),
      ],
    });
    const sp = get(r, "ServiceProfile", "reviews.bookinfo.svc.corp.local");
    expect(sp.metadata.namespace).toBe("bookinfo");
    expect(spec(sp)).toEqual({
      routes: [
        { name: "t.meshhub-1", condition: { pathRegex: "^/health$" }, timeout: "1500ms" },
        { name: "t.meshhub-2", condition: { pathRegex: "^(?:/r/[0-9]+)$" }, timeout: "1500ms" },
        { name: "t.meshhub-3", condition: { all: [{ pathRegex: "^/api\\.v1/.*$" }, { method: "POST" }] }, timeout: "1500ms" },
        { name: "all.meshhub", condition: { pathRegex: ".*" }, timeout: "10s" },
      ],
    });
    expect(sp.metadata.annotations?.[SOURCES_ANNOTATION]).toBe("TrafficPolicy/meshhub/all,TrafficPolicy/meshhub/t");
  });

  it("renders a traffic shift as an SMI TrafficSplit with integer weights (per-subset Service as backend)", () => {
    const r = run({
      ...estate(V214),
      trafficPolicies: [tp("canary", { trafficShift: { destinations: [{ ...target("reviews"), weight: 90 }, { ...target("reviews", { subset: { version: "v2" } }), weight: 10 }] } })],
    });
    const ts = get(r, "TrafficSplit", "reviews");
    expect(ts.apiVersion).toBe("split.smi-spec.io/v1alpha2");
    expect(spec(ts)).toEqual({ service: "reviews", backends: [{ service: "reviews", weight: 90 }, { service: "reviews-v2", weight: 10 }] });
    // An (empty) meshhub-owned profile goes with it, so linkerd-smi fills in dstOverrides there instead of creating
    // an unowned ServiceProfile that the next discovery would report as a clash.
    const sp = get(r, "ServiceProfile", "reviews.bookinfo.svc.cluster.local");
    expect(spec(sp)).toEqual({ routes: [] });
    expect(sp.metadata.annotations?.[SOURCES_ANNOTATION]).toBe("TrafficPolicy/meshhub/canary");
  });

  it("renders budget-based retries only when the caller opts in", () => {
    const policy = tp("retry", { retries: { attempts: 3, retryOn: "5xx" } });
    const plain = run({ ...estate(V214), trafficPolicies: [policy] });
    expectPrecise(onlyError(plain, "retry"), "retry attempts/per-try timeout require Linkerd ≥2.16", V214, /upgrade to Linkerd ≥2\.16|linkerdRetryBudget/);
    expect(objects(plain)).toEqual([]);

    const opted = run({ ...estate(V214), trafficPolicies: [policy], options: { linkerdRetryBudget: true } });
    expect(spec(get(opted, "ServiceProfile", "reviews.bookinfo.svc.cluster.local"))).toEqual({
      routes: [{ name: "retry.meshhub", condition: { pathRegex: ".*" }, isRetryable: true }],
      retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: "10s" },
    });
    const perTry = run({ ...estate(V214), trafficPolicies: [tp("retry", { retries: { attempts: 3, perTryTimeout: "1s" } })], options: { linkerdRetryBudget: true } });
    expect(onlyError(perTry, "retry")).toContain("per-try timeout require Linkerd ≥2.16");
    // attempts: 0 ("no retries") is what a ServiceProfile does anyway.
    const none = run({ ...estate(V214), trafficPolicies: [tp("retry", { retries: { attempts: 0 }, requestTimeout: "3s" })] });
    expect(status(none, "retry")?.state).toBe("ACCEPTED");
    expect(spec(get(none, "ServiceProfile", "reviews.bookinfo.svc.cluster.local"))).toEqual({ routes: [{ name: "retry.meshhub", condition: { pathRegex: ".*" }, timeout: "3s" }] });
  });

  it("rejects what a ServiceProfile/TrafficSplit cannot express, precisely", () => {
    const r = run({
      ...estate(V214),
      trafficPolicies: [
        tp("hdr", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/", headers: [{ name: "x-user", value: "a" }] }] }),
        tp("manip", { headerManipulation: { appendRequestHeaders: { "x-a": "1" } } }),
        tp("routed-shift", { trafficShift: { destinations: [{ ...target("ratings"), weight: 1 }] } }, { httpRequestMatchers: [{ prefix: "/v2" }] }),
        tp("cross-ns", { trafficShift: { destinations: [{ ...target("details", { namespace: "other" }), weight: 1 }] } }),
      ],
    });
    expectPrecise(onlyError(r, "hdr"), "header and query-parameter matching requires Linkerd ≥2.16", V214, /match on path\/method/);
    expectPrecise(onlyError(r, "manip"), "headerManipulation requires Linkerd ≥2.16", V214, /upgrade to Linkerd ≥2\.16/);
    expectPrecise(onlyError(r, "routed-shift"), "per-route traffic shifting", V214, /remove the matchers/);
    expectPrecise(onlyError(r, "cross-ns"), "traffic shift across namespaces", V214, /create a Service in bookinfo/);
    expect(objects(r)).toEqual([]);
  });

  it("puts failure accrual on the Service when no ServiceProfile would hide it, and rejects it otherwise", () => {
    const alone = run({ ...estate(V214), trafficPolicies: [tp("eject", { outlierDetection: { consecutiveErrors: 4 } })] });
    expect(get(alone, "Service", "reviews").metadata.annotations?.["balancer.linkerd.io/failure-accrual-consecutive-max-failures"]).toBe("4");

    const both = run({ ...estate(V214), trafficPolicies: [tp("eject", { outlierDetection: { consecutiveErrors: 4 } }), tp("timeout", { requestTimeout: "2s" })] });
    expectPrecise(onlyError(both, "eject"), "outlierDetection", V214, /upgrade to Linkerd ≥2\.16/);
    expect(onlyError(both, "eject")).toContain("ignores failure-accrual annotations on a Service with a ServiceProfile");
    expect(status(both, "timeout")?.state).toBe("ACCEPTED");
    expect(ofKind(both, "Service")).toEqual([]);
    expect(ofKind(both, "ServiceProfile")).toHaveLength(1);

    const same = run({ ...estate(V214), trafficPolicies: [tp("eject", { outlierDetection: { consecutiveErrors: 4 }, requestTimeout: "2s" })] });
    expect(onlyError(same, "eject")).toContain("outlierDetection together with route settings is not supported by Linkerd stable-2.14.10");
    expect(objects(same)).toEqual([]);

    const old = run({ ...estate("stable-2.12.3"), trafficPolicies: [tp("eject", { outlierDetection: { consecutiveErrors: 4 } })] });
    expectPrecise(onlyError(old, "eject"), "outlierDetection requires Linkerd ≥2.13", "stable-2.12.3", /upgrade Linkerd/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("unsupported features are precise errors and contribute nothing", () => {
  const cases: [string, unknown, Record<string, unknown>, string | RegExp, RegExp][] = [
    ["delay", { faultInjection: { fixedDelay: "5s", percentage: 10 } }, {}, "faultInjection.fixedDelay: native fault injection not supported by Linkerd — Linkerd cannot inject latency", /test backend/],
    ["abort", { faultInjection: { abort: { httpStatus: 503 }, percentage: 10 } }, {}, "faultInjection.abort: native fault injection not supported by Linkerd", /provide an injector backend.*send 10% of the traffic to it with a trafficShift/],
    ["cors", { corsPolicy: { allowOrigins: [{ exact: "https://a.example" }] } }, {}, "corsPolicy: CORS policy is not supported by Linkerd", /in the application or at an ingress gateway/],
    ["mirror", { mirror: { kubeService: { name: "ratings", namespace: "bookinfo", clusterName: "c1" }, percentage: 5 } }, {}, "mirror: traffic mirroring is not supported by Linkerd", /mirror at an ingress gateway/],
    ["tls-disable", { mtls: { istio: { tlsMode: "DISABLE" } } }, {}, "mtls.istio.tlsMode DISABLE: Linkerd mTLS cannot be disabled for meshed traffic", /skip-inbound-ports/],
    ["tls-istio", { mtls: { istio: { tlsMode: "ISTIO_MUTUAL" } } }, {}, "mtls.istio.tlsMode ISTIO_MUTUAL is an Istio-only setting", /mTLS between meshed workloads is always on/],
    ["labels", { requestTimeout: "1s" }, { sourceSelector: [{ kubeWorkloadMatcher: { labels: { app: "productpage" } } }] }, "Linkerd routes cannot target client workloads", /drop the labels/],
    ["client-cluster", { requestTimeout: "1s" }, { sourceSelector: [{ kubeWorkloadMatcher: { clusters: ["c1"] } }] }, "Linkerd cannot route by client cluster", /destinationSelector/],
    ["client-ns", { requestTimeout: "1s" }, { sourceSelector: [{ kubeWorkloadMatcher: { namespaces: ["bookinfo"] } }] }, "routing by client namespace is not supported", /drop namespaces/],
    ["invert", { requestTimeout: "1s" }, { httpRequestMatchers: [{ prefix: "/", headers: [{ name: "x-test", value: "1", invertMatch: true }] }] }, "negative header match not supported by Linkerd", /positive match/],
    ["no-subset-svc", { trafficShift: { destinations: [{ ...target("reviews", { subset: { version: "v3" } }), weight: 1 }] } }, {}, "Linkerd has no label subsets; a per-subset Service is required", /create a Service in namespace bookinfo on cluster c1 selecting \{app: reviews, version: v3\}/],
    ["connect-failure", { retries: { attempts: 2, retryOn: "connect-failure,5xx" } }, {}, "retry condition 'connect-failure' not expressible in Linkerd", /drop 'connect-failure' from retryOn/],
    ["grpc-cond", { retries: { attempts: 2, retryOn: "unavailable" } }, {}, "retry condition 'unavailable' not expressible in Linkerd", /retry on HTTP status codes/],
    ["lookahead", { requestTimeout: "1s" }, { httpRequestMatchers: [{ regex: "/(?!admin).*" }] }, /uses lookaround.*Linkerd's regex engine/, /Rust regex/],
    ["interval", { outlierDetection: { interval: "5s" } }, {}, "outlierDetection.interval 5s: only consecutive-failure ejection is supported by Linkerd", /remove interval/],
    ["max-ejection", { outlierDetection: { maxEjectionPercent: 50 } }, {}, "outlierDetection.maxEjectionPercent 50: only consecutive-failure ejection is supported by Linkerd", /remove maxEjectionPercent/],
    ["sub-ms", { requestTimeout: "1500us" }, {}, /requestTimeout: "1500us" has sub-millisecond precision/, /whole number of milliseconds/],
  ];

  it.each(cases)("%s", (name, policy, extra, feature, alternative) => {
    const r = run({ ...estate(EDGE), trafficPolicies: [tp(name, policy, extra), tp("fine", { requestTimeout: "7s" }, { httpRequestMatchers: [{ prefix: "/ok/" }] })] });
    const message = onlyError(r, name);
    expectPrecise(message, feature, EDGE, alternative);
    // The invalid policy contributes nothing; the valid one is unaffected.
    expect(status(r, "fine")?.state).toBe("ACCEPTED");
    for (const o of objects(r)) expect(o.metadata.annotations?.[SOURCES_ANNOTATION]).not.toContain(`/${name}`);
    expect(ofKind(r, "HTTPRoute")).toHaveLength(1);
    expect(rules(get(r, "HTTPRoute", "reviews-9080"))).toHaveLength(1);
  });

  it("headless Services cannot carry outbound policy", () => {
    const e = estate(EDGE);
    const r = run({ ...e, services: [service(e.mesh, "reviews", "bookinfo", { headless: true })], trafficPolicies: [tp("timeout", { requestTimeout: "1s" })] });
    expectPrecise(onlyError(r, "timeout"), "headless Service bookinfo/reviews", EDGE, /give the Service a cluster IP/);
    expect(onlyError(r, "timeout")).toContain("Linkerd cannot apply outbound policy");
    expect(objects(r)).toEqual([]);
  });

  it("retries before 2.16 name the version and what would work instead", () => {
    const r = run({ ...estate("edge-24.2.1"), trafficPolicies: [tp("retry", { retries: { attempts: 2 } })] });
    expectPrecise(onlyError(r, "retry"), "retry attempts/per-try timeout require Linkerd ≥2.16", "edge-24.2.1 (≈ stable 2.15)", /upgrade to Linkerd ≥2\.16/);
  });

  it("a policy is all or nothing: one unsupported field drops its supported ones too", () => {
    const r = run({ ...estate(EDGE), trafficPolicies: [tp("mixed", { requestTimeout: "1s", corsPolicy: { allowMethods: ["GET"] } })] });
    expect(onlyError(r, "mixed")).toContain("CORS");
    expect(objects(r)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("clashes with hand-written Linkerd config", () => {
  const userProfile: ForeignConfig = { cluster: "c1", apiVersion: "linkerd.io/v1alpha2", kind: "ServiceProfile", namespace: "bookinfo", name: "reviews.bookinfo.svc.cluster.local", hosts: ["reviews.bookinfo.svc.cluster.local"], services: [] };

  it("a user ServiceProfile makes every affected policy INVALID, naming it, and nothing is emitted for routing", () => {
    const r = run({
      ...estate(EDGE),
      foreignConfig: [userProfile],
      trafficPolicies: [tp("timeout", { requestTimeout: "1s" }), tp("eject", { outlierDetection: { consecutiveErrors: 2 } })],
      accessPolicies: [ap("open")],
    });
    for (const p of ["timeout", "eject"]) {
      const m = onlyError(r, p);
      expect(m).toContain("ServiceProfile bookinfo/reviews.bookinfo.svc.cluster.local");
      expect(m).toContain("overrides Linkerd outbound HTTPRoutes");
      expect(m).toContain("allowCoexisting");
    }
    expect(ofKind(r, "HTTPRoute")).toEqual([]);
    expect(ofKind(r, "Service")).toEqual([]);
    // Access control is unaffected.
    expect(ofKind(r, "Server")).toHaveLength(1);
  });

  it("a foreign HTTPRoute whose parent is the Service clashes too; allowCoexisting emits anyway", () => {
    const userRoute: ForeignConfig = { cluster: "c1", apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", namespace: "bookinfo", name: "reviews-by-hand", hosts: [], services: [{ name: "reviews", namespace: "bookinfo" }] };
    const clash = run({ ...estate(EDGE), foreignConfig: [userRoute], trafficPolicies: [tp("timeout", { requestTimeout: "1s" })] });
    expect(onlyError(clash, "timeout")).toContain("HTTPRoute bookinfo/reviews-by-hand");
    expect(objects(clash)).toEqual([]);

    const together = run({ ...estate(EDGE), foreignConfig: [userRoute, userProfile], trafficPolicies: [tp("timeout", { requestTimeout: "1s" })], options: { allowCoexisting: true } });
    expect(status(together, "timeout")?.state).toBe("ACCEPTED");
    expect(ofKind(together, "HTTPRoute")).toHaveLength(1);
  });

  it("config on another cluster or for another Service does not clash", () => {
    const elsewhere: ForeignConfig = { ...userProfile, cluster: "c2" };
    const other: ForeignConfig = { ...userProfile, name: "ratings.bookinfo.svc.cluster.local", hosts: ["ratings.bookinfo.svc.cluster.local"] };
    const r = run({ ...estate(EDGE), foreignConfig: [elsewhere, other], trafficPolicies: [tp("timeout", { requestTimeout: "1s" })] });
    expect(status(r, "timeout")?.state).toBe("ACCEPTED");
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("cross-cluster traffic shift to a Linkerd mirror service", () => {
  function twoClusters(federation: unknown, vmMeshes?: "both" | "one") {
    const m1 = linkerdMesh("c1", { version: EDGE, trustDomain: "c1.example" });
    // Gateway mode exports through the target cluster's multicluster gateway.
    const m2 = linkerdMesh("c2", { version: EDGE, trustDomain: "c2.example", gatewayAddress: "198.51.100.2" });
    const vm = virtualMesh("vm", { meshes: vmMeshes === "one" ? [meshRef(m1)] : [meshRef(m1), meshRef(m2)], ...(federation ? { federation } : {}) });
    return {
      meshes: [m1, m2],
      services: [service(m1, "reviews", "bookinfo"), service(m2, "reviews", "bookinfo", { subsets: { version: ["v3"] } }), service(m2, "reviews-v3", "bookinfo", { selector: { app: "reviews", version: "v3" } })],
      virtualMeshes: [vm],
      trafficPolicies: [
        tp("split", {
          trafficShift: {
            destinations: [
              { ...target("reviews"), weight: 50 },
              { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c2" }, weight: 30 },
              { kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c2", subset: { version: "v3" } }, weight: 20 },
            ],
          },
        }),
      ],
    };
  }

  it("becomes a backendRef to <svc>-<cluster> (per-subset Service mirrored too) when the VirtualMesh federates", () => {
    const r = run(twoClusters({ permissive: {} }));
    expect(rules(get(r, "HTTPRoute", "reviews-9080"))[0]!["backendRefs"]).toEqual([
      { name: "reviews", port: 9080, weight: 50 },
      { name: "reviews-c2", port: 9080, weight: 30 },
      { name: "reviews-v3-c2", port: 9080, weight: 20 },
    ]);
  });

  it("is a precise error naming both clusters without federation or a shared VirtualMesh", () => {
    const noFed = run(twoClusters(undefined));
    const s = status(noFed, "split");
    expect(s?.state).toBe("INVALID");
    // One error per unreachable target (the service and its per-subset Service on c2).
    expect(s?.errors).toHaveLength(2);
    const m = s!.errors!.find((x) => x.includes("to reviews.bookinfo.c2"))!;
    expect(m).toContain("Linkerd edge-26.8.3");
    expect(m).toContain("cluster c1");
    expect(m).toContain("cluster c2");
    expect(m).toContain("does not enable federation");
    expect(m).toContain("mirror bookinfo/reviews-c2");
    expect(objects(noFed)).toEqual([]);

    const istio = istioMesh("c3");
    const toIstio = run({
      meshes: [linkerdMesh("c1", { version: EDGE }), istio],
      services: [service(linkerdMesh("c1", { version: EDGE }), "reviews", "bookinfo"), service(istio, "reviews", "bookinfo")],
      trafficPolicies: [tp("split", { trafficShift: { destinations: [{ kubeService: { name: "reviews", namespace: "bookinfo", clusterName: "c3" }, weight: 1 }] } })],
    });
    expect(onlyError(toIstio, "split")).toContain("cluster c3 runs Istio");

    const outside = run(twoClusters({ permissive: {} }, "one"));
    expect(status(outside, "split")?.errors?.[0]).toContain("the Linkerd mesh linkerd-destination-linkerd-c2 of cluster c2 is not in the destination's VirtualMesh");
    expect(objects(outside)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("access policies", () => {
  it("renders Server + MeshTLSAuthentication + AuthorizationPolicy targeting the Server", () => {
    const e = estate(EDGE);
    const r = run({ ...e, accessPolicies: [ap("from-productpage", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "productpage", namespace: "bookinfo" }] } }] })] });
    expect(spec(get(r, "Server", "reviews-9080"))).toEqual({ podSelector: { matchLabels: { app: "reviews" } }, port: 9080, proxyProtocol: "HTTP/1", accessPolicy: "deny" });
    expect(spec(get(r, "MeshTLSAuthentication", "from-productpage-meshhub"))).toEqual({ identities: ["productpage.bookinfo.serviceaccount.identity.linkerd.cluster.local"] });
    expect(spec(get(r, "AuthorizationPolicy", "reviews-9080-from-productpage-meshhub"))).toEqual({
      targetRef: { group: "policy.linkerd.io", kind: "Server", name: "reviews-9080" },
      requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "from-productpage-meshhub" }],
    });
    expect(status(r, "from-productpage", undefined, "accessPolicies")?.state).toBe("ACCEPTED");
  });

  it("shares one MeshTLSAuthentication per policy and namespace among its destinations, in a session too", () => {
    const e = estate(EDGE);
    const everyService = ap("from-productpage", { destinationSelector: [], sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "productpage", namespace: "bookinfo" }] } }] });
    const r = run({ ...e, accessPolicies: [everyService] });
    const mtas = ofKind(r, "MeshTLSAuthentication");
    expect(mtas.map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual(["bookinfo/from-productpage-meshhub", "other/from-productpage-meshhub"]);
    for (const m of mtas) expect(spec(m)).toEqual({ identities: ["productpage.bookinfo.serviceaccount.identity.linkerd.cluster.local"] });
    // Every destination's AuthorizationPolicies name the one of their namespace.
    const refs = ofKind(r, "AuthorizationPolicy").map((a) => `${a.metadata.namespace}/${(spec(a)["requiredAuthenticationRefs"] as { name: string }[])[0]!.name}`);
    expect(refs.length).toBe(4);
    expect(new Set(refs)).toEqual(new Set(["bookinfo/from-productpage-meshhub", "other/from-productpage-meshhub"]));
    expect(r.diagnostics).toEqual([]);

    // Dropping all but one destination of a namespace keeps the shared object; dropping the last removes it.
    const session = new TranslationSession({ discovery: r.discovery, accessPolicies: [everyService] });
    const onlyReviews = ap("from-productpage", { sourceSelector: everyService.spec.sourceSelector });
    const delta = session.apply({ upsert: [onlyReviews] });
    expect(delta.clusters["c1"]!.removed).toContainEqual({ apiVersion: "policy.linkerd.io/v1alpha1", kind: "MeshTLSAuthentication", namespace: "other", name: "from-productpage-meshhub" });
    expect(delta.clusters["c1"]!.removed.some((id) => id.kind === "MeshTLSAuthentication" && id.namespace === "bookinfo")).toBe(false);
    expect(toCanonicalJson(session.result().clusters)).toBe(toCanonicalJson(run({ ...e, accessPolicies: [onlyReviews] }).clusters));
  });

  it("uses the Server's target port (named ports too) and allowed ports pick Servers as the Istio translation does", () => {
    const e = estate(EDGE);
    const svc = service(e.mesh, "reviews", "bookinfo", {
      ports: [
        { port: 80, name: "http", targetPort: 9080 },
        { port: 8080, name: "http-alt", targetPort: 9080 },
        { port: 9000, name: "grpc", targetPort: "grpc-port" },
        { port: 7000, name: "tcp", targetPort: 7000 },
      ],
    });
    const r = run({ ...e, services: [svc], accessPolicies: [ap("web", { allowedPorts: [80] }), ap("raw", { allowedPorts: [7000] })] });
    expect(ofKind(r, "Server").map((s) => [s.metadata.name, spec(s)["port"], spec(s)["proxyProtocol"]])).toEqual([
      ["reviews-7000", 7000, undefined],
      ["reviews-9080", 9080, "HTTP/1"],
      ["reviews-grpc-port", "grpc-port", "gRPC"],
    ]);
    expect(ofKind(r, "AuthorizationPolicy").map((a) => [a.metadata.name, (spec(a)["targetRef"] as { name: string }).name])).toEqual([
      ["reviews-7000-raw-meshhub", "reviews-7000"],
      ["reviews-9080-web-meshhub", "reviews-9080"],
    ]);
    // A service port whose target is a named container port cannot be matched exactly: error, rule left out.
    const named = run({ ...e, services: [svc], accessPolicies: [ap("grpc", { allowedPorts: [9000] })] });
    expect(onlyError(named, "grpc", undefined, "accessPolicies")).toContain("named container port \"grpc-port\"");
    expect(ofKind(named, "AuthorizationPolicy")).toEqual([]);
    expect(ofKind(named, "Server")).toHaveLength(3);
  });

  it("restricts paths and methods with Server routes, keeping unrestricted callers on a catch-all route", () => {
    const r = run({
      ...estate(EDGE),
      accessPolicies: [
        ap("books", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "a", namespace: "bookinfo" }] } }], allowedPaths: ["/books*", "/about", "*/index.json", "/api/*"], allowedMethods: ["GET"] }),
        ap("book-one", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "b", namespace: "bookinfo" }] } }], allowedPaths: ["/books/1"], allowedMethods: ["GET"] }),
        ap("ops", { sourceSelector: [{ kubeIdentityMatcher: { namespaces: ["ops"] } }] }),
      ],
    });
    const books = get(r, "HTTPRoute", "reviews-9080-books-meshhub");
    expect(books.apiVersion).toBe("policy.linkerd.io/v1beta3");
    expect(spec(books)["parentRefs"]).toEqual([{ group: "policy.linkerd.io", kind: "Server", name: "reviews-9080" }]);
    expect(rules(books)).toEqual([
      {
        matches: [
          // (allowed paths are sorted by the resolver)
          { path: { type: "RegularExpression", value: "^.*/index\\.json$" }, method: "GET" },
          { path: { type: "Exact", value: "/about" }, method: "GET" },
          { path: { type: "RegularExpression", value: "^/api/.*$" }, method: "GET" },
          { path: { type: "PathPrefix", value: "/books" }, method: "GET" },
          { path: { type: "RegularExpression", value: "^/books[^/].*$" }, method: "GET" },
        ],
      },
    ]);
    expect(books.metadata.annotations?.["meshhub.io/warning"]).toContain("kubelet probes");
    expect(rules(get(r, "HTTPRoute", "reviews-9080-any"))).toEqual([{ matches: [{ path: { type: "PathPrefix", value: "/" } }] }]);
    const targets = ofKind(r, "AuthorizationPolicy").map((a) => `${a.metadata.annotations?.[SOURCES_ANNOTATION]} -> ${(spec(a)["targetRef"] as { kind: string; name: string }).name}`);
    expect(targets.sort()).toEqual(
      [
        // books is also authorized on book-one's route, which lies inside /books*; never on the catch-all.
        "AccessPolicy/meshhub/books -> reviews-9080-books-meshhub",
        "AccessPolicy/meshhub/books -> reviews-9080-book-one-meshhub",
        "AccessPolicy/meshhub/book-one -> reviews-9080-book-one-meshhub",
        // ops (no restriction) is authorized on every route of the Server.
        "AccessPolicy/meshhub/ops -> reviews-9080-any",
        "AccessPolicy/meshhub/ops -> reviews-9080-books-meshhub",
        "AccessPolicy/meshhub/ops -> reviews-9080-book-one-meshhub",
      ].sort(),
    );
    expect(ofKind(r, "AuthorizationPolicy").some((a) => (spec(a)["targetRef"] as { kind: string }).kind === "Server")).toBe(false);
  });

  it("fails closed: with AccessPolicies but no surviving rule the Server still denies", () => {
    const r = run({
      ...estate(EDGE),
      accessPolicies: [ap("far", { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "x", namespace: "y", clusterName: "nowhere" }] } }] })],
    });
    expect(status(r, "far", undefined, "accessPolicies")?.state).toBe("INVALID");
    expect(spec(get(r, "Server", "reviews-9080"))["accessPolicy"]).toBe("deny");
    expect(ofKind(r, "AuthorizationPolicy")).toEqual([]);
    expect(ofKind(r, "MeshTLSAuthentication")).toEqual([]);
  });

  it("before 2.16 the Server has no accessPolicy field and denies by having no authorization; before 2.12 rules are errors", () => {
    const r = run({ ...estate("stable-2.11.5"), accessPolicies: [ap("open")] });
    expectPrecise(onlyError(r, "open", undefined, "accessPolicies"), "authorization by AccessPolicy requires Linkerd ≥2.12", "stable-2.11.5", /Servers, which deny by default/);
    const server = get(r, "Server", "reviews-9080");
    expect(server.apiVersion).toBe("policy.linkerd.io/v1beta1");
    expect(spec(server)["accessPolicy"]).toBeUndefined();
    expect(ofKind(r, "AuthorizationPolicy")).toEqual([]);

    const paths = run({ ...estate("stable-2.13.7"), accessPolicies: [ap("paths", { allowedPaths: ["/a"] })] });
    expectPrecise(onlyError(paths, "paths", undefined, "accessPolicies"), "allowedPaths/allowedMethods require Linkerd ≥2.14", "stable-2.13.7", /allow whole ports instead/);
  });

  it("a service without a pod selector is never locked down by an empty podSelector", () => {
    const e = estate(EDGE);
    const r = run({ ...e, services: [service(e.mesh, "reviews", "bookinfo", { selector: {} })], accessPolicies: [ap("open")] });
    expect(onlyError(r, "open", undefined, "accessPolicies")).toContain("has no pod selector");
    expect(objects(r)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("identities across clusters", () => {
  const m1 = linkerdMesh("c1", { version: EDGE, trustDomain: "east.example" });
  const m2 = linkerdMesh("c2", { version: EDGE, trustDomain: "west.example", namespace: "linkerd-west" });
  const i3 = istioMesh("c3");
  const services = [service(m1, "reviews", "bookinfo")];
  const flatVm = virtualMesh("vm", { meshes: [meshRef(m1), meshRef(m2)], federation: { flatNetwork: true } });
  const gatewayVm = virtualMesh("vm", { meshes: [meshRef(m1), meshRef(m2)], federation: { permissive: {} } });
  const sa = (name: string, namespace: string, clusterName?: string) => ({ kubeServiceAccountRefs: { serviceAccounts: [{ name, namespace, ...(clusterName ? { clusterName } : {}) }] } });

  it("uses each source cluster's Linkerd namespace and trust domain in flat mode", () => {
    const r = run({
      meshes: [m1, m2],
      services,
      virtualMeshes: [flatVm],
      accessPolicies: [
        ap("remote-sa", { sourceSelector: [sa("frontend", "web", "c2")] }),
        ap("any-cluster-ns", { sourceSelector: [{ kubeIdentityMatcher: { namespaces: ["web"] } }] }),
        ap("whole-c2", { sourceSelector: [{ kubeIdentityMatcher: { clusters: ["c2"] } }] }),
        ap("local-sa", { sourceSelector: [sa("productpage", "bookinfo", "c1")] }),
        ap("anyone", {}),
      ],
    });
    const ids = (p: string) => spec(get(r, "MeshTLSAuthentication", `${p}-meshhub`))["identities"];
    expect(ids("remote-sa")).toEqual(["frontend.web.serviceaccount.identity.linkerd-west.west.example"]);
    expect(ids("any-cluster-ns")).toEqual(["*.web.serviceaccount.identity.linkerd-west.west.example", "*.web.serviceaccount.identity.linkerd.east.example"]);
    expect(ids("whole-c2")).toEqual(["*.serviceaccount.identity.linkerd-west.west.example"]);
    expect(ids("local-sa")).toEqual(["productpage.bookinfo.serviceaccount.identity.linkerd.east.example"]);
    expect(ids("anyone")).toEqual(["*"]);
  });

  it("fails closed for a remote source in gateway mode (Linkerd only sees the gateway's identity)", () => {
    const r = run({ meshes: [m1, m2], services, virtualMeshes: [gatewayVm], accessPolicies: [ap("remote-sa", { sourceSelector: [sa("frontend", "web", "c2")] }), ap("ns", { sourceSelector: [{ kubeIdentityMatcher: { namespaces: ["web"] } }] })] });
    expectPrecise(onlyError(r, "remote-sa", undefined, "accessPolicies"), "per-client authorization across clusters requires Linkerd flat (remote-discovery) mode", EDGE, /federation\.flatNetwork: true/);
    expect(ofKind(r, "MeshTLSAuthentication").map((m) => m.metadata.name)).toEqual(["ns-meshhub"]);
    // A source without a cluster only admits the identities that can reach the destination: the local ones.
    expect(spec(get(r, "MeshTLSAuthentication", "ns-meshhub"))["identities"]).toEqual(["*.web.serviceaccount.identity.linkerd.east.example"]);
    expect(spec(get(r, "Server", "reviews-9080"))["accessPolicy"]).toBe("deny");
  });

  it("fails closed for clusters outside the VirtualMesh, Istio clusters and indistinguishable trust domains", () => {
    const twin = linkerdMesh("c4", { version: EDGE, trustDomain: "east.example" });
    const vm = virtualMesh("vm", { meshes: [meshRef(m1), meshRef(twin)], federation: { flatNetwork: true } });
    const r = run({
      meshes: [m1, m2, i3, twin],
      services,
      virtualMeshes: [vm],
      accessPolicies: [
        ap("outside", { sourceSelector: [sa("frontend", "web", "c2")] }),
        ap("istio", { sourceSelector: [sa("sleep", "default", "c3")] }),
        ap("twin", { sourceSelector: [sa("productpage", "bookinfo", "c1")] }),
      ],
    });
    expect(onlyError(r, "outside", undefined, "accessPolicies")).toContain("cluster c2 has no Linkerd mesh that shares trust");
    expect(onlyError(r, "istio", undefined, "accessPolicies")).toContain("Linkerd cannot verify Istio identities");
    expect(onlyError(r, "twin", undefined, "accessPolicies")).toContain("cluster c1 and cluster c4 both issue Linkerd identities ending in .serviceaccount.identity.linkerd.east.example");
    expect(ofKind(r, "AuthorizationPolicy")).toEqual([]);
    expect(ofKind(r, "Server")).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("determinism", () => {
  it("gives byte-identical output whatever the input order", () => {
    const e = estate(EDGE);
    const policies = [
      tp("a", { requestTimeout: "2s" }, { httpRequestMatchers: [{ prefix: "/a" }] }),
      tp("b", { retries: { attempts: 2 } }, { httpRequestMatchers: [{ exact: "/b" }] }),
      tp("c", { trafficShift: { destinations: [{ ...target("reviews"), weight: 1 }, { ...target("reviews", { subset: { version: "v2" } }), weight: 1 }] } }),
      tp("d", { outlierDetection: { consecutiveErrors: 9 } }),
    ];
    const access = [ap("x", { allowedPaths: ["/x*"] }), ap("y", {})];
    const one = run({ ...e, trafficPolicies: policies, accessPolicies: access });
    const two = run({ ...e, services: [...(e.services ?? [])].reverse(), trafficPolicies: [...policies].reverse(), accessPolicies: [...access].reverse() });
    expect(toCanonicalJson(two.clusters)).toBe(toCanonicalJson(one.clusters));
    expect(toCanonicalJson(two.statuses)).toBe(toCanonicalJson(one.statuses));
  });

  it("does not reach another cluster's objects: output lands on the destination's cluster only", () => {
    const e = estate(EDGE);
    const r = run({ ...e, clusters: [cluster("c1")], trafficPolicies: [tp("a", { requestTimeout: "2s" })] });
    expect(Object.keys(r.clusters)).toEqual(["c1"]);
  });
});
