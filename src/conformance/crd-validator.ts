/**
 * CRD conformance validator: checks Kubernetes objects against the OpenAPI v3 schemas of the
 * CustomResourceDefinitions it is given (as YAML text — this module never reads files).
 *
 * What it checks, on top of plain JSON Schema (ajv):
 * - `x-kubernetes-int-or-string` nodes without a type accept only integers and strings;
 * - formats: `int32`/`int64` (integer ranges), `double`/`float` (no-op), `byte` (base64),
 *   `date-time`/`date` (RFC 3339), `duration` (a **Go** duration such as `10s`, `1h30m`);
 * - unknown fields (typos) are rejected by default: every `type: object` node that lists `properties`,
 *   has no `additionalProperties` and no `x-kubernetes-preserve-unknown-fields: true` is closed
 *   (`{ closed: false }` turns this off);
 * - `x-kubernetes-list-type: set` / `map` + `x-kubernetes-list-map-keys` uniqueness;
 * - `metadata`: name (DNS-1123 subdomain), namespace (DNS-1123 label), label and annotation keys/values;
 * - one CEL pattern only: `duration(self) <op> duration('<literal>')` (Istio's duration fields).
 *   Every other `x-kubernetes-validations` rule is NOT evaluated, see {@link UNCHECKED_CEL_NOTE}.
 *
 * Pure: no I/O, no clock, no randomness. Schemas are compiled lazily per (group, version, kind) on first use
 * and cached in the registry (identical schemas, e.g. Istio v1/v1beta1/v1alpha3, are compiled once).
 */
import Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import * as either from "fp-ts/lib/Either.js";
import { parseAllDocuments } from "yaml";

// ---------------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------------

/** One conformance problem. `path` is dotted, e.g. `spec.http[0].route[0].weight` (empty for the object itself). */
export interface ConformanceError {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Dotted field path inside the object, e.g. `spec.http[0].route[0].weight`; `""` means the whole object. */
  readonly path: string;
  readonly message: string;
  /** For errors found while loading CRDs: the `source` the CRD text came from. */
  readonly source?: string;
  /** Set by {@link validateObjects}: zero-based position of the object in the input list. */
  readonly index?: number;
}

/** Options for validation. */
export interface ConformanceOptions {
  /**
   * Reject fields the schema does not declare (what `kubectl apply --validate=strict` does). Default `true`.
   * With `false` unknown fields are accepted (the API server would silently prune them).
   */
  readonly closed?: boolean;
}

/** A (group, version, kind) served by a loaded CRD. */
export interface CrdVersionInfo {
  /** `group/version`, e.g. `networking.istio.io/v1`. */
  readonly apiVersion: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `metadata.name` of the CRD, e.g. `virtualservices.networking.istio.io`. */
  readonly crdName: string;
  /** The `source` label of the text the CRD was loaded from. */
  readonly source: string;
  /** Whether this version is the CRD's storage version. */
  readonly storage: boolean;
  /** Number of `x-kubernetes-validations` rules in this version's schema. */
  readonly celRules: number;
  /** How many of them this validator evaluates (the `duration(self) >= duration('…')` pattern). */
  readonly celRulesChecked: number;
}

declare const registryBrand: unique symbol;

/** The loaded CRDs. Opaque: use the functions of this module; `versions` lists what is known. */
export interface CrdRegistry {
  readonly [registryBrand]: true;
  /** Every served (group, version, kind) that has a schema, sorted by apiVersion then kind. */
  readonly versions: readonly CrdVersionInfo[];
  /** Default options given to {@link loadCrds}. */
  readonly options: Required<ConformanceOptions>;
}

/**
 * Only one family of CEL rules is evaluated; say so wherever results are shown.
 */
export const UNCHECKED_CEL_NOTE =
  "CEL rules (x-kubernetes-validations) are not evaluated, except the Istio duration pattern " +
  "`duration(self) >= duration('<literal>')` (and its <, <=, >, ==, != variants), which is checked as a Go duration. " +
  "Every other CEL rule — e.g. Gateway API path/match consistency, unique names, Istio port ranges and mutually " +
  "exclusive fields written in CEL — is only enforced by the Kubernetes API server, so an object that passes here can " +
  "still be rejected by `kubectl apply`.";

// ---------------------------------------------------------------------------------------------------------------------
// Registry internals
// ---------------------------------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

interface Entry {
  readonly info: CrdVersionInfo;
  readonly schema: JsonObject;
}

interface State {
  readonly entries: Map<string, Entry>;
  /** gvk key + closed flag → compiled validator. */
  readonly byGvk: Map<string, ValidateFunction>;
  /** Serialized raw schema + closed flag → compiled validator (dedupes identical schemas across versions). */
  readonly byContent: Map<string, ValidateFunction>;
  ajv: Ajv | undefined;
}

const states = new WeakMap<CrdRegistry, State>();

function stateOf(registry: CrdRegistry): State {
  const s = states.get(registry);
  if (s === undefined) throw new TypeError("not a CrdRegistry created by loadCrds()");
  return s;
}

const gvkKey = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------------------

const CRD_API_VERSIONS = new Set(["apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"]);

/**
 * Parses CRD YAML texts (multi-document, `kind: List` not supported) and indexes every served version that has an
 * `openAPIV3Schema`. Documents that are not CustomResourceDefinitions are ignored. A CRD loaded later replaces every
 * version of an earlier CRD with the same group and kind (so gateway-api v1.6.1 overrides v1.4.1 when loaded after it).
 * Nothing is compiled here.
 */
export function loadCrds(
  texts: readonly { readonly source: string; readonly text: string }[],
  options: ConformanceOptions = {},
): either.Either<ConformanceError[], CrdRegistry> {
  const errors: ConformanceError[] = [];
  const entries = new Map<string, Entry>();
  const crdError = (source: string, message: string, name?: string, path = ""): void => {
    errors.push({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", ...(name === undefined ? {} : { name }), path, message, source });
  };

  for (const { source, text } of texts) {
    // An empty text parses to an empty list.
    const docs = parseAllDocuments(text, { prettyErrors: true });
    docs.forEach((doc, docIndex) => {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) crdError(source, `YAML document ${docIndex}: ${e.message}`);
        return;
      }
      const crd: unknown = doc.toJS({ maxAliasCount: 100 });
      if (!isObject(crd) || crd["kind"] !== "CustomResourceDefinition") return;
      const apiVersion = crd["apiVersion"];
      const name = isObject(crd["metadata"]) && typeof crd["metadata"]["name"] === "string" ? crd["metadata"]["name"] : undefined;
      if (typeof apiVersion !== "string" || !CRD_API_VERSIONS.has(apiVersion)) {
        crdError(source, `document ${docIndex}: unsupported CustomResourceDefinition apiVersion ${JSON.stringify(apiVersion)}`, name, "apiVersion");
        return;
      }
      const spec = crd["spec"];
      if (!isObject(spec)) {
        crdError(source, `document ${docIndex}: CRD has no spec`, name, "spec");
        return;
      }
      const group = spec["group"];
      const names = spec["names"];
      const kind = isObject(names) ? names["kind"] : undefined;
      if (typeof group !== "string" || group === "") {
        crdError(source, `document ${docIndex}: CRD has no spec.group`, name, "spec.group");
        return;
      }
      if (typeof kind !== "string" || kind === "") {
        crdError(source, `document ${docIndex}: CRD has no spec.names.kind`, name, "spec.names.kind");
        return;
      }
      // v1beta1 CRDs may carry one top-level schema and a single `spec.version`.
      const validation = spec["validation"];
      const sharedSchema = isObject(validation) ? validation["openAPIV3Schema"] : undefined;
      const versions: unknown[] = Array.isArray(spec["versions"])
        ? spec["versions"]
        : typeof spec["version"] === "string"
          ? [{ name: spec["version"], served: true, storage: true }]
          : [];
      if (versions.length === 0) {
        crdError(source, `document ${docIndex}: CRD has no spec.versions`, name, "spec.versions");
        return;
      }
      // Replace every version of an earlier CRD for the same group+kind.
      for (const [key, entry] of entries) {
        if (entry.info.group === group && entry.info.kind === kind) entries.delete(key);
      }
      versions.forEach((v, i) => {
        if (!isObject(v) || typeof v["name"] !== "string") {
          crdError(source, `document ${docIndex}: spec.versions[${i}] has no name`, name, `spec.versions[${i}].name`);
          return;
        }
        if (v["served"] === false) return;
        const schemaHolder = v["schema"];
        const schema = isObject(schemaHolder) ? schemaHolder["openAPIV3Schema"] : sharedSchema;
        if (!isObject(schema)) return;
        const { total, checked } = countCel(schema);
        const info: CrdVersionInfo = {
          apiVersion: `${group}/${v["name"]}`,
          group,
          version: v["name"],
          kind,
          crdName: name ?? `${kind}.${group}`,
          source,
          storage: v["storage"] === true,
          celRules: total,
          celRulesChecked: checked,
        };
        entries.set(gvkKey(group, v["name"], kind), { info, schema });
      });
    });
  }
  if (errors.length > 0) return either.left(errors);

  const versionsList = [...entries.values()]
    .map((e) => e.info)
    .sort((a, b) => (a.apiVersion === b.apiVersion ? cmp(a.kind, b.kind) : cmp(a.apiVersion, b.apiVersion)));
  const registry = {
    versions: versionsList,
    options: { closed: options.closed ?? true },
  } as unknown as CrdRegistry;
  states.set(registry, { entries, byGvk: new Map(), byContent: new Map(), ajv: undefined });
  return either.right(registry);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Whether a schema is loaded for this apiVersion + kind. */
export function hasSchemaFor(registry: CrdRegistry, apiVersion: string, kind: string): boolean {
  const { group, version } = splitApiVersion(apiVersion);
  return stateOf(registry).entries.has(gvkKey(group, version, kind));
}

/** Number of distinct schemas compiled so far (for tests: compilation is lazy). */
export function compiledCount(registry: CrdRegistry): number {
  return stateOf(registry).byContent.size;
}

// ---------------------------------------------------------------------------------------------------------------------
// Go durations (time.ParseDuration) — used by `format: duration` and the CEL `duration()` subset
// ---------------------------------------------------------------------------------------------------------------------

const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3, // µ (micro sign)
  "\u03bcs": 1e3, // μ (Greek mu)
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y;
const MAX_DURATION_NS = 9223372036854775807;

/**
 * Parses a Go duration (`300ms`, `-1.5h`, `2h45m`, `0`) into nanoseconds, like Go's `time.ParseDuration`
 * (which Kubernetes and CEL's `duration()` use). Returns `undefined` for anything else (e.g. `10 seconds`, `PT10S`, `10`).
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    sign = s.startsWith("-") ? -1 : 1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const start = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(s);
    if (m === null || m.index !== start) return undefined;
    const unit = DURATION_UNITS_NS[m[2] ?? ""];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
  }
  if (total > MAX_DURATION_NS) return undefined;
  return sign * total;
}

// ---------------------------------------------------------------------------------------------------------------------
// CEL subset: duration(self) <op> duration('<literal>')
// ---------------------------------------------------------------------------------------------------------------------

const CEL_DURATION_RULE = /^\s*duration\(\s*self\s*\)\s*(>=|<=|>|<|==|!=)\s*duration\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\)\s*$/;

interface DurationRule {
  readonly rule: string;
  readonly op: string;
  readonly limitText: string;
  readonly limitNs: number;
  readonly message?: string;
}

function parseDurationRule(rule: unknown): Omit<DurationRule, "message"> | undefined {
  if (!isObject(rule) || typeof rule["rule"] !== "string") return undefined;
  const m = CEL_DURATION_RULE.exec(rule["rule"]);
  if (m === null) return undefined;
  const limitText = m[2] ?? m[3] ?? "";
  const limitNs = parseGoDuration(limitText);
  if (limitNs === undefined) return undefined;
  return { rule: rule["rule"].trim(), op: m[1] ?? ">=", limitText, limitNs };
}

function countCel(node: unknown): { total: number; checked: number } {
  let total = 0;
  let checked = 0;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    if (!isObject(n)) return;
    const rules = n["x-kubernetes-validations"];
    if (Array.isArray(rules)) {
      for (const r of rules) {
        total += 1;
        if (parseDurationRule(r) !== undefined) checked += 1;
      }
    }
    for (const [k, v] of Object.entries(n)) {
      if (k === "x-kubernetes-validations" || k === "enum" || k === "default" || k === "example") continue;
      walk(v);
    }
  };
  walk(node);
  return { total, checked };
}

const compareNs = (op: string, a: number, b: number): boolean =>
  op === ">=" ? a >= b : op === "<=" ? a <= b : op === ">" ? a > b : op === "<" ? a < b : op === "==" ? a === b : a !== b;

// ---------------------------------------------------------------------------------------------------------------------
// Schema preprocessing (builds new nodes; the stored schema is never mutated)
// ---------------------------------------------------------------------------------------------------------------------

const KW_DURATION = "x-meshhub-cel-duration";
const KW_LIST_MAP = "x-meshhub-list-map";
const K8S_KEYWORDS = [
  "x-kubernetes-validations",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-int-or-string",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-map-type",
] as const;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const RFC3339_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const RFC3339_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** Formats ajv learns; any other `format` is dropped (Kubernetes ignores formats it does not know, too). */
const FORMATS: Readonly<Record<string, { type: "number" | "string"; validate: (v: never) => boolean } | true>> = {
  int32: { type: "number", validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX },
  int64: { type: "number", validate: (n: number) => Number.isInteger(n) },
  double: { type: "number", validate: () => true },
  float: { type: "number", validate: () => true },
  byte: { type: "string", validate: (s: string) => BASE64.test(s) },
  "date-time": { type: "string", validate: (s: string) => RFC3339_DATE_TIME.test(s) },
  datetime: { type: "string", validate: (s: string) => RFC3339_DATE_TIME.test(s) },
  date: { type: "string", validate: (s: string) => RFC3339_DATE.test(s) },
  duration: { type: "string", validate: (s: string) => parseGoDuration(s) !== undefined },
  uuid: { type: "string", validate: (s: string) => UUID.test(s) },
  "int-or-string": true,
  password: true,
};

const FORMAT_HINTS: Readonly<Record<string, string>> = {
  int32: `must be a 32-bit integer (${INT32_MIN}..${INT32_MAX})`,
  int64: "must be a 64-bit integer",
  byte: "must be base64-encoded bytes",
  "date-time": "must be an RFC 3339 date-time such as 2024-01-02T15:04:05Z",
  datetime: "must be an RFC 3339 date-time such as 2024-01-02T15:04:05Z",
  date: "must be an RFC 3339 date such as 2024-01-02",
  duration: 'must be a Go duration such as "10s", "1m30s" or "250ms"',
  uuid: "must be a UUID",
};

interface PrepareContext {
  readonly closed: boolean;
}

const SUBSCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs"]);
const SUBSCHEMA_SINGLE = new Set(["additionalProperties", "not", "additionalItems", "contains", "propertyNames"]);
const SUBSCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf"]);

function isValidUnicodeRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

/** Returns a new schema ready for ajv; `root` adds the implicit apiVersion/kind/metadata fields. */
function prepareSchema(node: JsonObject, ctx: PrepareContext, root: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (SUBSCHEMA_MAPS.has(key) && isObject(value)) {
      const mapped: JsonObject = {};
      for (const [name, sub] of Object.entries(value)) {
        mapped[name] = isObject(sub) ? prepareSchema(sub, ctx, false) : sub;
      }
      out[key] = mapped;
    } else if (SUBSCHEMA_SINGLE.has(key) && isObject(value)) {
      out[key] = prepareSchema(value, ctx, false);
    } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((sub) => (isObject(sub) ? prepareSchema(sub, ctx, false) : sub));
    } else if (key === "items") {
      out[key] = Array.isArray(value)
        ? value.map((sub) => (isObject(sub) ? prepareSchema(sub, ctx, false) : sub))
        : isObject(value)
          ? prepareSchema(value, ctx, false)
          : value;
    } else if (key === "format") {
      if (typeof value === "string" && value in FORMATS) out[key] = value;
    } else if (key === "pattern") {
      if (typeof value === "string" && isValidUnicodeRegExp(value)) out[key] = value;
    } else if (key === "nullable") {
      // ajv's `nullable` needs `type`; handled below.
    } else {
      out[key] = value;
    }
  }

  const nullable = node["nullable"] === true;
  const hasType = "type" in node;
  if (node["x-kubernetes-int-or-string"] === true && !hasType && !("anyOf" in node) && !("oneOf" in node)) {
    out["anyOf"] = nullable ? [{ type: "integer" }, { type: "string" }, { type: "null" }] : [{ type: "integer" }, { type: "string" }];
  } else if (nullable && hasType) {
    out["nullable"] = true;
  }

  // The implicit root fields of every Kubernetes object (and of embedded resources).
  const embedded = root || node["x-kubernetes-embedded-resource"] === true;
  if (embedded && isObject(out["properties"])) {
    const props = { ...out["properties"] };
    props["apiVersion"] ??= { type: "string" };
    props["kind"] ??= { type: "string" };
    // metadata is checked by validateMetadata(); never close it here.
    const meta = props["metadata"];
    props["metadata"] = isObject(meta) ? { ...meta, additionalProperties: true } : { type: "object" };
    out["properties"] = props;
  }

  // Close objects so typos are reported.
  if (
    ctx.closed &&
    node["type"] === "object" &&
    isObject(node["properties"]) &&
    !("additionalProperties" in node) &&
    node["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out["additionalProperties"] = false;
  }

  // set → uniqueItems; map → uniqueness by key tuple (defaults fill absent keys, as the API server does).
  if (node["type"] === "array") {
    const listType = node["x-kubernetes-list-type"];
    if (listType === "set" && node["uniqueItems"] === undefined) out["uniqueItems"] = true;
    const keys = node["x-kubernetes-list-map-keys"];
    if (listType === "map" && Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === "string")) {
      const items = node["items"];
      const itemProps = isObject(items) && isObject(items["properties"]) ? items["properties"] : {};
      const defaults: JsonObject = {};
      for (const k of keys as string[]) {
        const p = itemProps[k];
        if (isObject(p) && "default" in p) defaults[k] = p["default"];
      }
      out[KW_LIST_MAP] = { keys, defaults };
    }
  }

  // The one CEL family we evaluate.
  const rules = node["x-kubernetes-validations"];
  if (Array.isArray(rules)) {
    const durationRules: DurationRule[] = [];
    for (const r of rules) {
      const parsed = parseDurationRule(r);
      if (parsed === undefined) continue;
      const message = isObject(r) && typeof r["message"] === "string" ? r["message"] : undefined;
      durationRules.push(message === undefined ? parsed : { ...parsed, message });
    }
    if (durationRules.length > 0) out[KW_DURATION] = durationRules;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// ajv setup and compilation
// ---------------------------------------------------------------------------------------------------------------------

interface CustomError {
  instancePath?: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
}

function durationKeyword(rules: readonly DurationRule[], data: unknown): CustomError[] {
  if (typeof data !== "string") return []; // the type check reports it
  const errs: CustomError[] = [];
  const ns = parseGoDuration(data);
  for (const r of rules) {
    const prefix = r.message ?? `failed CEL rule ${r.rule}`;
    if (ns === undefined) {
      errs.push({ keyword: KW_DURATION, message: `${prefix}: ${JSON.stringify(data)} is not a Go duration (e.g. "10s", "1m30s", "250ms")`, params: { rule: r.rule } });
      break;
    }
    if (!compareNs(r.op, ns, r.limitNs)) {
      errs.push({ keyword: KW_DURATION, message: `${prefix}: ${JSON.stringify(data)} is not ${r.op} ${r.limitText} (CEL rule ${r.rule})`, params: { rule: r.rule } });
    }
  }
  return errs;
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function listMapKeyword(spec: { keys: readonly string[]; defaults: JsonObject }, data: unknown, instancePath: string): CustomError[] {
  if (!Array.isArray(data)) return [];
  const seen = new Map<string, number>();
  const errs: CustomError[] = [];
  data.forEach((item, i) => {
    if (!isObject(item)) return;
    const tuple = spec.keys.map((k) => (k in item ? item[k] : spec.defaults[k]));
    const id = stableStringify(tuple);
    const first = seen.get(id);
    if (first === undefined) {
      seen.set(id, i);
      return;
    }
    const desc = spec.keys.map((k, j) => `${k}=${JSON.stringify(tuple[j]) ?? "<unset>"}`).join(", ");
    errs.push({
      instancePath: `${instancePath}/${i}`,
      keyword: KW_LIST_MAP,
      message: `duplicate entry: items ${first} and ${i} have the same key (${desc}); keys must be unique in this list`,
      params: { keys: spec.keys, first, duplicate: i },
    });
  });
  return errs;
}

// ajv "func" keywords report errors through a property of the function (set synchronously before returning).
function celDurationValidate(schema: readonly DurationRule[], data: unknown): boolean {
  const errs = durationKeyword(schema, data);
  celDurationValidate.errors = errs;
  return errs.length === 0;
}
celDurationValidate.errors = [] as Partial<ErrorObject>[];

function listMapValidate(schema: { keys: readonly string[]; defaults: JsonObject }, data: unknown, _parent?: unknown, cxt?: { instancePath: string }): boolean {
  const errs = listMapKeyword(schema, data, cxt?.instancePath ?? "");
  listMapValidate.errors = errs;
  return errs.length === 0;
}
listMapValidate.errors = [] as Partial<ErrorObject>[];

function newAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    logger: false,
    validateSchema: false,
    unicodeRegExp: true,
    addUsedSchema: false,
  });
  for (const keyword of K8S_KEYWORDS) ajv.addKeyword({ keyword });
  for (const [name, def] of Object.entries(FORMATS)) {
    if (def === true) ajv.addFormat(name, true);
    else if (def.type === "number") ajv.addFormat(name, { type: "number", validate: def.validate as (n: number) => boolean });
    else ajv.addFormat(name, { type: "string", validate: def.validate as (s: string) => boolean });
  }
  ajv.addKeyword({ keyword: KW_DURATION, schemaType: "array", errors: true, validate: celDurationValidate });
  ajv.addKeyword({ keyword: KW_LIST_MAP, type: "array", schemaType: "object", errors: true, validate: listMapValidate });
  return ajv;
}

function compiledFor(registry: CrdRegistry, entry: Entry, closed: boolean): ValidateFunction | string {
  const state = stateOf(registry);
  const key = `${gvkKey(entry.info.group, entry.info.version, entry.info.kind)}|${closed ? "closed" : "open"}`;
  const cached = state.byGvk.get(key);
  if (cached !== undefined) return cached;
  const contentKey = `${closed ? "closed" : "open"}|${JSON.stringify(entry.schema)}`;
  let fn = state.byContent.get(contentKey);
  if (fn === undefined) {
    state.ajv ??= newAjv();
    try {
      fn = state.ajv.compile(prepareSchema(entry.schema, { closed }, true));
    } catch (e) {
      return `cannot compile the schema of CRD ${entry.info.crdName} version ${entry.info.version}: ${e instanceof Error ? e.message : String(e)}`;
    }
    state.byContent.set(contentKey, fn);
  }
  state.byGvk.set(key, fn);
  return fn;
}

// ---------------------------------------------------------------------------------------------------------------------
// Paths and value rendering
// ---------------------------------------------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Converts a JSON pointer (`/spec/http/0/route`) into a dotted path (`spec.http[0].route`), using the data for arrays. */
export function pointerToPath(pointer: string, data?: unknown): string {
  if (pointer === "" || pointer === "/") return "";
  const segments = pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let out = "";
  let cur: unknown = data;
  for (const seg of segments) {
    const isIndex = /^(0|[1-9]\d*)$/.test(seg);
    if (isIndex && (Array.isArray(cur) || (cur === undefined && data === undefined))) out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
    cur = Array.isArray(cur) ? cur[Number(seg)] : isObject(cur) ? cur[seg] : undefined;
  }
  return out;
}

function truncate(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** `string "80"`, `integer 80`, `object`, `array of 2 items`, `null` … */
function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return `string ${truncate(JSON.stringify(v))}`;
  if (typeof v === "number") return `${Number.isInteger(v) ? "integer" : "number"} ${v}`;
  if (typeof v === "boolean") return `boolean ${v}`;
  if (Array.isArray(v)) return `array of ${v.length} item${v.length === 1 ? "" : "s"}`;
  if (isObject(v)) {
    const keys = Object.keys(v);
    return keys.length === 0 ? "empty object" : `object with key${keys.length === 1 ? "" : "s"} ${truncate(keys.join(", "), 60)}`;
  }
  return typeof v;
}

function renderValue(v: unknown): string {
  if (typeof v === "string") return truncate(JSON.stringify(v));
  if (v === undefined) return "nothing";
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  return describeValue(v);
}

function listWords(items: readonly string[], max = 20): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown}, … (${items.length - max} more)` : shown;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

function suggest(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const d = editDistance(unknown, k);
    if (d < bestScore) {
      best = k;
      bestScore = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(unknown.length / 3)));
  if (best !== undefined && (bestScore <= limit || best.toLowerCase().startsWith(unknown.toLowerCase()) || unknown.toLowerCase().startsWith(best.toLowerCase()))) return best;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// ajv error → readable message
// ---------------------------------------------------------------------------------------------------------------------

interface RawIssue {
  readonly pointer: string;
  readonly message: string;
}

const requiredOf = (branch: unknown): string[] | undefined => {
  if (!isObject(branch)) return undefined;
  const keys = Object.keys(branch).filter((k) => k !== "description");
  if (keys.length !== 1 || !Array.isArray(branch["required"])) return undefined;
  const req = branch["required"];
  return req.every((r) => typeof r === "string") ? (req as string[]) : undefined;
};

const typeOf = (branch: unknown): string | undefined => {
  if (!isObject(branch)) return undefined;
  const t = branch["type"];
  return Object.keys(branch).length === 1 && typeof t === "string" ? t : undefined;
};

/** `{not: {anyOf: [{required: [a]}, {required: [b]}]}}` → [[a], [b]] */
const noneOf = (branch: unknown): string[][] | undefined => {
  if (!isObject(branch) || Object.keys(branch).length !== 1 || !isObject(branch["not"])) return undefined;
  const inner = branch["not"];
  const alts = Array.isArray(inner["anyOf"]) ? inner["anyOf"] : [inner];
  const sets = alts.map(requiredOf);
  return sets.every((s): s is string[] => s !== undefined) ? sets : undefined;
};

const fieldSet = (fields: readonly string[]): string => fields.join(" + ");
const present = (data: unknown, sets: readonly (readonly string[])[]): string[] =>
  isObject(data) ? sets.filter((s) => s.every((f) => f in data)).map(fieldSet) : [];

function describeOneOf(branches: unknown, data: unknown, passing: unknown): string {
  if (!Array.isArray(branches)) return "must match exactly one alternative";
  const found = (sets: string[][]): string => {
    const p = present(data, sets);
    return p.length === 0 ? "found none" : `found ${p.join(", ")}`;
  };
  const reqs = branches.map(requiredOf);
  // oneOf: [{required: [a]}, {required: [b]}] — exactly one of a, b
  if (reqs.every((r): r is string[] => r !== undefined)) {
    return `exactly one of ${reqs.map(fieldSet).join(", ")} must be set; ${found(reqs)}`;
  }
  // Istio: oneOf: [{not: {anyOf: [{required: [a]}, {required: [b]}]}}, {required: [a]}, {required: [b]}] — at most one
  const first = noneOf(branches[0]);
  const rest = reqs.slice(1);
  if (first !== undefined && rest.every((r): r is string[] => r !== undefined)) {
    return `at most one of ${rest.map(fieldSet).join(", ")} may be set; ${found(rest)}`;
  }
  const alts = branches.map((b, i) => {
    const r = requiredOf(b);
    if (r !== undefined) return `{${fieldSet(r)}}`;
    const t = typeOf(b);
    if (t !== undefined) return t;
    const n = noneOf(b);
    if (n !== undefined) return `none of ${n.map(fieldSet).join(", ")}`;
    return `alternative #${i + 1}`;
  });
  const matched = Array.isArray(passing) ? `matched alternatives ${passing.map((i) => `#${Number(i) + 1}`).join(" and ")}` : "matched none";
  return `must match exactly one of: ${alts.join(" | ")}; ${matched}`;
}

function describeAnyOf(branches: unknown, data: unknown): string {
  if (!Array.isArray(branches)) return "must match at least one alternative";
  const types = branches.map(typeOf);
  if (types.every((t): t is string => t !== undefined)) return `expected ${types.join(" or ")}, found ${describeValue(data)}`;
  const reqs = branches.map(requiredOf);
  if (reqs.every((r): r is string[] => r !== undefined)) return `at least one of ${reqs.map(fieldSet).join(", ")} must be set`;
  return `must match at least one of ${branches.length} alternatives`;
}

function describeNot(schema: unknown, data: unknown): string {
  const sets = noneOf({ not: schema });
  if (sets !== undefined) {
    const p = present(data, sets);
    return sets.length === 1 ? `${fieldSet(sets[0] ?? [])} must not be set` : `none of ${sets.map(fieldSet).join(", ")} may be set here; found ${p.join(", ") || "none"}`;
  }
  return "must not match the excluded schema";
}

function issueFromAjv(e: ErrorObject): RawIssue {
  const p = e.params as Record<string, unknown>;
  const data: unknown = e.data;
  switch (e.keyword) {
    case "additionalProperties": {
      const prop = String(p["additionalProperty"]);
      const known = isObject(e.parentSchema) && isObject(e.parentSchema["properties"]) ? Object.keys(e.parentSchema["properties"]) : [];
      const hint = suggest(prop, known);
      const knownText = known.length > 0 ? `; known fields: ${listWords(known)}` : "";
      return {
        pointer: `${e.instancePath}/${prop.replace(/~/g, "~0").replace(/\//g, "~1")}`,
        message: `unknown field ${JSON.stringify(prop)}${hint === undefined ? knownText : ` (did you mean ${JSON.stringify(hint)}?)`}`,
      };
    }
    case "required": {
      const prop = String(p["missingProperty"]);
      return { pointer: `${e.instancePath}/${prop.replace(/~/g, "~0").replace(/\//g, "~1")}`, message: `required field ${JSON.stringify(prop)} is missing` };
    }
    case "type": {
      const expected = Array.isArray(p["type"]) ? (p["type"] as string[]).join(" or ") : String(p["type"]);
      const nullable = isObject(e.parentSchema) && e.parentSchema["nullable"] === true ? " or null" : "";
      return { pointer: e.instancePath, message: `expected ${expected}${nullable}, found ${describeValue(data)}` };
    }
    case "enum": {
      const allowed = Array.isArray(p["allowedValues"]) ? (p["allowedValues"] as unknown[]).map(renderValue) : [];
      return { pointer: e.instancePath, message: `must be one of ${listWords(allowed, 30)}; found ${renderValue(data)}` };
    }
    case "const":
      return { pointer: e.instancePath, message: `must be ${renderValue(p["allowedValue"])}; found ${renderValue(data)}` };
    case "oneOf":
      return { pointer: e.instancePath, message: describeOneOf(e.schema, data, p["passingSchemas"]) };
    case "anyOf":
      return { pointer: e.instancePath, message: describeAnyOf(e.schema, data) };
    case "not":
      return { pointer: e.instancePath, message: describeNot(e.schema, data) };
    case "format": {
      const f = String(p["format"]);
      return { pointer: e.instancePath, message: `${FORMAT_HINTS[f] ?? `must match format "${f}"`}; found ${renderValue(data)}` };
    }
    case "pattern":
      return { pointer: e.instancePath, message: `must match the pattern ${String(p["pattern"])}; found ${renderValue(data)}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { pointer: e.instancePath, message: `must be ${String(p["comparison"])} ${String(p["limit"])}; found ${renderValue(data)}` };
    case "multipleOf":
      return { pointer: e.instancePath, message: `must be a multiple of ${String(p["multipleOf"])}; found ${renderValue(data)}` };
    case "minLength":
    case "maxLength": {
      const len = typeof data === "string" ? [...data].length : undefined;
      const bound = e.keyword === "minLength" ? "at least" : "at most";
      return { pointer: e.instancePath, message: `must be ${bound} ${String(p["limit"])} characters long; found ${len ?? "?"} (${renderValue(data)})` };
    }
    case "minItems":
    case "maxItems":
    case "minProperties":
    case "maxProperties": {
      const n = Array.isArray(data) ? data.length : isObject(data) ? Object.keys(data).length : undefined;
      const bound = e.keyword.startsWith("min") ? "at least" : "at most";
      const what = e.keyword.endsWith("Items") ? "items" : "entries";
      return { pointer: e.instancePath, message: `must have ${bound} ${String(p["limit"])} ${what}; found ${n ?? "?"}` };
    }
    case "uniqueItems":
      return { pointer: e.instancePath, message: `must not contain duplicates; items ${String(p["j"])} and ${String(p["i"])} are identical` };
    default:
      return { pointer: e.instancePath, message: e.message ?? `failed ${e.keyword}` };
  }
}

const COMPOSITES = new Set(["oneOf", "anyOf", "not"]);
const VALUE_KEYWORDS = new Set(["enum", "const", "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]);

function issuesFromAjv(errors: readonly ErrorObject[]): RawIssue[] {
  // Errors raised inside a failed oneOf/anyOf branch are noise once the composite error is explained.
  const compositePaths = errors.filter((e) => COMPOSITES.has(e.keyword)).map((e) => `${e.schemaPath}/`);
  // Once a value has the wrong type, its enum/format/pattern/length failures say nothing new.
  const wrongType = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const issues: RawIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (compositePaths.some((prefix) => e.schemaPath.startsWith(prefix))) continue;
    if (e.keyword !== "type" && wrongType.has(e.instancePath) && VALUE_KEYWORDS.has(e.keyword)) continue;
    const issue = issueFromAjv(e);
    const id = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------------------
// metadata
// ---------------------------------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const OBJECT_META_FIELDS = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

function checkSubdomain(value: string, what: string): string | undefined {
  if (value.length > 253) return `${what} must be at most 253 characters; found ${value.length}`;
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return `${what} must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit); found ${renderValue(value)}`;
  }
  return undefined;
}

function checkQualifiedName(key: string, what: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix === "") return `${what} ${renderValue(key)} has an empty prefix before '/'`;
    const bad = checkSubdomain(prefix, `the prefix of ${what} ${renderValue(key)}`);
    if (bad !== undefined) return bad;
  }
  if (name === "") return `${what} ${renderValue(key)} has an empty name`;
  if (name.length > 63) return `the name part of ${what} ${renderValue(key)} must be at most 63 characters; found ${name.length}`;
  if (!QUALIFIED_NAME_PART.test(name)) {
    return `${what} ${renderValue(key)} is invalid: the name part must be alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character (optionally prefixed by a DNS subdomain and '/')`;
  }
  return undefined;
}

function validateMetadata(meta: unknown, closed: boolean): RawIssue[] {
  const issues: RawIssue[] = [];
  const add = (pointer: string, message: string): void => {
    issues.push({ pointer, message });
  };
  if (meta === undefined) {
    add("/metadata", "required field \"metadata\" is missing");
    return issues;
  }
  if (!isObject(meta)) {
    add("/metadata", `expected object, found ${describeValue(meta)}`);
    return issues;
  }
  const name = meta["name"];
  if (name === undefined) add("/metadata/name", 'required field "name" is missing');
  else if (typeof name !== "string") add("/metadata/name", `expected string, found ${describeValue(name)}`);
  else {
    const bad = checkSubdomain(name, "name");
    if (bad !== undefined) add("/metadata/name", bad);
  }
  const ns = meta["namespace"];
  if (ns !== undefined) {
    if (typeof ns !== "string") add("/metadata/namespace", `expected string, found ${describeValue(ns)}`);
    else if (ns.length > 63) add("/metadata/namespace", `namespace must be at most 63 characters; found ${ns.length}`);
    else if (!DNS1123_LABEL.test(ns)) {
      add("/metadata/namespace", `namespace must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit); found ${renderValue(ns)}`);
    }
  }
  const labels = meta["labels"];
  if (labels !== undefined) {
    if (!isObject(labels)) add("/metadata/labels", `expected object, found ${describeValue(labels)}`);
    else {
      for (const [k, v] of Object.entries(labels)) {
        const p = `/metadata/labels/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        const badKey = checkQualifiedName(k, "label key");
        if (badKey !== undefined) add(p, badKey);
        if (typeof v !== "string") add(p, `label values must be strings; found ${describeValue(v)}`);
        else if (v.length > 63) add(p, `label value must be at most 63 characters; found ${v.length}`);
        else if (!LABEL_VALUE.test(v)) {
          add(p, `label value ${renderValue(v)} is invalid: alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character (or empty)`);
        }
      }
    }
  }
  const annotations = meta["annotations"];
  if (annotations !== undefined) {
    if (!isObject(annotations)) add("/metadata/annotations", `expected object, found ${describeValue(annotations)}`);
    else {
      let size = 0;
      for (const [k, v] of Object.entries(annotations)) {
        const p = `/metadata/annotations/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        // Kubernetes checks annotation keys case-insensitively.
        const badKey = checkQualifiedName(k.toLowerCase(), "annotation key");
        if (badKey !== undefined) add(p, badKey);
        if (typeof v !== "string") add(p, `annotation values must be strings; found ${describeValue(v)}`);
        else size += k.length + v.length;
      }
      if (size > MAX_ANNOTATIONS_BYTES) add("/metadata/annotations", `annotations may total at most ${MAX_ANNOTATIONS_BYTES} bytes; found ${size}`);
    }
  }
  if (closed) {
    for (const k of Object.keys(meta)) {
      if (!OBJECT_META_FIELDS.includes(k)) {
        const hint = suggest(k, OBJECT_META_FIELDS);
        add(`/metadata/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, `unknown field ${JSON.stringify(k)}${hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`}`);
      }
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------------

function identity(obj: unknown): { apiVersion: string; kind: string; namespace?: string; name?: string } {
  const o = isObject(obj) ? obj : {};
  const meta = isObject(o["metadata"]) ? o["metadata"] : {};
  return {
    apiVersion: typeof o["apiVersion"] === "string" ? o["apiVersion"] : "",
    kind: typeof o["kind"] === "string" ? o["kind"] : "",
    ...(typeof meta["namespace"] === "string" ? { namespace: meta["namespace"] } : {}),
    ...(typeof meta["name"] === "string" ? { name: meta["name"] } : {}),
  };
}

/**
 * Validates one object against the schema of its apiVersion + kind. Returns `[]` when it conforms.
 * An object whose apiVersion/kind has no loaded CRD gets exactly one error, `no CRD for <apiVersion> <kind>`
 * (use {@link hasSchemaFor} first to treat built-in kinds as out of scope).
 */
export function validateObject(registry: CrdRegistry, obj: unknown, options: ConformanceOptions = {}): ConformanceError[] {
  const state = stateOf(registry);
  const closed = options.closed ?? registry.options.closed;
  const id = identity(obj);
  const mk = (issue: RawIssue): ConformanceError => ({ ...id, path: pointerToPath(issue.pointer, obj), message: issue.message });
  if (!isObject(obj)) return [mk({ pointer: "", message: `expected a Kubernetes object, found ${describeValue(obj)}` })];
  const problems: RawIssue[] = [];
  if (id.apiVersion === "") problems.push({ pointer: "/apiVersion", message: `apiVersion must be a non-empty string; found ${renderValue(obj["apiVersion"])}` });
  if (id.kind === "") problems.push({ pointer: "/kind", message: `kind must be a non-empty string; found ${renderValue(obj["kind"])}` });
  if (problems.length > 0) return problems.map(mk);

  const { group, version } = splitApiVersion(id.apiVersion);
  const entry = state.entries.get(gvkKey(group, version, id.kind));
  if (entry === undefined) {
    const other = [...state.entries.values()].filter((e) => e.info.group === group && e.info.kind === id.kind).map((e) => e.info.version);
    const hint = other.length > 0 ? ` (the loaded ${id.kind} CRD serves ${other.join(", ")})` : "";
    return [mk({ pointer: "", message: `no CRD for ${id.apiVersion} ${id.kind}${hint}` })];
  }
  const validate = compiledFor(registry, entry, closed);
  if (typeof validate === "string") return [mk({ pointer: "", message: validate })];
  const issues = validate(obj) ? [] : issuesFromAjv(validate.errors ?? []);
  // ajv reports root-level metadata type problems too; keep ours (more specific) and drop its duplicates.
  const metaIssues = validateMetadata(obj["metadata"], closed);
  const metaPointers = new Set(metaIssues.map((i) => i.pointer));
  const all = [...issues.filter((i) => !(metaPointers.has(i.pointer) && (i.pointer === "/metadata" || i.pointer.startsWith("/metadata/")))), ...metaIssues];
  return all.map(mk);
}

/** Validates many objects; every error carries the object's identity and its `index` in `objs`. */
export function validateObjects(registry: CrdRegistry, objs: readonly unknown[], options: ConformanceOptions = {}): ConformanceError[] {
  return objs.flatMap((obj, index) => validateObject(registry, obj, options).map((e) => ({ ...e, index })));
}

/** `networking.istio.io/v1 VirtualService bookinfo/reviews spec.http[0].route[0].weight: expected integer, found string "80"` */
export function formatConformanceError(e: ConformanceError): string {
  const who = e.name === undefined ? (e.index === undefined ? "" : ` #${e.index}`) : ` ${e.namespace === undefined ? "" : `${e.namespace}/`}${e.name}`;
  const what = [e.apiVersion, e.kind].filter((s) => s !== "").join(" ") || "object";
  const where = e.path === "" ? "" : ` ${e.path}`;
  const source = e.source === undefined ? "" : `${e.source}: `;
  return `${source}${what}${who}${where}: ${e.message}`;
}
