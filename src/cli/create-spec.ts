/**
 * What `meshctl create` asks (or reads from flags) for each resource, how each answer is checked with the model's
 * zod schemas, and how the answers become the resource.
 */
import { z } from "zod";
import { ClusterObjectRef, Dns1123Label, Dns1123Subdomain, Duration, HttpMethod, LabelMap, ObjectRef, Percentage, Port } from "../model/common.js";
import { DEFAULT_MANAGEMENT_NAMESPACE } from "../model/discovery.js";
import { AccessPolicy, HttpMatcher, KEY_ALGORITHMS, NETWORKING_API_VERSION, RetryPolicy, ServiceAccountRef, TLS_MODES, TrafficPolicy, VirtualMesh } from "../model/networking.js";
import { firstProblem } from "./validation.js";

/** Raw answers: one string per single-valued field, several for lists. */
export type Answers = Readonly<Record<string, readonly string[]>>;

export interface CreateField {
  /** Flag name (`--timeout`) and answer key. */
  readonly flag: string;
  /** The question; fields without one are flag-only. */
  readonly prompt?: string;
  readonly type: "text" | "list" | "select" | "confirm";
  readonly options?: readonly string[];
  readonly required?: boolean;
  readonly default?: string;
  readonly placeholder?: string;
  readonly description: string;
  /** Ask only when this holds. */
  readonly when?: (a: Answers) => boolean;
  /** Checks one item (trimmed, non-empty); returns the precise problem. */
  readonly check?: (item: string) => string | undefined;
}

export interface CreateKind {
  readonly kind: "TrafficPolicy" | "AccessPolicy" | "VirtualMesh";
  readonly fields: readonly CreateField[];
  /** The resource from the answers (checked item by item already). */
  build(a: Answers): Record<string, unknown>;
  readonly schema: z.ZodType;
  /** Field path prefix → flag, to word whole-object problems. */
  readonly flagOf: Readonly<Record<string, string>>;
  /** A problem with the combination of answers (e.g. no action at all), or undefined. */
  complete?(a: Answers): string | undefined;
}

export const LIST_SPLIT = /[\s,]+/;
const one = (a: Answers, k: string): string | undefined => a[k]?.[0];
const many = (a: Answers, k: string): readonly string[] => a[k] ?? [];

// ---- item parsers (each returns the value or a problem) ------------------------------------------------------

type Parsed<T> = { value: T } | { problem: string };

function check<T>(schema: z.ZodType, value: T, what: string): Parsed<T> {
  const problem = firstProblem(schema, value);
  return problem === undefined ? { value } : { problem: `${what}: ${problem}` };
}

/** `name.namespace.cluster` → a service reference. */
export function parseServiceRef(s: string): Parsed<{ name: string; namespace: string; clusterName: string }> {
  const [name, namespace, ...rest] = s.split(".");
  if (name === undefined || namespace === undefined || rest.length === 0 || rest.join(".") === "") return { problem: `${JSON.stringify(s)} must be NAME.NAMESPACE.CLUSTER, e.g. reviews.shop.east` };
  return check(ClusterObjectRef, { name, namespace, clusterName: rest.join(".") }, s);
}

/** `name.namespace[.cluster]` → a service account reference. */
function parseServiceAccount(s: string): Parsed<{ name: string; namespace: string; clusterName?: string }> {
  const [name, namespace, ...rest] = s.split(".");
  if (name === undefined || namespace === undefined || name === "" || namespace === "") return { problem: `${JSON.stringify(s)} must be NAME.NAMESPACE or NAME.NAMESPACE.CLUSTER, e.g. web.emojivoto.west` };
  return check(ServiceAccountRef, { name, namespace, ...(rest.length > 0 ? { clusterName: rest.join(".") } : {}) }, s);
}

/** `key=value` pairs → labels. */
function parseLabels(items: readonly string[]): Parsed<Record<string, string>> {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) return { problem: `${JSON.stringify(item)} must be KEY=VALUE, e.g. app=frontend` };
    labels[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return check(LabelMap, labels, items.join(","));
}

/** `SERVICE[/KEY=VALUE]:WEIGHT` → a traffic shift destination. */
function parseShift(s: string): Parsed<{ kubeService: Record<string, unknown>; weight: number }> {
  const m = /^([^/:]+)(?:\/([^=:]+)=([^:]*))?:(\d+)$/.exec(s);
  if (!m) return { problem: `${JSON.stringify(s)} must be SERVICE[/LABEL=VALUE]:WEIGHT, e.g. reviews.shop.east/version=v2:20` };
  const ref = parseServiceRef(m[1] as string);
  if ("problem" in ref) return ref;
  const subset = m[2] !== undefined ? { [m[2]]: m[3] ?? "" } : undefined;
  if (subset) {
    const bad = firstProblem(LabelMap, subset);
    if (bad) return { problem: `${s}: subset ${bad}` };
  }
  return { value: { kubeService: { ...ref.value, ...(subset ? { subset } : {}) }, weight: Number(m[4]) } };
}

/** `name[.namespace]` → a mesh reference (namespace defaults to meshhub). */
function parseMeshRef(s: string): Parsed<{ name: string; namespace: string }> {
  const dot = s.lastIndexOf(".");
  const ref = dot > 0 ? { name: s.slice(0, dot), namespace: s.slice(dot + 1) } : { name: s, namespace: DEFAULT_MANAGEMENT_NAMESPACE };
  return check(ObjectRef, ref, s);
}

const problemOf = <T>(p: Parsed<T>): string | undefined => ("problem" in p ? p.problem : undefined);
const valueOf = <T>(p: Parsed<T>): T | undefined => ("value" in p ? p.value : undefined);
const schemaCheck = (schema: z.ZodType) => (item: string) => firstProblem(schema, item);
const intCheck = (schema: z.ZodType) => (item: string) => (/^\d+$/.test(item) ? firstProblem(schema, Number(item)) : "must be a whole number");
const num = (a: Answers, k: string): number | undefined => (one(a, k) !== undefined ? Number(one(a, k)) : undefined);
const compact = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
const nonEmpty = <T extends Record<string, unknown>>(o: T): T | undefined => (Object.keys(compact(o)).length > 0 ? compact(o) : undefined);

const NAME_FIELDS: readonly CreateField[] = [
  { flag: "name", prompt: "Name", type: "text", required: true, check: schemaCheck(Dns1123Subdomain), description: "the resource's name (DNS-1123 subdomain)", placeholder: "reviews-timeout" },
  { flag: "namespace", prompt: "Namespace", type: "text", default: DEFAULT_MANAGEMENT_NAMESPACE, check: schemaCheck(Dns1123Label), description: "the resource's namespace (default meshhub)", placeholder: DEFAULT_MANAGEMENT_NAMESPACE },
];

const metadata = (a: Answers): Record<string, unknown> => ({ name: one(a, "name"), namespace: one(a, "namespace") ?? DEFAULT_MANAGEMENT_NAMESPACE });

const DEST_FIELD: CreateField = {
  flag: "dest",
  prompt: "Destination services (NAME.NAMESPACE.CLUSTER, comma-separated)",
  type: "list",
  required: true,
  check: (s) => problemOf(parseServiceRef(s)),
  description: "destination service NAME.NAMESPACE.CLUSTER (comma-separated or repeated)",
  placeholder: "reviews.shop.east",
};

const destinationSelector = (a: Answers): unknown[] => [{ kubeServiceRefs: { services: many(a, "dest").map((d) => valueOf(parseServiceRef(d))) } }];

// ---- TrafficPolicy ------------------------------------------------------------------------------------------------

const TP_ACTIONS = ["timeout", "retries", "shift", "fault-abort", "fault-delay", "mirror", "tls-mode"];

export const TRAFFIC_POLICY: CreateKind = {
  kind: "TrafficPolicy",
  schema: TrafficPolicy,
  fields: [
    ...NAME_FIELDS,
    DEST_FIELD,
    { flag: "source-labels", prompt: "Only for client workloads with labels (KEY=VALUE, comma-separated; empty: all clients)", type: "list", check: (s) => problemOf(parseLabels([s])), description: "apply only to client workloads with these labels (KEY=VALUE)", placeholder: "app=frontend" },
    { flag: "source-namespaces", type: "list", check: schemaCheck(Dns1123Label), description: "apply only to client workloads in these namespaces" },
    { flag: "prefix", prompt: "Only for request paths starting with (empty: every request)", type: "text", check: (s) => firstProblem(HttpMatcher, { prefix: s }), description: "apply only to requests whose path starts with this prefix", placeholder: "/api" },
    { flag: "method", type: "text", check: schemaCheck(HttpMethod), description: "apply only to requests with this HTTP method" },
    { flag: "timeout", prompt: "Request timeout (e.g. 2s; empty: none)", type: "text", check: schemaCheck(Duration), description: "request timeout, e.g. 2s", placeholder: "2s" },
    { flag: "retries", prompt: "Retry attempts (empty: none)", type: "text", check: intCheck(RetryPolicy.shape.attempts), description: "retry attempts", placeholder: "3" },
    { flag: "per-try-timeout", prompt: "Timeout per try (empty: none)", type: "text", when: (a) => one(a, "retries") !== undefined, check: schemaCheck(Duration), description: "timeout of each try (with --retries)", placeholder: "500ms" },
    { flag: "retry-on", type: "text", check: schemaCheck(RetryPolicy.shape.retryOn), description: "retry conditions, e.g. 5xx,gateway-error,connect-failure" },
    { flag: "shift", prompt: "Traffic shift (SERVICE[/LABEL=VALUE]:WEIGHT, comma-separated; empty: none)", type: "list", check: (s) => problemOf(parseShift(s)), description: "traffic shift destination SERVICE[/LABEL=VALUE]:WEIGHT (repeatable)", placeholder: "reviews.shop.east/version=v2:20" },
    { flag: "fault-abort", type: "text", check: intCheck(z.number().int().min(200, { error: "must be an HTTP status from 200 to 599" }).max(599, { error: "must be an HTTP status from 200 to 599" })), description: "fault injection: abort with this HTTP status" },
    { flag: "fault-delay", type: "text", check: schemaCheck(Duration), description: "fault injection: delay, e.g. 2s" },
    { flag: "fault-percent", type: "text", check: (s) => firstProblem(Percentage, Number(s)), description: "fault injection: percentage of requests (default 100)" },
    { flag: "mirror", type: "text", check: (s) => problemOf(parseServiceRef(s)), description: "mirror requests to SERVICE (NAME.NAMESPACE.CLUSTER)" },
    { flag: "mirror-percent", type: "text", check: (s) => firstProblem(Percentage, Number(s)), description: "percentage of requests mirrored (default 100)" },
    { flag: "tls-mode", type: "select", options: [...TLS_MODES], description: `Istio TLS mode to the destination (${TLS_MODES.join(", ")})` },
  ],
  flagOf: {
    "metadata.name": "--name",
    "metadata.namespace": "--namespace",
    "spec.destinationSelector": "--dest",
    "spec.sourceSelector": "--source-labels/--source-namespaces",
    "spec.httpRequestMatchers": "--prefix/--method",
    "spec.policy.requestTimeout": "--timeout",
    "spec.policy.retries.attempts": "--retries",
    "spec.policy.retries.perTryTimeout": "--per-try-timeout",
    "spec.policy.retries.retryOn": "--retry-on",
    "spec.policy.trafficShift": "--shift",
    "spec.policy.faultInjection": "--fault-abort/--fault-delay/--fault-percent",
    "spec.policy.mirror": "--mirror/--mirror-percent",
    "spec.policy.mtls": "--tls-mode",
  },
  complete: (a) => (TP_ACTIONS.some((f) => one(a, f) !== undefined) ? undefined : "set at least one action: a timeout, retries, a traffic shift, a fault (--fault-abort / --fault-delay), a mirror or a TLS mode"),
  build(a) {
    const labels = many(a, "source-labels").length > 0 ? valueOf(parseLabels(many(a, "source-labels"))) : undefined;
    const namespaces = many(a, "source-namespaces");
    const retries = nonEmpty({ attempts: num(a, "retries"), perTryTimeout: one(a, "per-try-timeout"), retryOn: one(a, "retry-on") });
    const fault = nonEmpty({ abort: one(a, "fault-abort") !== undefined ? { httpStatus: num(a, "fault-abort") } : undefined, fixedDelay: one(a, "fault-delay"), percentage: num(a, "fault-percent") });
    const mirror = one(a, "mirror") !== undefined ? compact({ kubeService: valueOf(parseServiceRef(one(a, "mirror") as string)), percentage: num(a, "mirror-percent") }) : undefined;
    const shift = many(a, "shift").map((s) => valueOf(parseShift(s)));
    return {
      apiVersion: NETWORKING_API_VERSION,
      kind: "TrafficPolicy",
      metadata: metadata(a),
      spec: compact({
        sourceSelector: labels || namespaces.length > 0 ? [{ kubeWorkloadMatcher: compact({ labels, namespaces: namespaces.length > 0 ? [...namespaces] : undefined }) }] : undefined,
        destinationSelector: destinationSelector(a),
        httpRequestMatchers: one(a, "prefix") !== undefined || one(a, "method") !== undefined ? [compact({ prefix: one(a, "prefix"), method: one(a, "method") })] : undefined,
        policy: compact({
          trafficShift: shift.length > 0 ? { destinations: shift } : undefined,
          faultInjection: fault,
          requestTimeout: one(a, "timeout"),
          retries,
          mirror,
          mtls: one(a, "tls-mode") !== undefined ? { istio: { tlsMode: one(a, "tls-mode") } } : undefined,
        }),
      }),
    };
  },
};

// ---- AccessPolicy -------------------------------------------------------------------------------------------------

export const ACCESS_POLICY: CreateKind = {
  kind: "AccessPolicy",
  schema: AccessPolicy,
  fields: [
    ...NAME_FIELDS,
    DEST_FIELD,
    { flag: "source-sa", prompt: "Allowed client service accounts (NAME.NAMESPACE[.CLUSTER], comma-separated)", type: "list", check: (s) => problemOf(parseServiceAccount(s)), description: "allowed client service account NAME.NAMESPACE[.CLUSTER] (repeatable)", placeholder: "web.emojivoto.west" },
    { flag: "source-namespaces", type: "list", check: schemaCheck(Dns1123Label), description: "allow every service account of these namespaces" },
    { flag: "paths", prompt: "Allowed paths (/exact, /prefix*, *suffix/; comma-separated; empty: any)", type: "list", check: (s) => firstProblem(AccessPolicy.shape.spec.shape.allowedPaths, [s]), description: "allowed paths: /exact, /prefix*, *suffix/ or *", placeholder: "/api*" },
    { flag: "methods", prompt: "Allowed methods (comma-separated; empty: any)", type: "list", check: schemaCheck(HttpMethod), description: "allowed HTTP methods", placeholder: "GET,HEAD" },
    { flag: "ports", prompt: "Allowed ports (comma-separated; empty: any)", type: "list", check: intCheck(Port), description: "allowed destination ports", placeholder: "8080" },
  ],
  flagOf: {
    "metadata.name": "--name",
    "metadata.namespace": "--namespace",
    "spec.destinationSelector": "--dest",
    "spec.sourceSelector": "--source-sa/--source-namespaces",
    "spec.allowedPaths": "--paths",
    "spec.allowedMethods": "--methods",
    "spec.allowedPorts": "--ports",
  },
  complete: (a) => (many(a, "source-sa").length > 0 || many(a, "source-namespaces").length > 0 ? undefined : "name the allowed clients: at least one service account (--source-sa) or namespace (--source-namespaces)"),
  build(a) {
    const sas = many(a, "source-sa").map((s) => valueOf(parseServiceAccount(s)));
    const namespaces = many(a, "source-namespaces");
    return {
      apiVersion: NETWORKING_API_VERSION,
      kind: "AccessPolicy",
      metadata: metadata(a),
      spec: compact({
        sourceSelector: [...(sas.length > 0 ? [{ kubeServiceAccountRefs: { serviceAccounts: sas } }] : []), ...(namespaces.length > 0 ? [{ kubeIdentityMatcher: { namespaces: [...namespaces] } }] : [])],
        destinationSelector: destinationSelector(a),
        allowedPaths: many(a, "paths").length > 0 ? [...many(a, "paths")] : undefined,
        allowedMethods: many(a, "methods").length > 0 ? [...many(a, "methods")] : undefined,
        allowedPorts: many(a, "ports").length > 0 ? many(a, "ports").map(Number) : undefined,
      }),
    };
  },
};

// ---- VirtualMesh --------------------------------------------------------------------------------------------------

export const VIRTUAL_MESH: CreateKind = {
  kind: "VirtualMesh",
  schema: VirtualMesh,
  fields: [
    ...NAME_FIELDS,
    { flag: "meshes", prompt: "Meshes (NAME or NAME.NAMESPACE, comma-separated; see 'meshctl discover')", type: "list", required: true, check: (s) => problemOf(parseMeshRef(s)), description: "member meshes NAME[.NAMESPACE] (namespace default meshhub)", placeholder: "istiod-istio-system-east,linkerd-destination-linkerd-west" },
    { flag: "trust", prompt: "Trust between the meshes", type: "select", options: ["shared", "limited", "none"], default: "shared", description: "shared (one generated root), limited, or none" },
    { flag: "root-ttl-days", prompt: "Root CA lifetime in days", type: "text", default: "730", when: (a) => (one(a, "trust") ?? "shared") === "shared", check: intCheck(z.number().int().min(1, { error: "must be at least 1 day" })), description: "lifetime of the generated root CA in days (trust shared)", placeholder: "730" },
    { flag: "key-algorithm", prompt: "Root key algorithm", type: "select", options: [...KEY_ALGORITHMS], default: "ECDSA-P256", when: (a) => (one(a, "trust") ?? "shared") === "shared", description: "key algorithm of the generated root (trust shared)" },
    { flag: "org", type: "text", when: (a) => (one(a, "trust") ?? "shared") === "shared", description: "organization in the root's subject (trust shared)" },
    { flag: "federation", prompt: "Federation", type: "select", options: ["permissive", "none"], default: "permissive", description: "permissive (every service reachable from every mesh) or none" },
    { flag: "global-access", prompt: "Global access policy", type: "select", options: ["MESH_DEFAULT", "ENABLED", "DISABLED"], default: "MESH_DEFAULT", description: "ENABLED denies by default: only AccessPolicies allow" },
    { flag: "auto-restart-pods", prompt: "Restart pods automatically after certificate changes?", type: "confirm", default: "false", description: "restart control planes and workloads automatically after trust changes (true/false)" },
  ],
  flagOf: { "metadata.name": "--name", "metadata.namespace": "--namespace", "spec.meshes": "--meshes", "spec.mtlsConfig": "--trust/--root-ttl-days/--key-algorithm/--org", "spec.federation": "--federation", "spec.globalAccessPolicy": "--global-access" },
  build(a) {
    const trust = one(a, "trust") ?? "shared";
    const restart = one(a, "auto-restart-pods") === "true";
    const generated = nonEmpty({ ttlDays: num(a, "root-ttl-days"), keyAlgorithm: one(a, "key-algorithm"), orgName: one(a, "org") });
    return {
      apiVersion: NETWORKING_API_VERSION,
      kind: "VirtualMesh",
      metadata: metadata(a),
      spec: compact({
        meshes: many(a, "meshes").map((m) => valueOf(parseMeshRef(m))),
        mtlsConfig:
          trust === "shared"
            ? compact({ shared: { rootCertificateAuthority: { generated: generated ?? {} } }, autoRestartPods: restart || undefined })
            : trust === "limited"
              ? compact({ limited: {}, autoRestartPods: restart || undefined })
              : undefined,
        federation: (one(a, "federation") ?? "permissive") === "permissive" ? { permissive: {} } : undefined,
        globalAccessPolicy: one(a, "global-access"),
      }),
    };
  },
};

export const CREATE_KINDS: Readonly<Record<string, CreateKind>> = {
  trafficpolicy: TRAFFIC_POLICY,
  tp: TRAFFIC_POLICY,
  accesspolicy: ACCESS_POLICY,
  ap: ACCESS_POLICY,
  virtualmesh: VIRTUAL_MESH,
  vm: VIRTUAL_MESH,
  vmesh: VIRTUAL_MESH,
};

/** The first problem of one answer (every item of a list is checked), or undefined. */
export function answerProblem(field: CreateField, items: readonly string[]): string | undefined {
  if (items.length === 0) return field.required ? "required" : undefined;
  if (field.type === "select" && field.options && !field.options.includes(items[0] as string)) return `must be one of ${field.options.join(", ")}`;
  if (field.type === "confirm" && !["true", "false"].includes(items[0] as string)) return "must be true or false";
  for (const item of field.type === "list" ? items : items.slice(0, 1)) {
    const p = field.check?.(item);
    if (p !== undefined) return p;
  }
  return undefined;
}
