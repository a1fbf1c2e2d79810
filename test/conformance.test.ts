import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isLeft, isRight } from "fp-ts/lib/Either.js";
import {
  UNCHECKED_CEL_NOTE,
  compiledCount,
  formatConformanceError,
  hasSchemaFor,
  loadCrds,
  parseGoDuration,
  pointerToPath,
  validateObject,
  validateObjects,
  type ConformanceError,
  type CrdRegistry,
} from "../src/conformance/index.js";
import { expectValid, loadSharedCrds, sharedCrdsDir } from "./helpers/crds.js";

const registry = loadSharedCrds();

function crds(): CrdRegistry {
  if (registry === undefined) throw new Error(`CRDs not loaded from ${sharedCrdsDir()}`);
  return registry;
}

const meta = (name: string, namespace = "bookinfo") => ({ name, namespace });

/** Validates and returns `[path, message]` pairs, to assert on specific errors. */
function problems(obj: unknown, closed?: boolean): [string, string][] {
  return validateObject(crds(), obj, closed === undefined ? {} : { closed }).map((e) => [e.path, e.message]);
}

function withPath(errs: [string, string][], path: string): string[] {
  return errs.filter(([p]) => p === path).map(([, m]) => m);
}

// ---------------------------------------------------------------------------------------------------------------------
// Pure helpers (no CRDs needed)
// ---------------------------------------------------------------------------------------------------------------------

describe("conformance helpers", () => {
  it("parses Go durations like time.ParseDuration", () => {
    expect(parseGoDuration("10s")).toBe(10e9);
    expect(parseGoDuration("1h30m")).toBe(5400e9);
    expect(parseGoDuration("1.5ms")).toBe(1.5e6);
    expect(parseGoDuration("250\u00b5s")).toBe(250e3);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("-2m")).toBe(-120e9);
    for (const bad of ["", "10", "10 seconds", "PT10S", "1d", "s", ".s", "1hm", "10sec"]) {
      expect(parseGoDuration(bad), bad).toBeUndefined();
    }
  });

  it("converts JSON pointers to dotted paths using the data to tell arrays from maps", () => {
    const data = { spec: { http: [{ route: [{ weight: 1 }] }] }, metadata: { labels: { "0": "x", "app.kubernetes.io/name": "y" } } };
    expect(pointerToPath("/spec/http/0/route/0/weight", data)).toBe("spec.http[0].route[0].weight");
    expect(pointerToPath("/metadata/labels/0", data)).toBe('metadata.labels["0"]');
    expect(pointerToPath("/metadata/labels/app.kubernetes.io~1name", data)).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(pointerToPath("", data)).toBe("");
  });

  it("reports YAML and CRD shape problems as Left", () => {
    const bad = loadCrds([
      { source: "broken.yaml", text: "kind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nspec: [unclosed" },
      { source: "nogroup.yaml", text: "kind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nmetadata: {name: x}\nspec: {names: {kind: X}, versions: []}" },
    ]);
    expect(isLeft(bad)).toBe(true);
    if (isLeft(bad)) {
      expect(bad.left.map((e) => e.source)).toEqual(["broken.yaml", "nogroup.yaml"]);
      expect(bad.left[1]?.message).toContain("no spec.group");
      expect(formatConformanceError(bad.left[1] as ConformanceError)).toMatch(/^nogroup\.yaml: apiextensions\.k8s\.io\/v1 CustomResourceDefinition x spec\.group: /);
    }
    const empty = loadCrds([{ source: "none.yaml", text: "" }, { source: "cm.yaml", text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" }]);
    expect(isRight(empty) && empty.right.versions.length).toBe(0);
  });

  it("replaces earlier CRDs for the same group+kind and handles a tiny inline CRD without the shared folder", () => {
    const crd = (version: string, props: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: ${version}
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties: {${props}}
`;
    const loaded = loadCrds([
      { source: "old.yaml", text: crd("v1", "size: {type: integer}") },
      { source: "new.yaml", text: crd("v2", "size: {type: string}, wait: {type: string, x-kubernetes-validations: [{rule: \"duration(self) >= duration('1ms')\"}]}") },
    ]);
    if (!isRight(loaded)) throw new Error("expected Right");
    const reg = loaded.right;
    expect(reg.versions.map((v) => `${v.apiVersion} ${v.kind} ${v.source}`)).toEqual(["example.com/v2 Widget new.yaml"]);
    expect(hasSchemaFor(reg, "example.com/v1", "Widget")).toBe(false);
    const ok = { apiVersion: "example.com/v2", kind: "Widget", metadata: { name: "w" }, spec: { size: "big", wait: "5ms" } };
    expect(validateObject(reg, ok)).toEqual([]);
    const errs = validateObject(reg, { ...ok, spec: { size: "big", wait: "500us", colour: "red" } });
    expect(errs.map((e) => [e.path, e.message])).toEqual([
      ["spec.colour", 'unknown field "colour"; known fields: size, wait'],
      ["spec.wait", `failed CEL rule duration(self) >= duration('1ms'): "500us" is not >= 1ms (CEL rule duration(self) >= duration('1ms'))`],
    ]);
    // { closed: false } accepts unknown fields (the API server would prune them)
    expect(validateObject(reg, { ...ok, spec: { size: "big", colour: "red" } }, { closed: false })).toEqual([]);
    expect(validateObject(reg, { ...ok, apiVersion: "example.com/v1" })[0]?.message).toBe("no CRD for example.com/v1 Widget (the loaded Widget CRD serves v2)");
  });

  it("explains which CEL rules are not evaluated", () => {
    expect(UNCHECKED_CEL_NOTE).toMatch(/not evaluated/);
    expect(UNCHECKED_CEL_NOTE).toContain("duration(self) >= duration(");
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Against the real upstream CRDs
// ---------------------------------------------------------------------------------------------------------------------

describe.skipIf(registry === undefined)("CRD conformance against upstream CRDs", () => {
  // --- loading / laziness -------------------------------------------------------------------------------------------

  it("indexes every served (group, version, kind) with a schema", () => {
    const reg = crds();
    // 62 schema versions on disk; gateway-api v1.6.1 replaces the 3 of v1.4.1 (loaded first) → 59
    expect(reg.versions.length).toBe(59);
    expect(hasSchemaFor(reg, "networking.istio.io/v1", "VirtualService")).toBe(true);
    expect(hasSchemaFor(reg, "policy.linkerd.io/v1beta3", "HTTPRoute")).toBe(true);
    expect(hasSchemaFor(reg, "gateway.networking.k8s.io/v1", "HTTPRoute")).toBe(true);
    expect(hasSchemaFor(reg, "v1", "Service")).toBe(false);
    // gateway-api v1.6.1 was loaded after v1.4.1 and replaced it
    const gw = reg.versions.filter((v) => v.group === "gateway.networking.k8s.io");
    expect(new Set(gw.map((v) => v.source.split("/")[1]))).toEqual(new Set(["v1.6.1"]));
    const vs = reg.versions.find((v) => v.apiVersion === "networking.istio.io/v1" && v.kind === "VirtualService");
    // VirtualService's only CEL rules are the duration ones; ServiceEntry has others (ports, addresses…) left unchecked
    expect(vs?.celRulesChecked).toBeGreaterThan(0);
    expect(vs?.celRules).toBe(vs?.celRulesChecked);
    const se = reg.versions.find((v) => v.apiVersion === "networking.istio.io/v1" && v.kind === "ServiceEntry");
    expect(se?.celRules).toBeGreaterThan(se?.celRulesChecked ?? 0);
  });

  it("compiles lazily: validating one Istio object compiles one schema, shared across identical versions", () => {
    // A fresh registry (the shared one may already have compiled schemas in other tests).
    const loaded = loadCrds([{ source: "istio/crd-all.gen.yaml", text: readFileSync(path.join(sharedCrdsDir(), "istio/crd-all.gen.yaml"), "utf8") }]);
    if (!isRight(loaded)) throw new Error("expected Right");
    const fresh = loaded.right;
    expect(compiledCount(fresh)).toBe(0);
    expect(validateObject(fresh, virtualService())).toEqual([]);
    expect(compiledCount(fresh)).toBe(1);
    // v1beta1 has the same schema as v1 → no new compilation
    expect(validateObject(fresh, { ...virtualService(), apiVersion: "networking.istio.io/v1beta1" })).toEqual([]);
    expect(compiledCount(fresh)).toBe(1);
    expect(validateObject(fresh, destinationRule())).toEqual([]);
    expect(compiledCount(fresh)).toBe(2);
  });

  it("compiles every one of the 62 upstream schema versions (closed), incl. gateway-api v1.4.1", () => {
    const dir = sharedCrdsDir();
    const v141 = ["gateway.networking.k8s.io_httproutes.yaml", "gateway.networking.k8s.io_grpcroutes.yaml"].map((f) => ({
      source: `gateway-api/v1.4.1/${f}`,
      text: readFileSync(path.join(dir, "gateway-api/v1.4.1", f), "utf8"),
    }));
    const old = loadCrds(v141);
    if (!isRight(old)) throw new Error("expected Right");
    const compileErrors: string[] = [];
    let count = 0;
    for (const reg of [crds(), old.right]) {
      for (const v of reg.versions) {
        count += 1;
        const errs = validateObject(reg, { apiVersion: v.apiVersion, kind: v.kind, metadata: { name: "x" } });
        compileErrors.push(...errs.filter((e) => e.message.startsWith("cannot compile")).map(formatConformanceError));
      }
    }
    expect(compileErrors).toEqual([]);
    expect(count).toBe(62);
  });

  // --- Istio -----------------------------------------------------------------------------------------------------------

  it("accepts a VirtualService (v1 and v1beta1) without mutating it", () => {
    const vs = virtualService();
    const before = structuredClone(vs);
    expect(problems(vs)).toEqual([]);
    expect(vs).toEqual(before);
    expect(problems({ ...virtualService(), apiVersion: "networking.istio.io/v1beta1" })).toEqual([]);
  });

  it("rejects a VirtualService weight given as a string", () => {
    const vs = virtualService();
    vs.spec.http[0]!.route[0]!.weight = "80" as unknown as number;
    expect(problems(vs)).toEqual([["spec.http[0].route[0].weight", 'expected integer, found string "80"']]);
  });

  it("catches a typo (rout) as an unknown field, with a suggestion", () => {
    const vs = virtualService();
    const http = vs.spec.http[0] as unknown as Record<string, unknown>;
    http["rout"] = http["route"];
    delete http["route"];
    expect(problems(vs)).toEqual([["spec.http[0].rout", 'unknown field "rout" (did you mean "route"?)']]);
    // open mode: the API server would prune it; nothing to report
    expect(problems(vs, false)).toEqual([]);
  });

  it("checks Istio durations through the duration(self) >= duration('1ms') CEL subset", () => {
    const vs = virtualService();
    vs.spec.http[0]!.timeout = "10 seconds";
    expect(problems(vs)).toEqual([
      ["spec.http[0].timeout", 'must be a valid duration greater than 1ms: "10 seconds" is not a Go duration (e.g. "10s", "1m30s", "250ms")'],
    ]);
    vs.spec.http[0]!.timeout = "500us";
    expect(withPath(problems(vs), "spec.http[0].timeout")[0]).toMatch(/"500us" is not >= 1ms/);
    vs.spec.http[0]!.timeout = "1.5s";
    expect(problems(vs)).toEqual([]);
  });

  it("reports at-most-one-of (Istio oneOf) readably", () => {
    const vs = virtualService();
    (vs.spec.http[0] as unknown as Record<string, unknown>)["match"] = [{ uri: { exact: "/a", prefix: "/b" } }];
    expect(problems(vs)).toEqual([["spec.http[0].match[0].uri", "at most one of exact, prefix, regex may be set; found exact, prefix"]]);
  });

  it("accepts a DestinationRule with subsets and rejects tls.mode STRICT (enum)", () => {
    expect(problems(destinationRule())).toEqual([]);
    const dr = destinationRule();
    dr.spec.trafficPolicy.tls.mode = "STRICT";
    expect(problems(dr)).toEqual([
      ["spec.trafficPolicy.tls.mode", 'must be one of "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"; found "STRICT"'],
    ]);
  });

  it("accepts AuthorizationPolicy (security.istio.io v1 and v1beta1) and rejects action PERMIT", () => {
    expect(problems(istioAuthorizationPolicy())).toEqual([]);
    expect(problems({ ...istioAuthorizationPolicy(), apiVersion: "security.istio.io/v1beta1" })).toEqual([]);
    const ap = istioAuthorizationPolicy();
    ap.spec.action = "PERMIT";
    expect(problems(ap)).toEqual([["spec.action", 'must be one of "ALLOW", "DENY", "AUDIT", "CUSTOM"; found "PERMIT"']]);
  });

  it("accepts a ServiceEntry and a Gateway", () => {
    expect(
      problems({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: meta("reviews-remote"),
        spec: {
          hosts: ["reviews.bookinfo.global"],
          location: "MESH_INTERNAL",
          ports: [{ number: 9080, name: "http", protocol: "HTTP" }],
          resolution: "DNS",
          endpoints: [{ address: "east.example.com", ports: { http: 15443 }, labels: { cluster: "east" } }],
        },
      }),
    ).toEqual([]);
    expect(
      problems({
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: meta("cross-network-gateway", "istio-system"),
        spec: {
          selector: { istio: "eastwestgateway" },
          servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: ["*.local"] }],
        },
      }),
    ).toEqual([]);
  });

  // --- Linkerd ---------------------------------------------------------------------------------------------------------

  it("accepts a Linkerd Server with podSelector + port (number or name)", () => {
    expect(problems(server())).toEqual([]);
    const named = server();
    named.spec.port = "http";
    expect(problems(named)).toEqual([]);
  });

  it("rejects a Linkerd Server with neither selector (oneOf) and a port that is an object (int-or-string)", () => {
    const s = server() as { spec: Record<string, unknown> };
    delete s.spec["podSelector"];
    expect(problems(s)).toEqual([["spec", "exactly one of podSelector, externalWorkloadSelector must be set; found none"]]);
    const both = server() as { spec: Record<string, unknown> };
    both.spec["externalWorkloadSelector"] = { matchLabels: { app: "x" } };
    expect(problems(both)).toEqual([["spec", "exactly one of podSelector, externalWorkloadSelector must be set; found podSelector, externalWorkloadSelector"]]);
    const obj = server() as { spec: Record<string, unknown> };
    obj.spec["port"] = { number: 8080 };
    expect(problems(obj)).toEqual([["spec.port", "expected integer or string, found object with key number"]]);
  });

  it("accepts Linkerd AuthorizationPolicy, MeshTLSAuthentication and ServiceProfile", () => {
    expect(
      problems({
        apiVersion: "policy.linkerd.io/v1alpha1",
        kind: "AuthorizationPolicy",
        metadata: meta("reviews-http"),
        spec: {
          targetRef: { group: "policy.linkerd.io", kind: "Server", name: "reviews-http" },
          requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "productpage" }],
        },
      }),
    ).toEqual([]);
    expect(
      problems({
        apiVersion: "policy.linkerd.io/v1alpha1",
        kind: "MeshTLSAuthentication",
        metadata: meta("productpage"),
        spec: { identities: ["bookinfo-productpage.bookinfo.serviceaccount.identity.linkerd.cluster.local"] },
      }),
    ).toEqual([]);
    expect(
      problems({
        apiVersion: "linkerd.io/v1alpha2",
        kind: "ServiceProfile",
        metadata: meta("reviews.bookinfo.svc.cluster.local"),
        spec: {
          routes: [{ name: "GET /reviews", condition: { method: "GET", pathRegex: "/reviews/[^/]*" }, isRetryable: true, timeout: "2s" }],
          retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: "10s" },
          dstOverrides: [{ authority: "reviews-v1.bookinfo.svc.cluster.local:9080", weight: "800m" }],
        },
      }),
    ).toEqual([]);
  });

  it("rejects a MeshTLSAuthentication with both identities and identityRefs", () => {
    const errs = problems({
      apiVersion: "policy.linkerd.io/v1alpha1",
      kind: "MeshTLSAuthentication",
      metadata: meta("x"),
      spec: { identities: ["a"], identityRefs: [{ kind: "ServiceAccount", name: "a" }] },
    });
    expect(errs).toEqual([["spec", "exactly one of identities, identityRefs must be set; found identities, identityRefs"]]);
  });

  it("accepts a policy.linkerd.io/v1beta3 HTTPRoute (distinct from the Gateway API HTTPRoute)", () => {
    const route = {
      apiVersion: "policy.linkerd.io/v1beta3",
      kind: "HTTPRoute",
      metadata: meta("reviews-retries"),
      spec: {
        parentRefs: [{ group: "policy.linkerd.io", kind: "Server", name: "reviews-http" }],
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/reviews" }, method: "GET" }], timeouts: { request: "5s" } }],
      },
    };
    expect(problems(route)).toEqual([]);
    const badTimeout = structuredClone(route);
    badTimeout.spec.rules[0]!.timeouts.request = "5 s";
    expect(problems(badTimeout)).toEqual([["spec.rules[0].timeouts.request", 'must be a Go duration such as "10s", "1m30s" or "250ms"; found "5 s"']]);
  });

  it("types Link v1alpha3 ports as strings", () => {
    const link = {
      apiVersion: "multicluster.linkerd.io/v1alpha3",
      kind: "Link",
      metadata: meta("west", "linkerd-multicluster"),
      spec: {
        targetClusterName: "west",
        targetClusterDomain: "cluster.local",
        targetClusterLinkerdNamespace: "linkerd",
        clusterCredentialsSecret: "cluster-credentials-west",
        gatewayAddress: "west-gateway.example.com",
        gatewayPort: "4143" as string | number,
        gatewayIdentity: "linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local",
        probeSpec: { path: "/ready", port: "4191", period: "3s", failureThreshold: "3", timeout: "30s" },
        selector: { matchLabels: { "mirror.linkerd.io/exported": "true" } },
      },
    };
    expect(problems(link)).toEqual([]);
    link.spec.gatewayPort = 4143;
    expect(problems(link)).toEqual([["spec.gatewayPort", "expected string, found integer 4143"]]);
  });

  it("accepts an SMI TrafficSplit v1alpha1 with weight 500m", () => {
    const ts = {
      apiVersion: "split.smi-spec.io/v1alpha1",
      kind: "TrafficSplit",
      metadata: meta("reviews"),
      spec: { service: "reviews", backends: [{ service: "reviews-v1", weight: "500m" }, { service: "reviews-west", weight: 500 }] },
    };
    expect(problems(ts)).toEqual([]);
  });

  // --- Gateway API -----------------------------------------------------------------------------------------------------

  it("accepts a gateway.networking.k8s.io/v1 HTTPRoute with a parentRef to a core Service, rejects weight -1", () => {
    const route = gatewayHttpRoute();
    expect(problems(route)).toEqual([]);
    route.spec.rules[0]!.backendRefs[0]!.weight = -1;
    expect(problems(route)).toEqual([["spec.rules[0].backendRefs[0].weight", "must be >= 0; found -1"]]);
  });

  it("enforces x-kubernetes-list-type: map uniqueness", () => {
    const route = gatewayHttpRoute() as { spec: { rules: Record<string, unknown>[] } };
    route.spec.rules[0]!["filters"] = [
      { type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-a", value: "1" }, { name: "x-a", value: "2" }] } },
    ];
    expect(problems(route)).toEqual([
      [
        "spec.rules[0].filters[0].requestHeaderModifier.set[1]",
        'duplicate entry: items 0 and 1 have the same key (name="x-a"); keys must be unique in this list',
      ],
    ]);
  });

  // --- metadata / identity -------------------------------------------------------------------------------------------

  it("rejects a bad metadata.name, namespace and labels", () => {
    const vs = virtualService() as Record<string, unknown>;
    vs["metadata"] = {
      name: "Foo_Bar",
      namespace: "Book_Info",
      labels: { "app.kubernetes.io/name": "ok", "bad key!": "x", ok: "-starts-with-dash" },
      annotations: { "example.com/Note": "anything goes" },
      lables: {},
    };
    expect(problems(vs)).toEqual([
      ["metadata.name", `name must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit); found "Foo_Bar"`],
      ["metadata.namespace", `namespace must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit); found "Book_Info"`],
      [
        'metadata.labels["bad key!"]',
        `label key "bad key!" is invalid: the name part must be alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character (optionally prefixed by a DNS subdomain and '/')`,
      ],
      ["metadata.labels.ok", `label value "-starts-with-dash" is invalid: alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character (or empty)`],
      ["metadata.lables", 'unknown field "lables" (did you mean "labels"?)'],
    ]);
    const noName = virtualService() as Record<string, unknown>;
    noName["metadata"] = { namespace: "bookinfo" };
    expect(problems(noName)).toEqual([["metadata.name", 'required field "name" is missing']]);
  });

  it("reports unknown kinds once, and tags validateObjects errors with identity and index", () => {
    expect(problems({ apiVersion: "v1", kind: "Service", metadata: meta("reviews"), spec: {} })).toEqual([["", "no CRD for v1 Service"]]);
    const errs = validateObjects(crds(), [virtualService(), { apiVersion: "example.com/v1", kind: "Thing", metadata: meta("t") }]);
    expect(errs).toEqual([{ apiVersion: "example.com/v1", kind: "Thing", namespace: "bookinfo", name: "t", path: "", message: "no CRD for example.com/v1 Thing", index: 1 }]);
    expect(formatConformanceError(errs[0] as ConformanceError)).toBe("example.com/v1 Thing bookinfo/t: no CRD for example.com/v1 Thing");
  });

  it("expectValid skips built-in kinds and throws with every formatted error", () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: meta("reviews"), spec: { ports: [{ port: 9080 }] } };
    expect(expectValid(crds(), [virtualService(), svc, destinationRule()])).toEqual({ checked: 2, skipped: ["v1 Service"] });
    const bad = virtualService();
    bad.spec.http[0]!.route[0]!.weight = "80" as unknown as number;
    expect(() => expectValid(crds(), [svc, bad])).toThrow(
      /1 CRD conformance error in 1 object:\n {2}- networking\.istio\.io\/v1 VirtualService bookinfo\/reviews spec\.http\[0\]\.route\[0\]\.weight: expected integer, found string "80"/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------------------

function virtualService() {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "reviews", namespace: "bookinfo", labels: { "meshhub.io/owner": "petstore" } },
    spec: {
      hosts: ["reviews.bookinfo.svc.cluster.local"],
      http: [
        {
          name: "default",
          timeout: "10s",
          retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,connect-failure" },
          route: [
            { destination: { host: "reviews.bookinfo.svc.cluster.local", subset: "v1", port: { number: 9080 } }, weight: 80 },
            { destination: { host: "reviews.bookinfo.svc.cluster.local", subset: "v2" }, weight: 20 },
          ],
        } as { name: string; timeout: string; retries: unknown; route: { destination: unknown; weight: number }[] },
      ],
    },
  };
}

function destinationRule() {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: meta("reviews"),
    spec: {
      host: "reviews.bookinfo.svc.cluster.local",
      trafficPolicy: {
        tls: { mode: "ISTIO_MUTUAL" },
        connectionPool: { http: { http1MaxPendingRequests: 100 }, tcp: { maxConnections: 100, connectTimeout: "1s" } },
        outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s" },
      },
      subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" }, trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } },
      ],
    },
  };
}

function istioAuthorizationPolicy() {
  return {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: meta("reviews-viewer"),
    spec: {
      selector: { matchLabels: { app: "reviews" } },
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { principals: ["cluster.local/ns/bookinfo/sa/productpage"] } }],
          to: [{ operation: { methods: ["GET"], paths: ["/reviews/*"] } }],
        },
      ],
    },
  };
}

function server() {
  return {
    apiVersion: "policy.linkerd.io/v1beta3",
    kind: "Server",
    metadata: meta("reviews-http"),
    spec: { podSelector: { matchLabels: { app: "reviews" } }, port: 9080 as number | string, proxyProtocol: "HTTP/1" },
  };
}

function gatewayHttpRoute() {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: meta("reviews"),
    spec: {
      parentRefs: [{ group: "", kind: "Service", name: "reviews", port: 9080 }],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [
            { name: "reviews-v1", port: 9080, weight: 90 },
            { name: "reviews-v2", port: 9080, weight: 10 },
          ],
        },
      ],
    },
  };
}
