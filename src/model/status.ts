import { z } from "zod";

/** Outcome of translating a policy (overall, or for one destination / mesh). */
export const ApprovalState = z.enum(["ACCEPTED", "INVALID", "CONFLICT"]);
export type ApprovalState = z.infer<typeof ApprovalState>;

/** Status for one destination (key `name.namespace.cluster`) or one mesh of a VirtualMesh. */
export const ApprovalStatus = z.object({
  state: ApprovalState,
  errors: z.array(z.string()).optional(),
});
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/**
 * How many affected workloads a policy status lists by name. A policy over a whole mesh affects every workload in
 * it — 20,000 in a 100,000-service estate — which no status object (etcd takes 1.5 MiB) and no JSON output of all
 * statuses could carry; the rest are counted instead.
 */
export const STATUS_WORKLOADS_LIMIT = 100;

/** Computed status of a TrafficPolicy or AccessPolicy. */
export const PolicyStatus = z.object({
  state: ApprovalState,
  observedGeneration: z.number().int().optional(),
  errors: z.array(z.string()).optional(),
  destinations: z.record(z.string(), ApprovalStatus),
  /**
   * MeshWorkload names of the workloads the policy affects as sources (clients in the meshes of its destinations),
   * sorted: all of them, or the first {@link STATUS_WORKLOADS_LIMIT} when there are more.
   */
  workloads: z.array(z.string()),
  /** How many affected workloads are not listed in `workloads` (set only when the list was cut). */
  workloadsOmitted: z.number().int().min(1).optional(),
});
export type PolicyStatus = z.infer<typeof PolicyStatus>;

/** Computed status of a VirtualMesh, with one entry per referenced mesh. */
export const VirtualMeshStatus = z.object({
  state: ApprovalState,
  observedGeneration: z.number().int().optional(),
  errors: z.array(z.string()).optional(),
  meshes: z.record(z.string(), ApprovalStatus),
});
export type VirtualMeshStatus = z.infer<typeof VirtualMeshStatus>;

/** The worse of two states: INVALID > CONFLICT > ACCEPTED. */
export function worseState(a: ApprovalState, b: ApprovalState): ApprovalState {
  return a === b ? a : a === "INVALID" || b === "INVALID" ? "INVALID" : "CONFLICT";
}
