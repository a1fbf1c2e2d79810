import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toCanonicalJson } from "../src/codec/canonical.js";
import { discover } from "../src/discovery/index.js";
import type { ClusterSnapshot } from "../src/discovery/types.js";
import type { KubeObject } from "../src/model/common.js";
import {
  configMap,
  controller,
  deployment,
  deploymentPod,
  fixturesAvailable,
  istioProxy,
  istiod,
  linkerdControlPlane,
  linkerdProxy,
  loadFixtureSnapshots,
  meshConfig,
  namespace,
  node,
  pod,
  secret,
  service,
  snapshot,
} from "./helpers/discovery-fixtures.js";

const RUNS = 100;

/** Inline clusters covering revisions, both meshes, NodePort gateways, zero replicas and (named) malformed objects. */
function inlineSnapshots(): ClusterSnapshot[] {
  return [
    snapshot("east", [
      namespace("istio-system"),
      istiod("istio-system", { revision: "1-28", image: "docker.io/istio/pilot:1.28.3" }),
      istiod("istio-system", { revision: "1-29" }),
      meshConfig("istio-system", "trustDomain: east.example\n", "1-28"),
      meshConfig("istio-system", "trustDomain: [broken", "1-29"),
      deployment("istio-system", "istio-eastwestgateway", { labels: { istio: "eastwestgateway", "istio.io/rev": "1-29" }, containers: [{ name: "istio-proxy", image: "auto" }] }),
      deploymentPod("istio-system", "istio-eastwestgateway", { labels: { istio: "eastwestgateway" }, nodeName: "n2", containers: [istioProxy("1.29.6", false)] }),
      service("istio-system", "istio-eastwestgateway", { type: "NodePort", selector: { istio: "eastwestgateway" }, ports: [{ name: "tls", port: 15443, nodePort: 32443 }] }),
      node("n1", [{ type: "InternalIP", address: "10.0.0.1" }]),
      node("n2", [{ type: "InternalIP", address: "10.0.0.2" }, { type: "ExternalIP", address: "198.51.100.2" }]),
      namespace("shop", { "istio.io/rev": "1-28" }),
      deployment("shop", "cart-v1", { labels: { app: "cart", version: "v1" } }),
      deploymentPod("shop", "cart-v1", { labels: { app: "cart", version: "v1" }, initContainers: [istioProxy("1.28.3")] }),
      deployment("shop", "cart-v2", { labels: { app: "cart", version: "v2" } }, { replicas: 0 }),
      controller("StatefulSet", "shop", "db", { labels: { app: "db" } }),
      pod("shop", "db-0", { labels: { app: "db" }, owner: { kind: "StatefulSet", name: "db" }, initContainers: [istioProxy("1.28.3")] }),
      service("shop", "cart", { selector: { app: "cart" }, ports: [{ name: "http", port: 80 }] }),
      service("shop", "db", { selector: { app: "db" }, clusterIP: "None", ports: [{ name: "tcp", port: 5432 }] }),
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "five", namespace: "shop" }, spec: 5 },
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "cart", namespace: "shop" }, spec: { hosts: ["cart"] } },
    ]),
    snapshot("west", [
      linkerdControlPlane("linkerd"),
      linkerdControlPlane("linkerd", "linkerd-identity"),
      configMap("linkerd", "linkerd-config", { values: "identityTrustDomain: west.example\n" }),
      namespace("apps", {}, { "linkerd.io/inject": "enabled" }),
      deployment("apps", "api", { labels: { app: "api" } }),
      deploymentPod("apps", "api", { labels: { app: "api", "linkerd.io/control-plane-ns": "linkerd" }, initContainers: [linkerdProxy()] }),
      deployment("apps", "worker", { labels: { app: "worker" } }, { replicas: 0 }),
      service("apps", "api", { selector: { app: "api" }, ports: [{ name: "grpc", port: 8080 }] }),
      pod("apps", "bare", { labels: { app: "api" }, initContainers: [linkerdProxy()] }),
      { apiVersion: "split.smi-spec.io/v1alpha2", kind: "TrafficSplit", metadata: { name: "api", namespace: "apps" }, spec: { service: "api" } },
    ]),
  ];
}

function baseSnapshots(): ClusterSnapshot[] {
  if (fixturesAvailable()) return [...loadFixtureSnapshots(), ...inlineSnapshots()];
  console.warn("\n*** SKIP (partly) discovery properties: shared fixtures not found; properties run on inline clusters only ***\n");
  return inlineSnapshots();
}

/** A permutation of 0..n-1 from random sort keys. */
const permutation = (n: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer(), { minLength: n, maxLength: n }).map((keys) => keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i));

function permuteSnapshot(s: ClusterSnapshot, order: readonly number[]): ClusterSnapshot {
  return {
    cluster: s.cluster,
    objects: order.map((i) => s.objects[i] as KubeObject),
    ...(s.sources ? { sources: order.map((i) => s.sources?.[i]) } : {}),
  };
}

describe("discover() properties", () => {
  const base = baseSnapshots();
  const expected = toCanonicalJson(discover(base));

  it("the base input exercises meshes, workloads, services, foreign config and diagnostics", () => {
    const d = discover(base);
    expect(d.meshes.length).toBeGreaterThanOrEqual(3);
    expect(d.workloads.length).toBeGreaterThanOrEqual(5);
    expect(d.services.length).toBeGreaterThanOrEqual(3);
    expect(d.foreignConfig.length).toBeGreaterThanOrEqual(2);
    expect(d.diagnostics.length).toBeGreaterThanOrEqual(2);
  });

  it("output is identical for any permutation of the objects and of the snapshots", () => {
    fc.assert(
      fc.property(fc.tuple(...base.map((s) => permutation(s.objects.length))), permutation(base.length), (objectOrders, snapshotOrder) => {
        const permuted = snapshotOrder.map((i) => permuteSnapshot(base[i] as ClusterSnapshot, objectOrders[i] as number[]));
        expect(toCanonicalJson(discover(permuted))).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
  const labels = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.stringMatching(/^[a-z0-9]{1,8}$/), { maxKeys: 3 });
  const unrelatedObject: fc.Arbitrary<KubeObject> = fc.oneof(
    fc.tuple(name, name, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })).map(([ns, n, data]) => configMap(`unrelated-${ns}`, n, data)),
    fc.tuple(name, name, fc.dictionary(fc.stringMatching(/^[a-z.-]{1,10}$/), fc.base64String(), { maxKeys: 3 })).map(([ns, n, data]) => secret(`unrelated-${ns}`, n, data)),
    fc.tuple(name, name, labels, fc.integer({ min: 1, max: 65535 })).map(([ns, n, l, port]) => service(`unrelated-${ns}`, n, { labels: l, ports: [{ port }] })),
    // names that mean something in a control-plane namespace, but here in an unrelated one
    fc.tuple(name, fc.constantFrom("istio", "linkerd-config", "linkerd-identity-trust-roots", "cacerts")).map(([ns, n]) => configMap(`unrelated-${ns}`, n, { mesh: "trustDomain: evil.example", values: "identityTrustDomain: evil" })),
    name.map((n) => namespace(`unrelated-${n}`, { "istio-injection": "enabled" })),
  );

  it("adding unrelated objects (ConfigMaps, Secrets, selector-less Services in unrelated namespaces) changes no mesh, workload or service", () => {
    const d0 = discover(base);
    const core = (d: ReturnType<typeof discover>): string => toCanonicalJson({ meshes: d.meshes, workloads: d.workloads, services: d.services });
    const expectedCore = core(d0);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(), unrelatedObject), { maxLength: 12 }), (additions) => {
        const snapshots = base.map((s) => ({ cluster: s.cluster, objects: [...s.objects] }));
        for (const [which, at, obj] of additions) {
          const target = snapshots[which] as { objects: KubeObject[] };
          target.objects.splice(at % (target.objects.length + 1), 0, obj);
        }
        expect(core(discover(snapshots))).toBe(expectedCore);
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws on arbitrary objects of the kinds it reads", () => {
    const kinds = fc.constantFrom(
      ["v1", "Pod"],
      ["v1", "Service"],
      ["v1", "ConfigMap"],
      ["v1", "Secret"],
      ["v1", "Namespace"],
      ["v1", "Node"],
      ["apps/v1", "Deployment"],
      ["apps/v1", "StatefulSet"],
      ["apps/v1", "ReplicaSet"],
      ["networking.istio.io/v1", "VirtualService"],
      ["gateway.networking.k8s.io/v1", "HTTPRoute"],
    );
    const junk = fc.tuple(kinds, fc.oneof(fc.constant(undefined), fc.record({ name: fc.oneof(name, fc.anything()), namespace: fc.oneof(name, fc.anything()), labels: fc.anything(), ownerReferences: fc.anything() }, { requiredKeys: [] })), fc.anything(), fc.anything()).map(
      ([[apiVersion, kind], metadata, spec, data]) => ({ apiVersion, kind, metadata, spec, data }) as unknown as KubeObject,
    );
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 8 }), (objs) => {
        const snapshots = base.map((s, i) => ({ cluster: s.cluster, objects: i === 0 ? [...s.objects, ...objs] : s.objects }));
        expect(() => discover(snapshots)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  });
});
