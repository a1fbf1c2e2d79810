import { COMMANDS, findCommand } from "./commands/index.js";
import { flagNames, makeContext, splitCommand, type Io } from "./context.js";
import { EXIT, UsageError, reportError } from "./errors.js";
import { commandHelp, globalHelp } from "./help.js";
import { closest } from "./output.js";
import { VERSION } from "./version.js";

export { EXIT, UsageError } from "./errors.js";
export { translationToJson } from "./json.js";
export type { Io } from "./context.js";

function defaultIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
  };
}

/** Runs meshctl with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  const { command, rest } = splitCommand(argv);
  if (command === undefined || command === "help") {
    const topic = command === "help" ? rest.find((a) => !a.startsWith("-")) : undefined;
    const spec = topic !== undefined ? findCommand(topic) : undefined;
    if (topic !== undefined && !spec) return reportError(new UsageError(`unknown command ${JSON.stringify(topic)}`, "run 'meshctl --help' for the list"), io.err, { command: "", knownFlags: [], verbose: false });
    if (spec) io.out(commandHelp(spec));
    else if (rest.includes("--version")) io.out(`meshctl ${VERSION}\n`);
    else io.out(globalHelp(COMMANDS));
    const asked = command === "help" || rest.some((a) => a === "--help" || a === "-h" || a === "--version");
    return asked ? EXIT.ok : EXIT.usage;
  }
  const spec = findCommand(command);
  if (!spec) {
    const suggestion = closest(command, COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
    return reportError(new UsageError(`unknown command ${JSON.stringify(command)}`, `${suggestion ? `did you mean '${suggestion}'? ` : ""}run 'meshctl --help' for the list`), io.err, {
      command: "",
      knownFlags: [],
      verbose: false,
    });
  }
  let verbose = rest.includes("-v") || rest.includes("--verbose");
  try {
    const ctx = makeContext(io, spec.name, spec.flags, spec.normalizeArgs ? spec.normalizeArgs(rest) : rest);
    verbose = ctx.verbose;
    if (ctx.help) {
      io.out(commandHelp(spec));
      return EXIT.ok;
    }
    return await spec.run(ctx);
  } catch (e) {
    return reportError(e, io.err, { command: spec.name, knownFlags: flagNames(spec), verbose });
  }
}

const invokedDirectly = (() => {
  const entry = process.argv[1] ?? "";
  return /(?:^|[\\/])(main\.(?:ts|js|mjs)|meshctl)$/.test(entry);
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`meshctl: internal error: ${(e as Error).message}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
