import { z } from "zod";

/** DNS-1123 label: namespaces, Service names, most resource names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: object names of most kinds. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Go / protobuf style duration as users write it: `10s`, `1.5s`, `250ms`, `1m`, `1h30m`. */
export const DURATION_PATTERN = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a validated duration string into milliseconds (may be fractional for sub-ms values). */
export function durationToMillis(duration: string): number {
  let total = 0;
  for (const m of duration.trim().matchAll(DURATION_PART)) total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return total;
}

/** True when `key` is a valid Kubernetes label key (optional DNS prefix + `/` + name). */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** True when `value` is a valid Kubernetes label value. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

export const Dns1123Label = z
  .string()
  .max(63, { error: "must be at most 63 characters" })
  .regex(DNS1123_LABEL, { error: "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit" });

export const Dns1123Subdomain = z
  .string()
  .max(253, { error: "must be at most 253 characters" })
  .regex(DNS1123_SUBDOMAIN, { error: "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'" });

/** A cluster name as registered. Loose on purpose: unresolved names are reported at resolution time. */
export const ClusterName = z.string().min(1, { error: "must not be empty" });

export const Duration = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().regex(DURATION_PATTERN, { error: "must be a duration like 10s, 1.5s, 250ms or 1m" }));

export const Percentage = z
  .number({ error: "must be a number from 0 to 100" })
  .min(0, { error: "must be a percentage from 0 to 100" })
  .max(100, { error: "must be a percentage from 0 to 100" });

export const Port = z.number().int({ error: "must be a whole number" }).min(1, { error: "must be a port from 1 to 65535" }).max(65535, { error: "must be a port from 1 to 65535" });

export const LabelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [k, v] of Object.entries(labels)) {
    if (!isLabelKey(k)) ctx.addIssue({ code: "custom", path: [k], message: `label key ${JSON.stringify(k)} is not a valid Kubernetes label key` });
    if (typeof v !== "string" || !isLabelValue(v))
      ctx.addIssue({ code: "custom", path: [k], message: `label value ${JSON.stringify(v)} is not a valid Kubernetes label value (≤63 characters of [A-Za-z0-9-_.])` });
  }
});

/** Standard HTTP methods accepted in matchers and access policies. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"] as const;
export const HttpMethod = z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(", ")}` });

/** Kubernetes object metadata as meshhub reads it: the fields it uses are checked, the rest are kept. */
export const ObjectMeta = z.looseObject({
  name: Dns1123Subdomain,
  namespace: Dns1123Label.optional(),
  labels: LabelMap.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generation: z.number().int().min(0).optional(),
  creationTimestamp: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

/** `{name, namespace}` reference to an object on the management plane. */
export const ObjectRef = z.strictObject({ name: Dns1123Subdomain, namespace: Dns1123Label });
export type ObjectRef = z.infer<typeof ObjectRef>;

/** `{name, namespace, clusterName}` reference to an object on a managed cluster. */
export const ClusterObjectRef = z.strictObject({ name: Dns1123Subdomain, namespace: Dns1123Label, clusterName: ClusterName });
export type ClusterObjectRef = z.infer<typeof ClusterObjectRef>;

/** A generic Kubernetes object: what discovery reads and translators emit. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}
