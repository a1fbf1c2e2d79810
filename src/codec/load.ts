import type { z } from "zod";
import { joinPath, renderFound, type ErrorLocation, type InputError } from "../errors.js";
import { KubernetesCluster } from "../model/discovery.js";
import { AccessPolicy, NETWORKING_API_VERSIONS, TrafficPolicy, VirtualMesh } from "../model/networking.js";
import { driftHint } from "./drift-hints.js";
import type { ParsedDocument } from "./parse.js";

/** The meshhub resources of a workspace (everything that is not a raw cluster object). */
export interface MeshhubResources {
  readonly clusters: readonly KubernetesCluster[];
  readonly trafficPolicies: readonly TrafficPolicy[];
  readonly accessPolicies: readonly AccessPolicy[];
  readonly virtualMeshes: readonly VirtualMesh[];
}

/** Where each loaded resource came from, keyed by `Kind/namespace/name`. */
export type ResourceSources = ReadonlyMap<string, ErrorLocation>;

const SCHEMAS = {
  TrafficPolicy,
  AccessPolicy,
  VirtualMesh,
  KubernetesCluster,
} as const;
type ResourceKind = keyof typeof SCHEMAS;

const LEGACY_API_HINTS: Record<string, string> = {
  "networking.smh.solo.io/v1alpha1":
    "this is the Service Mesh Hub 0.6 API; rewrite it for networking.mesh.gloo.solo.io/v1: actions move under spec.policy, selectors become lists (destinationSelector: [{kubeServiceRefs: …}]), `cluster` becomes `clusterName`, and AccessControlPolicy becomes AccessPolicy",
  "networking.smh.solo.io/v1alpha2": "this is the Service Mesh Hub 0.7–0.9 API; use networking.mesh.gloo.solo.io/v1 (actions under spec.policy)",
  "networking.mesh.gloo.solo.io/v1alpha2": "this is the Gloo Mesh 0.10–0.12 API; use networking.mesh.gloo.solo.io/v1 (actions under spec.policy)",
  "networking.zephyr.solo.io/v1alpha1": "this is the Service Mesh Hub 0.4–0.5 API; use networking.mesh.gloo.solo.io/v1",
};

/** Identity of an object for error messages, read defensively from an unvalidated value. */
export function identify(value: unknown): { kind?: string; namespace?: string; name?: string } {
  if (value === null || typeof value !== "object") return {};
  const v = value as Record<string, unknown>;
  const meta = (v.metadata !== null && typeof v.metadata === "object" ? v.metadata : {}) as Record<string, unknown>;
  return {
    ...(typeof v.kind === "string" ? { kind: v.kind } : {}),
    ...(typeof meta.namespace === "string" ? { namespace: meta.namespace } : {}),
    ...(typeof meta.name === "string" ? { name: meta.name } : {}),
  };
}

function locationOf(doc: ParsedDocument): ErrorLocation {
  return {
    ...(doc.file !== undefined ? { file: doc.file } : {}),
    document: doc.document,
    ...(doc.item !== undefined ? { item: doc.item } : {}),
    ...identify(doc.value),
  };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/** Turns zod issues into located, readable errors with expected/found and drift hints. */
export function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[], root: unknown, where: ErrorLocation, schema?: z.ZodType, pathPrefix: (string | number)[] = []): InputError[] {
  const out: InputError[] = [];
  const kind = where.kind;
  for (const issue of issues) {
    const path = [...pathPrefix, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const fieldPath = [...path, key];
        const known = schema ? knownKeysAt(schema, path) : undefined;
        const suggestion = known ? closestKey(key, known) : undefined;
        const hint = driftHint(kind, fieldPath, valueAt(root, fieldPath)) ?? (suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : undefined);
        out.push({
          ...where,
          path: joinPath(fieldPath),
          message: `unknown field ${JSON.stringify(key)}`,
          ...(known ? { expected: `one of ${known.join(", ")}` } : {}),
          ...(hint ? { hint } : {}),
        });
      }
      continue;
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the alternative that got furthest (fewest issues), not "no union member matched".
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      out.push(...zodIssuesToErrors(best, root, where, schema, []));
      continue;
    }
    const found = valueAt(root, path);
    const hint = driftHint(kind, path, found);
    const base = { ...where, path: joinPath(path) };
    if (issue.code === "invalid_type") {
      out.push({
        ...base,
        message: found === undefined ? "required field is missing" : `wrong type`,
        expected: issue.expected === "array" ? "a list" : issue.expected === "object" ? "an object" : `a ${issue.expected}`,
        found: renderFound(found),
        ...(hint ? { hint } : {}),
      });
    } else if (issue.code === "invalid_value") {
      out.push({ ...base, message: issue.message, found: renderFound(found), ...(hint ? { hint } : {}) });
    } else {
      out.push({ ...base, message: issue.message, ...(found !== undefined && typeof found !== "object" ? { found: renderFound(found) } : {}), ...(hint ? { hint } : {}) });
    }
  }
  return out;
}

/** The field names a zod schema accepts at `path`, found by walking the schema (undefined when unknown). */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] | undefined {
  let cur: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    for (let i = 0; i < 20; i++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def) return s;
      if (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") s = def.innerType;
      else if (def.type === "pipe") s = def.in;
      else return s;
    }
    return s;
  };
  for (const seg of path) {
    cur = unwrap(cur);
    const def = (cur as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return undefined;
    if (def.type === "array" && typeof seg === "number") cur = def.element;
    else if (def.type === "object" && typeof seg === "string") cur = (def.shape as Record<string, unknown>)[seg];
    else if (def.type === "record" && typeof seg === "string") cur = def.valueType;
    else return undefined;
  }
  const def = (unwrap(cur) as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape as Record<string, unknown>) : undefined;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (dp[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = dp[i] as number[];
      const prev = dp[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
    }
  return (dp[a.length] as number[])[b.length] as number;
}

/** "did you mean …" for a misspelt field name. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Validates one parsed document as a meshhub resource. */
export function loadResource(doc: ParsedDocument): { kind: ResourceKind; resource: TrafficPolicy | AccessPolicy | VirtualMesh | KubernetesCluster } | { errors: InputError[] } {
  const where = locationOf(doc);
  const value = doc.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { errors: [{ ...where, message: "not a Kubernetes object", expected: "a mapping with apiVersion, kind, metadata and spec", found: renderFound(value) }] };
  }
  const v = value as Record<string, unknown>;
  if (typeof v.kind !== "string") return { errors: [{ ...where, path: "kind", message: "required field is missing", expected: "TrafficPolicy, AccessPolicy, VirtualMesh or KubernetesCluster", found: renderFound(v.kind) }] };
  const legacy = typeof v.apiVersion === "string" ? LEGACY_API_HINTS[v.apiVersion] : undefined;
  if (legacy !== undefined) {
    return { errors: [{ ...where, path: "apiVersion", message: `unsupported apiVersion ${JSON.stringify(v.apiVersion)}`, expected: NETWORKING_API_VERSIONS.join(" or "), hint: legacy }] };
  }
  const kind = v.kind === "AccessControlPolicy" ? undefined : (v.kind as ResourceKind);
  const schema = kind !== undefined ? SCHEMAS[kind] : undefined;
  if (schema === undefined) {
    return {
      errors: [
        {
          ...where,
          path: "kind",
          message: `${JSON.stringify(v.kind)} is not a meshhub resource`,
          expected: "TrafficPolicy, AccessPolicy, VirtualMesh or KubernetesCluster",
          hint: v.kind === "AccessControlPolicy" ? "AccessControlPolicy is the Service Mesh Hub 0.6 name: use kind AccessPolicy" : "raw cluster objects belong under clusters/<cluster-name>/ in a workspace",
        },
      ],
    };
  }
  const result = schema.safeParse(value);
  if (!result.success) return { errors: zodIssuesToErrors(result.error.issues, value, where, schema as z.ZodType) };
  const resource = result.data as TrafficPolicy | AccessPolicy | VirtualMesh | KubernetesCluster;
  // Namespace defaults the way kubectl would apply it.
  if (resource.metadata.namespace === undefined) resource.metadata.namespace = "default";
  return { kind: kind as ResourceKind, resource };
}

/** Loads every document as a meshhub resource; reports every error, keeps every valid resource. */
export function loadResources(docs: readonly ParsedDocument[]): { resources: MeshhubResources; sources: ResourceSources; errors: InputError[] } {
  const clusters: KubernetesCluster[] = [];
  const trafficPolicies: TrafficPolicy[] = [];
  const accessPolicies: AccessPolicy[] = [];
  const virtualMeshes: VirtualMesh[] = [];
  const sources = new Map<string, ErrorLocation>();
  const errors: InputError[] = [];
  for (const doc of docs) {
    const loaded = loadResource(doc);
    if ("errors" in loaded) {
      errors.push(...loaded.errors);
      continue;
    }
    const r = loaded.resource;
    const key = `${r.kind}/${r.metadata.namespace ?? ""}/${r.metadata.name}`;
    const where = locationOf(doc);
    const previous = sources.get(key);
    if (previous !== undefined) {
      errors.push({ ...where, message: `duplicate ${r.kind} ${r.metadata.namespace}/${r.metadata.name}`, hint: `also defined in ${previous.file ?? "another document"}${previous.document !== undefined ? `#${previous.document}` : ""}` });
      continue;
    }
    sources.set(key, where);
    if (r.kind === "TrafficPolicy") trafficPolicies.push(r);
    else if (r.kind === "AccessPolicy") accessPolicies.push(r);
    else if (r.kind === "VirtualMesh") virtualMeshes.push(r);
    else clusters.push(r);
  }
  return { resources: { clusters, trafficPolicies, accessPolicies, virtualMeshes }, sources, errors };
}
