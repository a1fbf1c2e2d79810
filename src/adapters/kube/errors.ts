/** What went wrong talking to a cluster. */
export type ClusterErrorKind = "unreachable" | "unauthorized" | "forbidden" | "bad-kubeconfig" | "unknown-context" | "api";

/**
 * A problem reaching or using a cluster's API server. The CLI prints it as one line plus the hint, never a stack
 * trace: `meshctl: cluster east: unreachable: connect ECONNREFUSED 127.0.0.1:6443` / `hint: …`.
 */
export class ClusterError extends Error {
  override readonly name = "ClusterError";
  constructor(
    /** Registered cluster name. */
    readonly cluster: string,
    readonly kind: ClusterErrorKind,
    message: string,
    /** What to do about it. */
    readonly hint: string,
    /** HTTP status and Kubernetes `Status.reason`, for `api`, `unauthorized` and `forbidden` errors. */
    readonly status?: { readonly code: number; readonly reason?: string },
  ) {
    super(message);
  }

  /** `cluster east: unreachable: connect ECONNREFUSED 127.0.0.1:6443` */
  oneLine(): string {
    return `cluster ${this.cluster}: ${this.kind}: ${this.message}`;
  }
}

/** A Kubernetes `Status` object (the body of every API error). */
export interface KubeStatus {
  readonly kind: "Status";
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string; readonly causes?: readonly { type?: string; message?: string; field?: string }[] };
}

export function asStatus(body: unknown): KubeStatus | undefined {
  return body !== null && typeof body === "object" && (body as { kind?: unknown }).kind === "Status" ? (body as KubeStatus) : undefined;
}

/** Connection facts used to word errors and hints. */
export interface ErrorContext {
  readonly cluster: string;
  readonly context: string;
  readonly server: string;
}

/** An API error response turned into a {@link ClusterError} carrying the server's `Status.message`. */
export function errorFromResponse(ctx: ErrorContext, code: number, body: unknown, rawBody: string, what: string): ClusterError {
  const status = asStatus(body);
  const serverMessage = status?.message ?? (rawBody.trim().slice(0, 300) || `HTTP ${code}`);
  const reason = status?.reason;
  const st = { code, ...(reason !== undefined ? { reason } : {}) };
  if (code === 401) {
    return new ClusterError(ctx.cluster, "unauthorized", `${what}: ${serverMessage}`, `the API server ${ctx.server} rejected the credentials of context ${ctx.context}: refresh them (for cloud clusters, re-run the provider's get-credentials command) or pick another --context`, st);
  }
  if (code === 403) {
    return new ClusterError(ctx.cluster, "forbidden", `${what}: ${serverMessage}`, `the user of context ${ctx.context} lacks RBAC permission for this; grant it (kubectl auth can-i … --context ${ctx.context}) or use a context with more rights`, st);
  }
  return new ClusterError(ctx.cluster, "api", `${what}: ${serverMessage}`, apiHint(code, reason), st);
}

function apiHint(code: number, reason: string | undefined): string {
  if (code === 404) return "the resource or its API is not served by this cluster: is the mesh (and its CRDs) installed?";
  if (code === 409) return "another field manager owns these fields; meshhub does not take them over";
  if (code === 422 || reason === "Invalid") return "the API server rejected the object as invalid; check the translated manifest";
  if (code === 429 || code === 503 || code === 504) return "the API server is overloaded or restarting; retry in a moment (applying is idempotent)";
  if (code >= 500) return "the API server failed; retry (applying is idempotent) and check the API server and admission webhooks";
  return "see the API server's message above";
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET", "ERR_SOCKET_CLOSED"]);
const TLS_CODES = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/;

/** A transport failure: `stage` tells whether credentials could not be prepared or the server could not be reached. */
export class TransportError extends Error {
  override readonly name = "TransportError";
  constructor(
    message: string,
    readonly stage: "auth" | "connect",
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Turns an exception thrown by a transport into a {@link ClusterError}. */
export function errorFromException(ctx: ErrorContext, e: unknown): ClusterError {
  if (e instanceof ClusterError) return e;
  const err = e as { message?: unknown; code?: unknown; stage?: unknown; cause?: { code?: unknown } };
  const message = typeof err?.message === "string" ? err.message : String(e);
  const code = typeof err?.code === "string" ? err.code : typeof err?.cause?.code === "string" ? err.cause.code : undefined;
  if (err?.stage === "auth") {
    return new ClusterError(ctx.cluster, "bad-kubeconfig", `cannot prepare credentials of context ${ctx.context}: ${message}`, "check the user entry of the kubeconfig: certificate and key files, token, or the exec credential plugin", undefined);
  }
  if (code !== undefined && TLS_CODES.test(code)) {
    return new ClusterError(ctx.cluster, "unreachable", `TLS handshake with ${ctx.server} failed: ${message}`, `check certificate-authority(-data) and tls-server-name of the cluster entry of context ${ctx.context}`);
  }
  if ((code !== undefined && NETWORK_CODES.has(code)) || err?.stage === "connect") {
    return new ClusterError(ctx.cluster, "unreachable", `cannot reach the API server ${ctx.server}: ${message}`, `check that the API server is up and reachable from here (VPN, firewall, proxy) and that context ${ctx.context} points at the right server`);
  }
  return new ClusterError(ctx.cluster, "unreachable", `request to ${ctx.server} failed: ${message}`, `check that the API server is up and reachable and that context ${ctx.context} points at the right server`);
}
