import { existsSync, statSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { ClusterError, TransportError } from "./errors.js";

/** One HTTP request to the API server. */
export interface TransportRequest {
  readonly method: "GET" | "PATCH" | "DELETE";
  /** Absolute API path, e.g. `/api/v1/pods` or `/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentType?: string;
}

export interface TransportResponse {
  readonly status: number;
  /** Raw response body (JSON for every API response meshhub asks for). */
  readonly body: string;
}

/**
 * The seam between the adapter and the network. The default transport ({@link kubeConfigTransport}) takes server,
 * TLS and credentials from a kubeconfig through `@kubernetes/client-node`; tests and embedders may pass their own.
 * A transport throws only when no HTTP response was received (network, TLS, credentials); every HTTP status,
 * errors included, is returned.
 */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
}

/** A live connection to one registered cluster. */
export interface ClusterConnection {
  /** Registered cluster name (the snapshot's `cluster`). */
  readonly cluster: string;
  /** kubeconfig context in use (for messages). */
  readonly context: string;
  /** API server URL (for messages). */
  readonly server: string;
  readonly transport: Transport;
}

/** What {@link connectCluster} needs of a cluster registration; a `KubernetesCluster` fits. */
export interface ClusterRegistration {
  readonly metadata: { readonly name: string };
  readonly spec?: {
    readonly kubeconfig?: string;
    readonly context?: string;
    readonly kubeconfigSecretRef?: { readonly name: string; readonly namespace: string };
  };
}

export interface ConnectOptions {
  /** kubeconfig path; wins over `spec.kubeconfig`, `KUBECONFIG` and `~/.kube/config`. `~/` is expanded. */
  readonly kubeconfig?: string;
  /** Context name; wins over `spec.context` and the kubeconfig's current-context. */
  readonly context?: string;
  /** kubeconfig text (e.g. read from the Secret named by `kubeconfigSecretRef`); wins over every path. */
  readonly kubeconfigData?: string;
  /** Use this transport instead of one built from a kubeconfig (no kubeconfig is read). */
  readonly transport?: Transport;
  /** Server label for messages when `transport` is given. */
  readonly server?: string;
  /** Socket idle timeout of the default transport, in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Environment used to find the default kubeconfig (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function expandHome(p: string): string {
  if (p === "~") return homedir();
  return p.startsWith("~/") ? join(homedir(), p.slice(2)) : p;
}

/**
 * Builds a connection to a registered cluster. kubeconfig: `options.kubeconfigData`, else `options.kubeconfig`,
 * else `spec.kubeconfig`, else `KUBECONFIG` / `~/.kube/config` / in-cluster config. Context: `options.context`, else
 * `spec.context`, else the kubeconfig's current-context. Nothing is sent to the server here.
 *
 * @throws ClusterError `bad-kubeconfig` (missing or unreadable file, no current context, dangling cluster/user
 *   reference, bad server URL) or `unknown-context`.
 */
export async function connectCluster(cluster: ClusterRegistration, options: ConnectOptions = {}): Promise<ClusterConnection> {
  const name = cluster.metadata.name;
  const spec = cluster.spec ?? {};
  const wantedContext = options.context ?? spec.context;
  if (options.transport) {
    return { cluster: name, context: wantedContext ?? "(custom transport)", server: options.server ?? "(custom transport)", transport: options.transport };
  }
  const env = options.env ?? process.env;
  const bad = (message: string, hint: string): ClusterError => new ClusterError(name, "bad-kubeconfig", message, hint);
  const { KubeConfig: KubeConfigClass } = await import("@kubernetes/client-node");
  const kc = new KubeConfigClass();

  const path = options.kubeconfig ?? spec.kubeconfig;
  let where = path !== undefined ? expandHome(path) : "(default)";
  try {
    if (options.kubeconfigData !== undefined) {
      where = "the given kubeconfig data";
      kc.loadFromString(options.kubeconfigData);
    } else if (path !== undefined) {
      const file = expandHome(path);
      where = file;
      let isFile = false;
      try {
        isFile = statSync(file).isFile();
      } catch {
        throw bad(`kubeconfig ${file} does not exist`, "pass an existing file with --kubeconfig, or fix spec.kubeconfig of the KubernetesCluster");
      }
      if (!isFile) throw bad(`kubeconfig ${file} is not a file`, "pass the kubeconfig file itself, not its folder");
      kc.loadFromFile(file);
    } else if (spec.kubeconfigSecretRef !== undefined && wantedContext === undefined) {
      const ref = spec.kubeconfigSecretRef;
      throw bad(
        `cluster ${name} is registered with kubeconfigSecretRef ${ref.namespace}/${ref.name}, which meshctl cannot read from here`,
        "pass --kubeconfig and --context for this cluster, or set spec.kubeconfig / spec.context of its KubernetesCluster",
      );
    } else {
      const envList = (env.KUBECONFIG ?? "").split(delimiter).filter((f) => f !== "");
      const home = join(homedir(), ".kube", "config");
      if (envList.length > 0) {
        const existing = envList.map(expandHome).filter((f) => existsSync(f));
        where = `KUBECONFIG (${envList.join(delimiter)})`;
        if (existing.length === 0) throw bad(`none of the files in KUBECONFIG exists: ${envList.join(delimiter)}`, "fix KUBECONFIG or pass --kubeconfig");
        kc.loadFromFile(existing[0] as string);
        for (const more of existing.slice(1)) {
          const other = new KubeConfigClass();
          other.loadFromFile(more);
          kc.mergeConfig(other, true);
        }
      } else if (existsSync(home)) {
        where = home;
        kc.loadFromFile(home);
      } else if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== "") {
        where = "the in-cluster service account";
        kc.loadFromCluster();
      } else {
        throw bad("no kubeconfig found (KUBECONFIG is unset and ~/.kube/config does not exist)", "pass --kubeconfig, set KUBECONFIG, or set spec.kubeconfig of the KubernetesCluster");
      }
    }
  } catch (e) {
    if (e instanceof ClusterError) throw e;
    throw bad(`cannot read kubeconfig ${where}: ${(e as Error).message}`, "check that the file is a valid kubeconfig (kubectl config view --kubeconfig …)");
  }

  const contextName = wantedContext ?? kc.getCurrentContext();
  const available = kc.getContexts().map((c) => c.name).sort();
  if (contextName === undefined || contextName === null || contextName === "") {
    throw bad(`kubeconfig ${where} has no current-context`, available.length > 0 ? `pass --context (available: ${available.join(", ")})` : "the kubeconfig defines no context");
  }
  const context = kc.getContextObject(contextName);
  if (context === null) {
    throw new ClusterError(
      name,
      "unknown-context",
      `context ${JSON.stringify(contextName)} is not in kubeconfig ${where}`,
      available.length > 0 ? `available contexts: ${available.join(", ")}` : "the kubeconfig defines no context",
    );
  }
  kc.setCurrentContext(contextName);
  const clusterEntry = kc.getCurrentCluster();
  if (clusterEntry === null) throw bad(`context ${contextName} names cluster ${JSON.stringify(context.cluster)}, which is not in kubeconfig ${where}`, "fix the context's cluster reference");
  if (context.user && kc.getCurrentUser() === null) throw bad(`context ${contextName} names user ${JSON.stringify(context.user)}, which is not in kubeconfig ${where}`, "fix the context's user reference");
  let url: URL;
  try {
    url = new URL(clusterEntry.server);
  } catch {
    throw bad(`cluster ${clusterEntry.name} has an invalid server URL ${JSON.stringify(clusterEntry.server)}`, "use a URL like https://host:6443");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw bad(`cluster ${clusterEntry.name} has server ${clusterEntry.server}; only https:// and http:// are supported`, "use a URL like https://host:6443");
  if (url.protocol === "http:" && !clusterEntry.skipTLSVerify) {
    // @kubernetes/client-node refuses plain-HTTP servers unless TLS verification is "skipped" (kubectl does not);
    // there is no TLS to verify on http://, e.g. `kubectl proxy`, so say so on this in-memory copy.
    kc.clusters = kc.clusters.map((c) => (c.name === clusterEntry.name ? { ...c, skipTLSVerify: true } : c));
  }
  return {
    cluster: name,
    context: contextName,
    server: clusterEntry.server,
    transport: kubeConfigTransport(kc, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS }),
  };
}

/**
 * The default transport: server URL, TLS material and credentials (tokens, client certificates, exec plugins,
 * proxies) from the current context of `kc`, via `@kubernetes/client-node`'s `applyToHTTPSOptions`; requests with
 * `node:http`/`node:https`. A socket idle for `timeoutMs` fails the request.
 */
export function kubeConfigTransport(kc: KubeConfig, options: { timeoutMs?: number } = {}): Transport {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const server = (kc.getCurrentCluster()?.server ?? "").replace(/\/+$/, "");
  return {
    async request(req: TransportRequest): Promise<TransportResponse> {
      const url = new URL(server + req.path);
      for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
      const opts: https.RequestOptions = {};
      try {
        await kc.applyToHTTPSOptions(opts);
      } catch (e) {
        throw new TransportError((e as Error).message, "auth");
      }
      const headers: http.OutgoingHttpHeaders = { ...(opts.headers as http.OutgoingHttpHeaders | undefined), Accept: "application/json" };
      if (req.body !== undefined) {
        headers["Content-Type"] = req.contentType ?? "application/json";
        headers["Content-Length"] = Buffer.byteLength(req.body);
      }
      const mod = url.protocol === "https:" ? https : http;
      return await new Promise<TransportResponse>((resolve, reject) => {
        const r = mod.request(url, { ...opts, method: req.method, headers, timeout }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        });
        r.on("timeout", () => r.destroy(new TransportError(`no response within ${timeout} ms`, "connect", "ETIMEDOUT")));
        r.on("error", reject);
        r.end(req.body);
      });
    },
  };
}
