/**
 * Request matching for Linkerd: a meshhub `HttpMatcher` (Gloo Mesh semantics, i.e. Istio's) as Gateway-API
 * HTTPRoute matches or as a ServiceProfile route condition.
 *
 * Facts from the Linkerd proxy (linkerd2-proxy `http/route/src/http/match/*.rs`) that shape this:
 * - `PathPrefix` matches whole path segments and ignores a trailing `/` (on the prefix and on the request), so
 *   `/api` does not match `/apix` and `/api/` also matches `/api`. Istio's prefix is a plain string prefix.
 * - `RegularExpression` (path, header, query) must match the whole value, but the check is "leftmost-first match
 *   spans the value" — `a|ab` does not match `ab` — so user regexes are wrapped in `^(?:…)$` to get a true full match.
 * - Route precedence is the Gateway API's: longest matched path (a regex match counts as the whole request path,
 *   a prefix as its own length), then a method, then more headers, then more query params; ties go to the older
 *   route, then to rule order. meshhub's resolved order (exact > regex > longer prefix first) agrees with it on
 *   the path, so more specific matches win across rules as they do in Istio's first-match list.
 *
 * A string prefix `P` is therefore rendered exactly, keeping the prefix precedence for ordinary paths:
 * `P` = `/` → `PathPrefix /`; `P` ending in `/` → `RegularExpression ^P.*$`; otherwise two matches in the same rule,
 * `PathPrefix P` (P, P/…) and `RegularExpression ^P[^/].*$` (Px…): together exactly the paths starting with P.
 */
import type { HeaderMatcher, HttpMatcher, QueryParameterMatcher } from "../../model/networking.js";

/** Escapes the characters that are special in RE2 / Rust regex syntax (only escapes both engines accept). */
export function regexEscape(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** `^(?:re)$`: a whole-value match whatever the engine's find semantics. */
export function anchored(re: string): string {
  return `^(?:${re})$`;
}

/** RFC 7230 token: what the Gateway API and Linkerd accept as a header (and GW-API query parameter) name. */
export const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** Characters the Gateway API accepts in Exact/PathPrefix path values (CEL rule of HTTPPathMatch). */
const GW_PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** True when `path` can be an Exact/PathPrefix value under the Gateway API's CEL rules. */
export function isGatewayLiteralPath(path: string): boolean {
  return (
    path.startsWith("/") &&
    GW_PATH_CHARS.test(path) &&
    !path.includes("//") &&
    !path.includes("/./") &&
    !path.includes("/../") &&
    !/%2f/i.test(path) &&
    !path.endsWith("/..") &&
    !path.endsWith("/.") &&
    path.length <= 1024
  );
}

/** Why a user regex will not compile in Linkerd (Rust `regex`, RE2-like: no lookaround, no backreferences). */
export function rustRegexProblem(re: string): string | undefined {
  // The model already checked the syntax with JavaScript's engine; these are the JS features Rust regex lacks.
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === "\\") {
      const next = re[i + 1] ?? "";
      if (/[1-9]/.test(next) || (next === "k" && re[i + 2] === "<")) return "uses a backreference";
      i++;
      continue;
    }
    if (c === "(" && re[i + 1] === "?" && (re[i + 2] === "=" || re[i + 2] === "!" || (re[i + 2] === "<" && (re[i + 3] === "=" || re[i + 3] === "!")))) {
      return "uses lookaround ((?=, (?!, (?<=, (?<!)";
    }
  }
  return undefined;
}

export interface GatewayPathMatch {
  readonly type: "Exact" | "PathPrefix" | "RegularExpression";
  readonly value: string;
}

/** The path matches for an exact path (Exact, or an anchored regex when the Gateway API would reject the literal). */
export function exactPath(path: string): GatewayPathMatch {
  return isGatewayLiteralPath(path) ? { type: "Exact", value: path } : { type: "RegularExpression", value: `^${regexEscape(path)}$` };
}

/** The path matches whose union is exactly "starts with `prefix`" (see the module comment). */
export function prefixPaths(prefix: string): GatewayPathMatch[] {
  if (prefix === "/") return [{ type: "PathPrefix", value: "/" }];
  if (prefix.endsWith("/") || !isGatewayLiteralPath(prefix)) return [{ type: "RegularExpression", value: `^${regexEscape(prefix)}.*$` }];
  return [
    { type: "PathPrefix", value: prefix },
    { type: "RegularExpression", value: `^${regexEscape(prefix)}[^/].*$` },
  ];
}

/** Path matches for a matcher (empty = no path condition). */
export function gatewayPaths(m: HttpMatcher | undefined): GatewayPathMatch[] {
  if (m?.exact !== undefined) return [exactPath(m.exact)];
  if (m?.prefix !== undefined) return prefixPaths(m.prefix);
  if (m?.regex !== undefined) return [{ type: "RegularExpression", value: anchored(m.regex) }];
  return [];
}

type ValueMatch = { type: "Exact" | "RegularExpression"; name: string; value: string };

function valueMatch(h: HeaderMatcher | QueryParameterMatcher): ValueMatch {
  // No value: Gloo Mesh / Istio read it as "present with any value".
  if (h.value === undefined) return { type: "RegularExpression", name: h.name, value: ".*" };
  if (h.regex) return { type: "RegularExpression", name: h.name, value: anchored(h.value) };
  // The Gateway API needs a non-empty Exact value; "present and empty" is the anchored empty regex.
  if (h.value === "") return { type: "RegularExpression", name: h.name, value: "^$" };
  return { type: "Exact", name: h.name, value: h.value };
}

/** The HTTPRoute `matches` of one resolved route: one entry, or two when a string prefix needs it; none = all. */
export function gatewayMatches(m: HttpMatcher | undefined): Record<string, unknown>[] {
  if (!m) return [];
  const rest: Record<string, unknown> = {};
  if (m.headers?.length) rest["headers"] = m.headers.map(valueMatch);
  if (m.queryParameters?.length) rest["queryParams"] = m.queryParameters.map(valueMatch);
  if (m.method) rest["method"] = m.method;
  const paths = gatewayPaths(m);
  if (paths.length === 0) return Object.keys(rest).length > 0 ? [rest] : [];
  return paths.map((path) => ({ path, ...rest }));
}

/** The problems with a matcher on a Gateway-API/Linkerd HTTPRoute (negation, names, regexes, list limits). */
export function checkGatewayMatcher(m: HttpMatcher, where: string, label: string): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const h of m.headers ?? []) {
    if (h.invertMatch) continue; // reported by the caller with the version-specific message
    const lower = h.name.toLowerCase();
    if (!HTTP_TOKEN.test(h.name)) errors.push(`${where}: header ${JSON.stringify(h.name)} cannot be matched by ${label}: HTTPRoute header names must be RFC 7230 tokens, so pseudo-headers such as :authority are not matchable; match on the path or a regular header instead`);
    if (names.has(lower)) errors.push(`${where}: header ${JSON.stringify(h.name)} is matched twice, which ${label} cannot express (an HTTPRoute match allows one condition per header name); combine them into one regular expression`);
    names.add(lower);
    if (h.regex && h.value !== undefined) {
      const p = rustRegexProblem(h.value);
      if (p) errors.push(regexMessage(`${where}: the regular expression for header ${h.name}`, p, label));
    }
  }
  const qnames = new Set<string>();
  for (const q of m.queryParameters ?? []) {
    if (!HTTP_TOKEN.test(q.name)) errors.push(`${where}: query parameter ${JSON.stringify(q.name)} cannot be matched by ${label}: HTTPRoute query parameter names must be RFC 7230 tokens; rename the parameter or match on the path`);
    if (qnames.has(q.name)) errors.push(`${where}: query parameter ${JSON.stringify(q.name)} is matched twice, which ${label} cannot express (one condition per parameter); combine them into one regular expression`);
    qnames.add(q.name);
    if (q.regex && q.value !== undefined) {
      const p = rustRegexProblem(q.value);
      if (p) errors.push(regexMessage(`${where}: the regular expression for query parameter ${q.name}`, p, label));
    }
  }
  if ((m.headers?.length ?? 0) > 16) errors.push(`${where}: ${m.headers?.length} header conditions, more than the 16 an HTTPRoute match allows on ${label}; split the matcher`);
  if ((m.queryParameters?.length ?? 0) > 16) errors.push(`${where}: ${m.queryParameters?.length} query conditions, more than the 16 an HTTPRoute match allows on ${label}; split the matcher`);
  errors.push(...checkPathRegex(m, where, label));
  return errors;
}

/** Path-regex problems (both flavours: ServiceProfile `pathRegex` is compiled by the same Rust engine). */
export function checkPathRegex(m: HttpMatcher, where: string, label: string): string[] {
  if (m.regex === undefined) return [];
  const p = rustRegexProblem(m.regex);
  return p ? [regexMessage(`${where}: the path regular expression ${JSON.stringify(m.regex)}`, p, label)] : [];
}

function regexMessage(what: string, problem: string, label: string): string {
  return `${what} ${problem}, which Linkerd's regex engine (Rust regex, RE2 syntax) does not support (${label}); rewrite it without lookaround or backreferences, e.g. as several positive matches`;
}

/** A ServiceProfile `pathRegex` for the matcher's path (Linkerd anchors it; explicit anchors are harmless). */
export function profilePathRegex(m: HttpMatcher | undefined): string | undefined {
  if (m?.exact !== undefined) return `^${regexEscape(m.exact)}$`;
  if (m?.prefix !== undefined) return `^${regexEscape(m.prefix)}.*$`;
  if (m?.regex !== undefined) return anchored(m.regex);
  return undefined;
}

/** A ServiceProfile route `condition` (path regex and method; a route without either matches every request). */
export function profileCondition(m: HttpMatcher | undefined): Record<string, unknown> {
  const pathRegex = profilePathRegex(m);
  const method = m?.method;
  if (pathRegex !== undefined && method !== undefined) return { all: [{ pathRegex }, { method }] };
  if (pathRegex !== undefined) return { pathRegex };
  if (method !== undefined) return { method };
  return { pathRegex: ".*" };
}
