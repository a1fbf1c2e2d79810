import { describe, expect, it } from "vitest";
import { parsePemBundle } from "../src/discovery/certs.js";
import type { KubeObject } from "../src/model/common.js";
import type { Mesh, TrustAnchorInfo } from "../src/model/discovery.js";
import { issueForPlan, observedTrustOf, planCertificates, planRotation, type ObservedTrust, type RotationInput, type RotationPlan, type VirtualMeshRotation } from "../src/trust/index.js";
import { istioMesh, linkerdMesh, meshRef, virtualMesh, workload } from "./helpers/builders.js";

const NOW = new Date("2026-03-01T00:00:00Z");
const day = (n: number): string => new Date(NOW.getTime() + n * 86_400_000).toISOString().replace(/\.000Z$/, "Z");
const fp = (c: string): string => c.repeat(64).slice(0, 64);

const D: TrustAnchorInfo = { fingerprintSha256: fp("d"), subject: "O=meshhub, CN=shared.meshhub root CA", notAfter: day(365) };
const R1: TrustAnchorInfo = { fingerprintSha256: fp("1"), subject: "O=old, CN=old root", notAfter: day(200) };
const R2: TrustAnchorInfo = { fingerprintSha256: fp("2"), subject: "O=other, CN=other root", notAfter: day(300) };

/** An Istio mesh whose cacerts holds `roots` and an intermediate issued by `issuer`. */
function istioWith(cluster: string, roots: TrustAnchorInfo[], intermediate?: { issuer: TrustAnchorInfo; notAfter: string; fingerprint?: string }, opts: { version?: string } = {}): Mesh {
  const mesh = istioMesh(cluster, { ...(opts.version ? { version: opts.version } : {}), ingressAddress: "10.0.0.1" });
  if (!("istio" in mesh.spec)) throw new Error("istio");
  const src = (key: string) => `Secret istio-system/cacerts ${key}`;
  const certs: TrustAnchorInfo[] = roots.map((r) => ({ ...r, source: src("root-cert.pem") }));
  if (intermediate) {
    const i: TrustAnchorInfo = { fingerprintSha256: intermediate.fingerprint ?? fp(`i${cluster}`), subject: "intermediate", notAfter: intermediate.notAfter };
    certs.push({ ...i, source: src("ca-cert.pem") }, { ...i, source: src("cert-chain.pem") }, { ...intermediate.issuer, source: src("cert-chain.pem") });
  }
  mesh.spec.istio.caCertificates = certs;
  return mesh;
}

function istioWithout(cluster: string): Mesh {
  return istioMesh(cluster);
}

function linkerdWith(cluster: string, anchors: TrustAnchorInfo[]): Mesh {
  const mesh = linkerdMesh(cluster);
  if (!("linkerd" in mesh.spec)) throw new Error("linkerd");
  mesh.spec.linkerd.trustAnchors = anchors.map((a) => ({ ...a, source: "ConfigMap linkerd/linkerd-identity-trust-roots ca-bundle.crt" }));
  return mesh;
}

const key = (m: Mesh): string => `${m.metadata.namespace}/${m.metadata.name}`;

function rotate(meshes: Mesh[], extra: Partial<RotationInput> = {}, mtlsConfig: unknown = { shared: {}, autoRestartPods: true }): RotationPlan {
  return planRotation({
    virtualMeshes: [{ virtualMesh: virtualMesh("shared", { meshes: meshes.map(meshRef), mtlsConfig }), meshes }],
    desiredRoots: { "meshhub/shared": { fingerprintSha256: D.fingerprintSha256, notAfter: D.notAfter!, subject: D.subject! } },
    now: NOW,
    ...extra,
  });
}

const only = (p: RotationPlan): VirtualMeshRotation => {
  expect(p.virtualMeshes).toHaveLength(1);
  return p.virtualMeshes[0]!;
};
const owned = (...meshes: Mesh[]): Record<string, Partial<ObservedTrust>> => Object.fromEntries(meshes.filter((m) => "istio" in m.spec).map((m) => [key(m), { caSecretOwner: "meshhub" as const }]));

describe("observedTrustOf", () => {
  it("classifies Istio cacerts certificates by key and finds the intermediate's root in cert-chain.pem", () => {
    const m = istioWith("c1", [R1, D], { issuer: R1, notAfter: day(100) });
    expect(observedTrustOf(m)).toEqual({
      roots: [
        { ...R1, source: "Secret istio-system/cacerts root-cert.pem" },
        { ...D, source: "Secret istio-system/cacerts root-cert.pem" },
      ],
      intermediate: { fingerprintSha256: fp("ic1"), subject: "intermediate", notAfter: day(100), source: "Secret istio-system/cacerts ca-cert.pem" },
      intermediateIssuerFingerprint: R1.fingerprintSha256,
      caSecretPresent: true,
      caSecretOwner: "unknown",
    });
    expect(observedTrustOf(istioWithout("c1"))).toEqual({ roots: [], caSecretPresent: false, caSecretOwner: "unknown" });
    expect(observedTrustOf(linkerdWith("c2", [R1, R1]), { caSecretOwner: "meshhub" }).roots.map((r) => r.fingerprintSha256)).toEqual([R1.fingerprintSha256]);
  });
});

describe("planRotation", () => {
  it("same root everywhere: no rotation, no steps, only expiry checks", () => {
    const i = istioWith("c1", [D], { issuer: D, notAfter: day(300) });
    const l = linkerdWith("c2", [D]);
    const p = rotate([i, l], { observed: { [key(l)]: { intermediate: { fingerprintSha256: fp("l"), notAfter: day(300) }, intermediateIssuerFingerprint: D.fingerprintSha256 } } });
    const vm = only(p);
    expect(p.stepCount).toBe(0);
    expect(vm).toMatchObject({ rootRotation: "up-to-date", stages: [], reissues: [], decisions: [], warnings: [] });
    expect(p).toMatchObject({ apiVersion: "trust.meshhub.io/v1alpha1", kind: "RotationPlan", now: "2026-03-01T00:00:00Z", graceDays: 30, skipped: [] });
  });

  it("new root: three stages in order with the right bundles, changes and restart orders", () => {
    const i = istioWith("c1", [R1], { issuer: R1, notAfter: day(150) });
    const l = linkerdWith("c2", [R1]);
    const p = rotate([i, l], { observed: owned(i) });
    const vm = only(p);
    expect(vm.rootRotation).toBe("rotating");
    expect(vm.stages.map((s) => [s.stage, s.id, s.actions.map((a) => a.mesh.key)])).toEqual([
      [1, "distribute-bundle", [key(i), key(l)]],
      [2, "issue-intermediates", [key(i), key(l)]],
      [3, "drop-old-roots", [key(i), key(l)]],
    ]);
    expect(p.stepCount).toBe(6);
    const [s1, s2, s3] = vm.stages;
    const bundle = [
      { fingerprintSha256: D.fingerprintSha256, role: "new", notAfter: D.notAfter, subject: D.subject },
      { fingerprintSha256: R1.fingerprintSha256, role: "old", notAfter: R1.notAfter, subject: R1.subject },
    ];
    expect(s1!.actions[0]!.changes).toEqual([{ kind: "Secret", name: "cacerts", namespace: "istio-system", cluster: "c1", set: { "root-cert.pem": "trust bundle" }, keep: ["ca-cert.pem", "ca-key.pem", "cert-chain.pem"], trustBundle: bundle, containsPrivateKey: false }]);
    expect(s1!.actions[1]!.changes).toEqual([{ kind: "ConfigMap", name: "linkerd-identity-trust-roots", namespace: "linkerd", cluster: "c2", set: { "ca-bundle.crt": "trust bundle" }, keep: [], trustBundle: bundle, containsPrivateKey: false }]);
    expect(s1!.actions[0]!.restart.steps.map((s) => s.tier)).toEqual(["control-plane", "gateways", "workloads"]);
    expect(s1!.actions[0]!.restart.steps[0]!.reason).toContain("Istio ignores a changed root-cert.pem until istiod restarts");
    expect(s1!.actions[1]!.restart.steps.map((s) => [s.tier, s.target.podSelector.matchLabels])).toEqual([
      ["control-plane", { "linkerd.io/control-plane-component": "identity" }],
      ["control-plane", { "linkerd.io/control-plane-ns": "linkerd" }],
      ["workloads", { "linkerd.io/control-plane-ns": "linkerd" }],
    ]);
    // Stage 2: Istio 1.29 hot-reloads the intermediate: no istiod restart; the bundle stays.
    expect(s2!.actions[0]!.changes[0]).toMatchObject({ kind: "Secret", name: "cacerts", set: { "ca-cert.pem": "new intermediate, signed by the new root", "ca-key.pem": "its private key", "cert-chain.pem": "new intermediate + new root" }, keep: ["root-cert.pem"], containsPrivateKey: true });
    expect(s2!.actions[0]!.restart.steps.map((s) => s.tier)).toEqual(["gateways", "workloads"]);
    expect(s2!.actions[1]!.changes).toEqual([{ kind: "Secret", name: "linkerd-identity-issuer", namespace: "linkerd", cluster: "c2", set: { "tls.crt": "new issuer, signed by the new root", "tls.key": "its private key (ECDSA P-256)", "ca.crt": "the new root" }, keep: [], containsPrivateKey: true }]);
    expect(s2!.actions[1]!.restart.steps.map((s) => s.tier)).toEqual(["workloads"]);
    expect(s2!.actions[1]!.restart.steps[0]!.waitBefore).toEqual([{ condition: "linkerd-issuer-updated", command: "kubectl --context c2 -n linkerd get events --field-selector reason=IssuerUpdated" }]);
    for (const a of s3!.actions) expect(a.changes[0]!.trustBundle).toEqual([bundle[0]]);
    expect(s3!.actions[0]!.restart.steps.map((s) => s.tier)).toEqual(["control-plane", "gateways", "workloads"]);
    for (const s of vm.stages) for (const a of s.actions) expect(a.restart.steps.every((st) => st.automatic)).toBe(true);
  });

  it("is idempotent: each rerun gives the remaining stages, and nothing once done", () => {
    const after = (roots: TrustAnchorInfo[], issuer: TrustAnchorInfo) => {
      const i = istioWith("c1", roots, { issuer, notAfter: day(150) });
      const l = linkerdWith("c2", roots);
      return rotate([i, l], { observed: { ...owned(i), [key(l)]: { intermediate: { fingerprintSha256: fp("l"), notAfter: day(150) }, intermediateIssuerFingerprint: issuer.fingerprintSha256 } } });
    };
    const ids = (p: RotationPlan) => only(p).stages.map((s) => s.id);
    expect(ids(after([R1], R1))).toEqual(["distribute-bundle", "issue-intermediates", "drop-old-roots"]);
    expect(ids(after([D, R1], R1))).toEqual(["issue-intermediates", "drop-old-roots"]);
    expect(ids(after([R1, D], D))).toEqual(["drop-old-roots"]);
    const done = after([D], D);
    expect(done.stepCount).toBe(0);
    expect(ids(done)).toEqual([]);
    // Partially done stage 3 (one mesh already dropped R1) never goes back to stage 1.
    const i = istioWith("c1", [D], { issuer: D, notAfter: day(150) });
    const l = linkerdWith("c2", [D, R1]);
    const partial = rotate([i, l], { observed: { ...owned(i), [key(l)]: { intermediateIssuerFingerprint: D.fingerprintSha256 } } });
    expect(only(partial).stages.map((s) => [s.id, s.actions.map((a) => a.mesh.cluster)])).toEqual([["drop-old-roots", ["c2"]]]);
  });

  it("bundles every old root still issuing across the VirtualMesh, and adds a joining mesh's root to the others", () => {
    const a = istioWith("c1", [R1], { issuer: R1, notAfter: day(150) });
    const b = istioWith("c2", [R2], { issuer: R2, notAfter: day(150) });
    const p = rotate([a, b], { observed: owned(a, b) });
    const s1 = only(p).stages[0]!;
    for (const action of s1.actions) expect(action.changes[0]!.trustBundle!.map((e) => [e.fingerprintSha256, e.role])).toEqual([[D.fingerprintSha256, "new"], [R1.fingerprintSha256, "old"], [R2.fingerprintSha256, "old"]]);
    // A mesh joining a VirtualMesh that finished: the others must trust its root during the window.
    const done = istioWith("c1", [D], { issuer: D, notAfter: day(150) });
    const joining = linkerdWith("c3", [R2]);
    const q = only(rotate([done, joining], { observed: owned(done) }));
    expect(q.stages[0]!.actions.map((x) => [x.mesh.cluster, x.changes[0]!.trustBundle!.map((e) => e.fingerprintSha256)])).toEqual([
      ["c1", [D.fingerprintSha256, R2.fingerprintSha256]],
      ["c3", [D.fingerprintSha256, R2.fingerprintSha256]],
    ]);
    expect(q.stages[1]!.actions.map((x) => x.mesh.cluster)).toEqual(["c3"]);
  });

  it("restarts istiod in stage 2 for Istio before 1.18 (no hot reload)", () => {
    const i = istioWith("c1", [D, R1], { issuer: R1, notAfter: day(150) }, { version: "1.17.2" });
    const s2 = only(rotate([i], { observed: owned(i) })).stages[0]!;
    expect(s2.id).toBe("issue-intermediates");
    expect(s2.actions[0]!.restart.steps[0]).toMatchObject({ tier: "control-plane", reason: "Istio 1.17.2 does not hot-reload cacerts (AUTO_RELOAD_PLUGIN_CERTS arrived in 1.18)" });
  });

  it("an Istio mesh without cacerts gets a complete cacerts in stage 2 and an istiod restart", () => {
    const i = istioWithout("c1");
    const vm = only(rotate([i]));
    expect(vm.decisions).toEqual([]);
    expect(vm.stages.map((s) => s.id)).toEqual(["issue-intermediates"]);
    const a = vm.stages[0]!.actions[0]!;
    expect(Object.keys(a.changes[0]!.set)).toEqual(["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"]);
    expect(a.changes[0]!.trustBundle!.map((e) => e.fingerprintSha256)).toEqual([D.fingerprintSha256]);
    expect(a.restart.steps.map((s) => s.tier)).toEqual(["control-plane", "workloads"]);
    expect(a.restart.steps[0]!.reason).toBe("istiod switches to the plugged-in CA (cacerts) only at start");
    expect(a.notes.join("\n")).toContain("istiod switches from its self-signed CA");
  });

  it("re-issues an intermediate expiring in 10 days (grace 30) — hot for Istio ≥ 1.18 — and not with grace 5", () => {
    const i = istioWith("c1", [D], { issuer: D, notAfter: day(10) });
    const p = rotate([i], { observed: owned(i) });
    const vm = only(p);
    expect(vm.stages).toEqual([]);
    expect(p.stepCount).toBe(1);
    expect(vm.reissues).toHaveLength(1);
    const r = vm.reissues[0]!;
    expect(r).toMatchObject({ expired: false, expiresInDays: 10, intermediate: { fingerprintSha256: fp("ic1"), notAfter: day(10) } });
    expect(r.action.downtime).toBe(false);
    expect(r.action.changes[0]).toMatchObject({ name: "cacerts", keep: ["root-cert.pem"] });
    expect(r.action.restart.steps).toEqual([]);
    expect(r.action.notes).toContain(`the intermediate expires on ${day(10)} (in 10 days)`);
    expect(rotate([i], { observed: owned(i), graceDays: 5 }).stepCount).toBe(0);
    const linkerd = linkerdWith("c2", [D]);
    const lp = only(rotate([linkerd], { observed: { [key(linkerd)]: { intermediate: { fingerprintSha256: fp("l"), notAfter: day(3) } } } }));
    expect(lp.reissues.map((x) => [x.action.mesh.type, x.expiresInDays, x.action.changes[0]!.name])).toEqual([["linkerd", 3, "linkerd-identity-issuer"]]);
    expect(lp.reissues[0]!.action.notes[0]).toContain("issuer rotation is hot");
  });

  it("an expired intermediate: says so, warns of downtime, restarts gateways and workloads", () => {
    const i = istioWith("c1", [D], { issuer: D, notAfter: day(-2) });
    const r = only(rotate([i], { observed: owned(i) })).reissues[0]!;
    expect(r).toMatchObject({ expired: true, expiresInDays: -2 });
    expect(r.action.downtime).toBe(true);
    expect(r.action.notes).toContain(`the intermediate expired on ${day(-2)}: the safe (hitless) procedure does not apply — expect downtime until every pod restarted`);
    expect(r.action.restart.steps.map((s) => s.tier)).toEqual(["gateways", "workloads"]);
  });

  it("a mesh whose only root expired gets a one-step replacement with downtime and no bundle stage", () => {
    const expired: TrustAnchorInfo = { fingerprintSha256: fp("e"), notAfter: day(-1) };
    const l = linkerdWith("c2", [expired]);
    const vm = only(rotate([l]));
    expect(vm.stages.map((s) => s.id)).toEqual(["issue-intermediates"]);
    const a = vm.stages[0]!.actions[0]!;
    expect(a.downtime).toBe(true);
    expect(a.changes.map((c) => c.name)).toEqual(["linkerd-identity-trust-roots", "linkerd-identity-issuer"]);
    expect(a.changes[0]!.trustBundle!.map((e) => e.fingerprintSha256)).toEqual([D.fingerprintSha256]);
    expect(a.restart.steps.map((s) => s.tier)).toEqual(["control-plane", "control-plane", "workloads"]);
    expect(vm.warnings.join("\n")).toContain(`trusts root ${fp("e").slice(0, 16)}, which expired on ${day(-1)}; it is left out of the bundle`);
  });

  it("a foreign cacerts is a decision — no step, no restart — and stays so on every rerun (no restart loop)", () => {
    const foreign = istioWith("c1", [R2], { issuer: R2, notAfter: day(150) });
    const ours = istioWith("c2", [R1], { issuer: R1, notAfter: day(150) });
    const input = { observed: { [key(foreign)]: { caSecretOwner: "foreign" as const }, [key(ours)]: { caSecretOwner: "meshhub" as const } } };
    const first = rotate([foreign, ours], input);
    const vm = only(first);
    expect(vm.decisions).toHaveLength(1);
    const d = vm.decisions[0]!;
    expect(d.mesh.key).toBe(key(foreign));
    expect(d.object).toEqual({ kind: "Secret", name: "cacerts", namespace: "istio-system", cluster: "c1" });
    expect(d.options.map((o) => o.choice)).toEqual(["take-over", "keep"]);
    expect(d.found.map((f) => f.fingerprintSha256)).toEqual([R2.fingerprintSha256]);
    expect(d.answerWith).toBe(`decisions["${key(foreign)}"] = "take-over" | "keep"`);
    const touched = [...vm.stages.flatMap((s) => s.actions), ...vm.reissues.map((r) => r.action)].map((a) => a.mesh.key);
    expect(touched).not.toContain(key(foreign));
    // The undecided mesh's root is not pushed to the others either.
    for (const a of vm.stages[0]!.actions) expect(a.changes[0]!.trustBundle!.map((e) => e.fingerprintSha256)).not.toContain(R2.fingerprintSha256);
    expect(JSON.stringify(rotate([foreign, ours], input))).toBe(JSON.stringify(first));
    // Unknown owner behaves the same while cacerts does not trust the desired root.
    expect(only(rotate([foreign])).decisions.map((x) => x.mesh.key)).toEqual([key(foreign)]);
    expect(rotate([foreign]).stepCount).toBe(0);
  });

  it("answers: keep leaves the mesh alone; take-over rotates it with the staged procedure", () => {
    const foreign = istioWith("c1", [R2], { issuer: R2, notAfter: day(150) });
    const kept = only(rotate([foreign], { decisions: { [key(foreign)]: "keep" } }));
    expect(kept.decisions).toEqual([]);
    expect(kept.stages).toEqual([]);
    expect(kept.warnings).toContain(`Istio mesh ${key(foreign)} (cluster c1) keeps its own cacerts (decision: keep): it does not share trust with the other meshes of the VirtualMesh`);
    const taken = only(rotate([foreign], { decisions: { [key(foreign)]: "take-over" } }));
    expect(taken.decisions).toEqual([]);
    expect(taken.stages.map((s) => s.id)).toEqual(["distribute-bundle", "issue-intermediates", "drop-old-roots"]);
    expect(taken.stages[0]!.actions[0]!.changes[0]!.trustBundle!.map((e) => e.fingerprintSha256)).toEqual([D.fingerprintSha256, R2.fingerprintSha256]);
  });

  it("a foreign cacerts already on the desired root needs neither a decision nor a step", () => {
    const foreign = istioWith("c1", [D], { issuer: D, notAfter: day(150) });
    const p = rotate([foreign], { observed: { [key(foreign)]: { caSecretOwner: "foreign" } } });
    expect(only(p).decisions).toEqual([]);
    expect(p.stepCount).toBe(0);
  });

  it("warns when the desired root is within the grace period, marks manual restarts, skips VMs without a root", () => {
    const i = istioWith("c1", [R1], { issuer: R1, notAfter: day(150) });
    const p = planRotation({
      virtualMeshes: [
        { virtualMesh: virtualMesh("shared", { meshes: [meshRef(i)], mtlsConfig: { shared: {} } }), meshes: [i] },
        { virtualMesh: virtualMesh("other", { meshes: [meshRef(i)], mtlsConfig: { shared: {} } }), meshes: [i] },
        { virtualMesh: virtualMesh("plain", { meshes: [meshRef(i)] }), meshes: [i] },
      ],
      desiredRoots: { "meshhub/shared": { fingerprintSha256: D.fingerprintSha256, notAfter: day(12) } },
      now: NOW,
      observed: owned(i),
      workloads: [workload(i, "reviews", "bookinfo")],
    });
    expect(p.skipped).toEqual([
      { virtualMesh: { name: "other", namespace: "meshhub" }, reason: 'no desired root given (desiredRoots["meshhub/other"])' },
      { virtualMesh: { name: "plain", namespace: "meshhub" }, reason: "no mtlsConfig.shared: nothing to rotate" },
    ]);
    const vm = only(p);
    expect(vm.warnings).toContain(`the root ${fp("d").slice(0, 16)} expires on ${day(12)} (in 12 days, within the 30-day grace period): generate a new root and plan its rotation now`);
    const restart = vm.stages[0]!.actions[0]!.restart;
    expect(restart.automatic).toBe(false);
    expect(restart.summary).toBe("manual restart required (autoRestartPods is not true)");
    expect(restart.steps.at(-1)!.manual).toBe("kubectl --context c1 -n bookinfo rollout restart deployment/reviews");
    expect(JSON.stringify(p)).not.toContain("PRIVATE KEY");
  });

  it("end to end: what issueForPlan wrote, read back like discovery does, needs nothing more", async () => {
    const crypto = globalThis.crypto;
    const i = istioMesh("c1");
    const l = linkerdMesh("c2");
    const vm = virtualMesh("shared", { meshes: [meshRef(i), meshRef(l)], mtlsConfig: { shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P256" } } } } });
    const plan = planCertificates({ virtualMeshes: [{ virtualMesh: vm, meshes: [i, l] }], now: NOW, keyGeneration: "local" });
    const issued = await issueForPlan(plan, crypto);
    expect(issued.problems).toEqual([]);
    const data = (obj: KubeObject | undefined, k: string): string => {
      const d = (obj?.data ?? {}) as Record<string, string>;
      return obj?.kind === "Secret" ? Buffer.from(d[k]!, "base64").toString("utf8") : d[k]!;
    };
    const read = (pem: string, source: string): TrustAnchorInfo[] => parsePemBundle(pem, { source }).flatMap((c) => (c.ok ? [c.info] : []));
    const cacerts = issued.clusters.c1!.find((m) => m.metadata.name === "cacerts");
    if (!("istio" in i.spec) || !("linkerd" in l.spec)) throw new Error("meshes");
    i.spec.istio.caCertificates = ["root-cert.pem", "ca-cert.pem", "cert-chain.pem"].flatMap((k) => read(data(cacerts, k), `Secret istio-system/cacerts ${k}`));
    l.spec.linkerd.trustAnchors = read(data(issued.clusters.c2!.find((m) => m.kind === "ConfigMap"), "ca-bundle.crt"), "ConfigMap linkerd/linkerd-identity-trust-roots ca-bundle.crt");
    const root = issued.certificates.find((c) => c.role === "root")!;
    const issuer = issued.certificates.find((c) => c.role === "linkerd-identity-issuer")!;
    const p = planRotation({
      virtualMeshes: [{ virtualMesh: vm, meshes: [i, l] }],
      desiredRoots: { "meshhub/shared": { fingerprintSha256: root.fingerprintSha256, notAfter: root.notAfter } },
      now: NOW,
      observed: { [key(l)]: { intermediate: { fingerprintSha256: issuer.fingerprintSha256, notAfter: issuer.notAfter }, intermediateIssuerFingerprint: root.fingerprintSha256 } },
    });
    expect(observedTrustOf(i).intermediateIssuerFingerprint).toBe(root.fingerprintSha256);
    expect(p.stepCount).toBe(0);
    expect(only(p)).toMatchObject({ rootRotation: "up-to-date", decisions: [], warnings: [] });
    // A new desired root starts the three stages.
    const next = planRotation({ virtualMeshes: [{ virtualMesh: vm, meshes: [i, l] }], desiredRoots: { "meshhub/shared": { fingerprintSha256: fp("f") } }, now: NOW, observed: owned(i) });
    expect(only(next).stages.map((s) => s.id)).toEqual(["distribute-bundle", "issue-intermediates", "drop-old-roots"]);
  });
});
