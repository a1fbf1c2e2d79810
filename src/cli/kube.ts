import { ClusterError, connectCluster, readSnapshot, type ClusterConnection, type ConnectOptions } from "../adapters/kube/index.js";
import type { ClusterSnapshot } from "../discovery/types.js";
import type { KubernetesCluster } from "../model/discovery.js";
import type { TranslationResult } from "../translate/index.js";
import { maxPositionals, outputFormat, type Ctx, type FlagSpecs } from "./context.js";
import { CliError, EXIT, UsageError } from "./errors.js";
import { plural, type Progress } from "./output.js";
import { translateDir, workspaceDir } from "./workspace.js";

/** Flags of commands that talk to clusters. */
export const CLUSTER_FLAGS = {
  cluster: { type: "string", multiple: true, valueName: "NAME", description: "only these registered clusters (comma-separated or repeated; default: all)" },
} as const satisfies FlagSpecs;

/** A registered cluster to connect to, with the options the command line adds. */
export interface KubeTarget {
  readonly name: string;
  readonly registration: KubernetesCluster;
  readonly options: ConnectOptions;
}

function registerHint(name: string, dir: string): string {
  return `register it: meshctl cluster register ${name} --kubeconfig FILE --context CONTEXT -w ${dir}`;
}

/**
 * The registered clusters a command talks to. `--cluster` narrows them (an unknown name is an error, exit 1);
 * `--kubeconfig` overrides every registration's kubeconfig; `--context` names one context, so it needs exactly one
 * target. `wanted` (apply, diff) are clusters the translation has manifests for: each must be registered, and,
 * unless `--cluster` leaves it out, targeted. `explicit` (apply, diff) refuses a target whose registration names
 * neither a context nor a kubeconfig, rather than guessing the current context.
 */
export function kubeTargets(ctx: Ctx, dir: string, registered: readonly KubernetesCluster[], options: { wanted?: readonly string[]; explicit?: boolean } = {}): KubeTarget[] {
  const byName = new Map(registered.map((c) => [c.metadata.name, c] as const));
  const names = [...byName.keys()].sort();
  const chosen = ctx.list("cluster");
  for (const c of chosen) {
    if (!byName.has(c)) {
      throw new CliError(`cluster ${c} is not registered in workspace ${dir}`, EXIT.notAccepted, names.length > 0 ? `registered clusters: ${names.join(", ")}; or ${registerHint(c, dir)}` : registerHint(c, dir));
    }
  }
  const wanted = options.wanted ?? [];
  for (const w of wanted) {
    if (!byName.has(w) && (chosen.length === 0 || chosen.includes(w))) {
      throw new CliError(`the translation has manifests for cluster ${w}, which is not registered in workspace ${dir} (no KubernetesCluster says how to reach it)`, EXIT.notAccepted, `${registerHint(w, dir)}; or leave it out with --cluster`);
    }
  }
  const targets = (chosen.length > 0 ? chosen : names).filter((n, i, all) => all.indexOf(n) === i);
  const context = ctx.str("context");
  const kubeconfig = ctx.str("kubeconfig");
  if (context !== undefined && targets.length > 1) {
    throw new UsageError(`--context names one kube context, but ${targets.length} clusters are targeted (${targets.join(", ")})`, "pick one with --cluster NAME, or register each cluster with its own --context");
  }
  return targets.map((name) => {
    const registration = byName.get(name) as KubernetesCluster;
    if (options.explicit && context === undefined && registration.spec.context === undefined && registration.spec.kubeconfig === undefined) {
      throw new CliError(
        `cluster ${name} is registered without a context or kubeconfig; meshctl will not guess (it would use your current kube context)`,
        EXIT.notAccepted,
        `set one: meshctl cluster register ${name} --context CONTEXT --overwrite -w ${dir}, or pass --cluster ${name} --context CONTEXT`,
      );
    }
    return { name, registration, options: { ...(kubeconfig !== undefined ? { kubeconfig } : {}), ...(context !== undefined ? { context } : {}), env: ctx.env } };
  });
}

/** Connects (reads the kubeconfig; nothing is sent). Throws ClusterError. */
export async function connectTarget(target: KubeTarget): Promise<ClusterConnection> {
  return connectCluster(target.registration, target.options);
}

/** Reads a snapshot of every target, with a spinner on stderr. Throws ClusterError on the first cluster that fails. */
export async function readLiveSnapshots(ctx: Ctx, targets: readonly { name: string; connect: () => Promise<ClusterConnection> }[]): Promise<ClusterSnapshot[]> {
  const progress = ctx.progress();
  const snapshots: ClusterSnapshot[] = [];
  try {
    for (const t of targets) {
      progress.update(`cluster ${t.name}: connecting`);
      const conn = await t.connect();
      const snapshot = await readSnapshot(conn, {
        onProgress: (p) => progress.update(`cluster ${t.name} (${conn.context}): ${p.status === "listed" ? `read ${p.count} ${p.kind}` : `${p.group}/${p.kind} not installed`} [${p.index}/${p.total}]`),
      });
      snapshots.push({ ...snapshot, cluster: t.name });
      progress.done(ctx.verbose ? `cluster ${t.name}: read ${snapshot.objects.length} objects from ${conn.server} (context ${conn.context})` : undefined);
    }
  } finally {
    progress.done();
  }
  return snapshots;
}

/** What `apply` and `diff` start from: the workspace translated, and the clusters to talk to. */
export interface Rollout {
  readonly format: "text" | "json";
  readonly dir: string;
  readonly result: TranslationResult;
  readonly prune: boolean;
  readonly targets: readonly KubeTarget[];
}

/**
 * Translates the command's workspace and picks the clusters `apply` / `diff` talk to: clusters with manifests, and
 * with `--prune` every registered one (or those `--cluster` names). Warns about resources not accepted.
 */
export function prepareRollout(ctx: Ctx): Rollout {
  maxPositionals(ctx, 1, "one workspace folder");
  const format = outputFormat(ctx, ["text", "json"], "text");
  const dir = workspaceDir(ctx, ctx.positionals[0]);
  const { workspace, result } = translateDir(ctx, dir);
  const prune = ctx.bool("prune");
  const clusters = result.clusters;
  const wanted = Object.keys(clusters).filter((c) => (clusters[c]?.length ?? 0) > 0);
  const all = kubeTargets(ctx, dir, workspace.resources.clusters, { wanted, explicit: true });
  const targets = prune || ctx.list("cluster").length > 0 ? all : all.filter((t) => wanted.includes(t.name));
  warnNotAccepted(ctx, dir, result);
  return { format, dir, result, prune, targets };
}

/** Warns (stderr) about resources that are not accepted: what they could not configure is not in the manifests. */
function warnNotAccepted(ctx: Ctx, dir: string, result: TranslationResult): void {
  const bad = [
    ...Object.entries(result.statuses.trafficPolicies).map(([k, s]) => [`TrafficPolicy ${k}`, s.state] as const),
    ...Object.entries(result.statuses.accessPolicies).map(([k, s]) => [`AccessPolicy ${k}`, s.state] as const),
    ...Object.entries(result.statuses.virtualMeshes).map(([k, s]) => [`VirtualMesh ${k}`, s.state] as const),
  ].filter(([, state]) => state !== "ACCEPTED");
  if (bad.length === 0) return;
  ctx.err(`${ctx.errStyle.yellow("warning:")} ${plural(bad.length, "resource")} not accepted (${bad.map(([n, s]) => `${n} ${s}`).join(", ")}); what they could not configure is not applied. Details: meshctl check ${dir}\n`);
}

/** `cluster east (context kind-east, https://…)` */
export function clusterHeading(ctx: Ctx, conn: { cluster: string; context: string; server: string }): string {
  return ctx.style.bold(`cluster ${conn.cluster}`) + ` (context ${conn.context}, ${conn.server})`;
}

/** What happened on one cluster: the work's result, or the connection problem. */
export type ClusterOutcome<T> = { readonly cluster: string; readonly context: string; readonly server: string; readonly result: T } | { readonly cluster: string; readonly error: { readonly kind: string; readonly message: string; readonly hint: string } };

/**
 * Runs `work` on each target in turn with a spinner. A cluster that cannot be reached (ClusterError) is reported on
 * stderr as one line plus a hint and the others still run.
 */
export async function forEachCluster<T>(ctx: Ctx, targets: readonly KubeTarget[], work: (conn: ClusterConnection, progress: Progress) => Promise<T>): Promise<ClusterOutcome<T>[]> {
  const outcomes: ClusterOutcome<T>[] = [];
  for (const t of targets) {
    const progress = ctx.progress();
    try {
      progress.update(`cluster ${t.name}: connecting`);
      const conn = await connectTarget(t);
      const result = await work(conn, progress);
      progress.done();
      outcomes.push({ cluster: t.name, context: conn.context, server: conn.server, result });
    } catch (e) {
      progress.done();
      if (!(e instanceof ClusterError)) throw e;
      outcomes.push({ cluster: t.name, error: { kind: e.kind, message: e.message, hint: e.hint } });
      ctx.err(`meshctl: ${e.oneLine()}\nhint: ${e.hint}\n`);
    }
  }
  return outcomes;
}
