import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalKey, jsonEqual } from "../src/codec/canonical-key.js";
import { compareObjects, toCanonicalJson } from "../src/codec/canonical.js";
import { translate } from "../src/translate/index.js";
import { accessPolicy, discovery, linkerdMesh, service, trafficPolicy } from "./helpers/builders.js";

/** Rebuilds every object with its keys in reverse order: same value, different insertion order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).reverse()) Object.defineProperty(out, k, { value: reorder((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

describe("canonicalKey", () => {
  it("ignores key order and undefined members", () => {
    expect(canonicalKey({ b: 1, a: { d: [1, "x"], c: undefined } })).toBe(canonicalKey({ a: { d: [1, "x"] }, b: 1 }));
    expect(canonicalKey({ a: "1" })).not.toBe(canonicalKey({ a: 1 }));
    expect(canonicalKey([])).not.toBe(canonicalKey({}));
    expect(canonicalKey(["a,b"])).not.toBe(canonicalKey(["a", "b"]));
  });

  it("agrees with toCanonicalJson on equality, whatever the key order", () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(canonicalKey(reorder(a))).toBe(canonicalKey(a));
        expect(canonicalKey(a) === canonicalKey(b)).toBe(toCanonicalJson(a) === toCanonicalJson(b));
      }),
      { numRuns: 500 },
    );
  });

  it("jsonEqual agrees with comparing canonical keys", () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    const withHoles = fc.oneof(json, fc.dictionary(fc.string(), fc.oneof(json, fc.constant(undefined)), { maxKeys: 4 }), fc.array(fc.oneof(json, fc.constant(undefined)), { maxLength: 4 }));
    fc.assert(
      fc.property(withHoles, withHoles, (a, b) => {
        expect(jsonEqual(a, reorder(a))).toBe(true);
        expect(jsonEqual(a, b)).toBe(canonicalKey(a) === canonicalKey(b));
        expect(jsonEqual(b, a)).toBe(jsonEqual(a, b));
      }),
      { numRuns: 1000 },
    );
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([undefined], [null])).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
  });
});

describe("emit order", () => {
  it("the engine's key order equals compareObjects, ties between API groups included", () => {
    const west = linkerdMesh("west", { trustDomain: "west.mesh" });
    const web = service(west, "web", "shop", { ports: [{ port: 80, name: "http" }] });
    const result = translate({
      discovery: discovery({ meshes: [west], services: [web] }),
      trafficPolicies: [trafficPolicy("t", { destinationSelector: [{ kubeServiceRefs: { services: [{ name: "web", namespace: "shop", clusterName: "west" }] } }], policy: { requestTimeout: "2s" } })],
      accessPolicies: [accessPolicy("a", { destinationSelector: [{ kubeServiceRefs: { services: [{ name: "web", namespace: "shop", clusterName: "west" }] } }], allowedMethods: ["GET"] })],
    });
    const routeApis = new Set(Object.values(result.clusters).flat().filter((o) => o.kind === "HTTPRoute").map((o) => o.apiVersion));
    expect(routeApis.size).toBe(2); // one kind in two API groups: the case where the engine interleaves
    for (const objects of Object.values(result.clusters)) expect([...objects].sort(compareObjects)).toEqual(objects);
  });
});
