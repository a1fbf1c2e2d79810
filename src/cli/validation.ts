import type { z } from "zod";
import { renderFound } from "../errors.js";
import { CliError, EXIT } from "./errors.js";

/** `spec.policy.requestTimeout`-style path of a zod issue. */
function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) cur = cur !== null && typeof cur === "object" ? (cur as Record<PropertyKey, unknown>)[seg as string] : undefined;
  return cur;
}

/**
 * Validates `value` with a model schema; returns one readable line per problem, naming the flag (or prompt) that
 * set the field when `sources` maps its path prefix (longest prefix wins), else the field path.
 */
export function schemaProblems(schema: z.ZodType, value: unknown, sources: Readonly<Record<string, string>> = {}): string[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) return [];
  const prefixes = Object.keys(sources).sort((a, b) => b.length - a.length);
  return parsed.error.issues.map((issue) => {
    const path = pathOf(issue);
    const prefix = prefixes.find((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
    const where = prefix !== undefined ? `${sources[prefix]} (${path})` : path || "resource";
    const found = valueAt(value, issue.path);
    return `${where}: ${issue.message}${found !== undefined && typeof found !== "object" ? ` (found ${renderFound(found)})` : ""}`;
  });
}

/** Throws exit 1 with every problem when `value` does not satisfy `schema`. */
export function assertValid(schema: z.ZodType, value: unknown, what: string, sources: Readonly<Record<string, string>> = {}): void {
  const problems = schemaProblems(schema, value, sources);
  if (problems.length > 0) {
    throw new CliError(`${what} is not valid: ${problems[0]}`, EXIT.notAccepted, problems.length > 1 ? `and: ${problems.slice(1).join("; ")}` : "fix that value and run the command again");
  }
}

/** The first problem of a single answer (a string or parsed value) against `schema`, for prompts; undefined when fine. */
export function firstProblem(schema: z.ZodType, value: unknown): string | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (!issue) return "not valid";
  const path = pathOf(issue);
  return `${path ? `${path}: ` : ""}${issue.message}`;
}
