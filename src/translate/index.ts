import { TranslationEngine, type TranslateInput, type TranslationChange, type TranslationDelta, type TranslationResult } from "./engine.js";

export type { ObjectId, TranslateInput, TranslationChange, TranslationDelta, TranslationResult, TranslationStatuses } from "./engine.js";

/**
 * Turns discovery plus TrafficPolicies, AccessPolicies and VirtualMeshes into per-cluster manifests and statuses.
 * Pure and deterministic: the same inputs in any order give byte-identical output. Inputs are read, never changed;
 * what is derived from an input object is remembered per object, so change an input by passing a new object, not by
 * editing one in place.
 */
export function translate(input: TranslateInput): TranslationResult {
  return new TranslationEngine(input).result();
}

/**
 * A translator for controllers: built once from the full inputs, then `apply(change)` with policies added,
 * updated or removed returns only the outputs and statuses that changed, recomputing only the destinations the
 * change can affect (the policies' old and new selections, and services whose subsets their routes reference).
 * A new discovery or a VirtualMesh change recomputes everything. After any sequence of changes, `result()` equals
 * {@link translate} of the same inputs, byte for byte. An update is a new object (as a Kubernetes watch delivers
 * it): a policy edited in place and upserted again may be read from what was derived from it before.
 */
export class TranslationSession {
  private readonly engine: TranslationEngine;

  constructor(input: TranslateInput) {
    this.engine = new TranslationEngine(input);
  }

  /** The current full result. */
  result(): TranslationResult {
    return this.engine.result();
  }

  /** Applies a change; returns only what changed. */
  apply(change: TranslationChange): TranslationDelta {
    return this.engine.apply(change);
  }
}
