import type { HttpMatcher, TrafficPolicy } from "../../model/networking.js";
import type { ResolvedRoute } from "../../resolve/traffic.js";
import type { DestinationContext } from "../types.js";
import type { HttpMatchRequest, StringMatch } from "./types.js";
import { describeIstioVersion, istioSupports } from "./version.js";

/** Header names Istio reads as its own match fields: a `headers` entry with one of these names is ignored. */
const RESERVED_HEADERS = new Set(["uri", "scheme", "method", "authority"]);

/** RE2 (Envoy's regex engine) has no lookaround and no backreferences; JavaScript accepts both. */
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]|\\k</;

/** Why Istio cannot use a regular expression, or undefined when it can. */
export function re2Problem(regex: string): string | undefined {
  return NOT_RE2.test(regex) ? `${JSON.stringify(regex)} uses lookaround or a backreference, which RE2 (the regex engine of Istio's proxies) does not support` : undefined;
}

/**
 * `value` empty means "present with any value". For headers Istio documents `{}` as the presence check; for query
 * parameters it does not, so a full-value regex `.*` says the same thing there.
 */
function headerMatch(value: string | undefined, regex: boolean | undefined): StringMatch {
  if (value === undefined || value === "") return {};
  return regex ? { regex: value } : { exact: value };
}

function queryMatch(value: string | undefined, regex: boolean | undefined): StringMatch {
  if (value === undefined || value === "") return { regex: ".*" };
  return regex ? { regex: value } : { exact: value };
}

/** The `HTTPMatchRequest` of a route (one per route), with `port` when routes are duplicated per service port. */
export function renderMatch(route: Pick<ResolvedRoute, "matcher" | "source">, port: number | undefined): HttpMatchRequest | undefined {
  const out: HttpMatchRequest = {};
  const m = route.matcher;
  if (m?.exact !== undefined) out.uri = { exact: m.exact };
  else if (m?.regex !== undefined) out.uri = { regex: m.regex };
  else if (m?.prefix !== undefined) out.uri = { prefix: m.prefix };
  for (const h of m?.headers ?? []) {
    const key = h.name.toLowerCase();
    if (h.invertMatch) (out.withoutHeaders ??= {})[key] = headerMatch(h.value, h.regex);
    else (out.headers ??= {})[key] = headerMatch(h.value, h.regex);
  }
  for (const q of m?.queryParameters ?? []) (out.queryParams ??= {})[q.name] = queryMatch(q.value, q.regex);
  if (m?.method !== undefined) out.method = { exact: m.method };
  if (port !== undefined) out.port = port;
  if (route.source?.labels && Object.keys(route.source.labels).length > 0) out.sourceLabels = { ...route.source.labels };
  if (route.source?.namespace !== undefined) out.sourceNamespace = route.source.namespace;
  return Object.keys(out).length > 0 ? out : undefined;
}

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup].sort();
}

/** The errors for request matchers and sources Istio cannot express exactly (version-aware). */
export function checkMatchers(policy: TrafficPolicy, ctx: DestinationContext): string[] {
  const errors: string[] = [];
  const version = describeIstioVersion(ctx.mesh);
  (policy.spec.httpRequestMatchers ?? []).forEach((m: HttpMatcher, i) => {
    const at = `httpRequestMatchers[${i}]`;
    if (m.regex !== undefined) {
      const p = re2Problem(m.regex);
      if (p) errors.push(`${at}.regex: ${p}`);
    }
    const headers = m.headers ?? [];
    const positive = headers.filter((h) => !h.invertMatch).map((h) => h.name.toLowerCase());
    const negative = headers.filter((h) => h.invertMatch).map((h) => h.name.toLowerCase());
    for (const d of duplicates(positive)) errors.push(`${at}.headers: header ${d} is matched twice (names are case-insensitive); Istio keys header matches by name, so only one condition per header can be expressed`);
    for (const d of duplicates(negative)) errors.push(`${at}.headers: header ${d} is matched twice with invertMatch (names are case-insensitive); Istio keys withoutHeaders by name, so only one condition per header can be expressed`);
    for (const name of [...new Set([...positive, ...negative])].sort()) {
      if (RESERVED_HEADERS.has(name)) {
        errors.push(`${at}.headers: Istio ignores a header match named ${name} (it is reserved for its own match fields), so the route would match more requests than asked; use the path or method matcher`);
      }
    }
    headers.forEach((h, j) => {
      if (h.regex && h.value) {
        const p = re2Problem(h.value);
        if (p) errors.push(`${at}.headers[${j}]: ${p}`);
      }
    });
    if (negative.length > 0 && !istioSupports(ctx.mesh, 1, 5)) errors.push(`${at}.headers: invertMatch is rendered as withoutHeaders, which requires Istio ≥ 1.5 (found ${version})`);
    const queries = m.queryParameters ?? [];
    for (const d of duplicates(queries.map((q) => q.name))) errors.push(`${at}.queryParameters: parameter ${d} is matched twice; Istio keys query matches by name, so only one condition per parameter can be expressed`);
    queries.forEach((q, j) => {
      if (q.regex && q.value) {
        const p = re2Problem(q.value);
        if (p) errors.push(`${at}.queryParameters[${j}]: ${p}`);
      }
    });
  });
  const sourceNamespaces = (policy.spec.sourceSelector ?? []).some((s) => (s.kubeWorkloadMatcher?.namespaces?.length ?? 0) > 0);
  if (sourceNamespaces && !istioSupports(ctx.mesh, 1, 6)) errors.push(`sourceSelector: a source namespace is rendered as sourceNamespace, which requires Istio ≥ 1.6 (found ${version})`);
  return errors;
}
