/**
 * Edits meshhub resource files of a workspace one YAML document at a time, leaving every other document — its
 * text, comments and formatting — exactly as it was. Used by `cluster register|deregister` and `create -o FILE`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { readWorkspaceDir } from "../adapters/files.js";
import { clusterOfPath } from "../codec/workspace.js";
import { CliError, EXIT } from "./errors.js";

/** A resource found in a workspace file. */
export interface FoundResource {
  /** Path relative to the workspace (forward slashes). */
  readonly file: string;
  /** Index of the YAML document in the file. */
  readonly document: number;
  /** True when the resource is an item of a `kind: List` document (meshctl does not edit inside those). */
  readonly inList: boolean;
  readonly value: Record<string, unknown>;
}

type Matcher = (value: Record<string, unknown>) => boolean;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Start offsets of every document's chunk: chunk i runs from starts[i] to starts[i+1] (or the end). */
function chunks(text: string): { starts: number[]; values: unknown[]; broken: boolean } {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  return {
    starts: list.map((d) => d.range[0]),
    values: list.map((d) => (d.errors.length > 0 ? undefined : d.toJS())),
    broken: list.some((d) => d.errors.length > 0),
  };
}

/** Resources matching `match` in one file's text; `file` is recorded as given. */
export function findInText(file: string, text: string, match: Matcher): FoundResource[] {
  const out: FoundResource[] = [];
  chunks(text).values.forEach((v, document) => {
    if (!isRecord(v)) return;
    if (v.kind === "List" && Array.isArray(v.items)) {
      for (const item of v.items) if (isRecord(item) && match(item)) out.push({ file, document, inList: true, value: item });
    } else if (match(v)) out.push({ file, document, inList: false, value: v });
  });
  return out;
}

/** Resources matching `match` in the workspace's resource files (not the raw objects under clusters/<name>/). */
export function findResources(dir: string, match: Matcher): FoundResource[] {
  if (!existsSync(dir)) return [];
  return readWorkspaceDir(dir)
    .filter((f) => clusterOfPath(f.path) === undefined)
    .flatMap((f) => findInText(f.path, f.content, match));
}

/** Matches a resource by kind, namespace and name. */
export function sameResource(kind: string, namespace: string | undefined, name: string): Matcher {
  return (v) => {
    const meta = isRecord(v.metadata) ? v.metadata : {};
    return v.kind === kind && meta.name === name && (meta.namespace ?? "default") === (namespace ?? "default");
  };
}

/** Text of `text` without document `index` (leading comments of the file stay). */
export function removeDocument(text: string, index: number): string {
  const { starts } = chunks(text);
  const start = starts[index];
  if (start === undefined) return text;
  const end = starts[index + 1] ?? text.length;
  let rest = text.slice(0, start) + text.slice(end);
  // With the first document gone, the next one's `---` becomes the first line of content: still valid YAML.
  if (starts.length === 1) rest = text.slice(0, start);
  return rest;
}

/** Text of `text` with document `index` replaced by `yaml`. */
export function replaceDocument(text: string, index: number, yaml: string): string {
  const { starts } = chunks(text);
  const start = starts[index];
  if (start === undefined) return appendDocument(text, yaml);
  const end = starts[index + 1] ?? text.length;
  const marker = /^---/.test(text.slice(start)) ? "---\n" : "";
  return text.slice(0, start) + marker + yaml + text.slice(end);
}

/** Text of `text` with `yaml` appended as a new document. */
export function appendDocument(text: string, yaml: string): string {
  if (chunks(text).starts.length === 0) return text + (text === "" || text.endsWith("\n") ? "" : "\n") + yaml;
  return `${text}${text.endsWith("\n") ? "" : "\n"}---\n${yaml}`;
}

/** Reads a file to edit; refuses one that does not parse (meshctl never rewrites what it cannot read). */
function readForEdit(path: string): string {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (chunks(text).broken) throw new CliError(`cannot edit ${path}: it is not valid YAML`, EXIT.notAccepted, `fix it first ('meshctl validate' shows where)`);
  return text;
}

function writeText(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`, EXIT.environment, "check the folder exists and is writable");
  }
}

/** Where {@link upsertResource} wrote. */
export interface UpsertResult {
  readonly file: string;
  readonly action: "created" | "replaced";
}

/**
 * Writes `yaml` (one resource) into `file` (a path relative to `dir`): replaces the document of `existing` when
 * given (in its own file), else appends a document.
 */
export function upsertResource(dir: string, file: string, yaml: string, existing?: FoundResource): UpsertResult {
  if (existing) {
    if (existing.inList) throw new CliError(`${existing.file} holds it inside a kind: List document, which meshctl does not edit`, EXIT.notAccepted, `edit ${join(dir, existing.file)} by hand`);
    const path = join(dir, existing.file);
    writeText(path, replaceDocument(readForEdit(path), existing.document, yaml));
    return { file: existing.file, action: "replaced" };
  }
  const path = join(dir, file);
  writeText(path, appendDocument(readForEdit(path), yaml));
  return { file, action: "created" };
}

/** Removes the document of `found` from its file. */
export function removeResource(dir: string, found: FoundResource): void {
  if (found.inList) throw new CliError(`${found.file} holds it inside a kind: List document, which meshctl does not edit`, EXIT.notAccepted, `edit ${join(dir, found.file)} by hand`);
  const path = join(dir, found.file);
  writeText(path, removeDocument(readForEdit(path), found.document));
}
