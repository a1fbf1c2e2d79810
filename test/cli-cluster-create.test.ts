/**
 * meshctl cluster register|list|deregister and meshctl create, run as a user would: as a subprocess, and for the
 * interactive create inside a pseudo-terminal (Python's pty module) typing answers — a wrong one included.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { HAS_PYTHON, expectOneLineError, expectSessionDone, isolatedEnv, runCli, runInPty, tmp, writeDemoWorkspace } from "./cli-helpers.js";
import { kubeconfigText } from "./helpers/fake-kube.js";

function kubeconfigFile(): string {
  const path = join(tmp(), "kubeconfig");
  writeFileSync(path, kubeconfigText([{ name: "kind-east", server: "https://127.0.0.1:6443", token: "t" }, { name: "kind-north", server: "https://127.0.0.1:6444", token: "t" }], "kind-north"));
  return path;
}

const docs = (path: string): Record<string, unknown>[] => parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as Record<string, unknown>).filter((d) => d !== null);

describe("meshctl cluster", () => {
  it("register into a new workspace creates clusters.yaml; list shows it; the kubeconfig is checked and the context stored", async () => {
    const ws = join(tmp(), "fresh");
    const kc = kubeconfigFile();
    const r = await runCli(["cluster", "register", "north", "--kubeconfig", kc, "--region", "us-east-1", "-w", ws]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`cluster north registered in ${join(ws, "clusters.yaml")} (context kind-north, kubeconfig ${kc})`);
    expect(docs(join(ws, "clusters.yaml"))).toEqual([
      { apiVersion: "discovery.meshhub.io/v1alpha1", kind: "KubernetesCluster", metadata: { name: "north", namespace: "meshhub" }, spec: { clusterDomain: "cluster.local", context: "kind-north", kubeconfig: kc, region: "us-east-1" } },
    ]);
    const list = await runCli(["cluster", "list", "-w", ws]);
    expect(list.stdout).toMatch(/^NAME\s+CONTEXT\s+KUBECONFIG\s+CLUSTER DOMAIN\s+REGION\s+SNAPSHOT\s+REGISTERED IN\nnorth\s+kind-north\s+\S+kubeconfig\s+cluster\.local\s+us-east-1\s+none\s+clusters\.yaml\n$/);
    const json = JSON.parse((await runCli(["cluster", "list", "-w", ws, "-o", "json"])).stdout) as { metadata: { name: string } }[];
    expect(json.map((c) => c.metadata.name)).toEqual(["north"]);
    expect((await runCli(["validate", ws])).code).toBe(0);
  });

  it("keeps every other document, comment and file untouched; refuses a duplicate unless --overwrite; deregister removes only that resource", async () => {
    const ws = writeDemoWorkspace(tmp());
    const kc = kubeconfigFile();
    const original = readFileSync(join(ws, "clusters.yaml"), "utf8");
    const policies = readFileSync(join(ws, "policies/shop-traffic.yaml"), "utf8");

    const north = await runCli(["cluster", "register", "north", "--kubeconfig", kc, "--context", "kind-north", "--cluster-domain", "north.local", "-w", ws]);
    expect(north.code, north.stderr).toBe(0);
    const afterRegister = readFileSync(join(ws, "clusters.yaml"), "utf8");
    expect(afterRegister.startsWith(`${original}---\n`)).toBe(true);
    expect(docs(join(ws, "clusters.yaml")).map((d) => (d.metadata as { name: string }).name)).toEqual(["east", "west", "north"]);

    const dup = await runCli(["cluster", "register", "east", "--kubeconfig", kc, "--context", "kind-east", "-w", ws]);
    expectOneLineError(dup, 1, /cluster east is already registered in .*clusters\.yaml/);
    expect(dup.stderr).toContain("--overwrite");
    expect(readFileSync(join(ws, "clusters.yaml"), "utf8")).toBe(afterRegister);

    const over = await runCli(["cluster", "register", "east", "--kubeconfig", kc, "--context", "kind-east", "--region", "eu-central-1", "--overwrite", "-w", ws]);
    expect(over.code, over.stderr).toBe(0);
    expect(over.stdout).toContain("cluster east re-registered");
    const all = docs(join(ws, "clusters.yaml"));
    expect(all.map((d) => (d.metadata as { name: string }).name)).toEqual(["east", "west", "north"]);
    expect(all[0]?.spec).toEqual({ clusterDomain: "cluster.local", context: "kind-east", kubeconfig: kc, region: "eu-central-1" });
    expect(readFileSync(join(ws, "clusters.yaml"), "utf8")).toContain("# Registered clusters. clusterDomain drives the fully qualified hosts meshhub writes.");

    const westText = original.slice(original.indexOf("---\n"));
    const gone = await runCli(["cluster", "deregister", "west", "-w", ws]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain("cluster west deregistered");
    expect(gone.stdout).toContain("its snapshot");
    const left = readFileSync(join(ws, "clusters.yaml"), "utf8");
    expect(left).not.toContain(westText);
    expect(docs(join(ws, "clusters.yaml")).map((d) => (d.metadata as { name: string }).name)).toEqual(["east", "north"]);
    expect(readFileSync(join(ws, "policies/shop-traffic.yaml"), "utf8")).toBe(policies);
    expect((await runCli(["validate", ws])).code).toBe(0);
  });

  it("edits a registration where it lives (another file), and refuses one inside a kind: List", async () => {
    const ws = writeDemoWorkspace(tmp());
    mkdirSync(join(ws, "more"));
    const other = "# extra cluster\napiVersion: discovery.meshhub.io/v1alpha1\nkind: KubernetesCluster\nmetadata:\n  name: south\n  namespace: meshhub\nspec:\n  context: kind-south\n";
    writeFileSync(join(ws, "more/south.yaml"), other);
    const r = await runCli(["cluster", "register", "south", "--context", "kind-south2", "--skip-kubeconfig-check", "--overwrite", "-w", ws]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(join(ws, "more/south.yaml"));
    expect((docs(join(ws, "more/south.yaml"))[0]?.spec as { context: string }).context).toBe("kind-south2");
    expect((await runCli(["cluster", "deregister", "south", "-w", ws])).code).toBe(0);
    expect(readFileSync(join(ws, "more/south.yaml"), "utf8")).toBe("# extra cluster\n");
    writeFileSync(join(ws, "more/list.yaml"), "apiVersion: v1\nkind: List\nitems:\n- apiVersion: discovery.meshhub.io/v1alpha1\n  kind: KubernetesCluster\n  metadata: {name: listed, namespace: meshhub}\n");
    expectOneLineError(await runCli(["cluster", "deregister", "listed", "-w", ws]), 1, /inside a kind: List document, which meshctl does not edit/);
  });

  it("bad input: unknown cluster, bad kubeconfig, unknown context, invalid name or domain — one line and a hint", async () => {
    const ws = writeDemoWorkspace(tmp());
    const unknown = await runCli(["cluster", "deregister", "nowhere", "-w", ws]);
    expectOneLineError(unknown, 1, /cluster nowhere is not registered in workspace/);
    expect(unknown.stderr).toContain("hint: registered clusters: east, west");
    const missing = join(tmp(), "missing-kubeconfig");
    expectOneLineError(await runCli(["cluster", "register", "north", "--kubeconfig", missing, "-w", ws]), 3, new RegExp(`cluster north: bad-kubeconfig: kubeconfig ${missing} does not exist`));
    const ctx = await runCli(["cluster", "register", "north", "--kubeconfig", kubeconfigFile(), "--context", "nope", "-w", ws]);
    expectOneLineError(ctx, 3, /unknown-context: context "nope" is not in kubeconfig/);
    expect(ctx.stderr).toContain("hint: available contexts: kind-east, kind-north");
    expectOneLineError(await runCli(["cluster", "register", "north", "-w", ws], { env: isolatedEnv(tmp()) }), 3, /bad-kubeconfig/);
    const name = await runCli(["cluster", "register", "North_1", "--skip-kubeconfig-check", "-w", ws]);
    expect(name.code).toBe(1);
    expect(name.stderr).toMatch(/meshctl: cluster North_1 is not valid: NAME \(metadata\.name\): must be a DNS-1123 subdomain/);
    const domain = await runCli(["cluster", "register", "north", "--cluster-domain", "Bad_Domain", "--skip-kubeconfig-check", "-w", ws]);
    expect(domain.stderr).toMatch(/--cluster-domain \(spec\.clusterDomain\): must be a DNS domain like cluster\.local \(found "Bad_Domain"\)/);
    expectOneLineError(await runCli(["cluster", "register", "-w", ws]), 2, /missing cluster name/);
    expectOneLineError(await runCli(["cluster", "frob", "-w", ws]), 2, /unknown subcommand "frob"/);
  });
});

describe("meshctl create (flags)", () => {
  it("trafficpolicy: flags → YAML that validates, translates, and shows up in describe with its provenance", async () => {
    const ws = writeDemoWorkspace(tmp());
    const file = join(ws, "policies/catalog.yaml");
    const r = await runCli(["create", "tp", "--name", "catalog-timeout", "--dest", "catalog.shop.east", "--timeout", "2s", "--retries", "3", "--per-try-timeout", "500ms", "-o", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`TrafficPolicy meshhub/catalog-timeout written to ${file}\n`);
    expect(parseYaml(readFileSync(file, "utf8"))).toEqual({
      apiVersion: "networking.meshhub.io/v1alpha1",
      kind: "TrafficPolicy",
      metadata: { name: "catalog-timeout", namespace: "meshhub" },
      spec: { destinationSelector: [{ kubeServiceRefs: { services: [{ clusterName: "east", name: "catalog", namespace: "shop" }] } }], policy: { requestTimeout: "2s", retries: { attempts: 3, perTryTimeout: "500ms" } } },
    });
    expect((await runCli(["validate", ws])).code).toBe(0);
    const d = await runCli(["describe", "svc", "catalog.shop.east", "-w", ws]);
    expect(d.stdout).toMatch(/Timeout:\s+2s\s+← TrafficPolicy meshhub\/catalog-timeout \(spec\.policy\.requestTimeout\)/);

    // appending to the same file: a second policy, a refused duplicate, --overwrite, --dry-run
    const shift = await runCli(["create", "tp", "--name", "reviews-v3", "--dest", "reviews.shop.east", "--shift", "reviews.shop.east/version=v3:100", "--prefix", "/beta", "--source-labels", "app=frontend", "-o", file]);
    expect(shift.code, shift.stderr).toBe(0);
    expect(docs(file).map((x) => (x.metadata as { name: string }).name)).toEqual(["catalog-timeout", "reviews-v3"]);
    expectOneLineError(await runCli(["create", "tp", "--name", "catalog-timeout", "--dest", "catalog.shop.east", "--timeout", "5s", "-o", file]), 1, /already holds TrafficPolicy meshhub\/catalog-timeout/);
    expect((await runCli(["create", "tp", "--name", "catalog-timeout", "--dest", "catalog.shop.east", "--timeout", "5s", "-o", file, "--overwrite"])).code).toBe(0);
    expect((docs(file)[0]?.spec as { policy: { requestTimeout: string } }).policy.requestTimeout).toBe("5s");
    const dry = await runCli(["create", "tp", "--name", "other", "--dest", "catalog.shop.east", "--timeout", "1s", "-o", file, "--dry-run"]);
    expect(dry.stdout).toContain("name: other");
    expect(dry.stderr).toContain(`dry run: would write to ${file}`);
    expect(docs(file)).toHaveLength(2);
    expect((await runCli(["check", ws])).stdout).toContain("✔ TrafficPolicy meshhub/reviews-v3: ACCEPTED (1 destination)");
  });

  it("accesspolicy and virtualmesh from flags, printed as YAML or JSON", async () => {
    const ap = await runCli(["create", "ap", "--name", "web-to-voting", "--dest", "voting-svc.emojivoto.west", "--source-sa", "web.emojivoto.west", "--ports", "8080", "--methods", "GET,POST", "--paths", "/api*"]);
    expect(ap.code, ap.stderr).toBe(0);
    expect(parseYaml(ap.stdout)).toMatchObject({ kind: "AccessPolicy", spec: { allowedPorts: [8080], allowedMethods: ["GET", "POST"], allowedPaths: ["/api*"], sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "web", namespace: "emojivoto", clusterName: "west" }] } }] } });
    const vm = await runCli(["create", "vmesh", "--name", "global", "--meshes", "istiod-istio-system-east,linkerd-destination-linkerd-west.meshhub", "--global-access", "ENABLED", "--key-algorithm", "ECDSA-P384", "--auto-restart-pods", "-o", "json"]);
    expect(vm.code, vm.stderr).toBe(0);
    expect(JSON.parse(vm.stdout)).toMatchObject({
      kind: "VirtualMesh",
      spec: { meshes: [{ name: "istiod-istio-system-east", namespace: "meshhub" }, { name: "linkerd-destination-linkerd-west", namespace: "meshhub" }], globalAccessPolicy: "ENABLED", federation: { permissive: {} }, mtlsConfig: { autoRestartPods: true, shared: { rootCertificateAuthority: { generated: { keyAlgorithm: "ECDSA-P384", ttlDays: 730 } } } } },
    });
  });

  it("a bad value names its flag (exit 1); a missing required flag is a usage error (exit 2)", async () => {
    const cases: [string[], number, RegExp][] = [
      [["tp", "--name", "x", "--dest", "reviews.shop", "--timeout", "2s"], 1, /--dest: "reviews\.shop" must be NAME\.NAMESPACE\.CLUSTER, e\.g\. reviews\.shop\.east/],
      [["tp", "--name", "x", "--dest", "reviews.shop.east", "--timeout", "soon"], 1, /--timeout "soon": must be a duration like 10s, 1\.5s, 250ms or 1m/],
      [["tp", "--name", "x", "--dest", "reviews.shop.east", "--retries", "many"], 1, /--retries "many": must be a whole number/],
      [["tp", "--name", "X_Y", "--dest", "reviews.shop.east", "--timeout", "1s"], 1, /--name "X_Y": must be a DNS-1123 subdomain/],
      [["tp", "--name", "x", "--dest", "reviews.shop.east"], 1, /set at least one action/],
      [["tp", "--name", "x", "--dest", "a.b.c", "--shift", "a.b.c:lots"], 1, /--shift: "a\.b\.c:lots" must be SERVICE\[\/LABEL=VALUE\]:WEIGHT/],
      [["ap", "--name", "x", "--dest", "a.b.c", "--methods", "FETCH"], 1, /--methods "FETCH": must be one of GET, HEAD/],
      [["ap", "--name", "x", "--dest", "a.b.c", "--source-sa", "web.emojivoto", "--ports", "70000"], 1, /--ports "70000": must be a port from 1 to 65535/],
      [["vm", "--name", "x", "--meshes", "m", "--trust", "bogus"], 1, /--trust "bogus": must be one of shared, limited, none/],
      [["tp", "--dest", "a.b.c", "--timeout", "1s"], 2, /missing --name for 'meshctl create trafficpolicy'/],
      [["tp", "--name", "x", "--timeout", "1s"], 2, /missing --dest/],
      [["tp", "--name", "x", "--dest", "a.b.c", "--meshes", "m"], 2, /--meshes does not apply to a TrafficPolicy/],
      [["policy"], 2, /cannot create "policy"/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(["create", ...args])));
    cases.forEach(([, code, pattern], i) => expectOneLineError(results[i] as Awaited<ReturnType<typeof runCli>>, code, pattern));
  });
});

describe.skipIf(!HAS_PYTHON)("meshctl create (interactive, in a pseudo-terminal)", () => {
  it("trafficpolicy: asks each field, rejects a wrong timeout with the precise error, asks again, writes YAML that loads", async () => {
    const ws = writeDemoWorkspace(tmp());
    const file = join(ws, "policies/created.yaml");
    const r = await runInPty(["create", "trafficpolicy", "-o", file], [
      { expect: "Name", send: "ratings-retries\r" },
      { expect: "Namespace", send: "\r" },
      { expect: "Destination services", send: "ratings.shop\r" },
      { expect: 'must be NAME.NAMESPACE.CLUSTER', send: ".east\r" },
      { expect: "Only for client workloads with labels", send: "\r" },
      { expect: "Only for request paths", send: "/ratings\r" },
      { expect: "Request timeout", send: "soon\r" },
      { expect: "must be a duration like 10s, 1.5s, 250ms or 1m", send: "\x7f\x7f\x7f\x7f2s\r" },
      { expect: "Retry attempts", send: "3\r" },
      { expect: "Timeout per try", send: "250ms\r" },
      { expect: "Traffic shift", send: "\r" },
    ]);
    expectSessionDone(r);
    expect(r.screen).toContain("TrafficPolicy meshhub/ratings-retries is ready");
    expect(r.screen).toContain(`TrafficPolicy meshhub/ratings-retries written to ${file}`);
    expect(parseYaml(readFileSync(file, "utf8"))).toEqual({
      apiVersion: "networking.meshhub.io/v1alpha1",
      kind: "TrafficPolicy",
      metadata: { name: "ratings-retries", namespace: "meshhub" },
      spec: {
        destinationSelector: [{ kubeServiceRefs: { services: [{ clusterName: "east", name: "ratings", namespace: "shop" }] } }],
        httpRequestMatchers: [{ prefix: "/ratings" }],
        policy: { requestTimeout: "2s", retries: { attempts: 3, perTryTimeout: "250ms" } },
      },
    });
    expect((await runCli(["validate", ws])).code).toBe(0);
  });

  it("accesspolicy: a wrong service account gets a precise error and a retry", async () => {
    const file = join(tmp(), "ap.yaml");
    const r = await runInPty(["create", "ap", "-o", file], [
      { expect: "Name", send: "web-to-voting\r" },
      { expect: "Namespace", send: "emojivoto\r" },
      { expect: "Destination services", send: "voting-svc.emojivoto.west\r" },
      { expect: "Allowed client service accounts", send: "web\r" },
      { expect: "must be NAME.NAMESPACE or NAME.NAMESPACE.CLUSTER", send: ".emojivoto.west\r" },
      { expect: "Allowed paths", send: "\r" },
      { expect: "Allowed methods", send: "GET,FETCH\r" },
      { expect: "must be one of GET", send: "\x7f\x7f\x7f\x7f\x7fPOST\r" },
      { expect: "Allowed ports", send: "8080\r" },
    ]);
    expectSessionDone(r);
    expect(parseYaml(readFileSync(file, "utf8"))).toMatchObject({ metadata: { name: "web-to-voting", namespace: "emojivoto" }, spec: { allowedMethods: ["GET", "POST"], allowedPorts: [8080] } });
  });

  it("with stdout redirected (meshctl create ap > ap.yaml) the questions go to the terminal on stderr, the YAML to the file", async () => {
    const file = join(tmp(), "redirected.yaml");
    const r = await runInPty(["create", "accesspolicy"], [
      { expect: "Name", send: "frontend-to-catalog\r" },
      { expect: "Namespace", send: "\r" },
      { expect: "Destination services", send: "catalog.shop.east\r" },
      { expect: "Allowed client service accounts", send: "shop-frontend.shop.east\r" },
      { expect: "Allowed paths", send: "\r" },
      { expect: "Allowed methods", send: "\r" },
      { expect: "Allowed ports", send: "\r" },
    ], { stdoutTo: file });
    expectSessionDone(r);
    expect(r.screen).not.toContain("apiVersion:");
    expect(parseYaml(readFileSync(file, "utf8"))).toMatchObject({ kind: "AccessPolicy", metadata: { name: "frontend-to-catalog" }, spec: { sourceSelector: [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "shop-frontend", namespace: "shop", clusterName: "east" }] } }] } });
  });

  it("virtualmesh: selects and confirms; printed to the terminal when no file is given", async () => {
    const r = await runInPty(["create", "vm"], [
      { expect: "Name", send: "global\r" },
      { expect: "Namespace", send: "\r" },
      { expect: "Meshes", send: "istiod-istio-system-east,linkerd-destination-linkerd-west\r" },
      { expect: "Trust between the meshes", send: "\r" },
      { expect: "Root CA lifetime in days", send: "0\r" },
      { expect: "must be at least 1 day", send: "\x7f365\r" },
      { expect: "Root key algorithm", send: "\r" },
      { expect: "Federation", send: "\r" },
      { expect: "Global access policy", send: "\u001b[B\r" },
      { expect: "Restart pods automatically", send: "y" },
    ]);
    expectSessionDone(r);
    const yaml = r.screen.slice(r.screen.indexOf("apiVersion:")).replace(/\r/g, "");
    expect(parseYaml(yaml)).toMatchObject({ kind: "VirtualMesh", metadata: { name: "global" }, spec: { globalAccessPolicy: "ENABLED", mtlsConfig: { autoRestartPods: true, shared: { rootCertificateAuthority: { generated: { ttlDays: 365, keyAlgorithm: "ECDSA-P256" } } } } } });
  });
});
