/**
 * Global access control (`VirtualMesh.spec.globalAccessPolicy`) through `translate()`: ENABLED denies by default on
 * Istio (root-namespace AuthorizationPolicy + gateway allows) and Linkerd (default-inbound-policy on meshed
 * namespaces, with a restart note); MESH_DEFAULT and DISABLED emit nothing.
 */
import { describe, expect, it } from "vitest";
import type { Mesh } from "../src/model/discovery.js";
import { istioMesh, linkerdMesh, meshRef, virtualMesh, workload } from "./helpers/builders.js";
import { meshStatus, owned, runFederation } from "./helpers/federation.js";

const VM = "VirtualMesh/meshhub/vm";
const east = istioMesh("east", { trustDomain: "east.example", eastWestAddress: "198.51.100.10", ingressAddress: "198.51.100.11" });
const west = linkerdMesh("west", { trustDomain: "west.example", gatewayAddress: "198.51.100.20" });
const workloads = [
  workload(west, "web", "shop"),
  workload(west, "emoji", "emojivoto"),
  workload(west, "voting", "emojivoto"),
  workload(west, "linkerd-destination", "linkerd"),
  workload(west, "linkerd-gateway", "linkerd-multicluster"),
  workload(west, "web", "linkerd-viz"),
  workload(east, "reviews", "bookinfo"),
];
const run = (globalAccessPolicy: string, meshes: Mesh[] = [east, west]) => runFederation({ meshes, workloads, virtualMeshes: [virtualMesh("vm", { meshes: meshes.map(meshRef), globalAccessPolicy })] });

/** A manual restart step of a meshed namespace, as the certificate plan writes them. */
const restart = (order: number, namespace: string, controllers: { kind: string; name: string; namespace: string }[]) => ({
  order,
  cluster: "west",
  tier: "workloads",
  action: "rollout-restart",
  automatic: false,
  target: { namespace, podSelector: { matchLabels: { "linkerd.io/control-plane-ns": "linkerd" } }, controllers },
  waitBefore: [],
  waitFor: [{ condition: "rollout-complete", timeoutSeconds: 600 }],
  reason: "config.linkerd.io/default-inbound-policy: deny takes effect when pods start",
  manual: `kubectl --context west -n ${namespace} rollout restart ${controllers.map((c) => `deployment/${c.name}`).join(" ")}`,
});

describe("globalAccessPolicy: ENABLED", () => {
  const r = run("ENABLED");

  it("denies by default on Istio and keeps the ingress and east-west gateways open", () => {
    const allow = (name: string, labels: Record<string, string>) => ({
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: owned(`global-access-control-allow-${name}`, "istio-system", VM),
      spec: { action: "ALLOW", selector: { matchLabels: labels }, rules: [{}] },
    });
    expect(r.clusters["east"]).toEqual([
      { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: owned("global-access-control", "istio-system", VM), spec: {} },
      allow("istio-eastwestgateway", { istio: "eastwestgateway" }),
      allow("istio-ingressgateway", { istio: "ingressgateway" }),
    ]);
  });

  it("sets default-inbound-policy deny on Linkerd's meshed namespaces only, as Namespace patches", () => {
    const patch = (name: string) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, annotations: { "config.linkerd.io/default-inbound-policy": "deny", "meshhub.io/patch": "server-side-apply", "meshhub.io/sources": VM } },
    });
    expect(r.clusters["west"]).toEqual([patch("emojivoto"), patch("shop")]);
  });

  it("says that pods must restart, in the status and the plan", () => {
    expect(meshStatus(r, west)).toEqual({
      state: "ACCEPTED",
      errors: [
        "note: globalAccessPolicy: config.linkerd.io/default-inbound-policy: deny is set on namespaces emojivoto, shop of cluster west; Linkerd reads it when a pod starts, so restart the meshed workloads there (kubectl rollout restart) for it to take effect. From then on only what meshhub's Servers and AuthorizationPolicies (from AccessPolicies) allow gets through — callers from other clusters in gateway mode arrive with the identity of the multicluster gateway. The control-plane and extension namespaces are not patched, so the multicluster gateway stays reachable",
      ],
    });
    expect(meshStatus(r, east)).toEqual({ state: "ACCEPTED" });
    expect(r.federation?.virtualMeshes).toEqual([
      {
        virtualMesh: "vm.meshhub",
        hostnameSuffix: "global",
        flatNetwork: false,
        globalAccessPolicy: "ENABLED",
        services: [],
        secrets: [],
        restarts: [
          restart(1, "emojivoto", [
            { kind: "Deployment", name: "emoji", namespace: "emojivoto" },
            { kind: "Deployment", name: "voting", namespace: "emojivoto" },
          ]),
          restart(2, "shop", [{ kind: "Deployment", name: "web", namespace: "shop" }]),
        ],
      },
    ]);
  });

  it("refuses to open a gateway without a pod selector (that would open its whole namespace)", () => {
    const bare = istioMesh("east", { trustDomain: "east.example", ingressAddress: "198.51.100.11" });
    if ("istio" in bare.spec) bare.spec.istio.ingressGateways[0]!.workloadLabels = {};
    const res = run("ENABLED", [bare]);
    expect(meshStatus(res, bare)?.state).toBe("INVALID");
    expect(meshStatus(res, bare)?.errors?.[0]).toContain("globalAccessPolicy: the gateway istio-system/istio-ingressgateway of istiod-istio-system-east has no pod selector");
    expect(res.clusters["east"]?.map((o) => o.metadata.name)).toEqual(["global-access-control"]);
  });
});

describe("globalAccessPolicy: MESH_DEFAULT and DISABLED", () => {
  it("emit nothing", () => {
    for (const policy of ["MESH_DEFAULT", "DISABLED"]) {
      const r = run(policy);
      expect(r.clusters).toEqual({});
      expect(r.federation).toBeNull();
      expect(r.statuses.virtualMeshes["vm.meshhub"]?.state).toBe("ACCEPTED");
    }
  });
});
