/**
 * Errors as values. Every problem found in user input is an {@link InputError} that says where
 * (file, document, object, field path) and what (expected vs found, with a hint when the intent is clear).
 */

/** Where a problem was found. All parts are optional: fill in what is known. */
export interface ErrorLocation {
  /** Source file path, as given by the caller (the core never reads files). */
  readonly file?: string;
  /** Zero-based index of the YAML document (or `kind: List` item, see `item`) in the file. */
  readonly document?: number;
  /** Zero-based index of the item inside a `kind: List` document. */
  readonly item?: number;
  /** Cluster the object was read from, for raw cluster objects. */
  readonly cluster?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Dotted field path inside the object, e.g. `spec.policy.retries.perTryTimeout` or `spec.http[0].route`. */
  readonly path?: string;
}

/** One problem with an input. */
export interface InputError extends ErrorLocation {
  /** Short description of the problem. */
  readonly message: string;
  /** What was expected, in words. */
  readonly expected?: string;
  /** What was found, rendered for a human. */
  readonly found?: string;
  /** A suggestion when the intent is obvious. */
  readonly hint?: string;
}

/** Renders a JSON-ish value briefly for error messages. */
export function renderFound(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") {
    const keys = Object.keys(value as object);
    return keys.length === 0 ? "an empty object" : `an object with keys ${keys.slice(0, 5).join(", ")}${keys.length > 5 ? ", …" : ""}`;
  }
  return typeof value;
}

/** Formats the location part of an error: `file.yaml#2 TrafficPolicy gloo-mesh/petstore spec.policy` */
export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) {
    let where = loc.file;
    if (loc.document !== undefined) where += `#${loc.document}`;
    if (loc.item !== undefined) where += `.items[${loc.item}]`;
    parts.push(where);
  } else if (loc.document !== undefined) {
    parts.push(`document ${loc.document}${loc.item !== undefined ? ` items[${loc.item}]` : ""}`);
  }
  if (loc.cluster !== undefined) parts.push(`cluster ${loc.cluster}`);
  if (loc.kind !== undefined || loc.name !== undefined) {
    const id = loc.namespace ? `${loc.namespace}/${loc.name ?? "?"}` : (loc.name ?? "?");
    parts.push(`${loc.kind ?? "object"} ${id}`);
  }
  if (loc.path !== undefined && loc.path !== "") parts.push(loc.path);
  return parts.join(" ");
}

/** One line per error: `where: message (expected X, found Y). hint: Z` */
export function formatInputError(error: InputError): string {
  const where = formatLocation(error);
  let text = where ? `${where}: ${error.message}` : error.message;
  const detail: string[] = [];
  if (error.expected !== undefined) detail.push(`expected ${error.expected}`);
  if (error.found !== undefined) detail.push(`found ${error.found}`);
  if (detail.length > 0) text += ` (${detail.join(", ")})`;
  if (error.hint !== undefined) text += `. Hint: ${error.hint}`;
  return text;
}

/** Joins path segments the way error messages show them: `spec.http[0].route`. */
export function joinPath(segments: readonly (string | number)[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}
