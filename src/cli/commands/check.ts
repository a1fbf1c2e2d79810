import * as E from "fp-ts/lib/Either.js";
import { readWorkspaceDir } from "../../adapters/files.js";
import { toCanonicalJson } from "../../codec/canonical.js";
import { loadWorkspace } from "../../codec/workspace.js";
import type { Diagnostic } from "../../discovery/types.js";
import { formatInputError } from "../../errors.js";
import type { Mesh, TrustAnchorInfo } from "../../model/discovery.js";
import type { ApprovalStatus } from "../../model/status.js";
import type { TranslationResult } from "../../translate/index.js";
import { maxPositionals, outputFormat, type CommandSpec, type Ctx } from "../context.js";
import { EXIT } from "../errors.js";
import { plural, type Style } from "../output.js";
import { TRANSLATE_FLAGS, intFlag, nowOf, translateLoaded, workspaceDir } from "../workspace.js";

/** One check: `ok`, `warn` (reported, does not fail) or `fail` (exit 1). */
export interface CheckResult {
  readonly category: string;
  readonly state: "ok" | "warn" | "fail";
  readonly message: string;
  readonly details: readonly string[];
}

/** What kind of rejection a status error is: decided from the translators' wording. */
export function rejectionKind(state: string, message: string): "conflict" | "clash" | "unsupported" | "invalid" {
  if (state === "CONFLICT") return "conflict";
  if (/which meshhub does not manage|not managed by meshhub/.test(message)) return "clash";
  if (/not supported|unsupported|cannot express|require[sd]? (Linkerd|Istio)|has no /i.test(message)) return "unsupported";
  return "invalid";
}

const DAY_MS = 86_400_000;

function policyChecks(
  category: string,
  kind: string,
  statuses: Readonly<Record<string, { state: string; errors?: string[] | undefined; destinations?: Record<string, ApprovalStatus>; meshes?: Record<string, ApprovalStatus> }>>,
): CheckResult[] {
  return Object.entries(statuses).map(([key, s]) => {
    const dot = key.lastIndexOf(".");
    const [name, namespace] = dot > 0 ? [key.slice(0, dot), key.slice(dot + 1)] : [key, "default"];
    const targets = s.destinations ?? s.meshes ?? {};
    const count = Object.keys(targets).length;
    const what = s.meshes ? plural(count, "mesh", "meshes") : plural(count, "destination");
    const details = [
      ...(s.errors ?? []),
      ...Object.entries(targets).flatMap(([t, d]) => (d.state === "ACCEPTED" ? [] : (d.errors?.length ? d.errors : [""]).map((e) => `${t}: ${d.state} (${rejectionKind(d.state, e)})${e ? `: ${e}` : ""}`))),
    ];
    // Accepted targets may still carry notes (e.g. services that could not be federated): worth a warning.
    const notes = Object.entries(targets).flatMap(([t, d]) => (d.state === "ACCEPTED" ? (d.errors ?? []).map((e) => `${t}: ${e}`) : []));
    const subject = `${kind} ${namespace}/${name}`;
    if (s.state !== "ACCEPTED") return { category, state: "fail", message: `${subject}: ${s.state}`, details: [...details, ...notes] };
    if (count === 0) return { category, state: "warn", message: `${subject}: ACCEPTED but selects no ${s.meshes ? "mesh" : "destination"}`, details };
    if (notes.length > 0) return { category, state: "warn", message: `${subject}: ACCEPTED (${what}) with ${plural(notes.length, "note")}`, details: notes };
    return { category, state: "ok", message: `${subject}: ACCEPTED (${what})`, details };
  });
}

function clusterOf(m: Mesh): string {
  return "istio" in m.spec ? m.spec.istio.installation.cluster : m.spec.linkerd.installation.cluster;
}

function certificateChecks(result: TranslationResult, now: Date, graceDays: number): CheckResult[] {
  const category = "Certificates";
  const out: CheckResult[] = [];
  const expiry = (what: string, notBefore: string | undefined, notAfter: string | undefined, hint: string): void => {
    if (notAfter === undefined) {
      out.push({ category, state: "warn", message: `${what}: expiry unknown (the certificate could not be read)`, details: [] });
      return;
    }
    const days = Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
    const date = notAfter.slice(0, 10);
    if (days < 0) out.push({ category, state: "fail", message: `${what}: EXPIRED on ${date} (${plural(-days, "day")} ago)`, details: [hint] });
    else if (days < graceDays) out.push({ category, state: "warn", message: `${what}: expires on ${date}, in ${plural(days, "day")} (less than ${graceDays})`, details: [hint] });
    else if (notBefore !== undefined && Date.parse(notBefore) > now.getTime()) out.push({ category, state: "warn", message: `${what}: not valid before ${notBefore.slice(0, 10)}`, details: [] });
    else out.push({ category, state: "ok", message: `${what}: valid until ${date} (${plural(days, "day")})`, details: [] });
  };
  const describe = (c: TrustAnchorInfo): string => [c.subject, c.source ? `from ${c.source}` : undefined].filter(Boolean).join(" ");
  for (const m of result.discovery.meshes) {
    const where = `cluster ${clusterOf(m)} mesh ${m.metadata.name}`;
    if ("linkerd" in m.spec) {
      for (const a of m.spec.linkerd.trustAnchors) expiry(`${where}: Linkerd trust anchor ${describe(a)}`, a.notBefore, a.notAfter, "rotate the trust anchor (a VirtualMesh with mtlsConfig.shared plans it; see 'meshctl describe virtualmesh')");
    } else {
      for (const c of m.spec.istio.caCertificates ?? []) expiry(`${where}: Istio CA certificate ${describe(c)}`, c.notBefore, c.notAfter, "rotate the plugged-in CA in cacerts (a VirtualMesh with mtlsConfig.shared plans it)");
    }
  }
  for (const vm of result.certificatePlan?.virtualMeshes ?? []) {
    const root = vm.root;
    if (root.existing?.notAfter) expiry(`VirtualMesh ${vm.virtualMesh.namespace}/${vm.virtualMesh.name}: root CA ${root.existing.subject ?? root.existing.fingerprintSha256.slice(0, 16)}`, undefined, root.existing.notAfter, "rotate the VirtualMesh root");
    for (const w of vm.warnings) out.push({ category, state: "warn", message: `VirtualMesh ${vm.virtualMesh.namespace}/${vm.virtualMesh.name}: ${w}`, details: [] });
  }
  for (const s of result.certificatePlan?.skipped ?? []) out.push({ category, state: "warn", message: `VirtualMesh ${s.virtualMesh.namespace}/${s.virtualMesh.name}: no certificate plan: ${s.reason}`, details: [] });
  if (out.length === 0) out.push({ category, state: "ok", message: "no trust anchors or plugged-in CA certificates found: nothing can expire", details: [] });
  return out;
}

function diagnosticChecks(category: string, diagnostics: readonly Diagnostic[]): CheckResult[] {
  return diagnostics.map((d) => ({
    category,
    state: d.severity === "error" ? "fail" : "warn",
    message: `${[d.cluster ? `cluster ${d.cluster}` : undefined, d.kind, d.namespace ? `${d.namespace}/${d.name}` : d.name].filter(Boolean).join(" ")}: ${d.message}`,
    details: [],
  }));
}

/** Every check of a translated workspace. */
export function runChecks(result: TranslationResult, now: Date, graceDays: number): CheckResult[] {
  const d = result.discovery;
  const discoveryDiagnostics = result.diagnostics.slice(0, d.diagnostics.length);
  const translationDiagnostics = result.diagnostics.slice(d.diagnostics.length);
  return [
    { category: "Discovery", state: "ok", message: `${plural(d.clusters.length, "cluster")}, ${plural(d.meshes.length, "mesh", "meshes")}, ${plural(d.workloads.length, "workload")}, ${plural(d.services.length, "service")}`, details: [] },
    ...diagnosticChecks("Discovery", discoveryDiagnostics),
    ...policyChecks("Traffic policies", "TrafficPolicy", result.statuses.trafficPolicies),
    ...policyChecks("Access policies", "AccessPolicy", result.statuses.accessPolicies),
    ...policyChecks("Virtual meshes", "VirtualMesh", result.statuses.virtualMeshes),
    ...diagnosticChecks("Translation", translationDiagnostics),
    ...certificateChecks(result, now, graceDays),
  ];
}

const SYMBOL = { ok: "✔", warn: "‼", fail: "×" } as const;

/** linkerd-check style text: one block per category, then the verdict. */
export function formatChecks(checks: readonly CheckResult[], style: Style, verbose: boolean): string {
  const out: string[] = [];
  let category = "";
  for (const c of checks) {
    if (c.category !== category) {
      category = c.category;
      out.push(...(out.length > 0 ? [""] : []), style.bold(category), "-".repeat(category.length));
    }
    out.push(`${style.state(SYMBOL[c.state])} ${c.message}`);
    if (c.state !== "ok" || verbose) for (const d of c.details) out.push(`    ${d}`);
  }
  const failed = checks.filter((c) => c.state === "fail").length;
  const warned = checks.filter((c) => c.state === "warn").length;
  const passed = checks.length - failed - warned;
  out.push("", `Status check results are ${style.state(failed > 0 ? "×" : "✔")}: ${passed} passed, ${plural(warned, "warning")}, ${failed} failed`);
  return `${out.join("\n")}\n`;
}

function emit(ctx: Ctx, format: "table" | "json", checks: readonly CheckResult[]): number {
  const failed = checks.filter((c) => c.state === "fail").length;
  const warned = checks.filter((c) => c.state === "warn").length;
  if (format === "json") ctx.out(toCanonicalJson({ ok: failed === 0, summary: { passed: checks.length - failed - warned, warnings: warned, failed }, checks }));
  else ctx.out(formatChecks(checks, ctx.style, ctx.verbose));
  return failed > 0 ? EXIT.notAccepted : EXIT.ok;
}

export const checkCommand: CommandSpec = {
  name: "check",
  summary: "check every policy and VirtualMesh status, conflicts, clashes, unsupported features and certificate expiry",
  usage: ["check [DIR] [-o table|json] [--grace-days N]"],
  takesWorkspace: true,
  description: `Translates the workspace and reports, like 'linkerd check': discovery problems; every TrafficPolicy,
AccessPolicy and VirtualMesh with its status (CONFLICT, clashes with hand-written mesh config, features a mesh
cannot express, other INVALID reasons, per destination); Linkerd trust anchors and Istio plugged-in CA certificates
that expire within --grace-days (warning) or have expired (failure); certificate plan warnings. Exits 1 when any
check fails (something is not accepted), so it can gate a CI pipeline; warnings do not fail.`,
  flags: {
    "grace-days": { type: "string", valueName: "N", default: "30", description: "warn about certificates expiring within N days" },
    ...TRANSLATE_FLAGS,
  },
  examples: ["meshctl check ./workspace", "meshctl check ./workspace -o json | jq '.checks[] | select(.state != \"ok\")'", "meshctl check ./workspace --grace-days 90"],
  async run(ctx) {
    maxPositionals(ctx, 1, "one workspace folder");
    const format = outputFormat(ctx, ["table", "json"], "table");
    const graceDays = intFlag(ctx, "grace-days", 30);
    const now = nowOf(ctx);
    const dir = workspaceDir(ctx, ctx.positionals[0]);
    const loaded = loadWorkspace(readWorkspaceDir(dir));
    if (E.isLeft(loaded)) {
      return emit(ctx, format, [{ category: "Workspace", state: "fail", message: `workspace ${dir}: ${plural(loaded.left.length, "input error")}`, details: loaded.left.map(formatInputError) }]);
    }
    const result = translateLoaded(ctx, loaded.right, { graceDays });
    return emit(ctx, format, runChecks(result, now, graceDays));
  },
};
