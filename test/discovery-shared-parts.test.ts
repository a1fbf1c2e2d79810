/**
 * Discovery shares what many discovered objects hold alike (cluster labels, mesh references, equal label maps,
 * ports and subsets), frozen: equal parts are one object, different parts never are.
 */
import { describe, expect, it } from "vitest";
import { generateEstate } from "../bench/generate.js";
import { discover } from "../src/discovery/index.js";
import { SharedParts } from "../src/discovery/shared-parts.js";

describe("discovery shared parts", () => {
  const d = discover(generateEstate({ clusters: 4, services: 200, versionsPerService: 2, trafficPolicies: 0, accessPolicies: 0 }).snapshots);

  it("gives the services of one cluster one frozen labels object and one mesh reference per mesh", () => {
    const byCluster = new Map<string, Set<unknown>>();
    for (const s of d.services) {
      const cluster = s.spec.kubeService.ref.clusterName;
      byCluster.set(cluster, (byCluster.get(cluster) ?? new Set()).add(s.metadata.labels));
    }
    expect(byCluster.size).toBe(4);
    for (const labels of byCluster.values()) expect(labels.size).toBe(1);
    const meshRefs = new Set(d.services.map((s) => s.spec.mesh));
    expect(meshRefs.size).toBe(new Set(d.services.map((s) => s.spec.mesh.name)).size);
    const first = d.services[0]!;
    expect(() => {
      (first.spec.mesh as { name: string }).name = "other";
    }).toThrow(TypeError);
  });

  it("shares equal ports, subsets and label maps across clusters, and keeps different ones apart", () => {
    const bySubsets = new Map<string, Set<unknown>>();
    for (const s of d.services) {
      const key = JSON.stringify(s.spec.kubeService.subsets);
      bySubsets.set(key, (bySubsets.get(key) ?? new Set()).add(s.spec.kubeService.subsets));
    }
    for (const objects of bySubsets.values()) expect(objects.size).toBe(1);
    expect(new Set(d.services.map((s) => s.spec.kubeService.ports)).size).toBeLessThan(d.services.length / 4);
    const podLabels = d.workloads.map((w) => w.spec.kubernetes.podLabels);
    expect(new Set(podLabels).size).toBe(new Set(podLabels.map((l) => JSON.stringify(l))).size);
  });

  it("never conflates label maps whose strings would run together", () => {
    const shared = new SharedParts("meshhub");
    const a = shared.labels({ "a\u0000b": "c" });
    const b = shared.labels({ a: "b\u0000c" });
    const c = shared.labels({ ab: "c" });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(shared.labels({ ab: "c" })).toBe(c);
    expect(shared.labels({ x: "1", y: "2" })).not.toBe(shared.labels({ y: "2", x: "1" })); // key order is kept
    expect(Object.isFrozen(c)).toBe(true);
  });
});
