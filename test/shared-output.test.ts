/**
 * Emitted objects share fragments that many of them hold alike (owner labels, a policy's authentication references,
 * a rule rendered for a trust group, a service's pod selector): translation builds them once. Shared fragments are
 * frozen, so editing one object in place fails loudly instead of silently editing others; a copy is editable.
 */
import { describe, expect, it } from "vitest";
import { generateEstate } from "../bench/generate.js";
import { discover } from "../src/discovery/index.js";
import type { KubeObject } from "../src/model/common.js";
import { translate } from "../src/translate/index.js";
import { toCanonicalYaml } from "../src/codec/canonical.js";
import { deepFreeze } from "../src/util/freeze.js";

const estate = generateEstate({ clusters: 2, services: 200, versionsPerService: 2, trafficPolicies: 20, accessPolicies: 20 });
const result = translate({ discovery: discover(estate.snapshots), trafficPolicies: estate.trafficPolicies, accessPolicies: estate.accessPolicies, virtualMeshes: estate.virtualMeshes, options: { now: new Date("2026-06-01T00:00:00Z") } });
const objects = Object.values(result.clusters).flat();
const ofKind = (apiGroup: string, kind: string): KubeObject[] => objects.filter((o) => o.kind === kind && o.apiVersion.startsWith(apiGroup));
const spec = (o: KubeObject): Record<string, unknown> => (o as unknown as { spec: Record<string, unknown> }).spec;

describe("shared output fragments", () => {
  it("share one frozen owner-label object between objects without labels of their own", () => {
    const labels = new Set(objects.map((o) => o.metadata.labels));
    expect(objects.length).toBeGreaterThan(100);
    expect(labels.size).toBeLessThan(objects.length / 10);
    const first = objects[0]!;
    expect(Object.isFrozen(first.metadata.labels)).toBe(true);
    expect(() => {
      (first.metadata.labels as Record<string, string>)["team"] = "x";
    }).toThrow(TypeError);
    expect(objects.every((o) => o.metadata.labels?.["team"] === undefined)).toBe(true);
  });

  it("share a policy's Linkerd authentication references and a service's pod selector", () => {
    const linkerdPolicies = ofKind("policy.linkerd.io", "AuthorizationPolicy");
    const refs = new Set(linkerdPolicies.map((o) => spec(o)["requiredAuthenticationRefs"]));
    expect(linkerdPolicies.length).toBeGreaterThan(refs.size);
    // A Server per port: the Servers of one destination hold the same selector object.
    const byDestination = new Map<string, unknown[]>();
    for (const server of ofKind("policy.linkerd.io", "Server")) {
      const destination = server.metadata.annotations!["meshhub.io/destination"]!;
      byDestination.set(destination, [...(byDestination.get(destination) ?? []), spec(server)["podSelector"]]);
    }
    const multiPort = [...byDestination.values()].filter((selectors) => selectors.length > 1);
    expect(multiPort.length).toBeGreaterThan(0);
    for (const selectors of multiPort) expect(new Set(selectors).size).toBe(1);
    expect(Object.isFrozen((multiPort[0]![0] as { matchLabels: object }).matchLabels)).toBe(true);
  });

  it("share Istio rules rendered for the same AccessPolicy rule and trust group, frozen all the way down", () => {
    const rules = ofKind("security.istio.io", "AuthorizationPolicy").flatMap((o) => (spec(o)["rules"] as object[] | undefined) ?? []);
    expect(rules.length).toBeGreaterThan(new Set(rules).size);
    const withFrom = rules.find((r) => "from" in r) as { from: { source: { principals?: string[] } }[] };
    expect(Object.isFrozen(withFrom.from[0]!.source)).toBe(true);
  });

  it("serialize the same as unshared copies, and a structuredClone of the output is editable", () => {
    const copy = structuredClone(result.clusters);
    for (const [cluster, list] of Object.entries(copy)) expect(toCanonicalYaml(list)).toBe(toCanonicalYaml(result.clusters[cluster]!));
    const editable = copy[Object.keys(copy)[0]!]![0]!;
    (editable.metadata.labels as Record<string, string>)["team"] = "x";
    expect(editable.metadata.labels!["team"]).toBe("x");
    expect(objects.some((o) => o.metadata.labels?.["team"] !== undefined)).toBe(false);
  });
});

describe("deepFreeze", () => {
  it("freezes nested objects and arrays, returns its argument and stops at cycles", () => {
    const cyclic: { list: { n: number }[]; self?: unknown } = { list: [{ n: 1 }] };
    cyclic.self = cyclic;
    expect(deepFreeze(cyclic)).toBe(cyclic);
    expect(Object.isFrozen(cyclic) && Object.isFrozen(cyclic.list) && Object.isFrozen(cyclic.list[0])).toBe(true);
    expect(deepFreeze(null)).toBe(null);
    expect(deepFreeze("x")).toBe("x");
  });
});
