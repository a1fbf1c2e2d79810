import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { readWorkspaceDir } from "../../adapters/files.js";
import { connectCluster } from "../../adapters/kube/index.js";
import { toCanonicalJson, toCanonicalYaml } from "../../codec/canonical.js";
import { clusterOfPath } from "../../codec/workspace.js";
import { DEFAULT_MANAGEMENT_NAMESPACE, DISCOVERY_API_VERSION, KubernetesCluster } from "../../model/discovery.js";
import { outputFormat, type CommandSpec, type Ctx } from "../context.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { formatColumns } from "../output.js";
import { findResources, removeResource, upsertResource, type FoundResource } from "../resource-files.js";
import { assertValid } from "../validation.js";
import { workspaceDir } from "../workspace.js";

/** Where new registrations go: the workspace's `clusters.yaml` (the file the demo and the README use). */
export const CLUSTERS_FILE = "clusters.yaml";
const CLUSTER_KINDS = new Set(["KubernetesCluster"]);

function registrations(dir: string, name?: string): FoundResource[] {
  return findResources(dir, (v) => CLUSTER_KINDS.has(String(v.kind)) && (name === undefined || (v.metadata as { name?: unknown } | undefined)?.name === name));
}

function nameArg(ctx: Ctx, sub: string): string {
  const name = ctx.positionals[1];
  if (name === undefined) throw new UsageError(`missing cluster name`, `usage: meshctl cluster ${sub} NAME`);
  if (ctx.positionals.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[2])}`, `usage: meshctl cluster ${sub} NAME`);
  return name;
}

/** A kubeconfig path as stored: `~/…` kept (portable), other relative paths made absolute. */
function storedPath(p: string): string {
  return p === "~" || p.startsWith("~/") || isAbsolute(p) ? p : resolve(p);
}

async function register(ctx: Ctx): Promise<number> {
  const name = nameArg(ctx, "register");
  const dir = workspaceDir(ctx);
  const kubeconfig = ctx.str("kubeconfig");
  const context = ctx.str("context");
  const spec = {
    clusterDomain: ctx.str("cluster-domain") ?? "cluster.local",
    ...(kubeconfig !== undefined ? { kubeconfig: storedPath(kubeconfig) } : {}),
    ...(context !== undefined ? { context } : {}),
    ...(ctx.str("region") !== undefined ? { region: ctx.str("region") } : {}),
  };
  const object = { apiVersion: DISCOVERY_API_VERSION, kind: "KubernetesCluster", metadata: { name, namespace: ctx.str("namespace") ?? DEFAULT_MANAGEMENT_NAMESPACE }, spec };
  assertValid(KubernetesCluster, object, `cluster ${name}`, { "metadata.name": "NAME", "metadata.namespace": "--namespace", "spec.clusterDomain": "--cluster-domain" });

  const existing = registrations(dir, name);
  if (existing.length > 1) throw new CliError(`cluster ${name} is registered ${existing.length} times (${existing.map((e) => e.file).join(", ")})`, EXIT.notAccepted, "remove the extra registrations by hand");
  const found = existing[0];
  if (found && !ctx.bool("overwrite")) {
    throw new CliError(`cluster ${name} is already registered in ${join(dir, found.file)}`, EXIT.notAccepted, `replace it with --overwrite, or remove it first: meshctl cluster deregister ${name} -w ${dir}`);
  }
  let resolvedContext = context;
  if (!ctx.bool("skip-kubeconfig-check")) {
    // Reads the kubeconfig and resolves the context (nothing is sent to the cluster): bad ones fail now, exit 3.
    const conn = await connectCluster({ metadata: { name }, spec }, { env: ctx.env });
    resolvedContext = conn.context;
    if (ctx.verbose) ctx.err(`cluster ${name}: context ${conn.context}, API server ${conn.server}\n`);
  }
  const stored = { ...object, spec: { ...spec, ...(resolvedContext !== undefined ? { context: resolvedContext } : {}) } };
  const written = upsertResource(dir, CLUSTERS_FILE, toCanonicalYaml(stored), found);
  const via = [resolvedContext !== undefined ? `context ${resolvedContext}` : undefined, spec.kubeconfig !== undefined ? `kubeconfig ${spec.kubeconfig}` : "default kubeconfig"].filter(Boolean).join(", ");
  ctx.out(`cluster ${name} ${written.action === "replaced" ? "re-registered" : "registered"} in ${join(dir, written.file)} (${via})\n`);
  if (!existsSync(join(dir, "clusters", name))) ctx.out(`next: meshctl discover ${dir} --live --cluster ${name}\n`);
  return EXIT.ok;
}

async function deregister(ctx: Ctx): Promise<number> {
  const name = nameArg(ctx, "deregister");
  const dir = workspaceDir(ctx);
  const found = registrations(dir, name);
  if (found.length === 0) {
    const known = registrations(dir).map((r) => String((r.value.metadata as { name?: unknown } | undefined)?.name));
    throw new CliError(`cluster ${name} is not registered in workspace ${dir}`, EXIT.notAccepted, known.length > 0 ? `registered clusters: ${known.sort().join(", ")}` : `no cluster is registered there; 'meshctl cluster list -w ${dir}' shows what is`);
  }
  // Several documents of one file: remove from the last so the earlier indexes stay right.
  for (const f of [...found].sort((a, b) => (a.file === b.file ? b.document - a.document : 0))) removeResource(dir, f);
  ctx.out(`cluster ${name} deregistered (removed from ${[...new Set(found.map((f) => join(dir, f.file)))].join(", ")})\n`);
  if (existsSync(join(dir, "clusters", name))) ctx.out(`note: its snapshot ${join(dir, "clusters", name)}/ was left in place; as long as it exists, the cluster is still discovered from it\n`);
  return EXIT.ok;
}

async function list(ctx: Ctx): Promise<number> {
  if (ctx.positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[1])}`, "usage: meshctl cluster list");
  const format = outputFormat(ctx, ["table", "yaml", "json"], "table");
  const dir = workspaceDir(ctx);
  if (!existsSync(dir)) throw new CliError(`workspace ${dir} does not exist`, EXIT.environment, `create it with 'meshctl cluster register NAME … -w ${dir}' or 'meshctl demo'`);
  const regs = registrations(dir);
  const snapshotCounts = new Map<string, number>();
  for (const f of readWorkspaceDir(dir)) {
    const c = clusterOfPath(f.path);
    if (c !== undefined) snapshotCounts.set(c, (snapshotCounts.get(c) ?? 0) + 1);
  }
  if (format !== "table") {
    const items = regs.map((r) => r.value);
    ctx.out(format === "json" ? toCanonicalJson(items) : items.map((i) => toCanonicalYaml(i)).join("---\n"));
    return EXIT.ok;
  }
  const rows: string[][] = [];
  const seen = new Set<string>();
  for (const r of regs) {
    const meta = (r.value.metadata ?? {}) as { name?: string };
    const spec = (r.value.spec ?? {}) as { context?: string; kubeconfig?: string; clusterDomain?: string; region?: string };
    const name = String(meta.name);
    seen.add(name);
    const files = snapshotCounts.get(name);
    rows.push([name, spec.context ?? "-", spec.kubeconfig ?? "(default)", spec.clusterDomain ?? "cluster.local", spec.region ?? "-", files !== undefined ? `clusters/${name}/ (${files} files)` : "none", r.file]);
  }
  for (const [name, files] of [...snapshotCounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!seen.has(name)) rows.push([name, "-", "-", "cluster.local", "-", `clusters/${name}/ (${files} files)`, "(implied by its snapshot folder)"]);
  }
  if (rows.length === 0) {
    ctx.out(`No clusters in workspace ${dir}.\nRegister one: meshctl cluster register NAME --kubeconfig FILE --context CONTEXT -w ${dir}\n`);
    return EXIT.ok;
  }
  ctx.out(`${formatColumns(["NAME", "CONTEXT", "KUBECONFIG", "CLUSTER DOMAIN", "REGION", "SNAPSHOT", "REGISTERED IN"], rows, ctx.style)}\n`);
  return EXIT.ok;
}

export const clusterCommand: CommandSpec = {
  name: "cluster",
  aliases: ["clusters"],
  summary: "register, list and deregister clusters (KubernetesCluster resources in the workspace)",
  usage: [
    "cluster register NAME [--kubeconfig FILE] [--context CONTEXT] [--cluster-domain D] [--region R] [-w DIR] [--overwrite]",
    "cluster list [-w DIR] [-o table|yaml|json]",
    "cluster deregister NAME [-w DIR]",
  ],
  description: `Registrations are declarative KubernetesCluster resources (discovery.meshhub.io/v1alpha1). New ones are
appended to DIR/clusters.yaml; a registration found in another file is edited there. Only that one document is
touched: other resources, comments and formatting stay as they are. register checks the kubeconfig and context
locally (nothing is sent to the cluster; --skip-kubeconfig-check skips it) and stores the context it resolved;
it refuses a name that is already registered unless --overwrite. deregister removes only that resource.`,
  subcommands: [
    { name: "register", summary: "register a cluster: its kubeconfig, context, cluster domain and region" },
    { name: "list", aliases: ["ls"], summary: "list registered clusters (and clusters implied by snapshot folders)" },
    { name: "deregister", aliases: ["remove", "rm"], summary: "remove a cluster's registration" },
  ],
  flags: {
    "cluster-domain": { type: "string", valueName: "DOMAIN", description: "the cluster's DNS domain (register; default cluster.local)" },
    region: { type: "string", valueName: "REGION", description: "the cluster's region (register)" },
    namespace: { type: "string", short: "n", valueName: "NS", description: "namespace of the KubernetesCluster resource (register; default meshhub)" },
    overwrite: { type: "boolean", description: "replace an existing registration of the same name (register)" },
    "skip-kubeconfig-check": { type: "boolean", description: "do not read the kubeconfig while registering (register)" },
  },
  examples: [
    "meshctl cluster register east --kubeconfig ~/.kube/config --context kind-east --region eu-west-1 -w ./workspace",
    "meshctl cluster list -w ./workspace",
    "meshctl cluster deregister east -w ./workspace",
  ],
  async run(ctx) {
    const sub = ctx.positionals[0];
    switch (sub) {
      case "register":
        return register(ctx);
      case "deregister":
      case "remove":
      case "rm":
        return deregister(ctx);
      case "list":
      case "ls":
        return list(ctx);
      case undefined:
        throw new UsageError("missing subcommand", "use: meshctl cluster register|list|deregister");
      default:
        throw new UsageError(`unknown subcommand ${JSON.stringify(sub)} of 'meshctl cluster'`, "use: register, list or deregister");
    }
  },
};
