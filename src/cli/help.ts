import type { CommandSpec, FlagSpec, FlagSpecs } from "./context.js";
import { GLOBAL_FLAGS } from "./context.js";
import { VERSION } from "./version.js";

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  invalid input, or a resource not accepted (check, apply and diff: something failed or conflicted)
  2  usage error (unknown command or flag, missing argument)
  3  missing or unreadable files, or an environment problem (bad kubeconfig, unreachable API server, missing tools)
  4  internal error (a bug: please report it)`;

function flagLine(name: string, f: FlagSpec): [string, string] {
  const short = f.short ? `-${f.short}, ` : "    ";
  const value = f.type === "string" ? ` ${f.valueName ?? "VALUE"}` : "";
  const extra = [f.values ? `one of: ${f.values.join(", ")}` : undefined, f.default !== undefined && f.default !== false ? `default ${String(f.default)}` : undefined, f.multiple ? "repeatable" : undefined].filter(Boolean);
  return [`  ${short}--${name}${value}`, `${f.description}${extra.length > 0 ? ` (${extra.join("; ")})` : ""}`];
}

function flagBlock(flags: FlagSpecs): string {
  const lines = Object.entries(flags).map(([n, f]) => flagLine(n, f));
  const width = Math.max(...lines.map(([l]) => l.length)) + 2;
  return lines.map(([l, d]) => `${l.padEnd(width)}${d}`).join("\n");
}

/** `meshctl --help`. */
export function globalHelp(commands: readonly CommandSpec[]): string {
  const rows = commands.map((c) => [`  ${c.name}${c.aliases?.length ? ` (${c.aliases.join(", ")})` : ""}`, c.summary] as const);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `meshctl ${VERSION} — multi-cluster Istio and Linkerd from one set of policies

Usage: meshctl <command> [subcommand] [flags]

Commands:
${rows.map(([l, s]) => `${l.padEnd(width)}${s}`).join("\n")}

Global flags:
${flagBlock(GLOBAL_FLAGS)}

A workspace is a folder: clusters.yaml holds KubernetesCluster registrations, clusters/<cluster-name>/**/*.yaml
the raw objects read from that cluster (kubectl get -A -o yaml output works), every other *.yaml meshhub
resources (TrafficPolicy, AccessPolicy, VirtualMesh; networking.mesh.gloo.solo.io/v1 manifests load unchanged).

${EXIT_CODES_HELP}

Run 'meshctl <command> --help' for a command's flags and examples.
`;
}

/** `meshctl <command> --help`. */
export function commandHelp(c: CommandSpec): string {
  const parts = [`meshctl ${c.name} — ${c.summary}`, "", `Usage:\n${c.usage.map((u) => `  meshctl ${u}`).join("\n")}`];
  if (c.aliases?.length) parts.push("", `Aliases: ${c.aliases.join(", ")}`);
  if (c.description) parts.push("", c.description);
  if (c.subcommands?.length) {
    const rows = c.subcommands.map((s) => [`  ${s.name}${s.aliases?.length ? ` (${s.aliases.join(", ")})` : ""}`, s.summary] as const);
    const width = Math.max(...rows.map(([l]) => l.length)) + 2;
    parts.push("", `Subcommands:\n${rows.map(([l, s]) => `${l.padEnd(width)}${s}`).join("\n")}`);
  }
  if (Object.keys(c.flags).length > 0) parts.push("", `Flags:\n${flagBlock(c.flags)}`);
  parts.push("", `Global flags:\n${flagBlock(GLOBAL_FLAGS)}`);
  if (c.examples?.length) parts.push("", `Examples:\n${c.examples.map((e) => `  ${e}`).join("\n")}`);
  parts.push("", EXIT_CODES_HELP);
  return `${parts.join("\n")}\n`;
}
