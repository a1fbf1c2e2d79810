import { maxPositionals, type CommandSpec } from "../context.js";
import { EXIT } from "../errors.js";
import { loadWorkspaceDir, workspaceDir } from "../workspace.js";

export const validateCommand: CommandSpec = {
  name: "validate",
  summary: "check every file of a workspace; lists every error",
  usage: ["validate [DIR]"],
  takesWorkspace: true,
  flags: {},
  examples: ["meshctl validate ./workspace"],
  async run(ctx) {
    maxPositionals(ctx, 1, "one workspace folder");
    const dir = workspaceDir(ctx, ctx.positionals[0]);
    const { files, workspace } = loadWorkspaceDir(dir);
    const r = workspace.resources;
    ctx.out(
      `ok: ${files.length} files, ${workspace.snapshots.length} clusters, ${r.trafficPolicies.length} TrafficPolicies, ${r.accessPolicies.length} AccessPolicies, ${r.virtualMeshes.length} VirtualMeshes\n`,
    );
    return EXIT.ok;
  },
};
