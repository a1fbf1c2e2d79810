import { Document, Scalar, stringify, visit } from "yaml";
import { needsDoubleQuotes, writeCanonicalYaml } from "./yaml-writer.js";

const HEAD_KEYS = ["apiVersion", "kind", "metadata", "spec"] as const;
const META_HEAD_KEYS = ["name", "namespace"] as const;

function orderedKeys(obj: Record<string, unknown>, head: readonly string[]): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  const first = head.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !head.includes(k)).sort();
  return [...first, ...rest];
}

/**
 * Returns a deep copy with a canonical key order: `apiVersion, kind, metadata, spec` first at the top level,
 * `name, namespace` first in metadata, every other key sorted. `undefined` values are dropped. List order is
 * kept: lists are meaningful (routes are ordered), so callers sort sets before they get here.
 */
export function canonicalize<T>(value: T): T {
  return canon(value, 0, false) as T;
}

function canon(value: unknown, depth: number, isMetadata: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => canon(v, depth + 1, false));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const head = depth === 0 ? HEAD_KEYS : isMetadata ? META_HEAD_KEYS : [];
    const out: Record<string, unknown> = {};
    for (const k of orderedKeys(obj, head)) out[k] = canon(obj[k], depth + 1, depth === 0 && k === "metadata");
    return out;
  }
  return value;
}

/** Serializes one object as canonical YAML (no document marker). */
export function toCanonicalYaml(value: unknown): string {
  // The direct writer is byte-identical to the reference and far faster; it defers on non-JSON-like values.
  return writeCanonicalYaml(value, HEAD_KEYS, META_HEAD_KEYS) ?? toCanonicalYamlReference(value);
}

/** Serializes objects as one multi-document YAML stream, `---` between documents. */
export function toCanonicalYamlStream(values: readonly unknown[]): string {
  return values.map((v) => toCanonicalYaml(v)).join("---\n");
}

// doubleQuotedMinMultiLineLength: yaml's folding of long double-quoted strings at line breaks misprints a line of
// one space; with it off, a double-quoted string is one line of escapes.
const YAML_OPTIONS = {
  lineWidth: 0,
  aliasDuplicateObjects: false,
  sortMapEntries: false,
  doubleQuotedMinMultiLineLength: Number.POSITIVE_INFINITY,
} as const;

/**
 * The `yaml`-package serializer: the byte-identity reference for `toCanonicalYaml` in tests, and its fallback for
 * values outside the JSON-like domain. `stringify` of the canonicalized value, except that strings `yaml` would
 * not read back as themselves (see needsDoubleQuotes) are set to the double-quoted style.
 *
 * @internal
 */
export function toCanonicalYamlReference(value: unknown): string {
  // stringify prints nothing (undefined) for a top-level undefined; keep that.
  if (value === undefined) return stringify(value, YAML_OPTIONS);
  const doc = new Document(canonicalize(value), YAML_OPTIONS);
  visit(doc, {
    // The document's own contents are visited with a null key: that is the document-level position.
    Scalar(key, node) {
      if (typeof node.value === "string" && needsDoubleQuotes(node.value, key === null)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return doc.toString(YAML_OPTIONS);
}

/** Serializes as canonical, 2-space indented JSON with a trailing newline. */
export function toCanonicalJson(value: unknown): string {
  return `${JSON.stringify(canonicalize(value), null, 2)}\n`;
}

/** Compares two strings by code unit: locale-independent, so output never depends on the machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts Kubernetes objects by (kind, namespace, name, apiVersion), the order meshhub emits them in. apiVersion breaks
 * the tie between same-named objects of one kind in two API groups (e.g. Linkerd's and the Gateway API's HTTPRoute).
 */
export function compareObjects(
  a: { apiVersion?: string; kind: string; metadata: { name: string; namespace?: string } },
  b: { apiVersion?: string; kind: string; metadata: { name: string; namespace?: string } },
): number {
  return (
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
    compareStrings(a.metadata.name, b.metadata.name) ||
    compareStrings(a.apiVersion ?? "", b.apiVersion ?? "")
  );
}
