/**
 * StatusCollector renders a policy's status from the parts several collectors hold (selection, the units that
 * reported on it): accepted destinations, outcomes reported one by one, and how they fold — checked against a plain
 * model of the rules (a state only gets worse; messages are unioned and sorted; keys sorted by code unit).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ApprovalState } from "../src/model/status.js";
import type { PolicyRef } from "../src/resolve/order.js";
import { StatusCollector } from "../src/resolve/status.js";

const ref: PolicyRef = { kind: "AccessPolicy", name: "p", namespace: "meshhub" };
const SUBJECT = "AccessPolicy/p.meshhub";
const RANK: Record<ApprovalState, number> = { ACCEPTED: 0, CONFLICT: 1, INVALID: 2 };

const keyArb = fc.constantFrom("a.ns.c1", "b.ns.c1", "B.ns.c1", "a.ns.c2", "ä.ns.c1", "z.other.c9");
const reportArb = fc.record({ collector: fc.nat(2), key: keyArb, state: fc.constantFrom<ApprovalState>("ACCEPTED", "CONFLICT", "INVALID"), message: fc.option(fc.constantFrom("m1", "m2", "m3"), { nil: undefined }) });

describe("StatusCollector", () => {
  it("folds accepted selections and reports from several collectors as the rules say", () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb), fc.array(reportArb, { maxLength: 12 }), (selected, reports) => {
        const collectors = [new StatusCollector(), new StatusCollector(), new StatusCollector()];
        collectors[0]!.register(ref, 3);
        collectors[0]!.accept(ref, [...selected].sort());
        for (const r of reports) collectors[r.collector]!.report(ref, r.key, r.state, r.message);

        const expected = new Map<string, { state: ApprovalState; errors: Set<string> }>();
        for (const k of selected) expected.set(k, { state: "ACCEPTED", errors: new Set() });
        for (const r of reports) {
          const e = expected.get(r.key) ?? { state: r.state, errors: new Set<string>() };
          if (RANK[r.state] > RANK[e.state]) e.state = r.state;
          if (r.message !== undefined) e.errors.add(r.message);
          expected.set(r.key, e);
        }
        const keys = [...expected.keys()].sort();
        const status = StatusCollector.renderSubject(SUBJECT, collectors) as { state: ApprovalState; observedGeneration?: number; destinations: Record<string, { state: ApprovalState; errors?: string[] }> };
        expect(Object.keys(status.destinations)).toEqual(keys);
        for (const k of keys) {
          const e = expected.get(k)!;
          expect(status.destinations[k]).toEqual(e.errors.size > 0 ? { state: e.state, errors: [...e.errors].sort() } : { state: e.state });
        }
        const worst = keys.map((k) => expected.get(k)!.state).reduce<ApprovalState>((w, s) => (RANK[s] > RANK[w] ? s : w), "ACCEPTED");
        expect(status.state).toBe(worst);
        expect(status.observedGeneration).toBe(3);
        // Rendering reads the parts and never changes them: a second rendering is equal.
        expect(StatusCollector.renderSubject(SUBJECT, collectors)).toEqual(status);
      }),
      { numRuns: 400 },
    );
  });

  it("keeps its own order when handed unsorted keys", () => {
    const c = new StatusCollector();
    c.accept(ref, ["b.ns.c1", "a.ns.c1", "b.ns.c1"]);
    const status = StatusCollector.renderSubject(SUBJECT, [c]) as { destinations: Record<string, unknown> };
    expect(Object.keys(status.destinations)).toEqual(["a.ns.c1", "b.ns.c1"]);
  });
});
