import { parseArgs } from "node:util";
import * as E from "fp-ts/lib/Either.js";
import { toCanonicalJson, toCanonicalYaml } from "../codec/canonical.js";
import { loadWorkspace } from "../codec/workspace.js";
import { discover } from "../discovery/index.js";
import { formatInputError, type InputError } from "../errors.js";
import { translate, type TranslationResult } from "../translate/index.js";
import { FileAdapterError, readWorkspaceDir, writeGitOpsTree } from "../adapters/files.js";
import { formatDiscoveryTable } from "./discover-table.js";
import { runDemo } from "./demo.js";
import { formatStatusSummary } from "./status-summary.js";
import { VERSION } from "./version.js";

/** Exit codes, documented in `meshctl --help`. */
export const EXIT = { ok: 0, notAccepted: 1, usage: 2, environment: 3, internal: 4 } as const;

export class UsageError extends Error {}

const HELP = `meshctl ${VERSION} — multi-cluster Istio and Linkerd from one set of policies

Usage: meshctl <command> [flags]

Commands:
  version                         print the version
  validate <dir>                  check every file of a workspace; lists every error
  discover <dir> [-o table|yaml|json]
                                  show the meshes, workloads and services found in the workspace's clusters
  translate <dir> [-o yaml|json] [--out-dir D] [--allow-coexisting]
                                  translate the workspace's policies into Istio and Linkerd manifests
  demo [--dir D] [--out-dir D]    write the bundled two-cluster example workspace and run the main job on it

A workspace is a folder: clusters/<cluster-name>/**/*.yaml holds the raw objects read from that cluster
(kubectl get -A -o yaml output works); every other *.yaml holds meshhub resources (TrafficPolicy,
AccessPolicy, VirtualMesh, KubernetesCluster; networking.mesh.gloo.solo.io/v1 manifests load unchanged).

Exit codes: 0 ok, 1 invalid input or a resource not accepted, 2 usage error, 3 missing or unreadable files,
4 internal error.
`;

interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

function printErrors(io: Io, errors: readonly InputError[]): void {
  for (const e of errors) io.err(`error: ${formatInputError(e)}\n`);
  io.err(`${errors.length} error${errors.length === 1 ? "" : "s"}\n`);
}

function loadDir(dir: string | undefined): { files: ReturnType<typeof readWorkspaceDir> } {
  if (!dir) throw new UsageError("missing workspace folder argument");
  return { files: readWorkspaceDir(dir) };
}

/** JSON form of a translation: the public contract (`resolved` is in-process only). */
export function translationToJson(result: TranslationResult): string {
  const { discovery, clusters, statuses, certificatePlan, diagnostics } = result;
  return toCanonicalJson({ discovery, clusters, statuses, certificatePlan, diagnostics });
}

/** Runs meshctl with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case "version":
      case "--version":
        io.out(`meshctl ${VERSION}\n`);
        return EXIT.ok;
      case "validate": {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        const { files } = loadDir(positionals[0]);
        const loaded = loadWorkspace(files);
        if (E.isLeft(loaded)) {
          printErrors(io, loaded.left);
          return EXIT.notAccepted;
        }
        const r = loaded.right.resources;
        io.out(
          `ok: ${files.length} files, ${loaded.right.snapshots.length} clusters, ${r.trafficPolicies.length} TrafficPolicies, ${r.accessPolicies.length} AccessPolicies, ${r.virtualMeshes.length} VirtualMeshes\n`,
        );
        return EXIT.ok;
      }
      case "discover": {
        const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { output: { type: "string", short: "o", default: "table" } } });
        const { files } = loadDir(positionals[0]);
        const loaded = loadWorkspace(files);
        if (E.isLeft(loaded)) {
          printErrors(io, loaded.left);
          return EXIT.notAccepted;
        }
        const d = discover(loaded.right.snapshots, { clusters: loaded.right.resources.clusters });
        if (values.output === "json") io.out(toCanonicalJson(d));
        else if (values.output === "yaml") io.out(toCanonicalYaml(d));
        else if (values.output === "table") io.out(formatDiscoveryTable(d));
        else throw new UsageError(`unknown output format ${JSON.stringify(values.output)}: use table, yaml or json`);
        return EXIT.ok;
      }
      case "translate": {
        const { positionals, values } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { output: { type: "string", short: "o", default: "yaml" }, "out-dir": { type: "string" }, "allow-coexisting": { type: "boolean", default: false } },
        });
        if (values.output !== "yaml" && values.output !== "json") throw new UsageError(`unknown output format ${JSON.stringify(values.output)}: use yaml or json`);
        const { files } = loadDir(positionals[0]);
        const loaded = loadWorkspace(files);
        if (E.isLeft(loaded)) {
          printErrors(io, loaded.left);
          return EXIT.notAccepted;
        }
        const ws = loaded.right;
        const discovery = discover(ws.snapshots, { clusters: ws.resources.clusters });
        const result = translate({
          discovery,
          trafficPolicies: ws.resources.trafficPolicies,
          accessPolicies: ws.resources.accessPolicies,
          virtualMeshes: ws.resources.virtualMeshes,
          options: { allowCoexisting: values["allow-coexisting"], now: new Date() },
        });
        if (values["out-dir"]) {
          const written = writeGitOpsTree(values["out-dir"], result.clusters);
          io.err(`wrote ${written.length} manifests under ${values["out-dir"]}\n`);
        }
        if (values.output === "json") io.out(translationToJson(result));
        else if (!values["out-dir"]) {
          for (const [cluster, objects] of Object.entries(result.clusters)) {
            for (const obj of objects) io.out(`# cluster: ${cluster}\n${toCanonicalYaml(obj)}---\n`);
          }
        }
        if (values.output !== "json") io.err(formatStatusSummary(result));
        return EXIT.ok;
      }
      case "demo":
        return await runDemo(rest, io);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`meshctl: ${(e as Error).message}\nRun 'meshctl --help' for usage.\n`);
      return EXIT.usage;
    }
    if (e instanceof FileAdapterError) {
      io.err(`meshctl: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ""}\n`);
      return EXIT.environment;
    }
    io.err(`meshctl: internal error: ${(e as Error).message}\nPlease report this with the input that caused it.\n`);
    return EXIT.internal;
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
