/*
 * GitOps tree tests: layout, kustomization.yaml, patches, private keys, determinism, replacement, and a real
 * `kubectl kustomize` build of the written tree (skipped, loudly, when kubectl is not installed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { FileAdapterError, gitOpsPath, writeGitOps, writeGitOpsTree } from "../src/adapters/files.js";
import { planGitOpsTree } from "../src/adapters/gitops.js";
import type { KubeObject } from "../src/model/common.js";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PATCH_ANNOTATION, SOURCES_ANNOTATION } from "../src/translate/metadata.js";

const KUBECTL = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
if (!KUBECTL) console.warn("\n*** SKIP `kubectl kustomize` build tests: kubectl is not installed; the GitOps tree was NOT checked with kustomize ***\n");

const OWNER = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
const owned = (apiVersion: string, kind: string, namespace: string | undefined, name: string, body: Record<string, unknown>): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}), labels: { ...OWNER }, annotations: { [SOURCES_ANNOTATION]: `TrafficPolicy/gloo-mesh/${name}` } },
  ...body,
});
const patchOf = (kind: string, namespace: string, name: string, annotations: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind,
  metadata: { name, namespace, annotations: { [PATCH_ANNOTATION]: "server-side-apply", ...annotations } },
});

const HOST = "reviews.bookinfo.svc.cluster.local";
function eastObjects(): KubeObject[] {
  return [
    owned("v1", "Namespace", undefined, "meshhub-gateways", {}),
    owned("networking.istio.io/v1", "VirtualService", "bookinfo", "reviews", { spec: { hosts: [HOST], http: [{ route: [{ destination: { host: HOST, subset: "v1" } }] }] } }),
    owned("networking.istio.io/v1", "DestinationRule", "bookinfo", "reviews", { spec: { host: HOST, subsets: [{ name: "v1", labels: { version: "v1" } }] } }),
    // same kind name in two groups, same namespace and name: file names get the group
    owned("security.istio.io/v1", "AuthorizationPolicy", "bookinfo", "reviews", { spec: { action: "ALLOW" } }),
    owned("policy.linkerd.io/v1alpha1", "AuthorizationPolicy", "bookinfo", "reviews", { spec: { targetRef: { kind: "Server", name: "reviews" }, requiredAuthenticationRefs: [] } }),
    // a Service meshhub owns, and a patch of it (target in the tree → kustomize patch)
    owned("v1", "Service", "bookinfo", "reviews-global", { spec: { ports: [{ name: "http", port: 9080 }], selector: { app: "reviews" } } }),
    patchOf("Service", "bookinfo", "reviews-global", { "meshhub.io/exported": "true" }),
    // a patch of the user's Service (not in the tree → service-patches/)
    patchOf("Service", "bookinfo", "productpage", { "networking.istio.io/exportTo": "*" }),
    // a Secret with a private key
    {
      ...owned("v1", "Secret", "istio-system", "cacerts", { type: "Opaque", data: { "ca-cert.pem": "Q0VSVA==", "ca-key.pem": "S0VZ" } }),
      metadata: { name: "cacerts", namespace: "istio-system", labels: { ...OWNER }, annotations: { "meshhub.io/contains-private-key": "true" } },
    },
  ];
}

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), "meshhub-gitops-"));
});
afterEach(() => {
  rmSync(out, { recursive: true, force: true });
});

function tree(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files.push(relative(dir, full).split(sep).join("/"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files.sort();
}
const read = (p: string): string => readFileSync(join(out, ...p.split("/")), "utf8");

describe("GitOps tree", () => {
  it("writes one file per object, a kustomization per cluster, patches and service patches apart", () => {
    const result = writeGitOps(out, { east: eastObjects() });
    expect(tree(out)).toEqual([
      "east/_cluster/namespace-meshhub-gateways.yaml",
      "east/bookinfo/authorizationpolicy.policy.linkerd.io-reviews.yaml",
      "east/bookinfo/authorizationpolicy.security.istio.io-reviews.yaml",
      "east/bookinfo/destinationrule-reviews.yaml",
      "east/bookinfo/service-reviews-global.yaml",
      "east/bookinfo/virtualservice-reviews.yaml",
      "east/kustomization.yaml",
      "east/patches/bookinfo/service-reviews-global.yaml",
      "east/service-patches/README.md",
      "east/service-patches/bookinfo/service-productpage.yaml",
    ]);
    expect(result.written).toEqual([
      "east/_cluster/namespace-meshhub-gateways.yaml",
      "east/bookinfo/authorizationpolicy.policy.linkerd.io-reviews.yaml",
      "east/bookinfo/authorizationpolicy.security.istio.io-reviews.yaml",
      "east/bookinfo/destinationrule-reviews.yaml",
      "east/bookinfo/service-reviews-global.yaml",
      "east/bookinfo/virtualservice-reviews.yaml",
      "east/patches/bookinfo/service-reviews-global.yaml",
      "east/service-patches/bookinfo/service-productpage.yaml",
    ]);
    expect(result.kustomizations).toEqual(["east/kustomization.yaml"]);

    const kustomizationText = read("east/kustomization.yaml");
    expect(kustomizationText.startsWith("# Generated by meshhub for cluster east.")).toBe(true);
    expect(kustomizationText).toContain("# Not included: service-patches/");
    expect(kustomizationText).toContain("# Skipped: istio-system/secret-cacerts.yaml (holds a private key");
    expect(parseYaml(kustomizationText)).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [
        "_cluster/namespace-meshhub-gateways.yaml",
        "bookinfo/authorizationpolicy.policy.linkerd.io-reviews.yaml",
        "bookinfo/authorizationpolicy.security.istio.io-reviews.yaml",
        "bookinfo/destinationrule-reviews.yaml",
        "bookinfo/service-reviews-global.yaml",
        "bookinfo/virtualservice-reviews.yaml",
      ],
      patches: [{ path: "patches/bookinfo/service-reviews-global.yaml", target: { version: "v1", kind: "Service", name: "reviews-global", namespace: "bookinfo" } }],
    });
    // kustomize patch: the partial object without the patch marker
    expect(parseYaml(read("east/patches/bookinfo/service-reviews-global.yaml"))).toEqual({ apiVersion: "v1", kind: "Service", metadata: { name: "reviews-global", namespace: "bookinfo", annotations: { "meshhub.io/exported": "true" } } });
    // service patch: the partial object as `meshctl apply` sends it, with instructions
    const sp = read("east/service-patches/bookinfo/service-productpage.yaml");
    expect(sp).toContain("kubectl apply --server-side --field-manager=meshhub");
    expect(parseYaml(sp)).toEqual(patchOf("Service", "bookinfo", "productpage", { "networking.istio.io/exportTo": "*" }));
    expect(read("east/service-patches/README.md")).toContain("- bookinfo/service-productpage.yaml");
    // objects are canonical YAML
    expect(read("east/bookinfo/virtualservice-reviews.yaml").split("\n").slice(0, 4)).toEqual(["apiVersion: networking.istio.io/v1", "kind: VirtualService", "metadata:", "  name: reviews"]);
  });

  it("skips Secrets holding private keys unless asked, then writes them with mode 0600", () => {
    const skipped = writeGitOps(out, { east: eastObjects() });
    expect(skipped.skipped).toEqual([
      {
        cluster: "east",
        ref: { apiVersion: "v1", kind: "Secret", namespace: "istio-system", name: "cacerts" },
        path: "east/istio-system/secret-cacerts.yaml",
        reason: "private-key",
        message: expect.stringContaining("private key"),
      },
    ]);
    expect(existsSync(join(out, "east", "istio-system"))).toBe(false);
    expect(read("east/kustomization.yaml")).not.toContain("- istio-system/secret-cacerts.yaml");

    const withKeys = writeGitOps(out, { east: eastObjects() }, { includePrivateKeys: true });
    expect(withKeys.skipped).toEqual([]);
    const secretFile = join(out, "east", "istio-system", "secret-cacerts.yaml");
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, "east", "bookinfo", "virtualservice-reviews.yaml")).mode & 0o777).toBe(0o644);
    expect(parseYaml(read("east/kustomization.yaml")).resources).toContain("istio-system/secret-cacerts.yaml");
    expect(read("east/kustomization.yaml")).not.toContain("# Skipped");
  });

  it("is deterministic and replaces the previous tree of a cluster only", () => {
    writeGitOps(out, { east: eastObjects(), west: [owned("v1", "ConfigMap", "linkerd", "meshhub", { data: { a: "b" } })] });
    const first = new Map(tree(out).map((f) => [f, read(f)]));
    // stale file from an earlier run disappears; another cluster's tree stays
    writeFileSync(join(out, "east", "bookinfo", "virtualservice-stale.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stale\n  labels:\n    app.kubernetes.io/managed-by: meshhub\n");
    const shuffled = eastObjects().reverse();
    writeGitOps(out, { east: shuffled });
    expect(new Map(tree(out).map((f) => [f, read(f)]))).toEqual(first);
    expect(tree(out).filter((f) => f.startsWith("west/"))).toEqual(["west/kustomization.yaml", "west/linkerd/configmap-meshhub.yaml"]);
    expect(readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]); // no staging folder left behind
  });

  it("never replaces a folder meshhub did not write", () => {
    mkdirSync(join(out, "east"));
    writeFileSync(join(out, "east", "notes.txt"), "mine");
    expect(() => writeGitOps(out, { east: eastObjects() })).toThrow(FileAdapterError);
    expect(readFileSync(join(out, "east", "notes.txt"), "utf8")).toBe("mine");
    // a tree written by the earlier writer (owner-labelled YAML only, no kustomization.yaml) may be replaced
    rmSync(join(out, "east"), { recursive: true });
    mkdirSync(join(out, "east", "bookinfo"), { recursive: true });
    writeFileSync(join(out, "east", "bookinfo", "virtualservice-old.yaml"), "metadata:\n  labels:\n    app.kubernetes.io/managed-by: meshhub\n");
    expect(() => writeGitOps(out, { east: eastObjects() })).not.toThrow();
  });

  it("refuses unsafe names and conflicting duplicates before writing anything", () => {
    const evil = owned("v1", "ConfigMap", "bookinfo", "../../escape", { data: {} });
    expect(() => writeGitOps(out, { east: [evil] })).toThrow(/metadata.name cannot be used as a file name/);
    expect(() => writeGitOps(out, { "../up": eastObjects() })).toThrow(/cannot be used as a folder name/);
    const a = owned("v1", "ConfigMap", "bookinfo", "x", { data: { k: "1" } });
    const b = owned("v1", "ConfigMap", "bookinfo", "x", { data: { k: "2" } });
    expect(() => writeGitOps(out, { east: [a, b] })).toThrow(/two different manifests/);
    expect(tree(out)).toEqual([]);
    // two patches of one target are merged
    const plan = planGitOpsTree("east", [patchOf("Service", "bookinfo", "productpage", { a: "1" }), patchOf("Service", "bookinfo", "productpage", { b: "2" })]);
    expect(plan.problems).toEqual([]);
    expect(plan.servicePatches).toEqual(["east/service-patches/bookinfo/service-productpage.yaml"]);
    expect(parseYaml(plan.files.find((f) => f.path === "east/service-patches/bookinfo/service-productpage.yaml")?.content ?? "").metadata.annotations).toEqual({ [PATCH_ANNOTATION]: "server-side-apply", a: "1", b: "2" });
  });

  it("keeps the earlier exports working: writeGitOpsTree returns the manifest paths, gitOpsPath the layout", () => {
    const written = writeGitOpsTree(out, { east: eastObjects() });
    expect(Array.isArray(written)).toBe(true);
    expect(written).toContain("east/bookinfo/virtualservice-reviews.yaml");
    expect(gitOpsPath("east", owned("v1", "Namespace", undefined, "x", {}))).toBe("east/_cluster/namespace-x.yaml");
    expect(gitOpsPath("east", owned("networking.istio.io/v1", "VirtualService", "bookinfo", "reviews", {}))).toBe("east/bookinfo/virtualservice-reviews.yaml");
  });

  it.skipIf(!KUBECTL)("builds with `kubectl kustomize`, folding the patch into the Service it targets", () => {
    writeGitOps(out, { east: eastObjects() }, { includePrivateKeys: true });
    const run = spawnSync("kubectl", ["kustomize", join(out, "east")], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as KubeObject);
    expect(docs.map((d) => `${d.apiVersion} ${d.kind} ${d.metadata.namespace ?? ""}/${d.metadata.name}`).sort()).toEqual([
      "networking.istio.io/v1 DestinationRule bookinfo/reviews",
      "networking.istio.io/v1 VirtualService bookinfo/reviews",
      "policy.linkerd.io/v1alpha1 AuthorizationPolicy bookinfo/reviews",
      "security.istio.io/v1 AuthorizationPolicy bookinfo/reviews",
      "v1 Namespace /meshhub-gateways",
      "v1 Secret istio-system/cacerts",
      "v1 Service bookinfo/reviews-global",
    ]);
    const svc = docs.find((d) => d.kind === "Service");
    expect(svc?.metadata.annotations).toEqual({ [SOURCES_ANNOTATION]: "TrafficPolicy/gloo-mesh/reviews-global", "meshhub.io/exported": "true" });
    expect(svc?.spec).toEqual({ ports: [{ name: "http", port: 9080 }], selector: { app: "reviews" } });
    for (const d of docs) expect(d.metadata.labels).toEqual(OWNER);
    // the user's Service patch is not part of the build
    expect(run.stdout).not.toContain("productpage");
  });

  it.skipIf(!KUBECTL)("builds a tree with no patches and no private keys too", () => {
    writeGitOps(out, { west: [owned("v1", "ConfigMap", "linkerd", "meshhub", { data: { a: "b" } })] });
    const run = spawnSync("kubectl", ["kustomize", join(out, "west")], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("name: meshhub");
  });
});
