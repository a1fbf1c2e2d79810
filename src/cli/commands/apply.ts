import { applyManifests, formatApplyReport } from "../../adapters/kube/index.js";
import { toCanonicalJson } from "../../codec/canonical.js";
import type { CommandSpec, Ctx } from "../context.js";
import { EXIT, UsageError, worstExit } from "../errors.js";
import { CLUSTER_FLAGS, clusterHeading, forEachCluster, prepareRollout } from "../kube.js";
import { TRANSLATE_FLAGS } from "../workspace.js";

function colourReport(ctx: Ctx, text: string): string {
  return text
    .split("\n")
    .map((l) => (/ FAILED /.test(l) ? ctx.style.red(l) : / skipped: /.test(l) ? ctx.style.yellow(l) : / (created|configured|pruned)( \(dry run\))?$/.test(l) ? ctx.style.green(l) : l))
    .join("\n");
}

/** `--dry-run`, `--dry-run=server` (kubectl's spelling) or `--dry-run=none`; client-side dry run is not offered. */
export function normalizeDryRun(args: readonly string[]): string[] {
  return args.flatMap((a) => {
    const m = /^--dry-run=(.*)$/.exec(a);
    if (!m) return [a];
    if (m[1] === "server" || m[1] === "true") return ["--dry-run"];
    if (m[1] === "none" || m[1] === "false") return [];
    throw new UsageError(`--dry-run=${m[1]} is not supported`, "meshctl only does server-side dry runs: --dry-run (or --dry-run=server)");
  });
}

export const applyCommand: CommandSpec = {
  name: "apply",
  summary: "translate the workspace and apply the manifests to every registered cluster (server-side apply)",
  usage: ["apply [DIR] [--dry-run] [--prune] [--cluster NAME] [-o text|json]"],
  takesWorkspace: true,
  normalizeArgs: normalizeDryRun,
  description: `Translates the workspace, then for each registered cluster with manifests applies them with server-side
apply (field manager meshhub) in make-before-break order. Objects that exist without meshhub's owner label are
skipped and reported as conflicts, never overwritten. --dry-run asks the API server to validate everything without
persisting (server-side dry run). --prune deletes objects meshhub owns that the translation no longer produces
(never Namespaces or Secrets holding private keys). A cluster's registration must name its context or kubeconfig:
meshctl never guesses the current context. Exit 1 when anything failed or conflicted, 3 when a cluster could not
be reached (the other clusters are still applied).`,
  flags: {
    "dry-run": { type: "boolean", description: "server-side dry run: validate every write without persisting (also --dry-run=server)" },
    prune: { type: "boolean", description: "delete objects meshhub owns that are no longer produced" },
    ...CLUSTER_FLAGS,
    ...TRANSLATE_FLAGS,
  },
  examples: ["meshctl apply ./workspace --dry-run", "meshctl apply ./workspace --prune", "meshctl apply ./workspace --cluster east --context kind-east"],
  async run(ctx) {
    const { format, dir, result, prune, targets } = prepareRollout(ctx);
    const dryRun = ctx.bool("dry-run");
    if (targets.length === 0) {
      ctx.err(`nothing to apply: the translation of ${dir} has no manifests${prune ? " and no cluster is registered" : ""}\n`);
      if (format === "json") ctx.out(toCanonicalJson({ ok: true, clusters: [] }));
      return EXIT.ok;
    }
    const outcomes = await forEachCluster(ctx, targets, (conn, progress) =>
      applyManifests(conn, result.clusters[conn.cluster] ?? [], {
        dryRun,
        prune,
        onProgress: (p) => progress.update(`cluster ${conn.cluster}: ${p.phase === "prune" ? "pruning" : "applying"} ${p.index}/${p.total} ${p.ref.kind} ${p.ref.namespace ? `${p.ref.namespace}/` : ""}${p.ref.name}: ${p.outcome}`),
      }),
    );
    let code: number = EXIT.ok;
    for (const o of outcomes) {
      if ("error" in o) code = worstExit(code, EXIT.environment);
      else {
        if (format === "text") ctx.out(`${clusterHeading(ctx, o)}\n${colourReport(ctx, formatApplyReport(o.result))}\n`);
        if (!o.result.ok) code = worstExit(code, EXIT.notAccepted);
      }
    }
    if (format === "json") ctx.out(toCanonicalJson({ ok: code === EXIT.ok, dryRun, clusters: outcomes }));
    return code;
  },
};
