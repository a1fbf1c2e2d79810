/**
 * The engine's slot table orders emitted objects by sorting each level of its nested maps; this checks that order
 * against one sort of every slot by compareSlots, and compareSlots against compareObjects, after random inserts and
 * deletes (prefix names such as "a" / "ab" and one kind in two API groups included).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareObjects } from "../src/codec/canonical.js";
import type { KubeObject } from "../src/model/common.js";
import { compareSlots, SlotTable } from "../src/translate/slots.js";

const identity = fc.record({
  cluster: fc.constantFrom("east", "east-1", "west"),
  kind: fc.constantFrom("HTTPRoute", "Server", "AuthorizationPolicy"),
  apiVersion: fc.constantFrom("policy.linkerd.io/v1beta3", "gateway.networking.k8s.io/v1", "security.istio.io/v1"),
  namespace: fc.constantFrom("", "a", "ab", "b"),
  name: fc.constantFrom("x", "x-1", "xy", "y", "Y"),
});

function objectOf(id: { kind: string; apiVersion: string; namespace: string; name: string }): KubeObject {
  return { apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, ...(id.namespace ? { namespace: id.namespace } : {}) } };
}

describe("SlotTable", () => {
  it("lists its slots in compareSlots order, after any inserts and deletes", () => {
    fc.assert(
      fc.property(fc.array(identity, { maxLength: 60 }), fc.array(fc.boolean(), { maxLength: 60 }), (ids, drop) => {
        const table = new SlotTable();
        const slots = ids.map((id) => table.obtain(id.cluster, objectOf(id)));
        const live = new Set(slots);
        slots.forEach((slot, i) => {
          if (drop[i]) {
            table.delete(slot);
            live.delete(slot);
          }
        });
        expect(new Set(table)).toEqual(live);
        expect(table.sorted()).toEqual([...live].sort(compareSlots));
        ids.forEach((id, i) => expect(table.get(id.cluster, objectOf(id))).toBe(live.has(slots[i]!) ? slots[i] : undefined));
      }),
      { numRuns: 300 },
    );
  });

  it("finds one slot per identity, and orders a cluster's objects as compareObjects does", () => {
    fc.assert(
      fc.property(fc.array(identity, { maxLength: 40 }), (ids) => {
        const table = new SlotTable();
        for (const id of ids) expect(table.obtain(id.cluster, objectOf(id))).toBe(table.obtain(id.cluster, objectOf(id)));
        const sorted = table.sorted();
        for (let i = 1; i < sorted.length; i++) {
          const [a, b] = [sorted[i - 1]!, sorted[i]!];
          if (a.cluster === b.cluster) expect(compareObjects(objectOf(a), objectOf(b))).toBeLessThan(0);
          else expect(a.cluster < b.cluster).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
