import { parseAllDocuments, type Document } from "yaml";
import { joinPath, type InputError } from "../errors.js";

/** One parsed object with where it came from. */
export interface ParsedDocument {
  readonly value: unknown;
  readonly file?: string;
  /** Index of the YAML document in the file. */
  readonly document: number;
  /** Index inside a `kind: List` document or a top-level sequence. */
  readonly item?: number;
}

/** Limits that protect against hostile or runaway input. */
export interface ParseLimits {
  /** Largest accepted document, in characters (default 8 MiB). */
  readonly maxDocumentChars?: number;
  /** Most alias expansions per document (default 100): refuses "billion laughs" alias bombs. */
  readonly maxAliasCount?: number;
}

const DEFAULT_MAX_DOCUMENT_CHARS = 8 * 1024 * 1024;
const DEFAULT_MAX_ALIAS_COUNT = 100;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Parses multi-document YAML (JSON is YAML too) into plain values. `kind: List` documents (what
 * `kubectl get -A -o yaml` writes) and top-level sequences are flattened into their items. Never throws:
 * syntax errors, alias bombs, forbidden keys and oversized documents come back as errors, and the other
 * documents of the file are still returned.
 */
export function parseDocuments(text: string, file?: string, limits: ParseLimits = {}): { documents: ParsedDocument[]; errors: InputError[] } {
  const maxChars = limits.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
  const maxAliasCount = limits.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const documents: ParsedDocument[] = [];
  const errors: InputError[] = [];
  const at = (document: number, extra: Partial<InputError> & { message: string }): InputError => ({ ...(file !== undefined ? { file } : {}), document, ...extra });

  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, strict: true }) as Document.Parsed[];
  } catch (e) {
    errors.push(at(0, { message: `cannot parse YAML: ${(e as Error).message}` }));
    return { documents, errors };
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];

  docs.forEach((doc, index) => {
    const [start, , end] = doc.range;
    if (end - start > maxChars) {
      errors.push(at(index, { message: `document is too large (${end - start} characters)`, expected: `at most ${maxChars} characters`, hint: "split the input into smaller files" }));
      return;
    }
    if (doc.errors.length > 0) {
      for (const err of doc.errors) errors.push(at(index, yamlSyntaxError(err, text)));
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount });
    } catch (e) {
      const message = (e as Error).message;
      errors.push(
        at(index, /alias/i.test(message)
          ? { message: "too many YAML alias expansions", expected: `at most ${maxAliasCount} alias uses per document`, hint: "this looks like an alias bomb; write the values out" }
          : { message: `cannot read YAML document: ${message}` }),
      );
      return;
    }
    if (value === null || value === undefined) return; // empty document, e.g. a trailing `---`
    const forbidden = findForbiddenKey(value);
    if (forbidden !== undefined) {
      errors.push(at(index, { message: `refused key ${JSON.stringify(forbidden.key)}`, path: forbidden.path, expected: "ordinary field names", hint: "keys like __proto__ and constructor are refused to protect against prototype pollution" }));
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => documents.push({ value: item, ...(file !== undefined ? { file } : {}), document: index, item: i }));
      return;
    }
    if (isKubeList(value)) {
      (value as { items: unknown[] }).items.forEach((item, i) => documents.push({ value: item, ...(file !== undefined ? { file } : {}), document: index, item: i }));
      return;
    }
    documents.push({ value, ...(file !== undefined ? { file } : {}), document: index });
  });
  return { documents, errors };
}

function isKubeList(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.kind === "string" && (v.kind === "List" || v.kind.endsWith("List")) && Array.isArray(v.items);
}

function yamlSyntaxError(err: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }, text: string): InputError & { message: string } {
  const pos = err.linePos?.[0];
  const firstLine = (err.message.split("\n")[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, "");
  const where = pos ? ` at line ${pos.line}, column ${pos.col}` : "";
  let hint: string | undefined;
  const lines = text.split(/\r?\n/);
  const eofLine = lines.findIndex((l) => /^\s*EOF\s*$/.test(l));
  if (eofLine >= 0) hint = `line ${eofLine + 1} is a stray heredoc terminator "EOF": remove it`;
  else if (/tab/i.test(err.message)) hint = "YAML indentation must use spaces, not tabs";
  return { message: `YAML syntax error${where}: ${firstLine}`, ...(hint !== undefined ? { hint } : {}) };
}

function findForbiddenKey(value: unknown, path: (string | number)[] = []): { key: string; path: string } | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findForbiddenKey(value[i], [...path, i]);
      if (hit) return hit;
    }
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return { key, path: joinPath([...path, key]) };
      const hit = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key]);
      if (hit) return hit;
    }
  }
  return undefined;
}
