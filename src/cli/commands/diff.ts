import { diff, formatDiff, type DiffEntry } from "../../adapters/kube/index.js";
import { toCanonicalJson } from "../../codec/canonical.js";
import type { CommandSpec, Ctx } from "../context.js";
import { EXIT, worstExit } from "../errors.js";
import { CLUSTER_FLAGS, clusterHeading, forEachCluster, prepareRollout } from "../kube.js";
import { plural } from "../output.js";
import { TRANSLATE_FLAGS } from "../workspace.js";

function colourDiff(ctx: Ctx, text: string): string {
  const s = ctx.style;
  return text
    .split("\n")
    .map((l) => (/^\s*\+ /.test(l) ? s.green(l) : /^\s*- /.test(l) ? s.red(l) : /^\s*~ /.test(l) ? s.yellow(l) : /^! /.test(l) ? s.red(s.bold(l)) : l))
    .join("\n");
}

function summary(entries: readonly DiffEntry[]): string {
  const n = (a: DiffEntry["action"]): number => entries.filter((e) => e.action === a).length;
  return `${n("create")} to create, ${n("update")} to update, ${n("delete")} to delete, ${n("unchanged")} unchanged, ${plural(n("conflict"), "conflict")}${n("retain") > 0 ? `, ${n("retain")} kept` : ""}`;
}

export const diffCommand: CommandSpec = {
  name: "diff",
  summary: "show what 'meshctl apply' would change on every registered cluster (reads only)",
  usage: ["diff [DIR] [--prune] [--cluster NAME] [--exit-code] [-o text|json]"],
  takesWorkspace: true,
  description: `Translates the workspace and compares each cluster's manifests with the live objects, field by field
and limited to the fields meshhub owns: + create, ~ update (with each changed field), - delete (with --prune,
objects meshhub owns that are no longer produced), ! conflict (would be skipped: not owned by meshhub, patch target
missing, kind not served), = unchanged (only with -v). Only GET requests are sent. Exit 1 when something
conflicts; with --exit-code also when anything would change (like git diff --exit-code).`,
  flags: {
    prune: { type: "boolean", description: "also show what 'apply --prune' would delete" },
    "exit-code": { type: "boolean", description: "exit 1 when anything would change" },
    ...CLUSTER_FLAGS,
    ...TRANSLATE_FLAGS,
  },
  examples: ["meshctl diff ./workspace", "meshctl diff ./workspace --prune --exit-code && echo in sync"],
  async run(ctx) {
    const { format, dir, result, prune, targets } = prepareRollout(ctx);
    const outcomes = await forEachCluster(ctx, targets, (conn, progress) => {
      progress.update(`cluster ${conn.cluster}: comparing ${plural(result.clusters[conn.cluster]?.length ?? 0, "manifest")} with the live objects`);
      return diff(conn, result.clusters[conn.cluster] ?? [], { prune });
    });
    let code: number = EXIT.ok;
    for (const o of outcomes) {
      if ("error" in o) {
        code = worstExit(code, EXIT.environment);
        continue;
      }
      const entries = o.result;
      if (format === "text") ctx.out(`${clusterHeading(ctx, o)}\n${colourDiff(ctx, formatDiff(entries, { verbose: ctx.verbose }))}${summary(entries)}\n\n`);
      if (entries.some((e) => e.action === "conflict")) code = worstExit(code, EXIT.notAccepted);
      if (ctx.bool("exit-code") && entries.some((e) => e.action !== "unchanged")) code = worstExit(code, EXIT.notAccepted);
    }
    if (format === "json") ctx.out(toCanonicalJson({ ok: code === EXIT.ok, clusters: outcomes }));
    else if (targets.length === 0) ctx.out(`nothing to compare: the translation of ${dir} has no manifests\n`);
    return code;
  },
};
