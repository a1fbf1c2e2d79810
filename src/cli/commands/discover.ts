import { connectCluster } from "../../adapters/kube/index.js";
import { toCanonicalJson, toCanonicalYaml } from "../../codec/canonical.js";
import { discover } from "../../discovery/index.js";
import { maxPositionals, outputFormat, type CommandSpec } from "../context.js";
import { formatDiscoveryTable } from "../discover-table.js";
import { EXIT } from "../errors.js";
import { CLUSTER_FLAGS, connectTarget, kubeTargets, readLiveSnapshots } from "../kube.js";
import { discoverWorkspace, loadWorkspaceDir, workspaceDir } from "../workspace.js";

export const discoverCommand: CommandSpec = {
  name: "discover",
  summary: "show the meshes, workloads and services of the workspace's clusters (from files, or live)",
  usage: ["discover [DIR] [-o table|yaml|json]", "discover [DIR] --live [--cluster NAME]", "discover --kubeconfig FILE --context CONTEXT"],
  takesWorkspace: true,
  description: `Without --live, --kubeconfig or --context, discovery reads the snapshots under DIR/clusters/<name>/.
With them, it reads the registered clusters' API servers through the Kubernetes adapter (GET requests only; Secrets
other than Istio's cacerts are never read, and private keys are dropped). --kubeconfig overrides every registration's
kubeconfig; --context needs a single cluster (--cluster NAME). Without a workspace argument and with --context or
--kubeconfig, the one cluster of that context is read and named after it. Progress goes to stderr on a terminal.`,
  flags: {
    live: { type: "boolean", description: "read the registered clusters' API servers instead of the workspace's snapshot files" },
    ...CLUSTER_FLAGS,
  },
  examples: [
    "meshctl discover ./workspace",
    "meshctl discover ./workspace --live -o yaml",
    "meshctl discover --kubeconfig ~/.kube/config --context kind-east",
  ],
  async run(ctx) {
    maxPositionals(ctx, 1, "one workspace folder");
    const format = outputFormat(ctx, ["table", "yaml", "json"], "table");
    const explicitDir = ctx.positionals[0] ?? ctx.str("workspace") ?? (ctx.env.MESHCTL_WORKSPACE || undefined);
    const live = ctx.bool("live") || ctx.str("kubeconfig") !== undefined || ctx.str("context") !== undefined;
    let d;
    if (!live) {
      const dir = workspaceDir(ctx, ctx.positionals[0]);
      d = discoverWorkspace(loadWorkspaceDir(dir).workspace);
    } else if (explicitDir === undefined && !ctx.bool("live")) {
      // No workspace: the one cluster of --context (or of the kubeconfig's current context), named after it.
      const context = ctx.str("context");
      const kubeconfig = ctx.str("kubeconfig");
      const conn = await connectCluster({ metadata: { name: ctx.list("cluster")[0] ?? context ?? "current-context" } }, { ...(kubeconfig !== undefined ? { kubeconfig } : {}), ...(context !== undefined ? { context } : {}), env: ctx.env });
      const name = ctx.list("cluster")[0] ?? conn.context;
      d = discover(await readLiveSnapshots(ctx, [{ name, connect: async () => ({ ...conn, cluster: name }) }]));
    } else {
      const dir = workspaceDir(ctx, ctx.positionals[0]);
      const { workspace } = loadWorkspaceDir(dir);
      const targets = kubeTargets(ctx, dir, workspace.resources.clusters);
      if (targets.length === 0) {
        ctx.err(`meshctl: no cluster is registered in workspace ${dir}\nhint: register one with 'meshctl cluster register NAME --kubeconfig FILE --context CONTEXT -w ${dir}', or pass --context without a workspace\n`);
        return EXIT.notAccepted;
      }
      const snapshots = await readLiveSnapshots(
        ctx,
        targets.map((t) => ({ name: t.name, connect: () => connectTarget(t) })),
      );
      const read = new Set(targets.map((t) => t.name));
      d = discover(snapshots, { clusters: workspace.resources.clusters.filter((c) => read.has(c.metadata.name)) });
    }
    if (format === "json") ctx.out(toCanonicalJson(d));
    else if (format === "yaml") ctx.out(toCanonicalYaml(d));
    else ctx.out(formatDiscoveryTable(d, ctx.style));
    return EXIT.ok;
  },
};
