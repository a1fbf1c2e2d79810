/**
 * AccessPolicies as Linkerd authorization: a Server per target port (server.ts), a MeshTLSAuthentication per
 * policy and namespace, shared by the policy's destinations there (identities.ts), and AuthorizationPolicies that
 * tie them together.
 *
 * Allowed ports pick the Servers, with the Istio translation's meaning: an allowed *service* port stands for its
 * numeric target port, any other number is a workload port; a named target port cannot be resolved from discovery,
 * so such a rule is an error (left out: fail closed).
 *
 * Paths and methods need HTTPRoutes whose parent is the Server (`policy.linkerd.io/v1beta3`, Linkerd ≥2.14).
 * Linkerd picks ONE best-matching route per request and applies the authorizations attached to that route; a
 * request matching no route is refused (404). So, on a Server where any policy restricts paths or methods:
 * - each restricting policy gets a route with its (path × method) matches;
 * - unrestricted policies share a catch-all route (`<server>-any`), so their callers are not cut off;
 * - a policy is authorized on every route of that Server whose matches all lie inside what the policy allows
 *   (its own route, the catch-all only for unrestricted policies, and other policies' narrower routes). A route
 *   that merely overlaps a policy's paths never gets its authorization, so the result can be narrower than Istio's
 *   OR of rules when two policies' paths overlap without nesting — never wider.
 * Servers without such routes get AuthorizationPolicies that target the Server itself.
 *
 * Paths: `*` = any; `/x` exact; `/x*` a string prefix (matches.ts renders it exactly: PathPrefix alone would also
 * match `/x` for `/x/*` or miss `/xy` for `/x*`, because Linkerd prefixes are segment-wise and ignore a trailing
 * `/` — widening is not acceptable in an allow-list); `*x` a suffix, as an anchored RegularExpression.
 *
 * Kubelet probes: Linkerd authorizes them automatically only on ports without a Server or whose Server has no
 * routes. meshhub cannot know probe paths, so it emits nothing for them and marks every authorization route with a
 * `meshhub.io/warning` annotation saying so (probes on such a port must be authorized explicitly).
 */
import type { KubeObject } from "../../model/common.js";
import type { AccessPolicy } from "../../model/networking.js";
import type { ResolvedAccessRule } from "../../resolve/access.js";
import type { PolicyRef } from "../../resolve/order.js";
import { destinationMetadata } from "../metadata.js";
import type { DestinationContext, PolicyReport, ResolvedDestination } from "../types.js";
import { checkIdentities, renderIdentities } from "./identities.js";
import { exactPath, prefixPaths, regexEscape } from "./matches.js";
import { meshTlsAuthenticationName, renderMeshTlsAuthentication } from "./mesh-tls-authentication.js";
import { objectName } from "./names.js";
import { renderServerRoute, serverParentRefs } from "./http-route.js";
import { planServers, renderServer, type ServerPlan } from "./server.js";
import { AUTHORIZATION_API, type LinkerdFlavour } from "./version.js";
import { deepFreeze } from "../../util/freeze.js";
import { hasPodSelector } from "../pod-selector.js";

export const WARNING_ANNOTATION = "meshhub.io/warning";

type PathPattern = { readonly kind: "exact" | "prefix" | "suffix"; readonly value: string };
/** One allowed (path, method) combination; undefined parts allow anything. */
interface Atom {
  readonly path?: PathPattern;
  readonly method?: string;
}

function parsePath(p: string): PathPattern | undefined {
  if (p === "*") return undefined;
  if (p.endsWith("*")) return { kind: "prefix", value: p.slice(0, -1) };
  if (p.startsWith("*")) return { kind: "suffix", value: p.slice(1) };
  return { kind: "exact", value: p };
}

/** Atoms per rule: a rule is resolved once per AccessPolicy and read for every server of every destination. */
const ATOMS = new WeakMap<ResolvedAccessRule, Atom[] | null>();

/** The (path × method) atoms of a rule, or undefined when it restricts neither. */
function atomsOf(rule: ResolvedAccessRule): Atom[] | undefined {
  let atoms = ATOMS.get(rule);
  if (atoms === undefined) ATOMS.set(rule, (atoms = computeAtoms(rule) ?? null));
  return atoms ?? undefined;
}

/** Route matches per rule: rendered once, read for every server of every destination (routes copy them). */
const MATCHES = new WeakMap<ResolvedAccessRule, readonly Record<string, unknown>[]>();

/** The HTTPRoute matches of a rule's atoms. */
function matchesOf(rule: ResolvedAccessRule, atoms: readonly Atom[]): readonly Record<string, unknown>[] {
  let matches = MATCHES.get(rule);
  if (matches === undefined) MATCHES.set(rule, (matches = atoms.flatMap(atomMatches)));
  return matches;
}

function computeAtoms(rule: ResolvedAccessRule): Atom[] | undefined {
  const paths = (rule.paths ?? []).includes("*") ? [] : (rule.paths ?? []).map(parsePath);
  const methods = rule.methods ?? [];
  if (paths.length === 0 && methods.length === 0) return undefined;
  const out: Atom[] = [];
  for (const path of paths.length > 0 ? paths : [undefined])
    for (const method of methods.length > 0 ? methods : [undefined]) out.push({ ...(path ? { path } : {}), ...(method !== undefined ? { method } : {}) });
  return out;
}

/** True when every request matching path `a` also matches `b` (paths always start with `/`). */
function pathWithin(a: PathPattern | undefined, b: PathPattern | undefined): boolean {
  if (b === undefined) return true;
  if (b.kind === "prefix" && b.value === "/") return true;
  if (a === undefined) return false;
  switch (a.kind) {
    case "exact":
      return b.kind === "exact" ? a.value === b.value : b.kind === "prefix" ? a.value.startsWith(b.value) : a.value.endsWith(b.value);
    case "prefix":
      return b.kind === "prefix" && a.value.startsWith(b.value);
    case "suffix":
      return b.kind === "suffix" && a.value.endsWith(b.value);
  }
}

function atomWithin(a: Atom, b: Atom): boolean {
  return pathWithin(a.path, b.path) && (b.method === undefined || a.method === b.method);
}

/** True when everything a route with atoms `route` matches is allowed by `allowed` (undefined = unrestricted). */
function routeWithin(route: Atom[] | undefined, allowed: Atom[] | undefined): boolean {
  if (allowed === undefined) return true;
  if (route === undefined) return false;
  for (const a of route) {
    let inside = false;
    for (const b of allowed) if ((inside = atomWithin(a, b))) break;
    if (!inside) return false;
  }
  return true;
}

function atomMatches(atom: Atom): Record<string, unknown>[] {
  const method = atom.method !== undefined ? { method: atom.method } : {};
  const p = atom.path;
  if (p === undefined) return [method];
  const paths = p.kind === "exact" ? [exactPath(p.value)] : p.kind === "prefix" ? prefixPaths(p.value) : [{ type: "RegularExpression", value: `^.*${regexEscape(p.value)}$` }];
  return paths.map((path) => ({ path, ...method }));
}

/** What a rule without allowedPorts resolves to (most rules): nothing to check, no set to build. */
const NO_PORTS: { readonly ports: ReadonlySet<number>; readonly errors: readonly string[] } = Object.freeze({ ports: new Set<number>(), errors: Object.freeze([]) });

/** Workload (container) port numbers an allowed-ports list stands for; see the module comment. */
function workloadPorts(rule: ResolvedAccessRule, ctx: DestinationContext): { readonly ports: ReadonlySet<number>; readonly errors: readonly string[] } {
  if (!rule.ports?.length) return NO_PORTS;
  const ports = new Set<number>();
  const errors: string[] = [];
  for (const p of rule.ports) {
    const sp = ctx.service.spec.kubeService.ports.find((x) => x.port === p);
    if (sp === undefined || sp.targetPort === undefined) ports.add(p);
    else if (typeof sp.targetPort === "number") ports.add(sp.targetPort);
    else if (/^\d+$/.test(sp.targetPort)) ports.add(Number(sp.targetPort));
    else
      errors.push(
        `allowedPorts: service port ${p} of ${ctx.key} targets the named container port ${JSON.stringify(sp.targetPort)}; the port number is unknown to discovery, so it cannot be matched exactly — allow the container port number instead; the rule is left out (access is not widened)`,
      );
  }
  return { ports, errors };
}

function serverAllowed(server: ServerPlan, rule: ResolvedAccessRule, ctx: DestinationContext): boolean {
  if (!rule.ports?.length) return true;
  return typeof server.target === "number" && workloadPorts(rule, ctx).ports.has(server.target);
}

const LEFT_OUT = "the rule is left out and the destination stays closed to it (access is not widened)";

/** The errors for an access rule this Linkerd cannot express exactly for the destination. */
export function checkAccessRule(_policy: AccessPolicy, rule: ResolvedAccessRule, ctx: DestinationContext, flavour: LinkerdFlavour): string[] {
  if (!flavour.parsed) {
    return [`cannot tell which Linkerd policy resources ${flavour.label} serves: the version is not a stable-2.x.y, edge-YY.M.N or version-2.x tag; ${LEFT_OUT} (fix the version discovery reports)`];
  }
  if (!flavour.authorizationPolicy) {
    const closed = flavour.serverApiVersion
      ? "the destination's ports still get Servers, which deny by default"
      : "Linkerd before 2.11 has no Server either, so meshhub cannot enforce anything on this destination: upgrade Linkerd";
    return [`authorization by AccessPolicy requires Linkerd ≥2.12 (found ${flavour.label}): AuthorizationPolicy and MeshTLSAuthentication were added in 2.12; ${closed}`];
  }
  const errors: string[] = [];
  if (!hasPodSelector(ctx.service)) {
    errors.push(
      `service ${ctx.key} has no pod selector, so a Linkerd Server cannot select its workloads (an empty podSelector would take over port ${ctx.service.spec.kubeService.ports.map((p) => p.port).join(", ")} of every pod in namespace ${ctx.service.spec.kubeService.ref.namespace}); nothing is emitted for it`,
    );
  }
  const atoms = atomsOf(rule);
  if (atoms && !flavour.inboundRoutes) {
    errors.push(
      `allowedPaths/allowedMethods require Linkerd ≥2.14 (found ${flavour.label}): per-route authorization needs policy.linkerd.io/v1beta3 HTTPRoutes attached to a Server; allow whole ports instead, or upgrade Linkerd — ${LEFT_OUT}`,
    );
  }
  if (atoms) {
    const n = matchesOf(rule, atoms).length;
    if (n > 128) errors.push(`allowedPaths × allowedMethods give ${n} route matches; a Linkerd HTTPRoute holds at most 128 (16 rules of 8) — split the policy; ${LEFT_OUT}`);
  }
  for (const e of checkIdentities(rule, ctx, flavour)) errors.push(e);
  for (const e of workloadPorts(rule, ctx).errors) errors.push(e);
  return errors;
}

/** Each policy's authentication references: one frozen list, shared by every AuthorizationPolicy it yields. */
const AUTHENTICATION_REFS = new WeakMap<PolicyRef, readonly Record<string, string>[]>();

function authenticationRefs(source: PolicyRef): readonly Record<string, string>[] {
  let refs = AUTHENTICATION_REFS.get(source);
  if (refs === undefined) AUTHENTICATION_REFS.set(source, (refs = deepFreeze([{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: meshTlsAuthenticationName(source) }])));
  return refs;
}

function authorizationPolicy(name: string, targetRef: Readonly<Record<string, string>>, ctx: DestinationContext, source: PolicyRef): KubeObject {
  return {
    apiVersion: AUTHORIZATION_API,
    kind: "AuthorizationPolicy",
    metadata: destinationMetadata(name, ctx.service.spec.kubeService.ref.namespace, [source], ctx.key),
    spec: {
      targetRef,
      requiredAuthenticationRefs: authenticationRefs(source),
    },
  };
}

function probeWarning(server: ServerPlan): string {
  return `Linkerd stops authorizing kubelet probes automatically once an HTTPRoute is attached to Server ${server.name} (port ${server.target}); if liveness/readiness probes use this port, authorize them explicitly (an HTTPRoute for the probe paths and an AuthorizationPolicy with a NetworkAuthentication for the node network) or the pods will not become ready`;
}

/** A route on a Server that policies may be authorized on (undefined atoms: the catch-all route). */
interface AuthorizationRoute {
  readonly name: string;
  readonly atoms: Atom[] | undefined;
  readonly owner?: ResolvedAccessRule;
  /** The AuthorizationPolicies' reference to the route, shared by every rule authorized on it. */
  readonly targetRef: Readonly<Record<string, string>>;
}

function targetRefOf(kind: "Server" | "HTTPRoute", name: string): Readonly<Record<string, string>> {
  return Object.freeze({ group: "policy.linkerd.io", kind, name });
}

/**
 * What one destination's access rules emit, in order: its Servers, then per Server the routes and authorizations.
 * Rules with identities are held in parallel lists (rule i has identities i) rather than maps and sets: this runs
 * for every Linkerd destination, and what it allocates besides the output is garbage the collector pays for.
 */
class AccessRendering {
  /** Whether rule i's MeshTLSAuthentication is emitted already (it goes out with the rule's first authorization). */
  private readonly authenticated: boolean[];

  constructor(
    readonly objects: KubeObject[],
    private readonly ctx: DestinationContext,
    readonly rules: readonly ResolvedAccessRule[],
    private readonly identities: readonly ReturnType<typeof renderIdentities>[],
  ) {
    this.authenticated = rules.map(() => false);
  }

  /** One AuthorizationPolicy for rule i on a target; on a policy's own route it shares the route's name. */
  authorize(i: number, target: string, targetRef: Readonly<Record<string, string>>, own: boolean): void {
    const rule = this.rules[i]!;
    if (!this.authenticated[i]) {
      this.authenticated[i] = true;
      this.objects.push(renderMeshTlsAuthentication(this.identities[i]!, this.ctx, rule.policy));
    }
    const name = own ? target : objectName([target, rule.policy.name, rule.policy.namespace]);
    this.objects.push(authorizationPolicy(name, targetRef, this.ctx, rule.policy));
  }
}

/** Servers, routes, MeshTLSAuthentications and AuthorizationPolicies for a destination's access rules. */
export function renderAccess(dest: ResolvedDestination, ctx: DestinationContext, flavour: LinkerdFlavour): { objects: KubeObject[]; reports: PolicyReport[] } {
  if (dest.accessPolicies.length === 0 || !flavour.serverApiVersion || !hasPodSelector(ctx.service)) return { objects: [], reports: NO_REPORTS };
  const servers = planServers(ctx);
  // Fail closed: every port gets a Server even when no rule survived.
  const objects: KubeObject[] = [];
  for (const s of servers) objects.push(renderServer(s, ctx, flavour, dest.accessPolicies));
  if (!flavour.authorizationPolicy) return { objects, reports: NO_REPORTS };

  // Rules with identities to authorize.
  let rules: ResolvedAccessRule[] | undefined;
  let identities: ReturnType<typeof renderIdentities>[] | undefined;
  for (const rule of dest.access) {
    const ids = renderIdentities(rule, ctx);
    if (ids.length === 0) continue;
    if (rules && identities) {
      rules.push(rule);
      identities.push(ids);
    } else {
      rules = [rule];
      identities = [ids];
    }
  }
  const out = new AccessRendering(objects, ctx, rules ?? [], identities ?? []);

  for (const server of servers) {
    // Indexes of the rules allowed on this server's port, and how many of them restrict paths or methods.
    const here: number[] = [];
    let restricted = 0;
    for (let i = 0; i < out.rules.length; i++) {
      const r = out.rules[i]!;
      if (!serverAllowed(server, r, ctx)) continue;
      here.push(i);
      if (atomsOf(r) !== undefined) restricted++;
    }
    if (restricted === 0) {
      if (here.length > 0) {
        const targetRef = targetRefOf("Server", server.name);
        for (const i of here) out.authorize(i, server.name, targetRef, false);
      }
      continue;
    }
    const warning = { [WARNING_ANNOTATION]: probeWarning(server) };
    const routes: AuthorizationRoute[] = [];
    const parentRefs = serverParentRefs(server.name);
    const unrestricted: PolicyRef[] = [];
    for (const i of here) {
      const r = out.rules[i]!;
      const atoms = atomsOf(r);
      if (atoms === undefined) {
        unrestricted.push(r.policy);
        continue;
      }
      const name = objectName([server.name, r.policy.name, r.policy.namespace]);
      routes.push({ name, atoms, owner: r, targetRef: targetRefOf("HTTPRoute", name) });
      out.objects.push(renderServerRoute(name, parentRefs, matchesOf(r, atoms), ctx, [r.policy], warning));
    }
    if (unrestricted.length > 0) {
      const name = objectName([server.name, "any"]);
      routes.push({ name, atoms: undefined, targetRef: targetRefOf("HTTPRoute", name) });
      out.objects.push(renderServerRoute(name, parentRefs, [], ctx, unrestricted, warning));
    }
    for (const i of here) {
      const r = out.rules[i]!;
      const allowed = atomsOf(r);
      for (const route of routes) if (routeWithin(route.atoms, allowed)) out.authorize(i, route.name, route.targetRef, route.owner === r);
    }
  }
  return { objects: out.objects, reports: NO_REPORTS };
}

/** Access rendering reports nothing (what cannot be expressed is reported when the rules are checked). */
const NO_REPORTS = Object.freeze([]) as unknown as PolicyReport[];
