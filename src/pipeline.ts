import * as E from "fp-ts/lib/Either.js";
import { loadWorkspace, type WorkspaceFile } from "./codec/workspace.js";
import { discover } from "./discovery/index.js";
import type { InputError } from "./errors.js";
import { translate, type TranslationResult } from "./translate/index.js";
import type { TranslateOptions } from "./translate/types.js";

/** Options for {@link translateWorkspace}. */
export interface WorkspaceTranslateOptions extends TranslateOptions {
  /** Management namespace for discovered objects (default `meshhub`). */
  readonly managementNamespace?: string;
}

/**
 * The main job in one call: parse and validate a workspace's files, discover every cluster, translate every
 * policy. Left with every input error when the workspace is invalid.
 */
export function translateWorkspace(files: readonly WorkspaceFile[], options: WorkspaceTranslateOptions = {}): E.Either<InputError[], TranslationResult> {
  const loaded = loadWorkspace(files);
  if (E.isLeft(loaded)) return loaded;
  const ws = loaded.right;
  const discovery = discover(ws.snapshots, {
    clusters: ws.resources.clusters,
    ...(options.managementNamespace !== undefined ? { managementNamespace: options.managementNamespace } : {}),
  });
  const { managementNamespace: _ignored, ...translateOptions } = options;
  return E.right(
    translate({
      discovery,
      trafficPolicies: ws.resources.trafficPolicies,
      accessPolicies: ws.resources.accessPolicies,
      virtualMeshes: ws.resources.virtualMeshes,
      options: translateOptions,
    }),
  );
}
