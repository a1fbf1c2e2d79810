/**
 * `meshctl demo init|cleanup`: two kind clusters with Istio (east) and Linkerd (west), as Service Mesh Hub's
 * `meshctl demo istio-multicluster init` did. Every external tool is checked first; what is missing is said exactly.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** A command meshctl runs; `stdinFrom` pipes the previous command's stdout into it (e.g. `linkerd install | kubectl apply -f -`). */
export interface DemoStep {
  readonly title: string;
  readonly argv: readonly string[];
  readonly stdinFrom?: readonly string[];
}

export const DEMO_CLUSTERS = [
  { name: "east", kind: "meshhub-east", context: "kind-meshhub-east", mesh: "istio" },
  { name: "west", kind: "meshhub-west", context: "kind-meshhub-west", mesh: "linkerd" },
] as const;

/** The full path of an executable on PATH, or undefined. */
export function which(command: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter((d) => d !== "")) {
    const full = join(dir, command);
    try {
      if (!statSync(full).isFile()) continue;
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a command, collecting its output; never throws (a missing binary is exit 127). */
export function runCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, options: { input?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"], ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", (e) => resolve({ code: 127, stdout, stderr: stderr + e.message }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

export interface Prerequisites {
  /** One line per missing tool, saying what it is for and where to get it. */
  readonly missing: readonly string[];
  /** The container engine kind will use. */
  readonly engine?: "docker" | "podman";
}

const TOOLS: readonly { name: string; why: string }[] = [
  { name: "kind", why: "creates the two clusters: https://kind.sigs.k8s.io/docs/user/quick-start/#installation" },
  { name: "kubectl", why: "applies manifests to them: https://kubernetes.io/docs/tasks/tools/" },
  { name: "istioctl", why: "installs Istio on cluster east: https://istio.io/latest/docs/setup/getting-started/#download" },
  { name: "linkerd", why: "installs Linkerd on cluster west: https://linkerd.io/2/getting-started/#step-1-install-the-cli" },
];

/** Checks the tools `demo init` (or, with `only`, a subset) needs, and that a container engine's daemon answers. */
export async function checkPrerequisites(env: Readonly<Record<string, string | undefined>>, only?: readonly string[]): Promise<Prerequisites> {
  const missing: string[] = [];
  for (const t of TOOLS) if ((only === undefined || only.includes(t.name)) && which(t.name, env) === undefined) missing.push(`${t.name} is not installed (not on PATH); it ${t.why}`);
  const engines = (["docker", "podman"] as const).filter((e) => which(e, env) !== undefined);
  if (engines.length === 0) {
    missing.push("no container engine: neither docker nor podman is on PATH; kind runs each cluster in a container (https://docs.docker.com/get-docker/)");
    return { missing };
  }
  const failures: string[] = [];
  for (const engine of engines) {
    const r = await runCommand([engine, "info"], env, { timeoutMs: 20_000 });
    if (r.code === 0) return { missing, engine };
    const why = (r.stderr.trim().split("\n").find((l) => l.trim() !== "") ?? `exit ${r.code}`).trim();
    failures.push(`${engine} is installed but its daemon is not reachable ('${engine} info' failed: ${why}); start it (e.g. 'sudo systemctl start ${engine}' or Docker Desktop)`);
  }
  return { missing: [...missing, ...failures] };
}

/** The commands `demo init` runs, in order. */
export function initSteps(): DemoStep[] {
  const [east, west] = DEMO_CLUSTERS;
  return [
    { title: `create kind cluster ${east.kind}`, argv: ["kind", "create", "cluster", "--name", east.kind, "--wait", "180s"] },
    { title: `create kind cluster ${west.kind}`, argv: ["kind", "create", "cluster", "--name", west.kind, "--wait", "180s"] },
    {
      title: `install Istio on ${east.context}`,
      argv: ["istioctl", "install", "-y", "--context", east.context, "--set", "profile=default", "--set", "values.global.meshID=meshhub", "--set", `values.global.multiCluster.clusterName=${east.name}`, "--set", `values.global.network=${east.name}-network`],
    },
    { title: `install the Linkerd CRDs on ${west.context}`, stdinFrom: ["linkerd", "install", "--crds", "--context", west.context], argv: ["kubectl", "apply", "--context", west.context, "-f", "-"] },
    { title: `install the Linkerd control plane on ${west.context}`, stdinFrom: ["linkerd", "install", "--context", west.context], argv: ["kubectl", "apply", "--context", west.context, "-f", "-"] },
    { title: `wait for Linkerd on ${west.context}`, argv: ["linkerd", "check", "--context", west.context, "--wait", "5m"] },
  ];
}

/** The commands `demo cleanup` runs. */
export function cleanupSteps(): DemoStep[] {
  return DEMO_CLUSTERS.map((c) => ({ title: `delete kind cluster ${c.kind}`, argv: ["kind", "delete", "cluster", "--name", c.kind] }));
}

/** A step as a shell line, for `--dry-run` and error messages. */
export function stepText(s: DemoStep): string {
  return `${s.stdinFrom ? `${s.stdinFrom.join(" ")} | ` : ""}${s.argv.join(" ")}`;
}

/** Runs one step; returns undefined when it worked, else the reason. */
export async function runStep(step: DemoStep, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  let input: string | undefined;
  if (step.stdinFrom) {
    const first = await runCommand(step.stdinFrom, env);
    if (first.code !== 0) return `'${step.stdinFrom.join(" ")}' exited ${first.code}: ${lastLines(first.stderr)}`;
    input = first.stdout;
  }
  const r = await runCommand(step.argv, env, input !== undefined ? { input } : {});
  return r.code === 0 ? undefined : `'${step.argv.join(" ")}' exited ${r.code}: ${lastLines(r.stderr || r.stdout)}`;
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join(" / ") || "no output";
}
