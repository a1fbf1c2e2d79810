/**
 * The benchmark's estates are inputs like any other: they must be valid, mix every feature and selector kind the
 * issue asks for, and translate to manifests the upstream CRDs accept — otherwise the bench measures a toy.
 */
import { describe, expect, it } from "vitest";
import { generateEstate } from "../bench/generate.js";
import { ownOutputOf } from "../bench/measure.js";
import { discover } from "../src/discovery/index.js";
import { TRAFFIC_FEATURES } from "../src/features/index.js";
import { AccessPolicy, TrafficPolicy, VirtualMesh } from "../src/model/networking.js";
import { STATUS_WORKLOADS_LIMIT } from "../src/model/status.js";
import { compareStrings } from "../src/codec/canonical.js";
import { affectedAsSource, meshServiceKey } from "../src/resolve/selectors.js";
import { translate } from "../src/translate/index.js";
import { expectValid, loadSharedCrds } from "./helpers/crds.js";

const size = { clusters: 10, services: 1_000, versionsPerService: 2, trafficPolicies: 100, accessPolicies: 100 };
const estate = generateEstate(size);
const crds = loadSharedCrds();

/** Every key path (arrays flattened) that occurs in a list of values, e.g. `destinationSelector.kubeServiceMatcher.labels`. */
function keyPaths(values: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, prefix: string): void => {
    if (Array.isArray(v)) for (const item of v) walk(item, prefix);
    else if (typeof v === "object" && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const p = prefix === "" ? k : `${prefix}.${k}`;
        out.add(p);
        walk(child, p);
      }
    }
  };
  for (const v of values) walk(v, "");
  return out;
}

describe("bench estate generator", () => {
  it("is seeded: the same seed gives the same estate, another seed a different one", () => {
    expect(JSON.stringify(generateEstate(size))).toBe(JSON.stringify(estate));
    expect(JSON.stringify(generateEstate(size, 7))).not.toBe(JSON.stringify(estate));
  });

  it("writes only valid meshhub resources", () => {
    const failures = [
      ...estate.trafficPolicies.map((p) => [p.metadata.name, TrafficPolicy.safeParse(p)] as const),
      ...estate.accessPolicies.map((p) => [p.metadata.name, AccessPolicy.safeParse(p)] as const),
      ...estate.virtualMeshes.map((p) => [p.metadata.name, VirtualMesh.safeParse(p)] as const),
    ].filter(([, r]) => !r.success);
    expect(failures.map(([name, r]) => `${name}: ${JSON.stringify(r.error?.issues)}`)).toEqual([]);
  });

  it("mixes every TrafficPolicy feature, matcher and selector kind", () => {
    const tp = keyPaths(estate.trafficPolicies.map((p) => p.spec));
    for (const feature of Object.keys(TRAFFIC_FEATURES)) expect(tp, feature).toContain(`policy.${feature}`);
    for (const p of ["policy.faultInjection.abort", "policy.faultInjection.fixedDelay", "policy.trafficShift.destinations.kubeService.subset", "policy.mirror.kubeService"]) expect(tp, p).toContain(p);
    for (const m of ["prefix", "exact", "regex", "method", "headers", "queryParameters"]) expect(tp, m).toContain(`httpRequestMatchers.${m}`);
    for (const s of ["kubeServiceRefs.services", "kubeServiceMatcher.labels", "kubeServiceMatcher.namespaces", "kubeServiceMatcher.clusters"]) expect(tp, s).toContain(`destinationSelector.${s}`);
    for (const s of ["namespaces", "labels", "clusters"]) expect(tp, s).toContain(`sourceSelector.kubeWorkloadMatcher.${s}`);
    // A selector without clusters picks the same app in every cluster, over Istio and Linkerd.
    expect(estate.trafficPolicies.some((p) => p.spec.destinationSelector?.some((s) => s.kubeServiceMatcher && !s.kubeServiceMatcher.clusters))).toBe(true);
  });

  it("mixes every AccessPolicy selector and restriction kind", () => {
    const ap = keyPaths(estate.accessPolicies.map((p) => p.spec));
    for (const p of ["sourceSelector.kubeServiceAccountRefs.serviceAccounts.name", "sourceSelector.kubeIdentityMatcher.namespaces", "sourceSelector.kubeIdentityMatcher.clusters", "destinationSelector.kubeServiceRefs.services", "destinationSelector.kubeServiceMatcher.labels", "destinationSelector.kubeServiceMatcher.namespaces", "allowedMethods", "allowedPaths", "allowedPorts"]) {
      expect(ap, p).toContain(p);
    }
    // The baseline: every workload may call every service of its mesh (empty selectors select all).
    expect(estate.accessPolicies.some((p) => p.spec.sourceSelector === undefined && p.spec.destinationSelector === undefined)).toBe(true);
    // A whole namespace's service accounts (no name).
    expect(estate.accessPolicies.some((p) => p.spec.sourceSelector?.some((s) => s.kubeServiceAccountRefs?.serviceAccounts.some((sa) => sa.name === undefined)))).toBe(true);
    const paths = estate.accessPolicies.flatMap((p) => p.spec.allowedPaths ?? []);
    expect(paths.some((p) => p.endsWith("*"))).toBe(true);
    expect(paths.some((p) => p.startsWith("*"))).toBe(true);
    expect(paths.some((p) => !p.includes("*"))).toBe(true);
  });

  const discovery = discover(estate.snapshots);
  const result = translate({ discovery, trafficPolicies: estate.trafficPolicies, accessPolicies: estate.accessPolicies, virtualMeshes: estate.virtualMeshes, options: { now: new Date("2026-06-01T00:00:00Z") } });

  it("discovers every cluster's mesh, service and workload without a warning", () => {
    expect(discovery.diagnostics).toEqual([]);
    expect(discovery.meshes).toHaveLength(size.clusters);
    expect(discovery.services).toHaveLength(size.services);
    expect(discovery.workloads).toHaveLength(size.services * size.versionsPerService);
  });

  it("translates mostly accepted policies, and every policy not accepted says why", () => {
    const statuses = [...Object.values(result.statuses.trafficPolicies), ...Object.values(result.statuses.accessPolicies)];
    expect(statuses).toHaveLength(size.trafficPolicies + size.accessPolicies);
    const notAccepted = statuses.filter((s) => s.state !== "ACCEPTED");
    expect(notAccepted.length).toBeLessThan(statuses.length * 0.15);
    for (const s of notAccepted) {
      const reasons = [...(s.errors ?? []), ...Object.values(s.destinations).flatMap((d) => d.errors ?? [])];
      expect(reasons.length, JSON.stringify(s)).toBeGreaterThan(0);
    }
    expect(result.diagnostics).toEqual([]);
    expect(result.certificatePlan).not.toBeNull();
  });

  it("lists each policy's first affected workloads and counts the rest, exactly as a scan of every workload finds them", () => {
    const meshOf = new Map(discovery.services.map((s) => [meshServiceKey(s), `${s.spec.mesh.namespace}/${s.spec.mesh.name}`]));
    let cut = 0;
    for (const policy of [...estate.trafficPolicies, ...estate.accessPolicies]) {
      const key = `${policy.metadata.name}.${policy.metadata.namespace}`;
      const status = policy.kind === "TrafficPolicy" ? result.statuses.trafficPolicies[key]! : result.statuses.accessPolicies[key]!;
      const meshes = new Set(Object.keys(status.destinations).map((d) => meshOf.get(d)!));
      const affected = discovery.workloads.filter((w) => affectedAsSource(policy, meshes, w)).map((w) => w.metadata.name).sort(compareStrings);
      expect(status.workloads, key).toEqual(affected.slice(0, STATUS_WORKLOADS_LIMIT));
      expect(status.workloadsOmitted, key).toBe(affected.length > STATUS_WORKLOADS_LIMIT ? affected.length - STATUS_WORKLOADS_LIMIT : undefined);
      if (status.workloadsOmitted) cut++;
    }
    // Every mesh here has 200 workloads: a policy for all clients of a mesh is cut, a narrow one is not.
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(size.trafficPolicies + size.accessPolicies);
  });

  it("measures its floor on everything translation produced, and on nothing it passes through", () => {
    const own = ownOutputOf(result) as Record<string, unknown> & { resolved: Record<string, unknown>[] };
    // A new field of the result fails here until the floor decides whether it is output or a pass-through.
    expect(Object.keys(own).sort()).toEqual(Object.keys(result).filter((k) => k !== "discovery").sort());
    for (const key of Object.keys(own)) if (key !== "resolved") expect(own[key], key).toBe(result[key as keyof typeof result]);
    expect(own.resolved).toHaveLength(result.resolved.length);
    result.resolved.forEach(({ service, mesh, ...decided }, i) => {
      expect(discovery.services).toContain(service);
      expect(discovery.meshes).toContain(mesh);
      expect(own.resolved[i]).toEqual(decided);
      expect(own.resolved[i]).not.toHaveProperty("service");
      expect(own.resolved[i]).not.toHaveProperty("mesh");
    });
  });

  describe.skipIf(crds === undefined)("with the upstream CRDs", () => {
    it("emits only manifests the upstream CRDs accept, of every kind both meshes need", () => {
      const manifests = Object.values(result.clusters).flat();
      for (const kind of ["VirtualService", "DestinationRule", "AuthorizationPolicy", "HTTPRoute", "Server", "MeshTLSAuthentication"]) expect(manifests.some((m) => m.kind === kind), kind).toBe(true);
      expectValid(crds!, manifests);
    });
  });
});
