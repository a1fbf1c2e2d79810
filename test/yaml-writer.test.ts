import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse, parseAllDocuments } from "yaml";
import {
  canonicalize,
  toCanonicalYaml,
  toCanonicalYamlReference,
  toCanonicalYamlStream,
} from "../src/codec/canonical.js";
import { needsDoubleQuotes } from "../src/codec/yaml-writer.js";

// Strings that sit on one of `yaml`'s rendering rules: type look-alikes, indicators, `: ` and ` #`, document
// markers, whitespace at the edges, control characters, line breaks, long keys (explicit `? ` past 1024 chars), and
// the classes needsDoubleQuotes forces into double quotes.
const TRICKY = [
  "", " ", "  ", "\t", "a", "1", "-1", "+1", "0", "007", "0.5", ".5", "1.", "-.5", "1e3", "1E3", "-1e-3", "1e+21",
  "0x1F", "0x", "0o17", "0o8", "0b1", "1_000", "1,000", ".inf", "-.Inf", "+.INF", ".NaN", ".nan", "nan", "inf",
  "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "yes", "no", "on", "off", "y", "n", "Y", "N",
  "null", "Null", "NULL", "nULL", "~", "~a", "2026-01-01", "2026-01-01T00:00:00Z", "12:30", "1:2:3", "v1.2.3",
  "a: b", "a:b", "a:", ":", "::", ":a", "a :", "a #b", "a#b", "#a", "#", " a", "a ", "\ta", "a\t", "a\tb", "a:\tb",
  "-", "- a", "-a", "--", "---", "--- a", "---a", "...", "... a", "....", "?", "? a", "?a", "[", "]", "{", "}",
  "[a]", "{a: 1}", ",", "a,b", "a]", "&a", "*a", "!a", "!!str", "|", ">", "|-", ">+", "'", "''", '"', "'a\"", "a'b",
  'a"b', "%", "%YAML 1.2", "@a", "`a`", "<<", "=", "\\", "\\n", "a\\", "é", "日本語", "😀", "a😀b", "\u00a0",
  "\u0085", "\u2028", "\u2029", "\ufeff", "a\ufeffb", "\u0000", "\u0007", "\b", "\v", "\f", "\u001b", "\u007f",
  "\u009f", "\ud800", "\udc00", "a\ud83d", "a\rb", "\r", "\r\n", "\n", "\n\n", "a\n", "a\n\n", "a\n\n\n", "\na",
  "\n\na", " \na", "a\n b", "a \nb", "a\n ", "a\n\t", "a\nb", "a\n\nb", "  indented\nline", "line\n  indented\n",
  " lead\n", "a\n---\nb", "---\n", "...\n", "%x\ny", "#\n#", "a\nb: c\n", "key: |\n  x", "a\n#b", "a\n- b", "'\n'",
  '"\n"', "'\n\"", "a\u0001\nb", "x".repeat(45) + "\nnext", "x".repeat(45) + "\n\u0001", "x ".repeat(30) + "\n y",
  "long line with words ".repeat(10), "k".repeat(1024), "k".repeat(1025), "1".repeat(1023), "a".repeat(1023) + "'",
  "a".repeat(1030) + "\n", "http://example.com:8080/path?q=1#frag", "sha256:abc", "x=1;y=2", "a b c", "A_B/C.d-e",
  "  \n", " \t\n", "\t \n", "\n \n", " \n\n", "\n a", " \na", "\ufeff%", "\ufeff\n", "\u2028%", "---\u2029", "a\u2029",
  "x".repeat(40) + "\n \n ", "x".repeat(40) + "\n \nx\u0001", "x".repeat(40) + "\n\n \n\t",
] as const;

const KEYS = [
  ...TRICKY,
  "apiVersion", "kind", "metadata", "spec", "status", "name", "namespace", "labels", "annotations",
  "0", "1", "2", "10", "01", "-1", "4294967294", "4294967295", "a", "B", "_", "Z", "z",
] as const;

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  maxLength: 3,
});
// Characters that change how `yaml` renders a string, mixed densely.
const significant = fc.string({
  unit: fc.constantFrom(
    "a", "1", " ", "  ", "\n", "\t", ":", "#", "-", "?", ".", "'", '"', "%", "\u0001", "é", "~", "\ufeff", "\u2028",
  ),
  maxLength: 12,
});
// Whitespace-heavy multi-line strings, some past the 40 characters at which `yaml` used to fold double quotes.
const blank = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\n", "x".repeat(20)), maxLength: 8 });

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme" }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary" }) },
  { weight: 2, arbitrary: significant },
  { weight: 1, arbitrary: blank },
  { weight: 1, arbitrary: loneSurrogates },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 4 }).map((parts) => parts.join("\n")) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii" }) },
);

const numbers = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, 0.1, 1e21, 1e-7, 2 ** 53, -(2 ** 60), Number.MAX_VALUE, Number.MIN_VALUE),
);

/**
 * Top-level values: Kubernetes-shaped objects (head keys, metadata's name/namespace, extra keys to sort among),
 * lists of them, and arbitrary JSON-like values to depth ~5 with `undefined` as map values (dropped) and list
 * items (printed null). `__proto__` keys only `withProto` (fast-check's strings produce it too).
 */
function topLevel(withProto: boolean): fc.Arbitrary<unknown> {
  const key = fc.oneof(
    { weight: 3, arbitrary: withProto ? text : text.filter((k) => k !== "__proto__") },
    { weight: 3, arbitrary: fc.constantFrom(...KEYS) },
    { weight: withProto ? 1 : 0, arbitrary: fc.constant("__proto__") },
  );
  const scalar = fc.oneof(text, numbers, fc.boolean(), fc.constant(null));
  const orUndefined = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(undefined) });
  const { value } = fc.letrec<{ value: unknown; list: unknown[]; map: Record<string, unknown> }>((tie) => ({
    value: fc.oneof({ maxDepth: 5, depthSize: "small" }, scalar, tie("list"), tie("map")),
    list: fc.array(orUndefined(tie("value")), { maxLength: 4 }),
    map: fc.dictionary(key, orUndefined(tie("value")), { maxKeys: 5 }),
  }));
  const stringMap = fc.dictionary(key, orUndefined(text), { maxKeys: 4 });
  const metadata = fc
    .tuple(
      fc.record(
        {
          name: fc.oneof(text, fc.constantFrom("petstore", "reviews-v1")),
          namespace: fc.oneof(text, fc.constant("default")),
          labels: stringMap,
          annotations: stringMap,
          generation: fc.integer({ min: 0 }),
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(key, value, { maxKeys: 3 }),
    )
    .map(([m, extra]) => ({ ...extra, ...m }));
  const spec = fc.record(
    {
      hosts: fc.array(fc.oneof(text, fc.constant("reviews.default.svc.cluster.local")), { maxLength: 3 }),
      http: fc.array(fc.dictionary(key, value, { maxKeys: 4 }), { maxLength: 3 }),
      extra: value,
    },
    { requiredKeys: [] },
  );
  const k8s = fc
    .tuple(
      fc.record(
        {
          status: value,
          spec: fc.oneof(spec, value),
          metadata: fc.oneof({ weight: 4, arbitrary: metadata }, { weight: 1, arbitrary: value }),
          kind: fc.oneof(fc.constantFrom("VirtualService", "ServiceEntry", "DestinationRule"), text),
          apiVersion: fc.oneof(fc.constant("networking.istio.io/v1"), text),
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(key, value, { maxKeys: 4 }),
    )
    .map(([r, extra]) => ({ ...extra, ...r }));
  return fc.oneof(
    { weight: 3, arbitrary: k8s },
    { weight: 1, arbitrary: fc.array(k8s, { maxLength: 3 }) },
    { weight: 2, arbitrary: value },
    { weight: 1, arbitrary: text },
  );
}

/** What `parse` gives back for a canonicalized value: list holes and `undefined` items come back as null. */
function asParsed(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, (v) => (v === undefined ? null : asParsed(v)));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asParsed(v)]));
  }
  return value;
}

function expectSame(value: unknown): void {
  expect(toCanonicalYaml(value)).toBe(toCanonicalYamlReference(value));
}

describe("toCanonicalYaml (direct writer)", () => {
  it("is byte-identical to yaml's stringify of the canonicalized value", () => {
    fc.assert(
      fc.property(topLevel(true), (v) => {
        expect(toCanonicalYaml(v)).toBe(toCanonicalYamlReference(v));
      }),
      { numRuns: 1500 },
    );
  });

  // Every string, lone surrogates included (double-quoted as `\ud800` escapes), reads back as itself. Only
  // `__proto__` keys are left out: they are a JavaScript object quirk, not a YAML one.
  it("round-trips through parse to the canonicalized value", () => {
    fc.assert(
      fc.property(topLevel(false), (v) => {
        expect(parse(toCanonicalYaml(v))).toEqual(asParsed(canonicalize(v)));
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips a stream through parseAllDocuments", () => {
    fc.assert(
      fc.property(fc.array(topLevel(false), { maxLength: 4 }), (vs) => {
        const docs = parseAllDocuments(toCanonicalYamlStream(vs));
        expect(docs.flatMap((d) => d.errors)).toEqual([]);
        expect(docs.map((d) => d.toJS())).toEqual(vs.map((v) => asParsed(canonicalize(v))));
      }),
      { numRuns: 200 },
    );
  });

  describe("strings yaml 2.9.1 printed in a form read back differently are double-quoted", () => {
    // [value, exact output]. Before: a `|+` block whose spaces read as indentation ("\n"), a `|1` header misread at
    // document level, a BOM dropped at the stream start, `\\ ` (a backslash) from folding a one-space line, and a
    // plain U+2028/U+2029 that YAML 1.1 parsers break the line at (a nested key's quoting also hung on a cache).
    const cases: Array<[unknown, string]> = [
      [{ a: "  \n" }, 'a: " \\ \\n"\n'],
      [["\n \n", " \t\n"], '- "\\n\\ \\n"\n- " \\t\\n"\n'],
      ["  \n", '" \\ \\n"\n'],
      ["\n a", '"\\n a"\n'],
      [" \na", '"\\ \\na"\n'],
      ["\ufeffa", '"\ufeffa"\n'],
      [{ "\ufeff": "\ufeffb", c: "a\ufeff" }, 'c: "a\ufeff"\n"\ufeff": "\ufeffb"\n'],
      [{ a: "x".repeat(40) + "\n \n " }, `a: "${"x".repeat(40)}\\n\\ \\n "\n`],
      ["x".repeat(45) + "\n\u0001", `"${"x".repeat(45)}\\n\\x01"\n`],
      [{ "\u2028%": { "\u2028%": "a\u2029b" } }, '"\u2028%":\n  "\u2028%": "a\u2029b"\n'],
    ];
    it.each(cases.map(([v, yaml]) => [JSON.stringify(v).slice(0, 40), v, yaml]))("%s", (_label, v, yaml) => {
      expect(toCanonicalYaml(v)).toBe(yaml);
      expect(toCanonicalYamlReference(v)).toBe(yaml);
      expect(parse(yaml)).toEqual(canonicalize(v));
    });

    it("leaves the strings around them as they were", () => {
      // Tabs and line breaks alone have a content line or none to misread; a leading space is fine below the top.
      const value = { a: " lead\nb", n: "\n\n", t: "\t\n", u: "a\n  \nb" };
      expect(toCanonicalYaml(value)).toBe("a: |2-\n   lead\n  b\nn: |+\n  \n\nt: |+\n  \t\nu: |-\n  a\n    \n  b\n");
      expect(parse(toCanonicalYaml(value))).toEqual(value);
      for (const s of ["a", "true", "", " lead", "a\nb", "\n", "\ta\n", "a\n  \nb", "é", "\u0085"]) {
        expect(needsDoubleQuotes(s, false)).toBe(false);
      }
      expect(needsDoubleQuotes(" a\nb", false)).toBe(false);
      expect(needsDoubleQuotes(" a\nb", true)).toBe(true);
    });
  });

  it("builds the stream from the same documents", () => {
    fc.assert(
      fc.property(fc.array(topLevel(true), { maxLength: 4 }), (vs) => {
        expect(toCanonicalYamlStream(vs)).toBe(vs.map((v) => toCanonicalYamlReference(v)).join("---\n"));
      }),
      { numRuns: 200 },
    );
  });

  describe("tricky strings in every position", () => {
    it.each(TRICKY.map((s) => [JSON.stringify(s).slice(0, 40), s]))("%s", (_label, s) => {
      expectSame(s);
      expectSame([s, [s], { [s]: s }]);
      expectSame({ [s]: s, a: { [s]: [s, { [s]: s }] }, l: [[s, s], { k: [s] }] });
      expectSame({ apiVersion: s, kind: s, metadata: { [s]: s, name: s, namespace: s }, spec: { [s]: { [s]: s } } });
      expectSame({ [s]: [], b: { [s]: {} }, c: [{ [s]: [{ [s]: s }] }] });
    });
  });

  it("renders the common shapes as yaml did", () => {
    const cases: Array<[unknown, string]> = [
      [{ a: "1", b: 1, c: true, d: null, e: "true", f: "", g: "~" }, 'a: "1"\nb: 1\nc: true\nd: null\ne: "true"\nf: ""\ng: "~"\n'],
      [{ a: [], b: {}, c: [[]], d: [{}] }, "a: []\nb: {}\nc:\n  - []\nd:\n  - {}\n"],
      [{ l: [{ a: 1, b: [1, 2] }, [1, [2, 3]]] }, "l:\n  - a: 1\n    b:\n      - 1\n      - 2\n  - - 1\n    - - 2\n      - 3\n"],
      [{ s: "a\nb\n", t: "a\nb", u: "a\n\n", v: " a\nb" }, "s: |\n  a\n  b\nt: |-\n  a\n  b\nu: |+\n  a\n\nv: |2-\n   a\n  b\n"],
      [{ x: "a: b", y: "it's", z: 'a "b" c', w: " lead", q: "#c" }, 'q: "#c"\nw: " lead"\nx: "a: b"\ny: it\'s\nz: a "b" c\n'],
      [{ x: "'a\"", y: "\"a'", z: "'a" }, "x: \"'a\\\"\"\ny: \"\\\"a'\"\nz: \"'a\"\n"],
      [{ n: [-0, 0.1, 1e21, 2 ** 60] }, "n:\n  - -0\n  - 0.1\n  - 1e+21\n  - 1152921504606847000\n"],
      [{ "0x1": 1, "2026-01-01": 2, "a b": 3 }, '"0x1": 1\n2026-01-01: 2\na b: 3\n'],
      ["---\nx", "|-\n  ---\n  x\n"],
      [[], "[]\n"],
      [{}, "{}\n"],
      [null, "null\n"],
      [{ a: undefined, b: [undefined] }, "b:\n  - null\n"],
      [{ ["k".repeat(1025)]: { a: 1 } }, `? ${"k".repeat(1025)}\n: a: 1\n`],
    ];
    for (const [value, yaml] of cases) {
      expect(toCanonicalYaml(value)).toBe(yaml);
      expect(toCanonicalYamlReference(value)).toBe(yaml);
    }
  });

  it("orders keys as canonicalize does, including index-like keys yaml saw first", () => {
    const value = {
      z: 1,
      "10": 1,
      spec: { b: 1, a: 1, metadata: { z: 1, name: "n" } },
      "2": 1,
      metadata: { z: 1, namespace: "ns", "1": 1, name: "x", a: 1 },
      kind: "K",
      "4294967295": 1,
      apiVersion: "v1",
      B: 1,
    };
    expectSame(value);
    expect(toCanonicalYaml(value)).toBe(
      '"2": 1\n"10": 1\napiVersion: v1\nkind: K\nmetadata:\n  "1": 1\n  name: x\n  namespace: ns\n  a: 1\n  z: 1\n' +
        'spec:\n  a: 1\n  b: 1\n  metadata:\n    name: n\n    z: 1\n"4294967295": 1\nB: 1\nz: 1\n',
    );
    expectSame([value, { metadata: { z: 1, name: "n" } }]);
  });

  it("defers to yaml for values outside the JSON-like domain", () => {
    expectSame(JSON.parse('{"__proto__": [1, 2], "a": 1}'));
    expectSame(JSON.parse('{"__proto__": {"b": 1}, "a": 1}'));
    expectSame(JSON.parse('{"__proto__": 1, "a": 1}'));
    expectSame({ a: 10n, b: [1n] });
    expectSame({ a: Number.NaN, b: [Infinity, -Infinity] });
    expectSame({ d: new Date(0), m: new Map([["a", 1]]), s: Object.assign(Object.create(null), { b: 1, a: 2 }) });
    expect(toCanonicalYaml(undefined)).toBe(toCanonicalYamlReference(undefined));
    expect(() => toCanonicalYaml({ f: () => 1 })).toThrow();
    expect(() => toCanonicalYamlReference({ f: () => 1 })).toThrow();
  });
});
