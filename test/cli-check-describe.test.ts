/**
 * meshctl check and describe, run as a user would (a subprocess) on the bundled demo workspace: statuses,
 * conflicts, unsupported features, certificate expiry, exit codes for CI; the effective configuration of a service
 * with the policy behind every value.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { expectOneLineError, runCli, tmp, writeCleanWorkspace, writeDemoWorkspace } from "./cli-helpers.js";

let demo: string;
let clean: string;
beforeAll(() => {
  demo = writeDemoWorkspace(tmp());
  clean = writeCleanWorkspace(tmp());
});

describe("meshctl check", () => {
  it("exits 1 on the demo workspace (a CONFLICT and an INVALID policy, by design), naming each and why", async () => {
    const r = await runCli(["check", demo]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Traffic policies\n-{16}$/m);
    expect(r.stdout).toContain("× TrafficPolicy meshhub/ratings-slow-clients: CONFLICT");
    expect(r.stdout).toMatch(/ratings\.shop\.east: CONFLICT \(conflict\): field requestTimeout .* TrafficPolicy meshhub\/ratings-resilience/);
    expect(r.stdout).toContain("× TrafficPolicy meshhub/web-cors: INVALID");
    expect(r.stdout).toMatch(/web-svc\.emojivoto\.west: INVALID \(unsupported\): corsPolicy: CORS policy is not supported by Linkerd/);
    expect(r.stdout).toContain("✔ AccessPolicy meshhub/frontend-to-shop: ACCEPTED (2 destinations)");
    expect(r.stdout).toMatch(/‼ VirtualMesh meshhub\/demo: ACCEPTED \(2 meshes\) with 3 notes/);
    expect(r.stdout).toMatch(/✔ cluster west mesh linkerd-destination-linkerd-west: Linkerd trust anchor CN=root\.linkerd\.west\.mesh .*valid until 2036-11-23/);
    expect(r.stdout).toMatch(/Status check results are ×: \d+ passed, 1 warning, 2 failed\n$/);
  });

  it("exits 0 on a clean workspace (warnings do not fail)", async () => {
    const r = await runCli(["check", clean]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Status check results are ✔: \d+ passed, 1 warning, 0 failed/);
  });

  it("-o json: ok, a summary and every check with its category, state and details", async () => {
    const r = await runCli(["check", demo, "-o", "json"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { ok: boolean; summary: { failed: number }; checks: { category: string; state: string; message: string; details: string[] }[] };
    expect(json.ok).toBe(false);
    expect(json.summary.failed).toBe(2);
    const failed = json.checks.filter((c) => c.state === "fail");
    expect(failed.map((c) => c.message)).toEqual(["TrafficPolicy meshhub/ratings-slow-clients: CONFLICT", "TrafficPolicy meshhub/web-cors: INVALID"]);
    expect(failed[0]?.details[0]).toMatch(/^ratings\.shop\.east: CONFLICT \(conflict\)/);
    expect(new Set(json.checks.map((c) => c.category))).toEqual(new Set(["Discovery", "Traffic policies", "Access policies", "Virtual meshes", "Certificates"]));
    const cleanJson = JSON.parse((await runCli(["check", clean, "-o", "json"])).stdout) as { ok: boolean };
    expect(cleanJson.ok).toBe(true);
  });

  it("certificate expiry: a trust anchor expiring within --grace-days warns; an expired one fails", async () => {
    // The demo's Linkerd trust anchor is valid until 2036-11-23.
    const soon = await runCli(["check", clean, "--now", "2036-11-10T00:00:00Z"]);
    expect(soon.code).toBe(0);
    expect(soon.stdout).toMatch(/‼ cluster west mesh linkerd-destination-linkerd-west: Linkerd trust anchor CN=root\.linkerd\.west\.mesh .*: expires on 2036-11-23, in 13 days \(less than 30\)/);
    const grace = await runCli(["check", clean, "--now", "2036-11-10T00:00:00Z", "--grace-days", "7"]);
    expect(grace.stdout).toMatch(/✔ cluster west .*valid until 2036-11-23 \(13 days\)/);
    const expired = await runCli(["check", clean, "--now", "2037-01-01T00:00:00Z"]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/× cluster west mesh linkerd-destination-linkerd-west: Linkerd trust anchor .*: EXPIRED on 2036-11-23 \(39 days ago\)/);
    expectOneLineError(await runCli(["check", clean, "--grace-days", "soon"]), 2, /--grace-days "soon" is not a whole number/);
    expectOneLineError(await runCli(["check", clean, "--now", "yesterday"]), 2, /--now "yesterday" is not a date/);
  });

  it("an invalid workspace is one failed check listing every input error", async () => {
    const ws = tmp();
    (await import("node:fs")).writeFileSync(`${ws}/tp.yaml`, "apiVersion: networking.meshhub.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: x}\nspec: {policy: {requestTimeout: soon}}\n");
    const r = await runCli(["check", ws]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/× workspace .*: 1 input error\n\s+tp\.yaml#0 TrafficPolicy/);
  });
});

describe("meshctl describe", () => {
  it("service: the effective configuration per route, each value labelled with the policy and field that set it", async () => {
    const r = await runCli(["describe", "service", "reviews", "-w", demo]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^Name:\s+reviews\nNamespace:\s+shop\nCluster:\s+east\nMesh:\s+istiod-istio-system-east \(istio 1\.29\.6\)\nVirtual mesh:\s+meshhub\/demo\nHost:\s+reviews\.shop\.svc\.cluster\.local/);
    expect(out).toMatch(/1\. reviews-canary-testers\.meshhub\n\s+Clients:\s+all clients\n\s+Match:\s+path prefix \/reviews, header x-canary = "true"\n\s+Traffic shift:\s+100% → reviews\.shop\.east subset version=v3 port 9080 \(weight 100\)\s+← TrafficPolicy meshhub\/reviews-canary-testers \(spec\.policy\.trafficShift\)\n\s+Timeout:\s+3s\s+← TrafficPolicy meshhub\/reviews-canary-testers \(spec\.policy\.requestTimeout\)/);
    expect(out).toMatch(/2\. reviews-split\.meshhub\n\s+Clients:\s+all clients\n\s+Match:\s+every request\n\s+Traffic shift:\s+80% → reviews\.shop\.east subset version=v1 port 9080 \(weight 80\); 20% → reviews\.shop\.east subset version=v2 port 9080 \(weight 20\)\s+← TrafficPolicy meshhub\/reviews-split/);
    expect(out).toMatch(/Destination-wide:\n\s+Outlier detection:\s+eject a host after 3 consecutive errors, checked every 5s, for 1m, at most 100% of hosts\s+← TrafficPolicy meshhub\/reviews-outlier \(spec\.policy\.outlierDetection\)/);
    expect(out).toMatch(/Access: allow-list: only these clients may call it\n\s+- service account shop\/shop-frontend on cluster east\n\s+any path; methods GET, HEAD; any port\s+← AccessPolicy meshhub\/frontend-to-shop/);
    expect(out).toMatch(/Emitted objects:\n\s+CLUSTER\s+KIND\s+NAMESPACE\/NAME\n(\s+east\s+\S+ \(\S+\)\s+shop\/reviews\n){3}/);
    expect(out).toMatch(/east\s+VirtualService \(networking\.istio\.io\/v1\)\s+shop\/reviews/);
  });

  it("service: the policies rejected for it with their reasons, and the winner's values", async () => {
    const ratings = await runCli(["describe", "svc", "ratings.shop.east", "-w", demo]);
    expect(ratings.code).toBe(0);
    expect(ratings.stdout).toMatch(/Timeout:\s+2s\s+← TrafficPolicy meshhub\/ratings-resilience \(spec\.policy\.requestTimeout\)/);
    expect(ratings.stdout).toMatch(/Retries:\s+3 attempts, 500ms per try, on 5xx,gateway-error,connect-failure\s+← TrafficPolicy meshhub\/ratings-resilience/);
    expect(ratings.stdout).toMatch(/Policies:\n\s+CONFLICT\s+TrafficPolicy meshhub\/ratings-slow-clients\n\s+field requestTimeout of the default route is already set to a different value by TrafficPolicy meshhub\/ratings-resilience/);
    expect(ratings.stdout).toMatch(/- service account shop\/shop-reviews on cluster east\n\s+paths \/ratings\*; any method; any port/);
    const web = await runCli(["describe", "services", "web-svc.emojivoto", "-w", demo]);
    expect(web.stdout).toMatch(/INVALID\s+TrafficPolicy meshhub\/web-cors\n\s+corsPolicy: CORS policy is not supported by Linkerd/);
    expect(web.stdout).toMatch(/Retries:\s+2 attempts, 500ms per try, on 5xx\s+← TrafficPolicy meshhub\/web-resilience/);
    expect(web.stdout).toMatch(/Headers:\s+request \+x-served-by: meshhub/);
    expect(web.stdout).toContain("Access: nobody may call it: VirtualMesh meshhub/demo denies by default (globalAccessPolicy ENABLED)");
    const catalog = await runCli(["describe", "destination", "catalog", "-w", demo]);
    expect(catalog.stdout).toMatch(/Clients:\s+workloads with app=frontend in namespace shop\n\s+Match:\s+every request\n\s+Fault injection:\s+abort with HTTP 503 for 5% of requests\s+← TrafficPolicy meshhub\/catalog-chaos-for-frontend/);
  });

  it("service -o json: the same view as data", async () => {
    const r = await runCli(["describe", "svc", "reviews.shop.east", "-w", demo, "-o", "json"]);
    const v = JSON.parse(r.stdout) as { key: string; routes: { settings: { setting: string; value: string; setBy: string; field: string }[] }[]; access: { mode: string } };
    expect(v.key).toBe("reviews.shop.east");
    expect(v.routes[0]?.settings).toContainEqual({ setting: "Timeout", value: "3s", setBy: "TrafficPolicy meshhub/reviews-canary-testers", field: "spec.policy.requestTimeout" });
    expect(v.access.mode).toBe("allow-list");
  });

  it("other kinds and their aliases; without a name every resource; -s filters by substring", async () => {
    const cases: [string[], RegExp][] = [
      [["tp", "ratings-slow-clients"], /State:\s+CONFLICT[\s\S]*Status per destination:\n\s+CONFLICT\s+ratings\.shop\.east/],
      [["trafficpolicies", "reviews-split.meshhub"], /Actions \(spec\.policy\):\n\s+trafficShift:/],
      [["ap", "frontend-to-shop"], /Filters:\n\s+Allowed paths:\s+any\n\s+Allowed methods:\s+GET, HEAD/],
      [["accesspolicies", "web-to-backends"], /Emitted objects:[\s\S]*Server \(policy\.linkerd\.io\/v1beta3\)\s+emojivoto\/emoji-svc-8080/],
      // The MeshTLSAuthentication its AuthorizationPolicy requires is shared in the namespace, and still listed.
      [["svc", "emoji-svc"], /Emitted objects:[\s\S]*MeshTLSAuthentication \(policy\.linkerd\.io\/v1alpha1\)\s+emojivoto\/web-to-backends-meshhub\n/],
      [["vm", "demo"], /Global access policy:\s+ENABLED[\s\S]*Certificate plan:[\s\S]*Root CA:\s+generate a new root/],
      [["vmesh"], /Name:\s+demo/],
      [["virtualmeshes", "demo.meshhub"], /Trust:\s+shared root \(generated\)/],
      [["mesh", "west"], /Type:\s+linkerd[\s\S]*Trust anchors:\n\s+- CN=root\.linkerd\.west\.mesh/],
      [["meshes", "istiod-istio-system-east"], /Type:\s+istio[\s\S]*Gateways:\n\s+- ingress istio-system\/istio-ingressgateway/],
      [["workload", "web.emojivoto.west"], /Service account:\s+web[\s\S]*Services selecting it:\n\s+- web-svc\.emojivoto\.west[\s\S]*AccessPolicy meshhub\/web-to-backends \(ACCEPTED\)/],
      [["workloads", "-s", "reviews"], /Name:\s+reviews-v1[\s\S]*Name:\s+reviews-v2[\s\S]*Name:\s+reviews-v3/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(["describe", ...args, "-w", demo])));
    cases.forEach(([args, pattern], i) => {
      const r = results[i] as Awaited<ReturnType<typeof runCli>>;
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout, args.join(" ")).toMatch(pattern);
    });
    const search = await runCli(["describe", "tp", "-s", "ratings", "-w", demo]);
    expect(search.stdout.match(/^Name:/gm)).toHaveLength(2);
  });

  it("an unknown name or cluster: exit 1, one line and a hint", async () => {
    const typo = await runCli(["describe", "svc", "reviewz", "-w", demo]);
    expectOneLineError(typo, 1, /no service reviewz in workspace/);
    expect(typo.stderr).toContain("hint: did you mean reviews.shop.east?");
    const cluster = await runCli(["describe", "svc", "reviews.shop.nowhere", "-w", demo]);
    expectOneLineError(cluster, 1, /cluster nowhere is not in workspace/);
    expect(cluster.stderr).toContain("hint: clusters: east, west");
    expectOneLineError(await runCli(["describe", "tp", "nope", "-w", demo]), 1, /no TrafficPolicy nope/);
    expectOneLineError(await runCli(["describe", "vm", "-s", "zzz", "-w", demo]), 1, /no VirtualMesh matches "zzz"/);
  });
});

describe("meshctl describe, past the workloads a status lists", () => {
  it("a policy for every client lists the first workloads and counts the rest; describe workload still finds it", async () => {
    const { mkdirSync, writeFileSync } = await import("node:fs");
    const { stringify } = await import("yaml");
    const { generateEstate } = await import("../bench/generate.js");
    // Two clusters of 60 services with two versions each: 120 workloads per mesh, more than a status lists.
    const estate = generateEstate({ clusters: 2, services: 120, versionsPerService: 2, trafficPolicies: 0, accessPolicies: 0 });
    const ws = tmp();
    for (const s of estate.snapshots) {
      mkdirSync(`${ws}/clusters/${s.cluster}`, { recursive: true });
      writeFileSync(`${ws}/clusters/${s.cluster}/objects.yaml`, s.objects.map((o) => stringify(o)).join("---\n"));
    }
    const policy = (name: string, spec: object): string => stringify({ apiVersion: "networking.meshhub.io/v1alpha1", kind: "TrafficPolicy", metadata: { name, namespace: "meshhub" }, spec });
    const target = { destinationSelector: [{ kubeServiceRefs: { services: [{ name: "svc-0", namespace: "team-0", clusterName: "cluster-00" }] } }] };
    writeFileSync(`${ws}/policies.yaml`, [policy("every-client", { ...target, policy: { requestTimeout: "2s" } }), policy("team-1-clients", { ...target, sourceSelector: [{ kubeWorkloadMatcher: { namespaces: ["team-1"] } }], policy: { retries: { attempts: 2 } } })].join("---\n"));

    const tp = await runCli(["describe", "tp", "every-client", "-w", ws]);
    expect(tp.code, tp.stderr).toBe(0);
    expect(tp.stdout).toMatch(/- svc-0-v1-team-0-cluster-00-deployment\n/);
    expect(tp.stdout).toMatch(/- … and 20 more\n/);
    // svc-9-v2 (namespace team-1) sorts last of cluster-00's 120 workloads, past the 100 listed.
    const late = await runCli(["describe", "workload", "svc-9-v2.team-1.cluster-00", "-w", ws]);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stdout).toMatch(/TrafficPolicies applying to its outgoing requests:\n\s+- TrafficPolicy meshhub\/every-client \(ACCEPTED\)\n\s+- TrafficPolicy meshhub\/team-1-clients \(ACCEPTED\)\n/);
    const other = await runCli(["describe", "workload", "svc-8-v2.team-0.cluster-00", "-w", ws]);
    expect(other.stdout).toMatch(/TrafficPolicies applying to its outgoing requests:\n\s+- TrafficPolicy meshhub\/every-client \(ACCEPTED\)\n\n/);
    const elsewhere = await runCli(["describe", "workload", "svc-9-v2.team-1.cluster-01", "-w", ws]);
    expect(elsewhere.stdout).toMatch(/TrafficPolicies applying to its outgoing requests:\s+none/);
  });
});
