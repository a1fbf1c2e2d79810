import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { readWorkspaceDir, writeGitOps, writeWorkspaceFiles } from "../../adapters/files.js";
import { toCanonicalYamlStream } from "../../codec/canonical.js";
import { DISCOVERY_API_VERSION } from "../../model/discovery.js";
import { translateWorkspace } from "../../pipeline.js";
import { formatCertificatePlan } from "../cert-plan-summary.js";
import type { CommandSpec, Ctx } from "../context.js";
import { DEMO_CLUSTERS, checkPrerequisites, cleanupSteps, initSteps, runStep, stepText, type DemoStep } from "../demo-init.js";
import { demoWorkspaceFiles } from "../demo/workspace.js";
import { formatDiscoveryTable } from "../discover-table.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { formatStatusSummary } from "../status-summary.js";
import { inputErrors } from "../workspace.js";

/** The offline demo: writes the bundled workspace, runs discovery and translation, writes the GitOps tree. */
async function offline(ctx: Ctx): Promise<number> {
  const root = ctx.str("dir") ?? ".meshhub-demo";
  const workspaceDir = join(root, "workspace");
  const outDir = join(root, "out");
  writeWorkspaceFiles(workspaceDir, demoWorkspaceFiles());
  const s = ctx.style;
  ctx.out(`Wrote the example workspace to ${workspaceDir}\n\n`);
  // Offline, the demo signs the intermediates itself (keyGeneration local); on real clusters an agent would.
  const result = translateWorkspace(readWorkspaceDir(workspaceDir), { now: new Date(), certificates: { keyGeneration: "local" } });
  if (E.isLeft(result)) throw inputErrors(result.left, workspaceDir);
  const r = result.right;
  ctx.out(`${s.bold("Discovery")}\n${formatDiscoveryTable(r.discovery, s)}\n`);
  const written = writeGitOps(outDir, r.clusters);
  ctx.out(`${s.bold("Translation")}: ${written.written.length} manifests written under ${outDir}\n`);
  for (const [cluster, objects] of Object.entries(r.clusters)) {
    const kinds = new Map<string, number>();
    for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    ctx.out(`  ${cluster}: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}\n`);
  }
  for (const sk of written.skipped) ctx.out(`  skipped ${sk.path}: ${sk.message}\n`);
  ctx.out(`\n${s.bold("Statuses")}\n${formatStatusSummary(r, s)}`);
  ctx.out(`\n${s.bold("Certificate plan")}\n${formatCertificatePlan(r.certificatePlan, s)}`);
  if (r.certificatePlan) {
    // Real certificates on WebCrypto; only public PEMs are written, private keys stay inside the Secret manifests.
    const { issueForPlan } = await import("../../trust/signer.js"); // loads the X.509 library only for the demo
    const issued = await issueForPlan(r.certificatePlan, globalThis.crypto);
    const certDir = join(root, "certificates");
    mkdirSync(certDir, { recursive: true });
    ctx.out(`\n${s.bold("Certificates")} (public PEMs in ${certDir}; verify with: openssl verify -CAfile ${join(certDir, "root.pem")} ${join(certDir, "<mesh>.pem")})\n`);
    for (const c of issued.certificates) {
      const file = c.role === "root" ? "root.pem" : `${(c.mesh ?? c.role).replace(/[^a-z0-9.-]+/gi, "-")}.pem`;
      writeFileSync(join(certDir, file), c.pem);
      ctx.out(`  ${c.role.padEnd(24)} ${c.subject}  issuer ${c.issuer}  ${c.keyAlgorithm}  until ${c.notAfter.slice(0, 10)}  sha256 ${c.fingerprintSha256.slice(0, 16)}…\n`);
    }
    for (const p of issued.problems) ctx.out(`  problem: ${JSON.stringify(p)}\n`);
  }
  ctx.out(`\nNext: meshctl check ${workspaceDir}    meshctl describe service reviews -w ${workspaceDir}    meshctl translate ${workspaceDir} -o yaml\n`);
  return EXIT.ok;
}

async function runSteps(ctx: Ctx, steps: readonly DemoStep[], env: Readonly<Record<string, string | undefined>>): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const progress = ctx.progress();
    progress.update(`[${i + 1}/${steps.length}] ${step.title}`);
    const problem = await runStep(step, env);
    progress.done();
    if (problem !== undefined) throw new CliError(`demo step ${i + 1}/${steps.length} (${step.title}) failed: ${problem}`, EXIT.environment, `fix it and run the command again; 'meshctl demo cleanup' deletes the clusters`);
    ctx.err(`${ctx.errStyle.green("✔")} ${step.title}\n`);
  }
}

/** Checks prerequisites; exits 3 naming everything that is missing (with --dry-run, only prints). */
async function prerequisites(ctx: Ctx, what: string, only?: readonly string[]): Promise<Readonly<Record<string, string | undefined>> | undefined> {
  const pre = await checkPrerequisites(ctx.env, only);
  if (pre.missing.length > 0) {
    const details = pre.missing.map((m) => `missing: ${m}`);
    if (ctx.bool("dry-run")) {
      for (const d of details) ctx.err(`${d}\n`);
      return undefined;
    }
    throw new CliError(`cannot ${what}: ${pre.missing.length} prerequisite${pre.missing.length === 1 ? " is" : "s are"} missing`, EXIT.environment, "install or start them and run the command again; 'meshctl demo' (no subcommand) runs the same example offline", details);
  }
  return pre.engine === "podman" ? { ...ctx.env, KIND_EXPERIMENTAL_PROVIDER: "podman" } : ctx.env;
}

async function init(ctx: Ctx): Promise<number> {
  const steps = initSteps();
  const env = await prerequisites(ctx, "create the demo clusters");
  const dir = ctx.str("dir") ?? join(".meshhub-demo", "live");
  if (ctx.bool("dry-run") || env === undefined) {
    ctx.out(`Would run:\n${steps.map((s, i) => `  ${i + 1}. ${stepText(s)}`).join("\n")}\nthen register clusters ${DEMO_CLUSTERS.map((c) => `${c.name} (context ${c.context})`).join(" and ")} in ${join(dir, "clusters.yaml")}\n`);
    return EXIT.ok;
  }
  await runSteps(ctx, steps, env);
  const registrations = DEMO_CLUSTERS.map((c) => ({
    apiVersion: DISCOVERY_API_VERSION,
    kind: "KubernetesCluster",
    metadata: { name: c.name, namespace: "meshhub" },
    spec: { clusterDomain: "cluster.local", context: c.context },
  }));
  writeWorkspaceFiles(dir, [{ path: "clusters.yaml", content: toCanonicalYamlStream(registrations) }]);
  ctx.out(`Two kind clusters are up: ${DEMO_CLUSTERS.map((c) => `${c.name} (${c.mesh}, context ${c.context})`).join(", ")}; registered in ${join(dir, "clusters.yaml")}.\n`);
  ctx.out(`Next: meshctl discover ${dir} --live    (delete them with: meshctl demo cleanup)\n`);
  return EXIT.ok;
}

async function cleanup(ctx: Ctx): Promise<number> {
  const steps = cleanupSteps();
  const env = await prerequisites(ctx, "delete the demo clusters", ["kind"]);
  if (ctx.bool("dry-run") || env === undefined) {
    ctx.out(`Would run:\n${steps.map((s, i) => `  ${i + 1}. ${stepText(s)}`).join("\n")}\n`);
    return EXIT.ok;
  }
  await runSteps(ctx, steps, env);
  ctx.out("The demo clusters are deleted.\n");
  return EXIT.ok;
}

export const demoCommand: CommandSpec = {
  name: "demo",
  summary: "run the main job on a bundled two-cluster example (offline), or create real kind clusters (init)",
  usage: ["demo [--dir D]", "demo init [--dir D] [--dry-run]", "demo cleanup [--dry-run]"],
  description: `Without a subcommand: writes the bundled example workspace (Istio on east, Linkerd on west, a VirtualMesh
and policies including one conflict and one feature Linkerd cannot express) to D/workspace, runs discovery and
translation, writes the GitOps tree to D/out and prints the discovery, the statuses and the certificate plan
(roots, intermediates per mesh with subjects and SANs, delivery Secrets/ConfigMaps, restart order, expiry dates;
never keys). Fully offline.

init creates two kind clusters (kind-meshhub-east with Istio, kind-meshhub-west with Linkerd), as Service Mesh
Hub's demo did, and registers them in D/clusters.yaml (default .meshhub-demo/live). It needs kind, kubectl,
istioctl, linkerd and a container engine whose daemon answers (docker info or podman info); when any is missing
it says exactly which and exits 3. cleanup deletes the two clusters.`,
  subcommands: [
    { name: "init", summary: "create two kind clusters with Istio and Linkerd and register them" },
    { name: "cleanup", summary: "delete the demo's kind clusters" },
  ],
  flags: {
    dir: { type: "string", valueName: "DIR", description: "where to write the example (default .meshhub-demo; init: .meshhub-demo/live)", complete: "dir" },
    "dry-run": { type: "boolean", description: "init/cleanup: print the commands (and what is missing) without running them" },
  },
  examples: ["meshctl demo", "meshctl demo init", "meshctl demo cleanup"],
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (ctx.positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[1])}`, "usage: meshctl demo [init|cleanup]");
    if (sub === undefined) return offline(ctx);
    if (sub === "init") return init(ctx);
    if (sub === "cleanup") return cleanup(ctx);
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)} of 'meshctl demo'`, "use: meshctl demo, meshctl demo init or meshctl demo cleanup");
  },
};
