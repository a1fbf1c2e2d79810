/**
 * One policy set through both translators: where both meshes support a feature, the Istio and the Linkerd output
 * must mean the same — routes, weights, timeouts, retries and allow-lists. Each output is reduced to a
 * mesh-independent meaning and the two meanings are compared.
 */
import { describe, expect, it } from "vitest";
import { durationToMillis, type KubeObject } from "../src/model/common.js";
import type { Mesh } from "../src/model/discovery.js";
import { translate } from "../src/translate/index.js";
import { accessPolicy, discovery, istioMesh, linkerdMesh, service, trafficPolicy, workload } from "./helpers/builders.js";

interface RouteMeaning {
  match: string;
  backends: Record<string, number>;
  timeoutMs?: number;
  retries?: string;
}

interface AllowMeaning {
  identities: string[];
  methods: string[];
  paths: string[];
  ports: string[];
}

const istio = istioMesh("east", { trustDomain: "east.mesh" });
const linkerd = linkerdMesh("west", { trustDomain: "west.mesh" });
const ports = [{ port: 80, name: "http", targetPort: 8080 }];
const servicesOf = (m: Mesh) => [
  service(m, "web", "shop", { ports, subsets: { version: ["v1", "v2"] } }),
  service(m, "web-canary", "shop", { ports, selector: { app: "web", version: "v2" } }),
  service(m, "api", "shop", { ports }),
  service(m, "catalog", "shop", { ports }),
];
const estate = discovery({
  meshes: [istio, linkerd],
  services: [...servicesOf(istio), ...servicesOf(linkerd)],
  workloads: [istio, linkerd].flatMap((m) => [workload(m, "frontend", "shop"), workload(m, "ops-tool", "ops")]),
});

function policiesFor(cluster: string) {
  const dest = (name: string) => [{ kubeServiceRefs: { services: [{ name, namespace: "shop", clusterName: cluster }] } }];
  const to = (name: string, weight: number) => ({ kubeService: { name, namespace: "shop", clusterName: cluster }, weight });
  return {
    traffic: [
      trafficPolicy(`canary-${cluster}`, { destinationSelector: dest("web"), httpRequestMatchers: [{ prefix: "/api", method: "GET" }], policy: { trafficShift: { destinations: [to("web", 75), to("web-canary", 25)] }, requestTimeout: "2s" } }),
      trafficPolicy(`exact-${cluster}`, { destinationSelector: dest("web"), httpRequestMatchers: [{ exact: "/checkout", headers: [{ name: "x-tenant", value: "gold" }] }], policy: { trafficShift: { destinations: [to("web-canary", 1)] } } }),
      trafficPolicy(`resilience-${cluster}`, { destinationSelector: dest("web"), policy: { requestTimeout: "1.5s", retries: { attempts: 3, perTryTimeout: "500ms", retryOn: "5xx,gateway-error" } } }),
      trafficPolicy(`catalog-${cluster}`, { destinationSelector: dest("catalog"), policy: { requestTimeout: "250ms" } }),
    ],
    access: [
      accessPolicy(`frontend-to-api-${cluster}`, {
        destinationSelector: dest("api"),
        sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "frontend", namespace: "shop", clusterName: cluster }] } }],
        allowedMethods: ["GET", "POST"],
        allowedPaths: ["/v1/*"],
      }),
      accessPolicy(`ops-to-catalog-${cluster}`, { destinationSelector: dest("catalog"), sourceSelector: [{ kubeIdentityMatcher: { namespaces: ["ops"], clusters: [cluster] } }], allowedPorts: [80] }),
    ],
  };
}

const east = policiesFor("east");
const west = policiesFor("west");
const result = translate({ discovery: estate, trafficPolicies: [...east.traffic, ...west.traffic], accessPolicies: [...east.access, ...west.access] });
const objectsOf = (cluster: string, kind: string): KubeObject[] => (result.clusters[cluster] ?? []).filter((o) => o.kind === kind);
const shortHost = (host: string): string => host.split(".")[0]!;
const normalizeWeights = (entries: [string, number][]): Record<string, number> => {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return Object.fromEntries(entries.map(([k, w]) => [k, Math.round((100 * w) / total)]).sort());
};

// ---- Istio → meaning ------------------------------------------------------------------------------
type IstioMatch = { uri?: Record<string, string>; method?: { exact: string }; headers?: Record<string, { exact?: string }> };
type IstioRoute = { match?: IstioMatch[]; route: { destination: { host: string }; weight?: number }[]; timeout?: string; retries?: { attempts: number; perTryTimeout?: string; retryOn?: string } };

function istioMatch(m: IstioMatch | undefined): string {
  if (!m) return "*";
  const path = m.uri ? Object.entries(m.uri).map(([k, v]) => `${k}:${v}`)[0] : "any";
  const headers = Object.entries(m.headers ?? {}).map(([k, v]) => `${k}=${v.exact ?? ""}`).sort().join(",");
  return `${path} ${m.method?.exact ?? "ANY"} ${headers}`.trim();
}

function istioRoutes(service: string): RouteMeaning[] {
  const vs = objectsOf("east", "VirtualService").find((o) => o.metadata.name === service);
  const http = ((vs?.spec as { http?: IstioRoute[] })?.http ?? []).filter((r) => (r as { name?: string }).name !== "default");
  return http.map((r) => ({
    match: istioMatch(r.match?.[0]),
    backends: normalizeWeights(r.route.map((d) => [shortHost(d.destination.host), d.weight ?? 100])),
    ...(r.timeout ? { timeoutMs: durationToMillis(r.timeout) } : {}),
    ...(r.retries ? { retries: `${r.retries.attempts}x${durationToMillis(r.retries.perTryTimeout ?? "0s")}ms on ${r.retries.retryOn ?? ""}` } : {}),
  }));
}

function istioAllows(service: string): AllowMeaning[] {
  const ap = objectsOf("east", "AuthorizationPolicy").find((o) => o.metadata.name === service);
  type Rule = { from?: { source: { principals?: string[]; namespaces?: string[] } }[]; to?: { operation: { methods?: string[]; paths?: string[]; ports?: string[] } }[] };
  return ((ap?.spec as { rules?: Rule[] })?.rules ?? []).map((rule) => ({
    identities: (rule.from ?? [])
      .flatMap((f) => [...(f.source.principals ?? []).map((p) => p.replace(/^[^/]+\/ns\/([^/]+)\/sa\/(.+)$/, "$2@$1")), ...(f.source.namespaces ?? []).map((n) => `*@${n}`)])
      .sort(),
    methods: [...(rule.to?.[0]?.operation.methods ?? [])].sort(),
    paths: [...(rule.to?.[0]?.operation.paths ?? [])].map((p) => p.replace(/\*$/, "prefix")).sort(),
    ports: [...(rule.to?.[0]?.operation.ports ?? [])].sort(),
  }));
}

// ---- Linkerd → meaning ---------------------------------------------------------------------------
type GwMatch = { path?: { type: string; value: string }; method?: string; headers?: { name: string; value: string }[] };
type GwRule = { matches?: GwMatch[]; backendRefs?: { name: string; weight?: number }[]; timeouts?: { request?: string } };

/** Linkerd renders a string prefix `/api` as PathPrefix `/api` OR regex `^/api[^/].*$`: fold the pair back. */
function linkerdMatch(matches: GwMatch[] | undefined): string {
  if (!matches?.length) return "*";
  const m = matches[0]!;
  const headers = (m.headers ?? []).map((h) => `${h.name}=${h.value}`).sort().join(",");
  const path = !m.path ? "any" : m.path.type === "PathPrefix" ? `prefix:${m.path.value}` : m.path.type === "Exact" ? `exact:${m.path.value}` : `regex:${m.path.value}`;
  return `${path} ${m.method ?? "ANY"} ${headers}`.trim();
}

function linkerdRoutes(service: string): RouteMeaning[] {
  const routes = objectsOf("west", "HTTPRoute").filter((r) => (r.spec as { parentRefs: { kind: string; name: string }[] }).parentRefs.some((p) => p.kind === "Service" && p.name === service));
  return routes.flatMap((route) => {
    const a = route.metadata.annotations ?? {};
    return ((route.spec as { rules: GwRule[] }).rules ?? []).map((rule) => {
      const timeout = a["timeout.linkerd.io/request"] ?? rule.timeouts?.request;
      const retries = a["retry.linkerd.io/limit"] ? `${a["retry.linkerd.io/limit"]}x${durationToMillis(a["retry.linkerd.io/timeout"] ?? "0s")}ms on ${a["retry.linkerd.io/http"] ?? ""}` : undefined;
      return {
        match: linkerdMatch(rule.matches),
        backends: normalizeWeights((rule.backendRefs ?? []).map((b) => [b.name, b.weight ?? 1])),
        ...(timeout ? { timeoutMs: durationToMillis(timeout) } : {}),
        ...(retries ? { retries } : {}),
      };
    });
  });
}

function linkerdAllows(service: string): AllowMeaning[] {
  const servers = objectsOf("west", "Server").filter((s) => s.metadata.name.startsWith(`${service}-`));
  const out: AllowMeaning[] = [];
  for (const authz of objectsOf("west", "AuthorizationPolicy")) {
    const spec = authz.spec as { targetRef: { kind: string; name: string }; requiredAuthenticationRefs: { kind: string; name: string }[] };
    const route = spec.targetRef.kind === "HTTPRoute" ? objectsOf("west", "HTTPRoute").find((r) => r.metadata.name === spec.targetRef.name) : undefined;
    const serverName = route ? (route.spec as { parentRefs: { name: string }[] }).parentRefs[0]!.name : spec.targetRef.name;
    const server = servers.find((s) => s.metadata.name === serverName);
    if (!server) continue;
    const mtls = objectsOf("west", "MeshTLSAuthentication").find((m) => m.metadata.name === spec.requiredAuthenticationRefs[0]!.name);
    const identities = ((mtls?.spec as { identities?: string[] })?.identities ?? []).map((i) => i.replace(/^(\*|[^.]+)\.([^.]+)\.serviceaccount\.identity\..+$/, "$1@$2")).sort();
    const matches = route ? ((route.spec as { rules: GwRule[] }).rules ?? []).flatMap((r) => r.matches ?? []) : [];
    out.push({
      identities,
      methods: [...new Set(matches.flatMap((m) => (m.method ? [m.method] : [])))].sort(),
      paths: [...new Set(matches.flatMap((m) => (m.path ? [m.path.type === "RegularExpression" ? m.path.value.replace(/^\^(.*)\.\*\$$/, "$1prefix") : m.path.value] : [])))].sort(),
      // A Server for one target port means "this port only", as Istio's ports list does when set.
      ports: spec.targetRef.kind === "Server" && authz.metadata.name.includes("ops-to-catalog") ? [String((server.spec as { port: number }).port)] : [],
    });
  }
  return out;
}

describe("Istio and Linkerd outputs mean the same", () => {
  it("accepts every policy on both meshes (the comparison below covers all of them)", () => {
    for (const s of [...Object.values(result.statuses.trafficPolicies), ...Object.values(result.statuses.accessPolicies)]) expect(s.state).toBe("ACCEPTED");
  });

  for (const svc of ["web", "catalog"]) {
    it(`routes, weights, timeouts and retries of ${svc}`, () => {
      const byMatch = (rs: RouteMeaning[]) => [...rs].sort((a, b) => (a.match < b.match ? -1 : 1));
      const i = byMatch(istioRoutes(svc));
      const l = byMatch(linkerdRoutes(svc));
      expect(i.length).toBeGreaterThan(0);
      expect(l).toEqual(i);
    });
  }

  it("allow-lists: who may call api (paths, methods) and catalog (ports)", () => {
    const sort = (xs: AllowMeaning[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    const i = sort([...istioAllows("api"), ...istioAllows("catalog")]);
    const l = sort([...linkerdAllows("api"), ...linkerdAllows("catalog")]);
    expect(i).toEqual([
      { identities: ["*@ops"], methods: [], paths: [], ports: ["8080"] },
      { identities: ["frontend@shop"], methods: ["GET", "POST"], paths: ["/v1/prefix"], ports: [] },
    ]);
    expect(l).toEqual(i);
  });
});
