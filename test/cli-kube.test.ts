/**
 * meshctl discover --live, diff and apply run as a user would (a subprocess) against two FAKE API servers
 * (test/helpers/fake-kube.ts) on 127.0.0.1 seeded with the demo estate: `east` (Istio) and `west` (Linkerd).
 * Bad kubeconfigs and unreachable servers give one line plus a hint.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eastCluster, westCluster } from "../src/cli/demo/estate.js";
import { HAS_PYTHON, expectOneLineError, isolatedEnv, runCli, runInPty, tmp, writeDemoWorkspace } from "./cli-helpers.js";
import { FakeApiServer, kubeconfigText } from "./helpers/fake-kube.js";

const TOKEN = "cli-test-token";
let servers: { east: FakeApiServer; west: FakeApiServer };
let kubeconfig: string;
let ws: string;

async function start(installed: readonly string[], objects: readonly Parameters<FakeApiServer["seed"]>[0][]): Promise<FakeApiServer> {
  const s = await new FakeApiServer({ token: TOKEN, installed }).start();
  for (const o of objects) s.seed(o);
  return s;
}

beforeEach(async () => {
  const east = eastCluster();
  const west = westCluster();
  servers = {
    east: await start(["networking.istio.io", "security.istio.io"], [...east.controlPlane, ...east.apps]),
    west: await start(["linkerd.io", "policy.linkerd.io", "gateway.networking.k8s.io"], [...west.controlPlane, ...west.apps]),
  };
  const dir = tmp();
  kubeconfig = join(dir, "kubeconfig");
  // The demo workspace registers its clusters with contexts kind-east and kind-west.
  writeFileSync(kubeconfig, kubeconfigText([{ name: "kind-east", server: servers.east.url, token: TOKEN }, { name: "kind-west", server: servers.west.url, token: TOKEN }]));
  ws = writeDemoWorkspace(join(dir, "ws"));
});

afterEach(async () => {
  await Promise.all([servers.east.close(), servers.west.close()]);
});

const onlyGets = (s: FakeApiServer): boolean => s.log.every((l) => l.method === "GET");

describe("meshctl discover (live)", () => {
  it("--kubeconfig/--context without a workspace: reads that one cluster, named after the context", async () => {
    const r = await runCli(["discover", "--kubeconfig", kubeconfig, "--context", "kind-east"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("CLUSTER kind-east (domain cluster.local)");
    expect(r.stdout).toMatch(/istiod-istio-system-kind-east\s+istio\s+1\.29\.6/);
    expect(r.stderr).toBe(""); // progress only on a terminal
    expect(onlyGets(servers.east)).toBe(true);
    expect(servers.west.log).toEqual([]);
  });

  it("a workspace with --live reads every registered cluster and discovers what the snapshot files describe", async () => {
    const live = await runCli(["discover", ws, "--live", "--kubeconfig", kubeconfig, "-o", "json"]);
    expect(live.code, live.stderr).toBe(0);
    const files = await runCli(["discover", ws, "-o", "json"]);
    const a = JSON.parse(live.stdout);
    const b = JSON.parse(files.stdout);
    expect(a.meshes).toEqual(b.meshes);
    expect(a.services).toEqual(b.services);
    expect(a.workloads).toEqual(b.workloads);
    expect(onlyGets(servers.east) && onlyGets(servers.west)).toBe(true);
    const one = await runCli(["discover", ws, "--kubeconfig", kubeconfig, "--cluster", "west"]);
    expect(one.stdout).toContain("CLUSTER west");
    expect(one.stdout).not.toContain("CLUSTER east");
  });

  it("-v prints progress lines on stderr even when piped", async () => {
    const r = await runCli(["discover", ws, "--live", "--kubeconfig", kubeconfig, "--cluster", "east", "-v"]);
    expect(r.stderr).toMatch(/cluster east \(kind-east\): read \d+ Pod \[3\/\d+\]/);
    expect(r.stderr).toMatch(/cluster east: read \d+ objects from http:\/\/127\.0\.0\.1:\d+ \(context kind-east\)/);
  });

  it.skipIf(!HAS_PYTHON)("shows a spinner on stderr on a terminal", async () => {
    const r = await runInPty(["discover", ws, "--live", "--kubeconfig", kubeconfig], []);
    expect(r.code).toBe(0);
    expect(r.raw).toMatch(/\r\u001b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] cluster east/);
    expect(r.raw).toContain("CLUSTER east");
  });

  it("a bad kubeconfig: one line plus a hint, exit 3", async () => {
    const missing = join(tmp(), "nope.yaml");
    expectOneLineError(await runCli(["discover", ws, "--live", "--kubeconfig", missing]), 3, new RegExp(`meshctl: cluster east: bad-kubeconfig: kubeconfig ${missing} does not exist`));
    const garbage = join(tmp(), "garbage.yaml");
    writeFileSync(garbage, "clusters: [{name: x}]\n");
    expectOneLineError(await runCli(["discover", "--kubeconfig", garbage]), 3, /bad-kubeconfig: cannot read kubeconfig/);
    const unknown = await runCli(["discover", "--kubeconfig", kubeconfig, "--context", "kind-north"]);
    expectOneLineError(unknown, 3, /unknown-context: context "kind-north" is not in kubeconfig/);
    expect(unknown.stderr).toContain("hint: available contexts: kind-east, kind-west");
    // no kubeconfig at all (KUBECONFIG points nowhere, HOME is empty)
    expectOneLineError(await runCli(["discover", ws, "--live"]), 3, /bad-kubeconfig: none of the files in KUBECONFIG exists/);
  });

  it("an unreachable API server: one line plus a hint, exit 3", async () => {
    await servers.east.close();
    const r = await runCli(["discover", ws, "--live", "--kubeconfig", kubeconfig]);
    expectOneLineError(r, 3, /meshctl: cluster east: unreachable: cannot reach the API server http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/hint: check that the API server is up and reachable .*context kind-east/);
  });

  it("--cluster names an unregistered cluster: exit 1 with the registered ones; --context with two clusters: exit 2", async () => {
    const r = await runCli(["discover", ws, "--live", "--kubeconfig", kubeconfig, "--cluster", "north"]);
    expectOneLineError(r, 1, /cluster north is not registered in workspace/);
    expect(r.stderr).toContain("registered clusters: east, west");
    expectOneLineError(await runCli(["discover", ws, "--live", "--kubeconfig", kubeconfig, "--context", "kind-east"]), 2, /--context names one kube context, but 2 clusters are targeted/);
  });
});

describe("meshctl diff and apply", () => {
  it("diff shows what apply would create; apply --dry-run changes nothing; apply creates; diff is then empty", async () => {
    const before = await runCli(["diff", ws, "--kubeconfig", kubeconfig]);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^cluster east \(context kind-east, http:\/\/127\.0\.0\.1:\d+\)$/m);
    expect(before.stdout).toContain("+ VirtualService shop/reviews: create");
    expect(before.stdout).toMatch(/\+ Server\.policy\.linkerd\.io emojivoto\/emoji-svc-8080: create|\+ Server emojivoto\/emoji-svc-8080: create/);
    expect(before.stdout).toMatch(/^\d+ to create, 0 to update, 0 to delete, 0 unchanged, 0 conflicts$/m);
    expect(before.stderr).toMatch(/warning: 2 resources not accepted \(TrafficPolicy ratings-slow-clients\.meshhub CONFLICT, TrafficPolicy web-cors\.meshhub INVALID\)/);
    expect((await runCli(["diff", ws, "--kubeconfig", kubeconfig, "--exit-code"])).code).toBe(1);
    expect(onlyGets(servers.east) && onlyGets(servers.west)).toBe(true);

    const dumps = [servers.east.dump(), servers.west.dump()];
    const dry = await runCli(["apply", ws, "--kubeconfig", kubeconfig, "--dry-run=server"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("VirtualService shop/reviews created (dry run)");
    expect(dry.stdout).toMatch(/cluster east \(dry run\): \d+ changed, 0 unchanged, 0 pruned, 0 skipped, 0 failed, 0 not attempted/);
    expect([servers.east.dump(), servers.west.dump()]).toEqual(dumps);
    expect(servers.east.requests("PATCH").every((p) => p.query.dryRun === "All")).toBe(true);

    const applied = await runCli(["apply", ws, "--kubeconfig", kubeconfig]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/cluster east: \d+ changed, 0 unchanged, 0 pruned, 0 skipped, 0 failed/);
    expect(applied.stdout).toMatch(/cluster west: \d+ changed/);
    expect(servers.east.object("networking.istio.io/v1", "VirtualService", "shop", "reviews")).toBeDefined();
    expect(servers.east.requests("PATCH").some((p) => p.query.fieldManager === "meshhub" && p.query.dryRun === undefined)).toBe(true);

    const after = await runCli(["diff", ws, "--kubeconfig", kubeconfig, "--exit-code", "--prune"]);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toMatch(/^0 to create, 0 to update, 0 to delete, \d+ unchanged, 0 conflicts$/m);
    const verbose = await runCli(["diff", ws, "--kubeconfig", kubeconfig, "-v"]);
    expect(verbose.stdout).toContain("= VirtualService shop/reviews: unchanged");
  });

  it("an object meshhub does not own is a conflict: apply skips it and exits 1, diff marks it and exits 1", async () => {
    servers.east.seed({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "reviews", namespace: "shop" }, spec: { hosts: ["reviews"] } });
    const d = await runCli(["diff", ws, "--kubeconfig", kubeconfig, "--cluster", "east"]);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain("! VirtualService shop/reviews: exists without the app.kubernetes.io/managed-by=meshhub label");
    const a = await runCli(["apply", ws, "--kubeconfig", kubeconfig]);
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/VirtualService shop\/reviews skipped: exists without the app\.kubernetes\.io\/managed-by=meshhub label/);
    expect(a.stdout).toMatch(/cluster east: \d+ changed, 0 unchanged, 0 pruned, 1 skipped/);
    expect(a.stdout).toMatch(/cluster west: \d+ changed/); // the other cluster is still applied
  });

  it("--prune deletes what meshhub owns and no longer produces", async () => {
    expect((await runCli(["apply", ws, "--kubeconfig", kubeconfig])).code).toBe(0);
    // drop the shop's traffic policies: reviews' VirtualService and DestinationRule are no longer produced
    writeFileSync(join(ws, "policies/shop-traffic.yaml"), "");
    const d = await runCli(["diff", ws, "--kubeconfig", kubeconfig, "--prune", "--cluster", "east"]);
    expect(d.stdout).toContain("- VirtualService shop/reviews: delete (owned by meshhub, no longer wanted)");
    const a = await runCli(["apply", ws, "--kubeconfig", kubeconfig, "--prune", "-o", "json"]);
    expect(a.code, a.stderr).toBe(0);
    const json = JSON.parse(a.stdout) as { ok: boolean; clusters: { cluster: string; result: { pruned: { kind: string; name: string }[] } }[] };
    expect(json.ok).toBe(true);
    expect(json.clusters.find((c) => c.cluster === "east")?.result.pruned.map((p) => `${p.kind}/${p.name}`)).toEqual(expect.arrayContaining(["VirtualService/reviews", "DestinationRule/reviews"]));
    expect(servers.east.object("networking.istio.io/v1", "VirtualService", "shop", "reviews")).toBeUndefined();
  });

  it("an unreachable cluster: one line plus a hint, exit 3 — the reachable one is still applied", async () => {
    await servers.west.close();
    const r = await runCli(["apply", ws, "--kubeconfig", kubeconfig]);
    expectOneLineError(r, 3, /meshctl: cluster west: unreachable: cannot reach the API server/);
    expect(r.stdout).toMatch(/cluster east: \d+ changed, 0 unchanged/);
  });

  it("refuses to guess a context; refuses manifests for an unregistered cluster", async () => {
    writeFileSync(join(ws, "clusters.yaml"), "apiVersion: discovery.meshhub.io/v1alpha1\nkind: KubernetesCluster\nmetadata: {name: east, namespace: meshhub}\nspec: {clusterDomain: cluster.local}\n");
    const noContext = await runCli(["apply", ws, "--cluster", "east"]);
    expectOneLineError(noContext, 1, /cluster east is registered without a context or kubeconfig; meshctl will not guess/);
    const unregistered = await runCli(["apply", ws, "--kubeconfig", kubeconfig]);
    expectOneLineError(unregistered, 1, /the translation has manifests for cluster west, which is not registered/);
    expect(unregistered.stderr).toContain("hint: register it: meshctl cluster register west --kubeconfig FILE --context CONTEXT");
    // --cluster east --context kind-east works without a registered context
    const ok = await runCli(["apply", ws, "--kubeconfig", kubeconfig, "--cluster", "east", "--context", "kind-east"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(servers.west.log).toEqual([]);
    expectOneLineError(await runCli(["apply", ws, "--dry-run=client", "--kubeconfig", kubeconfig]), 2, /--dry-run=client is not supported/);
  });

  it("registered with meshctl cluster register, then applied with the stored kubeconfig and context", async () => {
    const fresh = writeDemoWorkspace(join(tmp(), "ws"));
    writeFileSync(join(fresh, "clusters.yaml"), "");
    const env = isolatedEnv(tmp());
    for (const c of ["east", "west"]) {
      const r = await runCli(["cluster", "register", c, "--kubeconfig", kubeconfig, "--context", `kind-${c}`, "-w", fresh], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const a = await runCli(["apply", fresh, "--dry-run"], { env });
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/cluster east \(dry run\): \d+ changed/);
  });
});
