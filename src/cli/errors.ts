import { FileAdapterError } from "../adapters/files.js";
import { ClusterError } from "../adapters/kube/errors.js";

/** Exit codes, documented in `meshctl --help`. */
export const EXIT = { ok: 0, notAccepted: 1, usage: 2, environment: 3, internal: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Wrong use of the command line (unknown command or flag, missing argument): exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A problem meshctl reports as one line plus a hint, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    /** Lines printed before the message (e.g. every input error of a workspace). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The worst of several exit codes: internal > environment > usage > not accepted > ok. */
export function worstExit(...codes: number[]): number {
  const rank = (c: number): number => [EXIT.ok, EXIT.notAccepted, EXIT.usage, EXIT.environment, EXIT.internal].indexOf(c as ExitCode);
  return codes.reduce((a, b) => (rank(b) > rank(a) ? b : a), EXIT.ok);
}

/** Node's `parseArgs` errors, rewritten as meshctl usage errors. */
function parseArgsError(e: unknown, command: string, knownFlags: readonly string[]): UsageError | undefined {
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err?.code !== "string" || !err.code.startsWith("ERR_PARSE_ARGS")) return undefined;
  const message = String(err.message);
  const help = `run 'meshctl ${command ? `${command} ` : ""}--help' for usage`;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const flag = unknown[1] as string;
    const bare = flag.replace(/^-+/, "");
    const suggestion = knownFlags.find((f) => f === bare) ? undefined : closestFlag(bare, knownFlags);
    return new UsageError(`unknown flag ${flag}${command ? ` for 'meshctl ${command}'` : ""}`, suggestion ? `did you mean --${suggestion}? (${help})` : help);
  }
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message) ?? /Option '([^']+?)(?: <value>)?' argument is ambiguous/.exec(message);
  if (missing) return new UsageError(`flag ${missing[1]} needs a value`, help);
  const noArg = /Option '([^']+)' does not take an argument/.exec(message);
  if (noArg) return new UsageError(`flag ${noArg[1]} takes no value`, help);
  return new UsageError(message.split("\n")[0] ?? message, help);
}

function closestFlag(word: string, flags: readonly string[]): string | undefined {
  return flags.find((f) => f.startsWith(word)) ?? flags.find((f) => word.startsWith(f));
}

/**
 * Prints an error as `meshctl: <one line>` plus `hint: …` and returns its exit code. Never a stack trace, except
 * for internal errors with `--verbose`.
 */
export function reportError(e: unknown, write: (text: string) => void, options: { command: string; knownFlags: readonly string[]; verbose: boolean }): number {
  const line = (message: string, hint?: string): void => write(`meshctl: ${message}\n${hint ? `hint: ${hint}\n` : ""}`);
  const usage = e instanceof UsageError ? e : parseArgsError(e, options.command, options.knownFlags);
  if (usage) {
    line(usage.message, usage.hint ?? `run 'meshctl ${options.command ? `${options.command} ` : ""}--help' for usage`);
    return EXIT.usage;
  }
  if (e instanceof CliError) {
    for (const d of e.details) write(`${d}\n`);
    line(e.message, e.hint);
    return e.exitCode;
  }
  if (e instanceof FileAdapterError) {
    line(e.message, e.hint);
    return EXIT.environment;
  }
  if (e instanceof ClusterError) {
    line(e.oneLine(), e.hint);
    return EXIT.environment;
  }
  const err = e as { message?: unknown; stack?: unknown };
  line(`internal error: ${typeof err?.message === "string" ? err.message : String(e)}`, "please report this with the input that caused it (run with -v for details)");
  if (options.verbose && typeof err?.stack === "string") write(`${err.stack}\n`);
  return EXIT.internal;
}
