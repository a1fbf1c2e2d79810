import { compareStrings, toCanonicalJson } from "../codec/canonical.js";
import { renderFound } from "../errors.js";
import type { Diagnostic } from "./types.js";
import type { RawObject } from "./snapshot-index.js";

/** Extra detail for a diagnostic: field path and expected/found/hint. */
export interface DiagnosticDetail {
  readonly path?: string;
  readonly expected?: string;
  /** The offending value; rendered with {@link renderFound}. */
  readonly value?: unknown;
  readonly found?: string;
  readonly hint?: string;
}

/** Collects diagnostics; {@link DiagnosticSink.sorted} de-duplicates and sorts them so output never depends on input order. */
export class DiagnosticSink {
  private readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  /** A diagnostic about one object, naming cluster, kind, namespace/name, provenance and field path. */
  object(o: RawObject, severity: Diagnostic["severity"], message: string, detail: DiagnosticDetail = {}): void {
    this.items.push(objectDiagnostic(o, severity, message, detail));
  }

  sorted(): Diagnostic[] {
    const byKey = new Map<string, Diagnostic>();
    for (const d of this.items) byKey.set(toCanonicalJson(d), d);
    return [...byKey.values()].sort(compareDiagnostics);
  }
}

export function objectDiagnostic(o: RawObject, severity: Diagnostic["severity"], message: string, detail: DiagnosticDetail = {}): Diagnostic {
  const found = detail.found ?? ("value" in detail ? renderFound(detail.value) : undefined);
  return strip({
    severity,
    message,
    cluster: o.cluster,
    kind: o.kind,
    namespace: o.namespace === "" ? undefined : o.namespace,
    name: o.name,
    path: detail.path,
    expected: detail.expected,
    found,
    hint: detail.hint,
    file: o.source?.file,
    document: o.source?.document,
    item: o.source?.item,
  });
}

/** Drops undefined properties so diagnostics compare and serialize cleanly. */
export function strip<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.cluster ?? "", b.cluster ?? "") ||
    compareStrings(a.namespace ?? "", b.namespace ?? "") ||
    compareStrings(a.name ?? "", b.name ?? "") ||
    compareStrings(a.kind ?? "", b.kind ?? "") ||
    compareStrings(a.path ?? "", b.path ?? "") ||
    compareStrings(a.message, b.message) ||
    compareStrings(toCanonicalJson(a), toCanonicalJson(b))
  );
}
