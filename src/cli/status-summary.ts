import type { TranslationResult } from "../translate/index.js";
import type { ApprovalStatus } from "../model/status.js";
import { makeStyle, type Style } from "./output.js";

function lines(
  kind: string,
  statuses: Record<string, { state: string; errors?: string[] | undefined; destinations?: Record<string, ApprovalStatus>; meshes?: Record<string, ApprovalStatus> }>,
  style: Style,
): string[] {
  const out: string[] = [];
  for (const [key, s] of Object.entries(statuses)) {
    out.push(`${kind} ${key}: ${style.state(s.state)}`);
    for (const e of s.errors ?? []) out.push(`    ${e}`);
    for (const [dest, d] of Object.entries(s.destinations ?? s.meshes ?? {})) {
      // ACCEPTED entries are listed only when they carry notes (e.g. a VirtualMesh's "not federated:" pairs).
      if (d.state === "ACCEPTED" && !d.errors?.length) continue;
      out.push(`  ${dest}: ${style.state(d.state)}`);
      for (const e of d.errors ?? []) out.push(`    ${e}`);
    }
  }
  return out;
}

/** A readable summary of every status and diagnostic, for stderr after `translate` and in `demo`. */
export function formatStatusSummary(result: TranslationResult, style: Style = makeStyle(false)): string {
  const out = [
    ...lines("TrafficPolicy", result.statuses.trafficPolicies, style),
    ...lines("AccessPolicy", result.statuses.accessPolicies, style),
    ...lines("VirtualMesh", result.statuses.virtualMeshes, style),
  ];
  for (const d of result.diagnostics) out.push(`${d.severity}: ${[d.cluster, d.kind, d.namespace ? `${d.namespace}/${d.name}` : d.name].filter(Boolean).join(" ")}: ${d.message}`);
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}
