import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { compareStrings } from "../codec/canonical.js";
import type { WorkspaceFile } from "../codec/workspace.js";
import type { KubeObject } from "../model/common.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PATCH_ANNOTATION } from "../translate/metadata.js";
import { GITOPS_MARKER, KUSTOMIZATION_FILE, planGitOpsTree, type GitOpsOptions, type GitOpsTree, type SkippedObject } from "./gitops.js";

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

export { gitOpsPath } from "./gitops.js";
export type { GitOpsFile, GitOpsOptions, GitOpsTree, SkippedObject } from "./gitops.js";

/** What {@link writeGitOps} wrote. Paths are relative to the output folder, forward slashes, sorted. */
export interface GitOpsWriteResult {
  readonly outDir: string;
  /** Manifests written: kustomization resources, kustomize patches and service patches (not kustomization.yaml or READMEs). */
  readonly written: readonly string[];
  /** The kustomization.yaml of each cluster. */
  readonly kustomizations: readonly string[];
  /** Objects not written (Secrets holding private keys, unless asked). */
  readonly skipped: readonly SkippedObject[];
  /** Per-cluster detail. */
  readonly trees: readonly GitOpsTree[];
}

/**
 * Writes `clusters` as GitOps trees under `outDir` (layout and patch handling: see `./gitops.ts`). Each cluster's
 * folder is replaced as a whole: the new tree is written next to it and renamed into place. A folder meshhub did not
 * write is never replaced. Nothing is written when any object cannot be placed.
 *
 * @throws FileAdapterError
 */
export function writeGitOps(outDir: string, clusters: Readonly<Record<string, readonly KubeObject[]>>, options: GitOpsOptions = {}): GitOpsWriteResult {
  const trees = Object.keys(clusters)
    .sort(compareStrings)
    .map((cluster) => planGitOpsTree(cluster, clusters[cluster] ?? [], options));
  const problems = trees.flatMap((t) => t.problems);
  if (problems.length > 0) {
    throw new FileAdapterError(`cannot write the GitOps tree: ${problems.join("; ")}`, outDir, "this is a bug in the translated manifests; please report it");
  }
  for (const tree of trees) {
    const target = join(outDir, tree.cluster);
    assertReplaceable(target);
    const staging = join(outDir, `.${tree.cluster}.meshhub-tmp-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    try {
      for (const f of tree.files) {
        const full = join(staging, ...f.path.split("/").slice(1));
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, f.content, { mode: f.mode });
        chmodSync(full, f.mode); // the umask may have narrowed or the file may have existed
      }
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw new FileAdapterError(`cannot write ${target}: ${(e as Error).message}`, target);
    }
  }
  const written = trees.flatMap((t) => [...t.resources, ...t.patches, ...t.servicePatches]).sort(compareStrings);
  return {
    outDir,
    written,
    kustomizations: trees.map((t) => `${t.cluster}/${KUSTOMIZATION_FILE}`),
    skipped: trees.flatMap((t) => t.skipped),
    trees,
  };
}

/** Writes `clusters` as a GitOps tree under `outDir`; returns the manifest paths written (see {@link writeGitOps}). */
export function writeGitOpsTree(outDir: string, clusters: Readonly<Record<string, readonly KubeObject[]>>, options: GitOpsOptions = {}): string[] {
  return [...writeGitOps(outDir, clusters, options).written];
}

/**
 * A cluster folder may be replaced when it does not exist, is empty, has meshhub's kustomization.yaml, or (trees
 * written before kustomization.yaml existed) holds only YAML files with meshhub's owner label or patch annotation.
 */
function assertReplaceable(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return;
  }
  const refuse = (why: string): never => {
    throw new FileAdapterError(`refusing to replace ${dir}: ${why}`, dir, "choose another output folder, or remove this one if it is really meshhub's");
  };
  if (!st.isDirectory()) refuse("it is not a folder");
  try {
    if (readFileSync(join(dir, KUSTOMIZATION_FILE), "utf8").startsWith(GITOPS_MARKER)) return;
  } catch {
    // no kustomization.yaml: look at the files
  }
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!/\.ya?ml$/i.test(entry.name)) refuse(`it holds ${relative(dir, full)}, which meshhub did not write`);
      else {
        const text = readFileSync(full, "utf8");
        if (!text.includes(`${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE}`) && !text.includes(PATCH_ANNOTATION)) refuse(`it holds ${relative(dir, full)}, which meshhub did not write`);
      }
    }
  };
  walk(dir);
}
