import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { toCanonicalYaml } from "../codec/canonical.js";
import type { WorkspaceFile } from "../codec/workspace.js";
import type { KubeObject } from "../model/common.js";

/** A problem reading or writing files, with the path it concerns. */
export class FileAdapterError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const WORKSPACE_FILE = /\.(ya?ml|json)$/i;

/** Reads every YAML/JSON file below `dir`, with paths relative to it (forward slashes), sorted. */
export function readWorkspaceDir(dir: string): WorkspaceFile[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new FileAdapterError(`workspace ${dir} does not exist`, dir, "create one with `meshctl demo` or point at a folder with clusters/<name>/*.yaml and policy files");
  }
  if (!st.isDirectory()) throw new FileAdapterError(`workspace ${dir} is not a folder`, dir);
  const files: WorkspaceFile[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && WORKSPACE_FILE.test(entry.name)) files.push({ path: relative(dir, full).split(sep).join("/"), content: readFileSync(full, "utf8") });
    }
  };
  walk(dir);
  return files;
}

/** Writes workspace files below `dir` (used by `meshctl demo` and `cluster register`). */
export function writeWorkspaceFiles(dir: string, files: readonly WorkspaceFile[]): void {
  for (const f of files) {
    const full = join(dir, ...f.path.split("/"));
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
  }
}

/** Where an emitted object goes in a GitOps tree: `<cluster>/<namespace or _cluster>/<kind>-<name>.yaml`. */
export function gitOpsPath(cluster: string, obj: KubeObject): string {
  const ns = obj.metadata.namespace ?? "_cluster";
  return `${cluster}/${ns}/${obj.kind.toLowerCase()}-${obj.metadata.name}.yaml`;
}

/** Writes `clusters` as a GitOps tree under `outDir` (replacing what meshhub wrote there before). */
export function writeGitOpsTree(outDir: string, clusters: Record<string, readonly KubeObject[]>): string[] {
  const written: string[] = [];
  for (const cluster of Object.keys(clusters).sort()) {
    rmSync(join(outDir, cluster), { recursive: true, force: true });
    for (const obj of clusters[cluster]!) {
      const rel = gitOpsPath(cluster, obj);
      const full = join(outDir, ...rel.split("/"));
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, toCanonicalYaml(obj));
      written.push(rel);
    }
  }
  return written;
}
