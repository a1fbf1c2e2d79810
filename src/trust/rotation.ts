/**
 * `planRotation`: from what is on the clusters (discovery's Istio `caCertificates` and Linkerd `trustAnchors`,
 * fingerprints and expiry) and the desired root of each VirtualMesh, the staged, idempotent way there:
 *
 * 1. `distribute-bundle`: every mesh trusts the new root *and* every old root still issuing (a bundle), restart;
 * 2. `issue-intermediates`: intermediates / issuers re-issued under the new root, restart in order;
 * 3. `drop-old-roots`: the bundle shrinks to the new root, restart.
 *
 * The stage a VirtualMesh is in is derived from the observed state alone, so planning again after a stage ran
 * gives the remaining stages, and after the last one: nothing. Re-issue steps cover intermediates within the
 * grace period of expiry. A pre-existing Istio `cacerts` meshhub does not own is a {@link TrustDecision} — the mesh
 * gets no step (no restart) until the user answers — never a write that would be bounced forever (Gloo Mesh #1519).
 *
 * Pure: no crypto, no clock (`now` is an argument), no I/O.
 */
import { compareStrings } from "../codec/canonical.js";
import { istioAtLeast } from "../discovery/versions.js";
import type { Mesh, MeshWorkload, TrustAnchorInfo } from "../model/discovery.js";
import type { VirtualMesh } from "../model/networking.js";
import {
  DEFAULT_GRACE_DAYS,
  daysUntil,
  floorSeconds,
  ISTIO_CACERTS,
  ISTIO_KEYS,
  isoSeconds,
  keyOf,
  LINKERD_ISSUER,
  LINKERD_ISSUER_KEYS,
  LINKERD_TRUST_ROOTS,
  LINKERD_TRUST_ROOTS_KEY,
  meshTarget,
  refOfVm,
} from "./common.js";
import { restartPlanFor, type RestartScope } from "./restart.js";
import {
  TRUST_API_VERSION,
  type BundleEntry,
  type MeshAction,
  type MeshTarget,
  type ObjectChange,
  type ReissueStep,
  type ResourceRef,
  type RootIdentity,
  type RotationPlan,
  type RotationStage,
  type TrustDecision,
  type VirtualMeshRotation,
} from "./types.js";

/** What is on a cluster for one mesh, as far as trust goes. */
export interface ObservedTrust {
  /** Trusted roots: Istio `cacerts` `root-cert.pem`, Linkerd `ca-bundle.crt`. Empty for Istio without `cacerts`. */
  readonly roots: readonly TrustAnchorInfo[];
  /** Istio `ca-cert.pem` / the Linkerd issuer certificate, when known. */
  readonly intermediate?: TrustAnchorInfo;
  /** SHA-256 fingerprint of the root the intermediate chains to, when known (Istio: the root in `cert-chain.pem`). */
  readonly intermediateIssuerFingerprint?: string;
  /** Istio: a `cacerts` Secret exists. */
  readonly caSecretPresent: boolean;
  /**
   * Istio: who wrote `cacerts` — `meshhub` (owner label), `foreign` (no owner label), `unknown` (not observed).
   * `unknown` counts as meshhub's only while `cacerts` already trusts the desired root.
   */
  readonly caSecretOwner: "meshhub" | "foreign" | "unknown";
}

/** Input of {@link planRotation}. */
export interface RotationInput {
  /** Accepted groupings, as for `planCertificates`. */
  readonly virtualMeshes: readonly { readonly virtualMesh: VirtualMesh; readonly meshes: readonly Mesh[] }[];
  /** Desired root per VirtualMesh (key `namespace/name`): the fingerprint of the root `issueForPlan` uses. */
  readonly desiredRoots: Readonly<Record<string, RootIdentity>>;
  readonly now: Date;
  /** Days before expiry at which an intermediate is re-issued (default 30). */
  readonly graceDays?: number;
  /** Per mesh key (`namespace/name`): facts discovery does not hold (e.g. `caSecretOwner`, the Linkerd issuer). */
  readonly observed?: Readonly<Record<string, Partial<ObservedTrust>>>;
  /** Answers to {@link TrustDecision}s, per mesh key. */
  readonly decisions?: Readonly<Record<string, "take-over" | "keep">>;
  /** Discovered workloads, to name the controllers restart steps cycle. */
  readonly workloads?: readonly MeshWorkload[];
}

function sourceKey(info: TrustAnchorInfo): string | undefined {
  const m = /\s(\S+)$/.exec(info.source ?? "");
  return m?.[1];
}

function dedupe(list: readonly TrustAnchorInfo[]): TrustAnchorInfo[] {
  const seen = new Map<string, TrustAnchorInfo>();
  for (const a of list) if (!seen.has(a.fingerprintSha256)) seen.set(a.fingerprintSha256, a);
  return [...seen.values()];
}

/**
 * What discovery says about a mesh's trust. Istio `caCertificates` are classified by their `source` key
 * (`root-cert.pem` → roots, `ca-cert.pem` → intermediate, `cert-chain.pem` → the intermediate's issuer; entries
 * without a source count as roots). Linkerd: the trust anchors; the issuer is not discovered (pass it in `extra`).
 */
export function observedTrustOf(mesh: Mesh, extra: Partial<ObservedTrust> = {}): ObservedTrust {
  let base: ObservedTrust;
  if ("istio" in mesh.spec) {
    const certs = mesh.spec.istio.caCertificates;
    if (certs === undefined) {
      base = { roots: [], caSecretPresent: false, caSecretOwner: "unknown" };
    } else {
      const roots = dedupe(certs.filter((c) => sourceKey(c) === ISTIO_KEYS.rootCert || c.source === undefined));
      const intermediate = certs.find((c) => sourceKey(c) === ISTIO_KEYS.caCert);
      const chain = certs.filter((c) => sourceKey(c) === ISTIO_KEYS.certChain && c.fingerprintSha256 !== intermediate?.fingerprintSha256);
      const issuer = chain.find((c) => roots.some((r) => r.fingerprintSha256 === c.fingerprintSha256)) ?? chain[chain.length - 1];
      base = {
        roots,
        ...(intermediate ? { intermediate } : {}),
        ...(issuer ? { intermediateIssuerFingerprint: issuer.fingerprintSha256 } : {}),
        caSecretPresent: true,
        caSecretOwner: "unknown",
      };
    }
  } else {
    base = { roots: dedupe(mesh.spec.linkerd.trustAnchors), caSecretPresent: false, caSecretOwner: "unknown" };
  }
  return { ...base, ...extra };
}

type IntermediateState = "absent" | "desired" | "old" | "unknown";

interface Participant {
  readonly mesh: Mesh;
  readonly target: MeshTarget;
  readonly obs: ObservedTrust;
  readonly trustsDesired: boolean;
  readonly oldRoots: readonly TrustAnchorInfo[];
  readonly intermediate: IntermediateState;
  /** Every root it trusts has expired and it does not trust the new root: nothing safe is left. */
  readonly expiredRoots: boolean;
}

const expiredAt = (now: Date, info: { notAfter?: string }): boolean => info.notAfter !== undefined && Date.parse(info.notAfter) <= now.getTime();

function participantOf(mesh: Mesh, obs: ObservedTrust, desired: string, now: Date): Participant {
  const target = meshTarget(mesh);
  const trustsDesired = obs.roots.some((r) => r.fingerprintSha256 === desired);
  const oldRoots = obs.roots.filter((r) => r.fingerprintSha256 !== desired);
  let intermediate: IntermediateState;
  if (target.type === "istio" && !obs.caSecretPresent) intermediate = "absent";
  else if (obs.intermediateIssuerFingerprint !== undefined) intermediate = obs.intermediateIssuerFingerprint === desired ? "desired" : "old";
  else if (!trustsDesired) intermediate = "old";
  else intermediate = oldRoots.length === 0 ? "desired" : "unknown";
  const expiredRoots = !trustsDesired && oldRoots.length > 0 && oldRoots.every((r) => expiredAt(now, r));
  return { mesh, target, obs, trustsDesired, oldRoots, intermediate, expiredRoots };
}

const sameFingerprints = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/** Builds a staged rotation plan. See the module documentation and {@link RotationPlan}. */
export function planRotation(input: RotationInput): RotationPlan {
  const now = floorSeconds(input.now);
  const graceDays = input.graceDays ?? DEFAULT_GRACE_DAYS;
  const out: VirtualMeshRotation[] = [];
  const skipped: { virtualMesh: ResourceRef; reason: string }[] = [];
  for (const { virtualMesh: vm, meshes } of [...input.virtualMeshes].sort((a, b) => compareStrings(keyOf(a.virtualMesh), keyOf(b.virtualMesh)))) {
    const ref = refOfVm(vm);
    if (!vm.spec.mtlsConfig?.shared) {
      skipped.push({ virtualMesh: ref, reason: "no mtlsConfig.shared: nothing to rotate" });
      continue;
    }
    const desired = input.desiredRoots[keyOf(ref)];
    if (!desired) {
      skipped.push({ virtualMesh: ref, reason: `no desired root given (desiredRoots["${keyOf(ref)}"])` });
      continue;
    }
    out.push(planVirtualMesh(vm, meshes, desired, now, graceDays, input));
  }
  const stepCount = out.reduce((n, v) => n + v.stages.reduce((m, s) => m + s.actions.length, 0) + v.reissues.length, 0);
  return { apiVersion: TRUST_API_VERSION, kind: "RotationPlan", now: isoSeconds(now), graceDays, virtualMeshes: out, skipped, stepCount };
}

interface Computed {
  readonly stages: RotationStage[];
  readonly reissues: ReissueStep[];
  readonly warnings: string[];
  /** Meshes with at least one action. */
  readonly touched: Set<string>;
}

function planVirtualMesh(vm: VirtualMesh, meshes: readonly Mesh[], desired: RootIdentity, now: Date, graceDays: number, input: RotationInput): VirtualMeshRotation {
  const ref = refOfVm(vm);
  const D = desired.fingerprintSha256;
  const warnings: string[] = [];
  const decisions: TrustDecision[] = [];
  let participants: Participant[] = [];
  for (const mesh of [...meshes].sort((a, b) => compareStrings(keyOf(a), keyOf(b)))) {
    const key = keyOf(mesh);
    const obs = observedTrustOf(mesh, input.observed?.[key]);
    const p = participantOf(mesh, obs, D, now);
    if (p.target.type === "istio" && obs.caSecretPresent && input.decisions?.[key] === "keep") {
      if (!p.trustsDesired) warnings.push(`${describe(p.target)} keeps its own cacerts (decision: keep): it does not share trust with the other meshes of the VirtualMesh`);
      continue;
    }
    participants.push(p);
  }

  // A mesh with a foreign cacerts (or an unknown one that does not trust the desired root) that would be written
  // needs a decision; leaving it out can change what the others need, so repeat until stable.
  let computed = compute(participants, desired, vm, now, graceDays, input);
  for (;;) {
    const undecided = participants.filter((p) => needsDecision(p, input) && computed.touched.has(p.target.key));
    if (undecided.length === 0) break;
    for (const p of undecided) decisions.push(decisionFor(p));
    participants = participants.filter((p) => !undecided.includes(p));
    computed = compute(participants, desired, vm, now, graceDays, input);
  }

  if (desired.notAfter !== undefined) {
    const left = daysUntil(now, desired.notAfter);
    if (left < 0) warnings.push(`the root ${short(D)} expired on ${desired.notAfter}: the safe rotation procedure does not apply — expect downtime; generate a new root and rotate`);
    else if (left < graceDays) warnings.push(`the root ${short(D)} expires on ${desired.notAfter} (in ${left} days, within the ${graceDays}-day grace period): generate a new root and plan its rotation now`);
  }
  decisions.sort((a, b) => compareStrings(a.mesh.key, b.mesh.key));
  return {
    virtualMesh: ref,
    desiredRoot: desired,
    rootRotation: computed.stages.length > 0 ? "rotating" : "up-to-date",
    stages: computed.stages,
    reissues: computed.reissues,
    decisions,
    warnings: [...warnings, ...computed.warnings],
  };
}

function needsDecision(p: Participant, input: RotationInput): boolean {
  if (p.target.type !== "istio" || !p.obs.caSecretPresent) return false;
  if (input.decisions?.[p.target.key] === "take-over") return false;
  if (p.obs.caSecretOwner === "meshhub") return false;
  if (p.obs.caSecretOwner === "unknown") return !p.trustsDesired;
  return true;
}

function describe(t: MeshTarget): string {
  return `${t.type === "istio" ? "Istio" : "Linkerd"} mesh ${t.key} (cluster ${t.cluster})`;
}

const short = (fp: string): string => fp.slice(0, 16);

function entry(info: TrustAnchorInfo | RootIdentity, role: "new" | "old"): BundleEntry {
  return { fingerprintSha256: info.fingerprintSha256, role, ...(info.notAfter ? { notAfter: info.notAfter } : {}), ...(info.subject ? { subject: info.subject } : {}) };
}

function decisionFor(p: Participant): TrustDecision {
  const t = p.target;
  const ns = t.controlPlaneNamespace;
  return {
    mesh: t,
    question: `Secret ${ns}/${ISTIO_CACERTS} on cluster ${t.cluster} was not written by meshhub${p.obs.caSecretOwner === "unknown" ? " (or its owner is unknown)" : ""} and does not match the VirtualMesh's root: take it over, or keep it?`,
    object: { kind: "Secret", name: ISTIO_CACERTS, namespace: ns, cluster: t.cluster },
    found: p.obs.roots.map((r) => entry(r, "old")),
    options: [
      { choice: "take-over", consequence: "meshhub rotates this mesh onto the VirtualMesh's root with the staged procedure (its current roots stay trusted until the last stage) and owns cacerts from then on" },
      { choice: "keep", consequence: "meshhub never writes this cacerts nor restarts pods for it; the mesh does not share trust with the other meshes unless cacerts trusts the VirtualMesh's root" },
    ],
    answerWith: `decisions["${t.key}"] = "take-over" | "keep"`,
  };
}

function compute(participants: readonly Participant[], desired: RootIdentity, vm: VirtualMesh, now: Date, graceDays: number, input: RotationInput): Computed {
  const D = desired.fingerprintSha256;
  const automatic = vm.spec.mtlsConfig?.autoRestartPods === true;
  const workloads = input.workloads ?? [];
  const warnings: string[] = [];
  const touched = new Set<string>();

  // Old roots still issuing: those of meshes whose intermediate is not (known to be) under the new root.
  const live = new Map<string, TrustAnchorInfo>();
  for (const p of participants) {
    if (p.intermediate !== "old" && p.intermediate !== "unknown") continue;
    for (const r of p.oldRoots) if (!expiredAt(now, r)) live.set(r.fingerprintSha256, r);
  }
  const liveRoots = [...live.values()].sort((a, b) => compareStrings(a.fingerprintSha256, b.fingerprintSha256));
  const transition: BundleEntry[] = [entry(desired, "new"), ...liveRoots.map((r) => entry(r, "old"))];
  const transitionFps = transition.map((e) => e.fingerprintSha256);
  const finalBundle: BundleEntry[] = [entry(desired, "new")];
  for (const p of participants) {
    for (const r of p.oldRoots) if (expiredAt(now, r)) warnings.push(`${describe(p.target)} trusts root ${short(r.fingerprintSha256)}, which expired on ${r.notAfter}; it is left out of the bundle`);
  }

  const stage1: MeshAction[] = [];
  const stage2: MeshAction[] = [];
  const stage3: MeshAction[] = [];
  const reissues: ReissueStep[] = [];
  for (const p of participants) {
    const t = p.target;
    const fps = p.obs.roots.map((r) => r.fingerprintSha256);
    let after = fps;
    const notes: string[] = [];
    // Stage 1: trust the new root and every live old root (bundle only; intermediate untouched).
    if (p.intermediate !== "absent" && !p.expiredRoots && !transitionFps.every((f) => fps.includes(f))) {
      stage1.push(action(p, [bundleChange(t, transition)], restartFor(p.mesh, automatic, fullScope("trust bundle"), workloads), [], false));
      after = transitionFps;
    }
    // Stage 2: intermediate (issuer) under the new root.
    const intermediateExpiry = intermediateExpiryOf(p, now, graceDays);
    if (p.intermediate !== "desired" || p.expiredRoots) {
      const downtime = p.expiredRoots || intermediateExpiry?.expired === true;
      if (p.expiredRoots) notes.push(`every root this mesh trusts has expired: the safe procedure does not apply; bundle and intermediate are replaced at once — expect downtime`);
      if (p.intermediate === "unknown") notes.push(`the current ${t.type === "istio" ? "intermediate" : "issuer"}'s root could not be verified (not observed): re-issuing under the new root is safe; pass observed["${t.key}"].intermediateIssuerFingerprint to skip this once done`);
      if (p.intermediate === "absent") notes.push("no cacerts yet: istiod switches from its self-signed CA (istio-ca-secret) only when restarted; until every workload restarted, pods with old and new certificates cannot verify each other (the self-signed root is not discovered, so it cannot be bundled)");
      if (intermediateExpiry) notes.push(intermediateExpiry.expired ? `the current intermediate expired on ${intermediateExpiry.notAfter}: connections fail until this stage ran — downtime` : `the current intermediate expires on ${intermediateExpiry.notAfter} (in ${intermediateExpiry.days} days): finish the earlier stages before then`);
      const writeBundle = p.intermediate === "absent" || p.expiredRoots;
      const changes = t.type === "istio" ? [intermediateChange(t, writeBundle ? transition : undefined)] : [...(writeBundle ? [bundleChange(t, transition)] : []), intermediateChange(t, undefined)];
      stage2.push(action(p, changes, restartFor(p.mesh, automatic, stage2Scope(p), workloads), notes, downtime));
      if (writeBundle) after = transitionFps;
    } else if (intermediateExpiry) {
      reissues.push(reissueStep(p, intermediateExpiry, automatic, workloads));
    }
    if (p.target.type === "linkerd" && !p.obs.intermediate) warnings.push(`${describe(t)}: the issuer's expiry is not known (discovery does not read ${LINKERD_ISSUER}); pass observed["${t.key}"].intermediate to check it`);
    // Stage 3: only the new root stays.
    if (!sameFingerprints(after, [D])) stage3.push(action(p, [bundleChange(t, finalBundle)], restartFor(p.mesh, automatic, fullScope("trust bundle"), workloads), [], false));
  }
  const stages: RotationStage[] = [];
  if (stage1.length > 0) stages.push({ stage: 1, id: "distribute-bundle", description: "Trust the new root next to every old root still issuing (bundle), then restart so every proxy loads it. Verify every mesh before stage 2.", actions: stage1 });
  if (stage2.length > 0) stages.push({ stage: 2, id: "issue-intermediates", description: "Issue intermediates (Istio) and identity issuers (Linkerd) under the new root, keeping the bundle; restart in order so workload certificates are re-issued. Verify before stage 3.", actions: stage2 });
  if (stage3.length > 0) stages.push({ stage: 3, id: "drop-old-roots", description: "Every certificate now chains to the new root: drop the old roots from the bundle and restart.", actions: stage3 });
  for (const s of stages) for (const a of s.actions) touched.add(a.mesh.key);
  for (const r of reissues) touched.add(r.action.mesh.key);
  return { stages, reissues, warnings, touched };
}

function action(p: Participant, changes: ObjectChange[], restart: MeshAction["restart"], notes: string[], downtime: boolean): MeshAction {
  return { mesh: p.target, changes, restart, notes, downtime };
}

function restartFor(mesh: Mesh, automatic: boolean, scope: RestartScope, workloads: readonly MeshWorkload[]): MeshAction["restart"] {
  return restartPlanFor(mesh, automatic, scope, workloads);
}

function fullScope(what: string): RestartScope {
  return {
    controlPlane: `the ${what} changed: istiod / the Linkerd control plane load roots only at start (Istio ignores a changed root-cert.pem until istiod restarts)`,
    gateways: `gateways must load the new ${what}`,
    workloads: `proxies load the ${what} at start-up`,
  };
}

function stage2Scope(p: Participant): RestartScope {
  if (p.target.type === "linkerd") {
    return {
      ...(p.expiredRoots ? { controlPlane: "the trust anchors changed" } : {}),
      workloads: "re-issue workload certificates under the new issuer now rather than within their 24h lifetime",
      workloadsWaitBefore: [{ condition: "linkerd-issuer-updated", command: `kubectl --context ${p.target.cluster} -n ${p.target.controlPlaneNamespace} get events --field-selector reason=IssuerUpdated` }],
      ...(p.expiredRoots ? { gateways: "the multicluster gateway must load the new trust anchors" } : {}),
    };
  }
  const hot = istioAtLeast(p.target.version, 1, 18);
  const mustRestart = p.intermediate === "absent" || p.expiredRoots || !hot;
  return {
    ...(mustRestart
      ? { controlPlane: p.intermediate === "absent" ? "istiod switches to the plugged-in CA (cacerts) only at start" : hot ? "the root bundle changed as well" : `Istio ${p.target.version} does not hot-reload cacerts (AUTO_RELOAD_PLUGIN_CERTS arrived in 1.18)` }
      : {}),
    gateways: "gateways get certificates from the new intermediate",
    workloads: "workloads get certificates from the new intermediate",
  };
}

function bundleChange(t: MeshTarget, bundle: readonly BundleEntry[]): ObjectChange {
  if (t.type === "istio") {
    return { kind: "Secret", name: ISTIO_CACERTS, namespace: t.controlPlaneNamespace, cluster: t.cluster, set: { [ISTIO_KEYS.rootCert]: "trust bundle" }, keep: [ISTIO_KEYS.caCert, ISTIO_KEYS.caKey, ISTIO_KEYS.certChain], trustBundle: bundle, containsPrivateKey: false };
  }
  return { kind: "ConfigMap", name: LINKERD_TRUST_ROOTS, namespace: t.controlPlaneNamespace, cluster: t.cluster, set: { [LINKERD_TRUST_ROOTS_KEY]: "trust bundle" }, keep: [], trustBundle: bundle, containsPrivateKey: false };
}

function intermediateChange(t: MeshTarget, bundle: readonly BundleEntry[] | undefined): ObjectChange {
  if (t.type === "istio") {
    const set: Record<string, string> = { [ISTIO_KEYS.caCert]: "new intermediate, signed by the new root", [ISTIO_KEYS.caKey]: "its private key", [ISTIO_KEYS.certChain]: "new intermediate + new root" };
    if (bundle) set[ISTIO_KEYS.rootCert] = "trust bundle";
    return { kind: "Secret", name: ISTIO_CACERTS, namespace: t.controlPlaneNamespace, cluster: t.cluster, set, keep: bundle ? [] : [ISTIO_KEYS.rootCert], ...(bundle ? { trustBundle: bundle } : {}), containsPrivateKey: true };
  }
  return {
    kind: "Secret",
    name: LINKERD_ISSUER,
    namespace: t.controlPlaneNamespace,
    cluster: t.cluster,
    set: { [LINKERD_ISSUER_KEYS.cert]: "new issuer, signed by the new root", [LINKERD_ISSUER_KEYS.key]: "its private key (ECDSA P-256)", [LINKERD_ISSUER_KEYS.ca]: "the new root" },
    keep: [],
    containsPrivateKey: true,
  };
}

function intermediateExpiryOf(p: Participant, now: Date, graceDays: number): { notAfter: string; days: number; expired: boolean; fingerprintSha256: string } | undefined {
  const i = p.obs.intermediate;
  if (!i?.notAfter) return undefined;
  const days = daysUntil(now, i.notAfter);
  const expired = expiredAt(now, i);
  if (!expired && days >= graceDays) return undefined;
  return { notAfter: i.notAfter, days, expired, fingerprintSha256: i.fingerprintSha256 };
}

function reissueStep(p: Participant, exp: { notAfter: string; days: number; expired: boolean; fingerprintSha256: string }, automatic: boolean, workloads: readonly MeshWorkload[]): ReissueStep {
  const t = p.target;
  const notes: string[] = [];
  let scope: RestartScope;
  if (t.type === "istio") {
    const hot = istioAtLeast(t.version, 1, 18);
    if (exp.expired) {
      scope = {
        ...(hot ? {} : { controlPlane: `Istio ${t.version} does not hot-reload cacerts` }),
        gateways: "gateway certificates chain to an expired intermediate",
        workloads: "workload certificates chain to an expired intermediate",
      };
    } else {
      scope = hot ? {} : { controlPlane: `Istio ${t.version} does not hot-reload cacerts (AUTO_RELOAD_PLUGIN_CERTS arrived in 1.18)` };
      if (hot) notes.push("istiod hot-reloads an intermediate under the same root (Istio ≥ 1.18); workloads get certificates from it within their 24h rotation");
    }
  } else {
    scope = exp.expired ? { workloads: "workload certificates chain to an expired issuer" } : {};
    if (!exp.expired) notes.push("issuer rotation is hot: the identity controller emits IssuerUpdated; proxies get certificates from it within their 24h lifetime");
  }
  if (exp.expired) notes.push(`the ${t.type === "istio" ? "intermediate" : "issuer"} expired on ${exp.notAfter}: the safe (hitless) procedure does not apply — expect downtime until every pod restarted`);
  else notes.push(`the ${t.type === "istio" ? "intermediate" : "issuer"} expires on ${exp.notAfter} (in ${exp.days} days)`);
  return {
    action: { mesh: t, changes: [intermediateChange(t, undefined)], restart: restartFor(p.mesh, automatic, scope, workloads), notes, downtime: exp.expired },
    intermediate: { fingerprintSha256: exp.fingerprintSha256, notAfter: exp.notAfter },
    expiresInDays: exp.days,
    expired: exp.expired,
  };
}
