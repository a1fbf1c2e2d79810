import { Document, Scalar } from "yaml";
import { stringifyString, type StringifyContext } from "yaml/util";

/*
 * A direct YAML emitter that reproduces, byte for byte, what canonical.ts's toCanonicalYamlReference prints:
 * `yaml` 2.x's `stringify` of canonicalized JSON-like values with `{ lineWidth: 0, aliasDuplicateObjects: false,
 * sortMapEntries: false, doubleQuotedMinMultiLineLength: Infinity }`, strings in needsDoubleQuotes's classes set to
 * the double-quoted style. It builds no canonicalized copy and no node tree. Layout is written here; a string
 * outside the "surely plain" fast path is rendered by `yaml`'s own `stringifyString` in the same context, so
 * quoting and block-scalar rules stay the library's. test/yaml-writer.test.ts checks the identity against the
 * reference and that every string reads back as itself.
 */

/** Thrown on values outside the JSON-like domain; the caller then falls back to the `yaml` package. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported("not a JSON-like value");

// The context `yaml`'s createStringifyContext builds from its defaults plus `lineWidth: 0` and
// `doubleQuotedMinMultiLineLength: Infinity` (not exported).
const BASE_CTX: StringifyContext = {
  anchors: new Set<string>(),
  doc: new Document(null),
  flowCollectionPadding: " ",
  indent: "",
  indentStep: "  ",
  inFlow: null,
  actualString: true,
  implicitKey: false,
  forceBlockIndent: false,
  options: {
    blockQuote: true,
    commentString: (c: string) => c.replace(/^(?!$)(?: $)?/gm, "#"),
    defaultKeyType: null,
    defaultStringType: "PLAIN",
    directives: null,
    doubleQuotedAsJSON: false,
    // Never fold a double-quoted string at its line breaks: the folding misprints a line of one space
    // ("x".repeat(40) + "\n \n" gave `\\ `, an escaped backslash). One line with `\n` escapes reads back exactly.
    doubleQuotedMinMultiLineLength: Number.POSITIVE_INFINITY,
    falseStr: "false",
    flowCollectionPadding: true,
    indentSeq: true,
    lineWidth: 0,
    minContentWidth: 20,
    nullStr: "null",
    simpleKeys: false,
    singleQuote: null,
    trailingComma: false,
    trueStr: "true",
    verifyAliasOrder: true,
  },
};

// The schema's own tests, so a string is quoted exactly when `yaml` would read it back as another type.
type TagTest = { default?: unknown; tag: string; test?: RegExp };
const TYPED = new RegExp(
  ([...BASE_CTX.doc.schema.tags, ...(BASE_CTX.doc.schema.compat ?? [])] as TagTest[])
    .filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test)
    .map((t) => `(?:${(t.test as RegExp).source})`)
    .join("|"),
);

/**
 * True when `yaml` prints `s` plain and as is, in any block context. Conservative: printable ASCII starting with
 * [A-Za-z0-9_/] (no indicator, `-`, `?`, `.`, `%`, so no document marker), no `: ` or ` #`, not ending in space
 * or `:`, and not read back as null/bool/number (only possible when starting with [0-9nNtTfF] here).
 * A char loop: three regex calls per scalar were a fifth of the writer's time.
 */
function isFastPlain(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const c0 = s.charCodeAt(0);
  const alpha = (c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90);
  const digit = c0 >= 48 && c0 <= 57;
  if (!alpha && !digit && c0 !== 95 && c0 !== 47) return false;
  let prev = c0;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
    if ((c === 0x20 && prev === 0x3a) || (c === 0x23 && prev === 0x20)) return false;
    prev = c;
  }
  if (prev === 0x20 || prev === 0x3a) return false;
  const maybeTyped = digit || c0 === 110 || c0 === 78 || c0 === 116 || c0 === 84 || c0 === 102 || c0 === 70;
  return !(maybeTyped && TYPED.test(s));
}

// Byte order mark, line and paragraph separators; see needsDoubleQuotes.
const SPECIAL_CHAR = /[\u2028\u2029\ufeff]/;
// Whitespace-only (space, tab, LF) with at least one space; see needsDoubleQuotes.
const BLANK_WITH_SPACE = /^[\t\n]* [\t\n ]*$/;
// A multi-line document-level string whose first character after any leading line breaks is a space.
const LEADING_SPACE = /^\n* /;

/**
 * True when `s` must be printed double-quoted because `yaml` 2.9.1 would otherwise print it in a form that it, or
 * another common YAML parser, reads back as a different string or rejects. `yaml` itself already double-quotes
 * control characters and lone surrogates. The classes, found by exhaustive and property tests:
 * - any U+FEFF: a leading one is taken as a byte order mark and dropped; YAML 1.2 allows it inside a document only
 *   in quoted scalars;
 * - any U+2028 or U+2029: line breaks to YAML 1.1 parsers (PyYAML rejects them in plain and block scalars), and to
 *   the multiline `^` `yaml` looks for document markers with, which made a key's quoting depend on its depth;
 * - a multi-line string of only spaces, tabs and line breaks with at least one space: its block scalar has no
 *   content line to fix the indentation, so the spaces are read as indentation (`"  \n"` became `|+` and `"\n"`);
 * - at document level (`documentLevel`), a multi-line string starting with a space after any leading line breaks:
 *   its `|1` indentation indicator is misread.
 * Double-quoted output, never folded here, escapes line breaks, control characters and edge spaces, and reads back
 * exactly. Callers skip surely-plain ASCII strings first.
 *
 * @param s - the string to print
 * @param documentLevel - whether `s` is the whole document (a top-level scalar), not a key, value or item
 */
export function needsDoubleQuotes(s: string, documentLevel: boolean): boolean {
  if (SPECIAL_CHAR.test(s)) return true;
  if (!s.includes("\n")) return false;
  return BLANK_WITH_SPACE.test(s) || (documentLevel && LEADING_SPACE.test(s));
}

// `yaml` makes a key explicit (`? key`) once its rendering passes 1024 characters.
const MAX_IMPLICIT_KEY = 1024;
// Keys Object.keys lists first in numeric order: the canonicalized copy `yaml` saw had them first too.
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

function isIndexKey(k: string): boolean {
  return INDEX_KEY.test(k) && (k.length < 10 || Number(k) < 4294967295);
}

// Delegated renderings of single-line strings, which do not depend on the indent (bar the exceptions in
// renderString). Values like "true" or "1" recur in every object; the bound keeps memory flat.
const KEY_CACHE = new Map<string, string>();
const VALUE_CACHE = new Map<string, string>();
const CACHE_LIMIT = 4096;

function renderString(s: string, indent: string, implicitKey: boolean): string {
  if (isFastPlain(s)) return s;
  // Document markers make a top-level key quoted and a document-level string a block; multi-line values follow
  // the indent. Those skip the cache. A key's marker is at its start or after a line terminator, and keys holding
  // one (\n, \r, U+2028, U+2029) are double-quoted anywhere, so the first character decides.
  const c0 = s.charCodeAt(0);
  const cacheable = implicitKey ? c0 !== 37 && c0 !== 45 && c0 !== 46 : indent !== "" && !s.includes("\n");
  const cache = implicitKey ? KEY_CACHE : VALUE_CACHE;
  let out = cacheable ? cache.get(s) : undefined;
  if (out === undefined) {
    // Checked on cache misses only; for any position but the document level the answer depends on `s` alone.
    const type = needsDoubleQuotes(s, indent === "" && !implicitKey) ? Scalar.QUOTE_DOUBLE : undefined;
    out = stringifyString({ value: s, type }, { ...BASE_CTX, indent, implicitKey });
    if (cacheable) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(s, out);
    }
  }
  return out;
}

function renderNumber(n: number): string {
  if (Number.isFinite(n)) return Object.is(n, -0) ? "-0" : String(n);
  return Number.isNaN(n) ? ".nan" : n < 0 ? "-.inf" : ".inf";
}

/** Renders a non-collection; `undefined` only reaches here as a list item, which `yaml` prints as null. */
function renderScalar(v: unknown, indent: string): string {
  switch (typeof v) {
    case "string":
      return renderString(v, indent, false);
    case "number":
      return renderNumber(v);
    case "boolean":
      return v ? "true" : "false";
    case "undefined":
      return "null";
    case "object":
      if (v === null) return "null";
      break;
  }
  throw UNSUPPORTED;
}

/** Sorts like `Array#sort()` (by UTF-16 code unit); small maps use insertion sort, cheaper than the builtin's setup. */
function sortByCodeUnit(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i;
    for (; j > 0 && (keys[j - 1] as string) > k; j--) keys[j] = keys[j - 1] as string;
    keys[j] = k;
  }
}

/**
 * Key order of canonicalize's copy as `yaml` iterated it: array-index keys (numeric order), then `head` keys
 * present, then the rest sorted by code unit. `undefined` values are dropped.
 */
function orderedKeys(obj: Record<string, unknown>, head: readonly string[] | undefined): string[] {
  const rest: string[] = [];
  let index: string[] | undefined;
  let headMask = 0;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) continue;
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && isIndexKey(k)) {
      (index ??= []).push(k);
      continue;
    }
    if (k === "__proto__") {
      // canonicalize's copy turns this key into a prototype; only a primitive value is simply dropped.
      if ((typeof v === "object" && v !== null) || typeof v === "function") throw UNSUPPORTED;
      continue;
    }
    const h = head === undefined ? -1 : head.indexOf(k);
    if (h >= 0) headMask |= 1 << h;
    else rest.push(k);
  }
  sortByCodeUnit(rest);
  if (index === undefined && headMask === 0) return rest;
  const out = index ?? [];
  if (head !== undefined) for (let i = 0; i < head.length; i++) if (headMask & (1 << i)) out.push(head[i] as string);
  for (const k of rest) out.push(k);
  return out;
}

class Writer {
  // Pieces joined once: `+=` on one string builds a rope of millions of nodes that GC and flattening pay for.
  readonly out: string[] = [];

  constructor(
    private readonly head: readonly string[],
    private readonly metaHead: readonly string[],
  ) {}

  document(value: unknown): void {
    if (Array.isArray(value)) {
      if (value.length === 0) this.out.push("[]");
      else this.seq(value, "");
    } else if (value !== null && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      const keys = orderedKeys(obj, this.head);
      if (keys.length === 0) this.out.push("{}");
      else this.map(obj, keys, "", true);
    } else {
      this.out.push(renderScalar(value, ""));
    }
    this.out.push("\n");
  }

  /** Block map whose first line is already positioned; later lines start at `indent`. */
  private map(obj: Record<string, unknown>, keys: readonly string[], indent: string, top: boolean): void {
    const out = this.out;
    const pairIndent = indent + "  ";
    const nl = "\n" + indent;
    const pairNl = "\n" + pairIndent;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const ks = renderString(k, pairIndent, true);
      const explicit = ks.length > MAX_IMPLICIT_KEY;
      const v = obj[k];
      if (v === null || typeof v !== "object") {
        // A scalar pair is one piece: fewer, short pieces make the final join cheaper.
        const lead = i > 0 ? nl : "";
        if (explicit) out.push(lead + "? " + ks + nl + ": " + renderScalar(v, pairIndent));
        else out.push(lead + ks + ": " + renderScalar(v, pairIndent));
        continue;
      }
      if (i > 0) out.push(nl);
      if (explicit) out.push("? ", ks, nl, ":");
      else out.push(ks, ":");
      // An explicit key's value shares the `:` line; an implicit key's non-empty collection starts a new one.
      const sep = explicit ? " " : pairNl;
      if (Array.isArray(v)) {
        if (v.length === 0) out.push(" []");
        else {
          out.push(sep);
          this.seq(v, pairIndent);
        }
      } else {
        const child = v as Record<string, unknown>;
        const childKeys = orderedKeys(child, top && k === "metadata" ? this.metaHead : undefined);
        if (childKeys.length === 0) out.push(" {}");
        else {
          out.push(sep);
          this.map(child, childKeys, pairIndent, false);
        }
      }
    }
  }

  /** Block sequence whose first `- ` goes at the current position; later items start at `indent`. */
  private seq(arr: readonly unknown[], indent: string): void {
    const out = this.out;
    const itemIndent = indent + "  ";
    const nlDash = "\n" + indent + "- ";
    for (let i = 0; i < arr.length; i++) {
      out.push(i > 0 ? nlDash : "- ");
      const v = arr[i];
      if (Array.isArray(v)) {
        if (v.length === 0) out.push("[]");
        else this.seq(v, itemIndent);
      } else if (v !== null && typeof v === "object") {
        const obj = v as Record<string, unknown>;
        const keys = orderedKeys(obj, undefined);
        if (keys.length === 0) out.push("{}");
        else this.map(obj, keys, itemIndent, false);
      } else {
        out.push(renderScalar(v, itemIndent));
      }
    }
  }
}

/**
 * Writes `value` as one YAML document in canonical key order: maps take `head` keys first at the top level and
 * `metaHead` keys first in the top-level `metadata`, every other key sorted by code unit; `undefined` map values
 * are dropped. Output is byte-identical to `toCanonicalYamlReference`: `yaml`'s `stringify` of the canonicalized
 * value, with strings that would not read back as themselves double-quoted (see needsDoubleQuotes).
 *
 * @returns `undefined` when `value` is not JSON-like (undefined at the top, bigint, symbol, function, an
 *   object-valued `__proto__` key): the caller should then defer to the `yaml` package.
 */
export function writeCanonicalYaml(
  value: unknown,
  head: readonly string[],
  metaHead: readonly string[],
): string | undefined {
  if (value === undefined) return undefined;
  const w = new Writer(head, metaHead);
  try {
    w.document(value);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  return w.out.join("");
}
