import * as E from "fp-ts/lib/Either.js";
import type { InputError } from "../errors.js";
import type { ClusterSnapshot } from "../discovery/types.js";
import type { KubeObject } from "../model/common.js";
import { loadResources, type MeshhubResources, type ResourceSources } from "./load.js";
import { parseDocuments, type ParseLimits, type ParsedDocument } from "./parse.js";

/** A file handed to the core: its path relative to the workspace root, and its text. */
export interface WorkspaceFile {
  readonly path: string;
  readonly content: string;
}

/**
 * A workspace: `clusters/<cluster-name>/**` holds the raw objects read from that cluster; every other YAML file
 * holds meshhub resources (policies, VirtualMeshes, KubernetesClusters).
 */
export interface Workspace {
  readonly snapshots: readonly ClusterSnapshot[];
  readonly resources: MeshhubResources;
  readonly sources: ResourceSources;
}

const CLUSTER_PATH = /^clusters\/([^/]+)\/.+/;
const YAML_FILE = /\.(ya?ml|json)$/i;

/** Which cluster a workspace path belongs to, or undefined for a meshhub resource file. */
export function clusterOfPath(path: string): string | undefined {
  return CLUSTER_PATH.exec(path.replace(/\\/g, "/").replace(/^\.\//, ""))?.[1];
}

/**
 * Parses and validates a workspace. Every error of every file is reported (one bad object does not hide the
 * others); the result is Left when any error was found, with all of them.
 */
export function loadWorkspace(files: readonly WorkspaceFile[], limits?: ParseLimits): E.Either<InputError[], Workspace> {
  const errors: InputError[] = [];
  const resourceDocs: ParsedDocument[] = [];
  const clusterObjects = new Map<string, { objects: KubeObject[]; sources: { file?: string; document?: number; item?: number }[] }>();
  const sorted = [...files].filter((f) => YAML_FILE.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const parsed = parseDocuments(file.content, file.path, limits);
    errors.push(...parsed.errors);
    const cluster = clusterOfPath(file.path);
    if (cluster === undefined) {
      resourceDocs.push(...parsed.documents);
      continue;
    }
    let entry = clusterObjects.get(cluster);
    if (!entry) clusterObjects.set(cluster, (entry = { objects: [], sources: [] }));
    for (const doc of parsed.documents) {
      // Raw cluster objects are checked by discovery, which reports malformed ones without stopping.
      if (doc.value === null || typeof doc.value !== "object" || Array.isArray(doc.value)) {
        errors.push({ file: file.path, document: doc.document, ...(doc.item !== undefined ? { item: doc.item } : {}), cluster, message: "not a Kubernetes object", expected: "a mapping with apiVersion, kind and metadata" });
        continue;
      }
      entry.objects.push(doc.value as KubeObject);
      entry.sources.push({ file: file.path, document: doc.document, ...(doc.item !== undefined ? { item: doc.item } : {}) });
    }
  }
  const loaded = loadResources(resourceDocs);
  errors.push(...loaded.errors);
  const snapshots: ClusterSnapshot[] = [...clusterObjects.keys()].sort().map((cluster) => {
    const e = clusterObjects.get(cluster)!;
    return { cluster, objects: e.objects, sources: e.sources };
  });
  if (errors.length > 0) return E.left(sortErrors(errors));
  return E.right({ snapshots, resources: loaded.resources, sources: loaded.sources });
}

/** Orders errors by file, document and item, keeping the order within one object. */
function sortErrors(errors: InputError[]): InputError[] {
  return errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const fa = a.e.file ?? "";
      const fb = b.e.file ?? "";
      if (fa !== fb) return fa < fb ? -1 : 1;
      return (a.e.document ?? 0) - (b.e.document ?? 0) || (a.e.item ?? -1) - (b.e.item ?? -1) || a.i - b.i;
    })
    .map(({ e }) => e);
}
