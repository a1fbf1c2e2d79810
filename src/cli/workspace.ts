import * as E from "fp-ts/lib/Either.js";
import { readWorkspaceDir } from "../adapters/files.js";
import type { WorkspaceFile } from "../codec/workspace.js";
import { loadWorkspace, type Workspace } from "../codec/workspace.js";
import { discover } from "../discovery/index.js";
import type { Discovery } from "../discovery/types.js";
import { formatInputError, type InputError } from "../errors.js";
import { translate, type TranslationResult } from "../translate/index.js";
import type { Ctx, FlagSpecs } from "./context.js";
import { CliError, EXIT, UsageError } from "./errors.js";

/**
 * The workspace folder: the positional argument, else `-w/--workspace`, else `MESHCTL_WORKSPACE`, else `.`.
 * Giving both a positional folder and a different `-w` is a usage error.
 */
export function workspaceDir(ctx: Ctx, positional?: string): string {
  const flag = ctx.str("workspace");
  if (positional !== undefined && flag !== undefined && positional !== flag) {
    throw new UsageError(`two workspaces given: ${positional} and -w ${flag}`, "give the folder either as the argument or with -w");
  }
  return positional ?? flag ?? (ctx.env.MESHCTL_WORKSPACE || undefined) ?? ".";
}

/** Input errors as a CliError: every error on its own line, then the count; exit 1. */
export function inputErrors(errors: readonly InputError[], dir: string): CliError {
  return new CliError(
    `${errors.length} error${errors.length === 1 ? "" : "s"} in workspace ${dir}`,
    EXIT.notAccepted,
    `fix them and run 'meshctl validate ${dir}'`,
    errors.map((e) => `error: ${formatInputError(e)}`),
  );
}

/** Reads and validates a workspace folder; throws (exit 1 with every error, or exit 3 when it is missing). */
export function loadWorkspaceDir(dir: string): { files: WorkspaceFile[]; workspace: Workspace } {
  const files = readWorkspaceDir(dir);
  const loaded = loadWorkspace(files);
  if (E.isLeft(loaded)) throw inputErrors(loaded.left, dir);
  return { files, workspace: loaded.right };
}

/** Flags of commands that translate a workspace. */
export const TRANSLATE_FLAGS = {
  "allow-coexisting": { type: "boolean", description: "emit config for hosts that hand-written mesh config already configures (default: report a clash)" },
  now: { type: "string", valueName: "TIME", description: "the instant certificate dates and expiry are computed from (RFC 3339; default: now)" },
} as const satisfies FlagSpecs;

/** `--now`, or the clock. */
export function nowOf(ctx: Ctx): Date {
  const s = ctx.str("now");
  if (s === undefined) return new Date();
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`--now ${JSON.stringify(s)} is not a date`, "use RFC 3339, e.g. 2026-01-31T12:00:00Z");
  return new Date(t);
}

/** Discovery of a loaded workspace (its snapshot files and registered clusters). */
export function discoverWorkspace(workspace: Workspace): Discovery {
  return discover(workspace.snapshots, { clusters: workspace.resources.clusters });
}

/** Translates a loaded workspace with the translate flags of `ctx`. */
export function translateLoaded(ctx: Ctx, workspace: Workspace, options: { graceDays?: number } = {}): TranslationResult {
  return translate({
    discovery: discoverWorkspace(workspace),
    trafficPolicies: workspace.resources.trafficPolicies,
    accessPolicies: workspace.resources.accessPolicies,
    virtualMeshes: workspace.resources.virtualMeshes,
    options: {
      allowCoexisting: ctx.bool("allow-coexisting"),
      now: nowOf(ctx),
      ...(options.graceDays !== undefined ? { certificates: { graceDays: options.graceDays } } : {}),
    },
  });
}

/** Reads, validates and translates the workspace of a command. */
export function translateDir(ctx: Ctx, dir: string, options: { graceDays?: number } = {}): { workspace: Workspace; result: TranslationResult } {
  const { workspace } = loadWorkspaceDir(dir);
  return { workspace, result: translateLoaded(ctx, workspace, options) };
}

/** A positive whole number flag. */
export function intFlag(ctx: Ctx, flag: string, fallback: number): number {
  const s = ctx.str(flag);
  if (s === undefined) return fallback;
  if (!/^\d+$/.test(s)) throw new UsageError(`--${flag} ${JSON.stringify(s)} is not a whole number`);
  return Number(s);
}
