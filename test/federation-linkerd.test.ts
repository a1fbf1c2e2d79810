/**
 * Linkerd federation (issue #6) through `translate()`: export label patches, Links in the version each client serves,
 * mirror backendRefs, flat networks, missing gateways and versions, hand-written labels, selectors Linkerd cannot
 * honour per client, and the credentials Secrets the adapter must create.
 */
import { describe, expect, it } from "vitest";
import type { Mesh } from "../src/model/discovery.js";
import { linkerdMesh, meshRef, service, trafficPolicy, virtualMesh } from "./helpers/builders.js";
import { ids, meshStatus, obj, owned, runFederation } from "./helpers/federation.js";

const VM = "VirtualMesh/meshhub/vm";
const web = (clusterName: string) => ({ name: "web", namespace: "shop", clusterName });

describe("Linkerd + Linkerd federation", () => {
  const l16 = linkerdMesh("c16", { version: "edge-24.8.2", trustDomain: "c16.example", gatewayAddress: "198.51.100.16" });
  const l17 = linkerdMesh("c17", { version: "stable-2.17.1", trustDomain: "c17.example", gatewayAddress: "198.51.100.17" });
  const l18 = linkerdMesh("c18", { version: "edge-25.4.4", trustDomain: "c18.example", gatewayAddress: "198.51.100.18", namespace: "linkerd-edge" });
  const meshes = [l16, l17, l18];
  const services = meshes.map((m) => service(m, "web", "shop", { ports: [{ port: 80, name: "http", targetPort: 8080 }] }));
  const split = trafficPolicy("split", {
    destinationSelector: [{ kubeServiceRefs: { services: [web("c18")] } }],
    policy: {
      trafficShift: {
        destinations: [
          { kubeService: web("c18"), weight: 90 },
          { kubeService: web("c16"), weight: 10 },
        ],
      },
    },
  });
  const vm = virtualMesh("vm", { meshes: meshes.map(meshRef), federation: { permissive: {} } });
  const r = runFederation({ meshes, services, trafficPolicies: [split], virtualMeshes: [vm] });

  it("exports every federated Service with a label-only server-side-apply patch, never owned by meshhub", () => {
    expect(obj(r, "c16", "Service", "web")).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "web",
        namespace: "shop",
        labels: { "mirror.linkerd.io/exported": "true" },
        annotations: { "meshhub.io/patch": "server-side-apply", "meshhub.io/sources": VM },
      },
    });
  });

  it("links every client to every target in the Link version the client serves (2.16 → v1alpha1, 2.17 → v1alpha2, 2.18+ → v1alpha3)", () => {
    const links = (c: string) => ids(r, c).filter((i) => i.startsWith("Link "));
    expect(links("c16")).toEqual(["Link linkerd-multicluster/c17", "Link linkerd-multicluster/c18"]);
    expect(obj(r, "c16", "Link", "c17").apiVersion).toBe("multicluster.linkerd.io/v1alpha1");
    expect(obj(r, "c17", "Link", "c16").apiVersion).toBe("multicluster.linkerd.io/v1alpha2");
    expect(obj(r, "c18", "Link", "c17").apiVersion).toBe("multicluster.linkerd.io/v1alpha3");
    expect(obj(r, "c17", "Link", "c18")).toEqual({
      apiVersion: "multicluster.linkerd.io/v1alpha2",
      kind: "Link",
      metadata: owned("c18", "linkerd-multicluster", VM, { "meshhub.io/cluster-credentials": "linkerd-multicluster/cluster-credentials-c18" }),
      spec: {
        targetClusterName: "c18",
        targetClusterDomain: "cluster.local",
        targetClusterLinkerdNamespace: "linkerd-edge",
        clusterCredentialsSecret: "cluster-credentials-c18",
        gatewayAddress: "198.51.100.18",
        gatewayPort: "4143",
        gatewayIdentity: "linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd-edge.c18.example",
        probeSpec: { path: "/ready", port: "4191", period: "3s" },
        selector: { matchLabels: { "mirror.linkerd.io/exported": "true" } },
        remoteDiscoverySelector: { matchLabels: { "mirror.linkerd.io/exported": "remote-discovery" } },
      },
    });
  });

  it("routes a shift to a service on another cluster to its mirror", () => {
    const route = obj(r, "c18", "HTTPRoute", "web-80");
    expect(route.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect((route["spec"] as { rules: { backendRefs: unknown }[] }).rules[0]?.backendRefs).toEqual([
      { name: "web", port: 80, weight: 90 },
      { name: "web-c16", port: 80, weight: 10 },
    ]);
    expect(r.statuses.trafficPolicies["split.meshhub"]?.destinations["web.shop.c18"]).toEqual({ state: "ACCEPTED" });
  });

  it("names the credentials Secrets the cluster adapter must create, and notes that policies stay on the service's cluster", () => {
    const plan = r.federation!.virtualMeshes[0]!;
    expect(plan.secrets.filter((s) => s.cluster === "c17" && s.fromCluster === "c18")).toEqual([
      {
        cluster: "c17",
        namespace: "linkerd",
        name: "cluster-credentials-c18",
        labels: { "multicluster.linkerd.io/cluster-name": "c18" },
        type: "mirror.linkerd.io/remote-kubeconfig",
        key: "kubeconfig",
        fromCluster: "c18",
        serviceAccount: { namespace: "linkerd-multicluster", name: "linkerd-service-mirror-remote-access-default" },
        usedBy: "Link linkerd-multicluster/c18",
      },
      {
        cluster: "c17",
        namespace: "linkerd-multicluster",
        name: "cluster-credentials-c18",
        type: "mirror.linkerd.io/remote-kubeconfig",
        key: "kubeconfig",
        fromCluster: "c18",
        serviceAccount: { namespace: "linkerd-multicluster", name: "linkerd-service-mirror-remote-access-default" },
        usedBy: "Link linkerd-multicluster/c18",
      },
    ]);
    expect(plan.secrets).toHaveLength(12);
    expect(plan.services.find((s) => s.service === "web.shop.c16")?.clients).toEqual([
      { mesh: "linkerd-destination-linkerd-c17.meshhub", cluster: "c17", reachedAs: "shop/web-c16" },
      { mesh: "linkerd-destination-linkerd-edge-c18.meshhub", cluster: "c18", reachedAs: "shop/web-c16" },
    ]);
    expect(meshStatus(r, l18)).toEqual({
      state: "ACCEPTED",
      errors: [
        "note: the TrafficPolicies of web.shop.c18 (meshhub/split) are applied by Linkerd proxies on cluster c18 only; Linkerd mesh linkerd-destination-linkerd-c16 on cluster c16, Linkerd mesh linkerd-destination-linkerd-c17 on cluster c17 call it through the mirror shop/web-c18, which meshhub does not configure yet",
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("Linkerd gateways and flat networks", () => {
  const a = linkerdMesh("c1", { trustDomain: "c1.example", gatewayAddress: "198.51.100.1" });
  const b = linkerdMesh("c2", { trustDomain: "c2.example" });
  const services = [service(a, "web", "shop"), service(b, "web", "shop")];
  const toB = trafficPolicy("to-b", { destinationSelector: [{ kubeServiceRefs: { services: [web("c1")] } }], policy: { trafficShift: { destinations: [{ kubeService: web("c2"), weight: 1 }] } } });

  it("flatNetwork exports with remote-discovery, and links a target without a gateway pod to pod", () => {
    const r = runFederation({ meshes: [a, b], services, trafficPolicies: [toB], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(a), meshRef(b)], federation: { flatNetwork: true } })] });
    expect(obj(r, "c2", "Service", "web").metadata.labels).toEqual({ "mirror.linkerd.io/exported": "remote-discovery" });
    expect(obj(r, "c1", "Link", "c2")["spec"]).toEqual({
      targetClusterName: "c2",
      targetClusterDomain: "cluster.local",
      targetClusterLinkerdNamespace: "linkerd",
      clusterCredentialsSecret: "cluster-credentials-c2",
      remoteDiscoverySelector: { matchLabels: { "mirror.linkerd.io/exported": "remote-discovery" } },
    });
    expect(obj(r, "c2", "Link", "c1")["spec"]).toMatchObject({ gatewayAddress: "198.51.100.1", gatewayPort: "4143" });
    expect(r.statuses.virtualMeshes["vm.meshhub"]?.state).toBe("ACCEPTED");
    expect(meshStatus(r, b)).toEqual({ state: "ACCEPTED" });
    expect(meshStatus(r, a)?.errors).toEqual([
      "note: the TrafficPolicies of web.shop.c1 (meshhub/to-b) are applied by Linkerd proxies on cluster c1 only; Linkerd mesh linkerd-destination-linkerd-c2 on cluster c2 calls it through the mirror shop/web-c1, which meshhub does not configure yet",
    ]);
    expect(r.statuses.trafficPolicies["to-b.meshhub"]?.destinations["web.shop.c1"]).toEqual({ state: "ACCEPTED" });
  });

  it("in gateway mode, a target without a multicluster gateway is INVALID and exports nothing; it can still call", () => {
    const r = runFederation({ meshes: [a, b], services, trafficPolicies: [toB], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(a), meshRef(b)], federation: { permissive: {} } })] });
    expect(meshStatus(r, b)).toEqual({
      state: "INVALID",
      errors: [
        "services of Linkerd mesh linkerd-destination-linkerd-c2 on cluster c2 are not federated: no Linkerd multicluster gateway was discovered (linkerd multicluster install creates linkerd-multicluster/linkerd-gateway); in gateway mode other clusters reach exported services only through it: install the linkerd-multicluster extension with its gateway, or set federation.flatNetwork: true when pods of all clusters can reach each other (the mesh can still call the services other meshes federate to it)",
      ],
    });
    expect(ids(r, "c1")).toEqual(["Service shop/web"]);
    expect(ids(r, "c2")).toEqual(["Link linkerd-multicluster/c1"]);
    const s = r.statuses.trafficPolicies["to-b.meshhub"]?.destinations["web.shop.c1"];
    expect(s?.state).toBe("INVALID");
    expect(s?.errors?.[0]).toContain("web.shop.c2 is not exported to the Linkerd mesh linkerd-destination-linkerd-c1, so no mirror is created for it: Linkerd mesh linkerd-destination-linkerd-c2 on cluster c2: no Linkerd multicluster gateway was discovered");
  });

  it("refuses Linkerd before 2.14 as target and client", () => {
    const old = linkerdMesh("c2", { version: "stable-2.13.7", trustDomain: "c2.example", gatewayAddress: "198.51.100.2" });
    const r = runFederation({ meshes: [a, old], services: [services[0]!, service(old, "web", "shop")], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(a), meshRef(old)], federation: {} })] });
    expect(meshStatus(r, old)?.state).toBe("INVALID");
    expect(meshStatus(r, old)?.errors).toEqual([
      "Linkerd mesh linkerd-destination-linkerd-c2 on cluster c2 cannot call federated services: meshhub federates Linkerd ≥2.14 (Link CRD with remote discovery) and the mesh runs Linkerd stable-2.13.7; upgrade Linkerd",
      "services of Linkerd mesh linkerd-destination-linkerd-c2 on cluster c2 are not federated: meshhub federates Linkerd ≥2.14 (Link CRD with remote discovery) and the mesh runs Linkerd stable-2.13.7; upgrade Linkerd",
    ]);
    expect(r.clusters).toEqual({});
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("Linkerd export labels", () => {
  const a = linkerdMesh("c1", { trustDomain: "c1.example", gatewayAddress: "198.51.100.1" });
  const b = linkerdMesh("c2", { trustDomain: "c2.example", gatewayAddress: "198.51.100.2" });
  const c = linkerdMesh("c3", { trustDomain: "c3.example", gatewayAddress: "198.51.100.3" });

  it("are not overwritten when hand-written with another value, unless allowCoexisting", () => {
    const handWritten = service(b, "web", "shop", { labels: { app: "web", "mirror.linkerd.io/exported": "remote-discovery" } });
    const estate = { meshes: [a, b], services: [service(a, "web", "shop"), handWritten], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(a), meshRef(b)], federation: {} })] };
    const r = runFederation(estate);
    expect(meshStatus(r, b)?.errors).toEqual([
      'not federated: Service shop/web on cluster c2 already carries the hand-written label mirror.linkerd.io/exported="remote-discovery", and federation would set "true"; meshhub does not overwrite a user\'s Service labels — remove the label, or set the translate option allowCoexisting',
    ]);
    expect(ids(r, "c2")).toEqual(["Link linkerd-multicluster/c1"]);
    const forced = runFederation({ ...estate, options: { allowCoexisting: true } });
    expect(obj(forced, "c2", "Service", "web").metadata.labels).toEqual({ "mirror.linkerd.io/exported": "true" });
  });

  it("are merged with failure-accrual annotations into one patch of the Service", () => {
    const accrual = trafficPolicy("accrual", { destinationSelector: [{ kubeServiceRefs: { services: [web("c2")] } }], policy: { outlierDetection: { consecutiveErrors: 4 } } });
    const r = runFederation({ meshes: [a, b], services: [service(a, "web", "shop"), service(b, "web", "shop")], trafficPolicies: [accrual], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(a), meshRef(b)], federation: {} })] });
    expect(obj(r, "c2", "Service", "web").metadata).toEqual({
      name: "web",
      namespace: "shop",
      labels: { "mirror.linkerd.io/exported": "true" },
      annotations: {
        "balancer.linkerd.io/failure-accrual": "consecutive",
        "balancer.linkerd.io/failure-accrual-consecutive-max-failures": "4",
        "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": "30s",
        "meshhub.io/patch": "server-side-apply",
        "meshhub.io/sources": `TrafficPolicy/meshhub/accrual,${VM}`,
      },
    });
  });

  it("cannot be restricted per client: the status says where selectors are widened", () => {
    const meshes: Mesh[] = [a, b, c];
    const services = [service(a, "web", "shop"), service(a, "api", "shop"), service(b, "web", "shop")];
    // api.c1 → c2 only, web.c1 → c3 only: both clusters link to c1, so both mirror both.
    const selectors = [
      { destinationSelectors: [{ kubeServiceRefs: { services: [{ name: "api", namespace: "shop", clusterName: "c1" }] } }], meshes: [meshRef(b)] },
      { destinationSelectors: [{ kubeServiceRefs: { services: [web("c1")] } }], meshes: [meshRef(c)] },
    ];
    const r = runFederation({ meshes, services, virtualMeshes: [virtualMesh("vm", { meshes: meshes.map(meshRef), federation: { selectors } })] });
    expect(meshStatus(r, a)?.state).toBe("ACCEPTED");
    expect(meshStatus(r, a)?.errors).toEqual([
      "note: api.shop.c1 is also mirrored by Linkerd mesh linkerd-destination-linkerd-c3 on cluster c3, which federation.selectors do not federate it to: Linkerd's mirror.linkerd.io/exported label exports a Service to every cluster linked to cluster c1, and meshhub links those clusters for other services; meshhub routes nothing to that mirror, but its callers could — restrict access to the service with an AccessPolicy",
      "note: web.shop.c1 is also mirrored by Linkerd mesh linkerd-destination-linkerd-c2 on cluster c2, which federation.selectors do not federate it to: Linkerd's mirror.linkerd.io/exported label exports a Service to every cluster linked to cluster c1, and meshhub links those clusters for other services; meshhub routes nothing to that mirror, but its callers could — restrict access to the service with an AccessPolicy",
    ]);
    expect(ids(r, "c2")).toEqual(["Link linkerd-multicluster/c1"]);
  });
});
