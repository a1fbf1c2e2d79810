// Smoke run of the built CLI (dist/cli/main.js) and the examples, as a user would run them: every command once.
// Exits non-zero when anything fails. Talks only to a tiny fake API server on 127.0.0.1 started here.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = join(process.cwd(), "dist/cli/main.js");
const tmp = mkdtempSync(join(tmpdir(), "meshhub-smoke-"));
let failures = 0;
let passes = 0;

/** An environment that can never reach a real cluster or pick up colour settings. */
const baseEnv = { ...process.env, HOME: tmp, KUBECONFIG: join(tmp, "no-kubeconfig") };
delete baseEnv.NO_COLOR;
delete baseEnv.MESHCTL_WORKSPACE;

function exec(cmd, args, env) {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: "utf8", cwd: tmp, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function run(args, { expectCode = 0, expectOut, expectErr, cmd = process.execPath, env = {} } = {}) {
  const r = await exec(cmd, cmd === process.execPath ? [cli, ...args] : args, { ...baseEnv, ...env });
  const label = `${cmd === process.execPath ? "meshctl" : cmd} ${args.join(" ")}`;
  const problems = [];
  if (r.status !== expectCode) problems.push(`exit ${r.status}, expected ${expectCode}`);
  for (const re of [expectOut].flat().filter(Boolean)) if (!re.test(r.stdout)) problems.push(`stdout does not match ${re}`);
  for (const re of [expectErr].flat().filter(Boolean)) if (!re.test(r.stderr)) problems.push(`stderr does not match ${re}`);
  if (/\n\s+at .+:\d+:\d+/.test(r.stderr)) problems.push("stack trace on stderr");
  if (expectCode !== 0 && expectCode !== 1 && !/^hint: \S/m.test(r.stderr)) problems.push("no hint on stderr");
  if (problems.length) {
    failures++;
    console.error(`FAIL ${label}: ${problems.join("; ")}\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`);
  } else {
    passes++;
    console.log(`ok   ${label}`);
  }
  return r;
}

/** The smallest API server discovery can read: core and apps kinds served (with empty lists), no CRDs installed. */
async function emptyApiServer() {
  const resources = (groupVersion, kinds) => ({ kind: "APIResourceList", apiVersion: "v1", groupVersion, resources: kinds.map(([name, kind, namespaced]) => ({ name, kind, namespaced, singularName: kind.toLowerCase(), verbs: ["get", "list"] })) });
  const core = resources("v1", [["namespaces", "Namespace", false], ["nodes", "Node", false], ["pods", "Pod", true], ["services", "Service", true], ["configmaps", "ConfigMap", true], ["serviceaccounts", "ServiceAccount", true], ["secrets", "Secret", true]]);
  const apps = resources("apps/v1", [["deployments", "Deployment", true], ["statefulsets", "StatefulSet", true], ["daemonsets", "DaemonSet", true], ["replicasets", "ReplicaSet", true]]);
  const admission = resources("admissionregistration.k8s.io/v1", [["mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false]]);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const send = (code, body) => {
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (path === "/api/v1") return send(200, core);
    if (path === "/apis/apps/v1") return send(200, apps);
    if (path === "/apis/admissionregistration.k8s.io/v1") return send(200, admission);
    if (/^\/(api\/v1|apis\/(apps|admissionregistration\.k8s\.io)\/v1)\/[a-z]+$/.test(path)) return send(200, { kind: "List", apiVersion: "v1", metadata: { resourceVersion: "1" }, items: [] });
    send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "the server could not find the requested resource" });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

const kubeconfig = (server) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: ${server}}
users:
- name: u
  user: {token: smoke}
contexts:
- name: smoke
  context: {cluster: c, user: u}
current-context: smoke
`;

let api;
try {
  await run(["version"], { expectOut: /^meshctl \d+\.\d+\.\d+/ });
  await run(["--help"], { expectOut: [/Exit codes/, /describe/, /completion/] });
  await run(["check", "--help"], { expectOut: /--grace-days/ });
  for (const shell of ["bash", "zsh", "fish"]) await run(["completion", shell], { expectOut: [/describe/, /virtualmesh/, /--kubeconfig|kubeconfig/] });

  // demo, validate, discover, translate
  await run(["demo", "--dir", "demo"], { expectOut: [/Translation: \d+ manifests written/, /Certificate plan/, /Root CA:/, /Restart order:/, /istio-intermediate-ca .*issuer .*root CA/, /linkerd-identity-issuer .*CN=identity\.linkerd\.west\.mesh/] });
  // The Istio intermediate and the Linkerd issuer the demo signed both chain to its one root.
  const certs = readdirSync(join(tmp, "demo", "certificates")).filter((f) => f !== "root.pem").map((f) => join(tmp, "demo", "certificates", f));
  await run(["verify", "-CAfile", join(tmp, "demo", "certificates", "root.pem"), ...certs], { cmd: "openssl", expectOut: [/east\.pem: OK/, /west\.pem: OK/] });
  await run(["validate", "demo/workspace"], { expectOut: /^ok: / });
  await run(["discover", "demo/workspace"], { expectOut: /istio/ });
  await run(["discover", "demo/workspace", "-o", "yaml"], { expectOut: /kind: Mesh/ });
  const json = await run(["translate", "demo/workspace", "-o", "json"]);
  const parsed = JSON.parse(json.stdout);
  for (const key of ["discovery", "clusters", "statuses", "certificatePlan", "diagnostics"]) if (!(key in parsed)) throw new Error(`translate -o json lacks ${key}`);
  await run(["translate", "demo/workspace", "--out-dir", "gitops"], { expectErr: /wrote \d+ manifests and 2 kustomizations/ });

  // check and describe
  await run(["check", "demo/workspace"], { expectCode: 1, expectOut: [/× TrafficPolicy meshhub\/ratings-slow-clients: CONFLICT/, /Status check results are ×/] });
  await run(["check", "demo/workspace", "-o", "json"], { expectCode: 1, expectOut: /"ok": false/ });
  await run(["describe", "service", "reviews", "-w", "demo/workspace"], { expectOut: [/Timeout:\s+3s\s+← TrafficPolicy meshhub\/reviews-canary-testers/, /Emitted objects:/] });
  for (const kind of ["workload", "tp", "ap", "mesh", "vm"]) await run(["describe", kind, "-w", "demo/workspace"], { expectOut: /Name:/ });
  await run(["describe", "svc", "reviews.shop.nowhere", "-w", "demo/workspace"], { expectCode: 1, expectErr: /cluster nowhere is not in workspace[\s\S]*hint: clusters: east, west/ });

  // cluster register / list / deregister, create
  cpSync(join(tmp, "demo/workspace"), join(tmp, "ws"), { recursive: true });
  writeFileSync(join(tmp, "kubeconfig"), kubeconfig("https://127.0.0.1:6443"));
  await run(["cluster", "register", "north", "--kubeconfig", "kubeconfig", "-w", "ws"], { expectOut: /cluster north registered in ws\/clusters\.yaml \(context smoke, kubeconfig \/.*kubeconfig\)/ });
  await run(["cluster", "register", "north", "--kubeconfig", "kubeconfig", "-w", "ws"], { expectCode: 1, expectErr: /already registered/ });
  await run(["cluster", "list", "-w", "ws"], { expectOut: /north\s+smoke/ });
  await run(["cluster", "deregister", "north", "-w", "ws"], { expectOut: /cluster north deregistered/ });
  await run(["cluster", "deregister", "north", "-w", "ws"], { expectCode: 1, expectErr: /not registered[\s\S]*hint: registered clusters: east, west/ });
  await run(["cluster", "register", "south", "--kubeconfig", "missing.yaml", "-w", "ws"], { expectCode: 3, expectErr: /bad-kubeconfig: kubeconfig .*missing\.yaml does not exist/ });
  await run(["create", "tp", "--name", "catalog-timeout", "--dest", "catalog.shop.east", "--timeout", "2s", "-o", "ws/policies/created.yaml"], { expectOut: /written to ws\/policies\/created\.yaml/ });
  await run(["create", "ap", "--name", "x", "--dest", "catalog.shop.east", "--source-sa", "web.emojivoto.west"], { expectOut: /kind: AccessPolicy/ });
  await run(["create", "vm", "--name", "x", "--meshes", "a,b", "-o", "json"], { expectOut: /"kind": "VirtualMesh"/ });
  await run(["create", "tp", "--name", "x", "--dest", "a.b.c", "--timeout", "soon"], { expectCode: 1, expectErr: /--timeout "soon": must be a duration/ });
  await run(["validate", "ws"], { expectOut: /^ok: .* 10 TrafficPolicies/ });

  // live: discover, diff, apply against a fake API server; bad kubeconfig and unreachable server
  api = await emptyApiServer();
  writeFileSync(join(tmp, "live-kubeconfig"), kubeconfig(api.url));
  await run(["discover", "--kubeconfig", "live-kubeconfig", "--context", "smoke"], { expectOut: /CLUSTER smoke[\s\S]*Meshes \(0\)/ });
  await run(["diff", "ws", "--kubeconfig", "live-kubeconfig", "--cluster", "east", "--context", "smoke"], { expectCode: 1, expectOut: /! VirtualService shop\/reviews: the cluster does not serve VirtualService/ });
  await run(["apply", "ws", "--kubeconfig", "live-kubeconfig", "--cluster", "east", "--context", "smoke", "--dry-run"], { expectCode: 1, expectOut: /FAILED \(apply\): the cluster does not serve/ });
  await run(["discover", "ws", "--live", "--kubeconfig", "kubeconfig"], { expectCode: 3, expectErr: /cluster east: unknown-context: context "kind-east" is not in kubeconfig/ });
  writeFileSync(join(tmp, "closed-kubeconfig"), kubeconfig("http://127.0.0.1:9"));
  await run(["apply", "ws", "--kubeconfig", "closed-kubeconfig", "--cluster", "east", "--context", "smoke"], { expectCode: 3, expectErr: /cluster east: unreachable: cannot reach the API server http:\/\/127\.0\.0\.1:9/ });

  // demo init: with nothing on PATH it says what is missing (never creates clusters here)
  mkdirSync(join(tmp, "empty-bin"));
  await run(["demo", "init"], { expectCode: 3, env: { PATH: join(tmp, "empty-bin") }, expectErr: [/missing: kind is not installed/, /no container engine/] });

  // usage errors
  mkdirSync(join(tmp, "broken"));
  writeFileSync(join(tmp, "broken/tp.yaml"), "apiVersion: networking.meshhub.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: x}\nspec:\n  policy:\n    requestTimeout: soon\n");
  await run(["validate", "broken"], { expectCode: 1, expectErr: /tp\.yaml#0 TrafficPolicy (default\/)?x spec\.policy\.requestTimeout: must be a duration/ });
  await run(["validate", "does-not-exist"], { expectCode: 3, expectErr: /workspace does-not-exist does not exist\nhint:/ });
  await run(["frobnicate"], { expectCode: 2, expectErr: /unknown command/ });
  await run(["check", "--frobnicate"], { expectCode: 2, expectErr: /unknown flag --frobnicate/ });

  for (const example of readdirSync(join(process.cwd(), "examples")).filter((f) => f.endsWith(".ts")).sort()) {
    await run([join(process.cwd(), "node_modules/.bin/tsx"), join(process.cwd(), "examples", example)], { cmd: "node", expectOut: /\S/ });
  }
} catch (e) {
  failures++;
  console.error(`FAIL ${e.message}`);
} finally {
  api?.server.close();
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`smoke: ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
