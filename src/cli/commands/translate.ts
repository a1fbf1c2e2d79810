import { writeGitOps } from "../../adapters/files.js";
import { toCanonicalYaml } from "../../codec/canonical.js";
import { maxPositionals, outputFormat, type CommandSpec } from "../context.js";
import { EXIT } from "../errors.js";
import { translationToJson } from "../json.js";
import { plural } from "../output.js";
import { formatStatusSummary } from "../status-summary.js";
import { TRANSLATE_FLAGS, translateDir, workspaceDir } from "../workspace.js";

export const translateCommand: CommandSpec = {
  name: "translate",
  summary: "translate the workspace's policies into Istio and Linkerd manifests (stdout or a GitOps tree)",
  usage: ["translate [DIR] [-o yaml|json] [--out-dir D [--include-private-keys]] [--allow-coexisting]"],
  takesWorkspace: true,
  description: `Prints every cluster's manifests as YAML (or, with -o json, the TranslationResult contract
{discovery, clusters, statuses, certificatePlan, diagnostics}); statuses go to stderr. With --out-dir, writes one
kustomize tree per cluster (buildable with 'kubectl kustomize D/<cluster>') and lists what it skipped: Secrets
holding private keys are written (mode 0600) only with --include-private-keys.`,
  flags: {
    "out-dir": { type: "string", valueName: "DIR", description: "write a GitOps tree per cluster under DIR instead of printing manifests", complete: "dir" },
    "include-private-keys": { type: "boolean", description: "with --out-dir: also write Secrets that hold private keys (mode 0600)" },
    ...TRANSLATE_FLAGS,
  },
  examples: ["meshctl translate ./workspace", "meshctl translate ./workspace -o json > result.json", "meshctl translate ./workspace --out-dir ./gitops && kubectl kustomize ./gitops/east"],
  async run(ctx) {
    maxPositionals(ctx, 1, "one workspace folder");
    const format = outputFormat(ctx, ["yaml", "json"], "yaml");
    const dir = workspaceDir(ctx, ctx.positionals[0]);
    const { result } = translateDir(ctx, dir);
    const outDir = ctx.str("out-dir");
    if (outDir !== undefined) {
      const written = writeGitOps(outDir, result.clusters, { includePrivateKeys: ctx.bool("include-private-keys") });
      ctx.err(`wrote ${plural(written.written.length, "manifest")} and ${plural(written.kustomizations.length, "kustomization")} under ${outDir}\n`);
      for (const k of written.kustomizations) ctx.err(`  ${k}\n`);
      if (written.skipped.length > 0) {
        ctx.err(`skipped ${plural(written.skipped.length, "object")}:\n`);
        for (const s of written.skipped) ctx.err(`  ${s.path}: ${s.message}\n`);
      }
    }
    if (format === "json") ctx.out(translationToJson(result));
    else if (outDir === undefined) {
      for (const [cluster, objects] of Object.entries(result.clusters)) {
        for (const obj of objects) ctx.out(`# cluster: ${cluster}\n${toCanonicalYaml(obj)}---\n`);
      }
    }
    if (format !== "json") ctx.err(formatStatusSummary(result, ctx.errStyle));
    return EXIT.ok;
  },
};
