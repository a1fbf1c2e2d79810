import { parseArgs } from "node:util";
import { UsageError } from "./errors.js";
import { colorWanted, makeProgress, makeStyle, type Progress, type Style } from "./output.js";

/** Where meshctl writes, and what it knows about the terminal. Tests pass their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly stdoutIsTTY?: boolean;
  readonly stderrIsTTY?: boolean;
  readonly stdinIsTTY?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A flag of a command. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  readonly default?: string | boolean;
  readonly description: string;
  /** Placeholder in help, e.g. `DIR`. */
  readonly valueName?: string;
  /** Allowed values, for help and shell completion. */
  readonly values?: readonly string[];
  /** The value is a file (`file`) or a folder (`dir`): shell completion completes paths. */
  readonly complete?: "file" | "dir";
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** A subcommand or argument word, for help and completion. */
export interface WordSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
}

/** One meshctl command: its help, flags, subcommands, and what it does. */
export interface CommandSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  /** Usage line(s) after `meshctl `. */
  readonly usage: readonly string[];
  readonly description?: string;
  readonly examples?: readonly string[];
  readonly flags: FlagSpecs;
  readonly subcommands?: readonly WordSpec[];
  /** Positional arguments are workspace folders: completion offers folders. */
  readonly takesWorkspace?: boolean;
  /** Rewrites arguments before parsing (e.g. kubectl's `--dry-run=server`). */
  readonly normalizeArgs?: (args: readonly string[]) => string[];
  run(ctx: Ctx): Promise<number>;
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS: FlagSpecs = {
  kubeconfig: { type: "string", valueName: "FILE", description: "kubeconfig file (default: KUBECONFIG, then ~/.kube/config)", complete: "file" },
  context: { type: "string", valueName: "NAME", description: "kubeconfig context to use" },
  output: { type: "string", short: "o", valueName: "FORMAT", description: "output format (table, yaml, json; per command)", values: ["table", "yaml", "json"] },
  workspace: { type: "string", short: "w", valueName: "DIR", description: "workspace folder (default: the positional argument, then MESHCTL_WORKSPACE, then .)", complete: "dir" },
  "no-color": { type: "boolean", description: "never colour the output (also: NO_COLOR=1)" },
  verbose: { type: "boolean", short: "v", description: "say more (progress lines, unchanged objects, stack traces of internal errors)" },
  help: { type: "boolean", short: "h", description: "show help" },
};

type FlagValue = string | boolean | string[] | undefined;

/** Everything a command gets: its arguments, the global settings and the output helpers. */
export interface Ctx {
  readonly io: Io;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The command name as typed in help texts (`cluster`, `describe`). */
  readonly command: string;
  readonly positionals: readonly string[];
  readonly verbose: boolean;
  /** Colours for stdout and for stderr (each on only when that stream is a terminal). */
  readonly style: Style;
  readonly errStyle: Style;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  out(text: string): void;
  err(text: string): void;
  /** A spinner on stderr (only on a terminal). */
  progress(): Progress;
  str(flag: string): string | undefined;
  bool(flag: string): boolean;
  list(flag: string): string[];
  /** True when the flag was given on the command line (not defaulted). */
  given(flag: string): boolean;
}

/** Global flags that take a value: the word after them is not the command. */
const VALUE_FLAGS = new Set(
  Object.entries(GLOBAL_FLAGS).flatMap(([name, f]) => (f.type === "string" ? [`--${name}`, ...(f.short ? [`-${f.short}`] : [])] : [])),
);

/** Splits `argv` into the command word and the rest (global flags may come before the command). */
export function splitCommand(argv: readonly string[]): { command: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") break;
    if (a.startsWith("-")) {
      if (VALUE_FLAGS.has(a)) i++;
      continue;
    }
    return { command: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: undefined, rest: [...argv] };
}

/** Flag names (long) a command accepts, globals included. */
export function flagNames(spec: Pick<CommandSpec, "flags">): string[] {
  return [...Object.keys(spec.flags), ...Object.keys(GLOBAL_FLAGS)];
}

/** Parses the arguments of one command and builds its context. */
export function makeContext(io: Io, command: string, flags: FlagSpecs, args: readonly string[]): Ctx & { readonly help: boolean } {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean; default?: string | boolean }> = {};
  for (const [name, f] of Object.entries({ ...GLOBAL_FLAGS, ...flags })) {
    options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}), ...(f.default !== undefined ? { default: f.default } : {}) };
  }
  const { values, positionals, tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  const given = new Set((tokens ?? []).flatMap((t) => (t.kind === "option" ? [t.name] : [])));
  const v = values as Record<string, FlagValue>;
  const env = io.env ?? process.env;
  const stdoutIsTTY = io.stdoutIsTTY ?? false;
  const stderrIsTTY = io.stderrIsTTY ?? false;
  const noColor = v["no-color"] === true;
  const verbose = v.verbose === true;
  const str = (flag: string): string | undefined => {
    const x = v[flag];
    if (Array.isArray(x)) return x[x.length - 1];
    return typeof x === "string" ? x : undefined;
  };
  return {
    io,
    env,
    command,
    positionals,
    verbose,
    help: v.help === true,
    style: makeStyle(colorWanted(stdoutIsTTY, noColor, env)),
    errStyle: makeStyle(colorWanted(stderrIsTTY, noColor, env)),
    stdinIsTTY: io.stdinIsTTY ?? false,
    stdoutIsTTY,
    stderrIsTTY,
    out: io.out,
    err: io.err,
    progress: () => makeProgress(io.err, stderrIsTTY, verbose),
    str,
    bool: (flag) => v[flag] === true,
    list: (flag) => {
      const x = v[flag];
      const items = Array.isArray(x) ? x : typeof x === "string" ? [x] : [];
      return items.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
    },
    given: (flag) => given.has(flag),
  };
}

/** The `-o` value, checked against what the command supports. */
export function outputFormat<T extends string>(ctx: Ctx, allowed: readonly T[], fallback: T): T {
  const given = ctx.str("output") ?? fallback;
  // `table` and `text` name the same thing: the human-readable form.
  const o = given === "table" && allowed.includes("text" as T) ? "text" : given === "text" && allowed.includes("table" as T) ? "table" : given;
  if (!(allowed as readonly string[]).includes(o)) throw new UsageError(`unknown output format ${JSON.stringify(given)} for 'meshctl ${ctx.command}'`, `use ${allowed.join(", ")}`);
  return o as T;
}

/** Refuses more positional arguments than a command takes. */
export function maxPositionals(ctx: Ctx, n: number, what: string): void {
  if (ctx.positionals.length > n) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[n])}`, `'meshctl ${ctx.command}' takes ${what}`);
}
