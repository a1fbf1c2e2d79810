/** Runs the pipeline on a builder-made estate and checks every emitted object against the real CRDs. */
import { expect } from "vitest";
import type { ForeignConfig } from "../../src/discovery/types.js";
import type { KubernetesCluster, Mesh, MeshService, MeshWorkload } from "../../src/model/discovery.js";
import type { AccessPolicy, TrafficPolicy, VirtualMesh } from "../../src/model/networking.js";
import { translate, type TranslationResult } from "../../src/translate/index.js";
import type { TranslateOptions } from "../../src/translate/types.js";
import { discovery } from "./builders.js";
import { expectValid, loadSharedCrds } from "./crds.js";

/** An estate as tests describe it: discovered objects plus the policies to translate. */
export interface Estate {
  meshes: Mesh[];
  services?: MeshService[];
  workloads?: MeshWorkload[];
  clusters?: KubernetesCluster[];
  foreignConfig?: ForeignConfig[];
  trafficPolicies?: TrafficPolicy[];
  accessPolicies?: AccessPolicy[];
  virtualMeshes?: VirtualMesh[];
  options?: TranslateOptions;
}

const crds = loadSharedCrds();
if (crds === undefined) console.warn("\n*** translator tests: CRD conformance of emitted objects NOT checked (../shared/schemas missing) ***\n");

/**
 * Translates the estate; every emitted object must conform to its CRD (core kinds, which only appear as patches of
 * users' objects, are listed in `skipped`), and no error diagnostic may appear.
 */
export function runChecked(e: Estate): { result: TranslationResult; skipped: string[] } {
  const result = translate({
    discovery: discovery({ meshes: e.meshes, services: e.services ?? [], workloads: e.workloads ?? [], clusters: e.clusters ?? [], foreignConfig: e.foreignConfig ?? [] }),
    trafficPolicies: e.trafficPolicies ?? [],
    accessPolicies: e.accessPolicies ?? [],
    virtualMeshes: e.virtualMeshes ?? [],
    ...(e.options ? { options: e.options } : {}),
  });
  const skipped = crds ? expectValid(crds, Object.values(result.clusters).flat()).skipped : [];
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { result, skipped };
}
