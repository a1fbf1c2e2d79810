import { parseArgs } from "node:util";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { writeGitOpsTree, readWorkspaceDir, writeWorkspaceFiles } from "../adapters/files.js";
import { formatInputError } from "../errors.js";
import { translateWorkspace } from "../pipeline.js";
import { formatDiscoveryTable } from "./discover-table.js";
import { demoWorkspaceFiles } from "./demo/workspace.js";
import { formatStatusSummary } from "./status-summary.js";

/**
 * `meshctl demo`: writes the bundled two-cluster workspace, reads it back like any workspace, runs discovery
 * and translation, writes the GitOps tree and prints a summary. Fully offline.
 */
export async function runDemo(args: readonly string[], io: { out: (t: string) => void; err: (t: string) => void }): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { dir: { type: "string", default: ".meshhub-demo" } } });
  const root = values.dir!;
  const workspaceDir = join(root, "workspace");
  const outDir = join(root, "out");
  writeWorkspaceFiles(workspaceDir, demoWorkspaceFiles());
  io.out(`Wrote the example workspace to ${workspaceDir}\n\n`);
  const result = translateWorkspace(readWorkspaceDir(workspaceDir), { now: new Date() });
  if (E.isLeft(result)) {
    for (const e of result.left) io.err(`error: ${formatInputError(e)}\n`);
    return 1;
  }
  const r = result.right;
  io.out(`Discovery\n${formatDiscoveryTable(r.discovery)}\n`);
  const written = writeGitOpsTree(outDir, r.clusters);
  io.out(`Translation: ${written.length} manifests written under ${outDir}\n`);
  for (const [cluster, objects] of Object.entries(r.clusters)) {
    const kinds = new Map<string, number>();
    for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    io.out(`  ${cluster}: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}\n`);
  }
  io.out(`\nStatuses\n${formatStatusSummary(r)}`);
  io.out(`\nNext: meshctl translate ${workspaceDir} -o yaml\n`);
  return 0;
}
