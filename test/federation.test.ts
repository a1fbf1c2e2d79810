/**
 * VirtualMesh federation (issue #6) through `translate()`: Istio federation as Gloo Mesh did it, selectors,
 * Istio + Linkerd in one VirtualMesh, missing gateways, smart DNS, determinism. Linkerd federation and global access
 * control are in federation-linkerd.test.ts and federation-access.test.ts. Every emitted object is validated against
 * the CRDs (test/helpers/federation.ts).
 */
import { describe, expect, it } from "vitest";
import { toCanonicalJson } from "../src/codec/canonical.js";
import { istioProtocol } from "../src/federation/protocol.js";
import { federatedVirtualIp } from "../src/federation/virtual-ip.js";
import type { Mesh, MeshService } from "../src/model/discovery.js";
import type { TranslationResult } from "../src/translate/index.js";
import { istioMesh, linkerdMesh, meshRef, service, trafficPolicy, virtualMesh, workload } from "./helpers/builders.js";
import { federationObject, ids, maybe, meshStatus, obj, owned, runFederation } from "./helpers/federation.js";

const ref = (name: string, clusterName: string, namespace = "bookinfo") => ({ name, namespace, clusterName });
const refs = (...services: ReturnType<typeof ref>[]) => [{ kubeServiceRefs: { services } }];
const VM = "VirtualMesh/meshhub/vm";

describe("federated virtual IPs", () => {
  it("are Gloo Mesh's FNV-1 addresses", () => {
    expect(federatedVirtualIp("some-svc", "some-ns", "cluster")).toBe("243.21.204.125");
    expect(federatedVirtualIp("reviews", "bookinfo", "west")).toMatch(/^(24\d|25[0-5])\.\d+\.\d+\.\d+$/);
  });
});

describe("Istio protocols of federated ports", () => {
  it("follow Istio's rules: appProtocol, then the port name prefix, well-known TCP ports, else sniffed", () => {
    const p = (port: number, name?: string, appProtocol?: string, protocol = "TCP") => istioProtocol({ port, protocol, ...(name ? { name } : {}), ...(appProtocol ? { appProtocol } : {}) });
    expect(p(80, "http")).toBe("HTTP");
    expect(p(80, "http-web")).toBe("HTTP");
    expect(p(80, "web", "http2")).toBe("HTTP2");
    expect(p(80, "web", "kubernetes.io/h2c")).toBe("HTTP2");
    expect(p(80, "grpc-web-api")).toBe("GRPC-Web");
    expect(p(80, "grpc")).toBe("GRPC");
    expect(p(80, "tcp-db")).toBe("TCP");
    expect(p(443, "https")).toBe("HTTPS");
    expect(p(3306)).toBe("TCP");
    expect(p(8080, "web")).toBeUndefined();
    expect(p(53, "dns", undefined, "UDP")).toBe("UDP");
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("Istio + Istio federation over two clusters", () => {
  const east = istioMesh("east", { trustDomain: "east.example", eastWestAddress: "198.51.100.10" });
  const west = istioMesh("west", { trustDomain: "west.example", eastWestAddress: "198.51.100.20" });
  const reviewsEast = service(east, "reviews", "bookinfo", { subsets: { version: ["v1", "v2"] } });
  const reviewsWest = service(west, "reviews", "bookinfo", { subsets: { version: ["v3"] } });
  const ratingsWest = service(west, "ratings", "bookinfo", {
    ports: [
      { port: 9080, name: "http", targetPort: 9080 },
      { port: 9090, name: "grpc-api", targetPort: 9090 },
    ],
  });
  const vm = virtualMesh("vm", { meshes: [meshRef(east), meshRef(west)], federation: { permissive: {} } });
  const spill = trafficPolicy("spill", {
    destinationSelector: refs(ref("reviews", "east")),
    policy: {
      requestTimeout: "2s",
      trafficShift: {
        destinations: [
          { kubeService: { ...ref("reviews", "east"), subset: { version: "v1" } }, weight: 80 },
          { kubeService: { ...ref("reviews", "west"), subset: { version: "v3" } }, weight: 20 },
        ],
      },
    },
  });
  // Only for callers on east: the federated copy on west must not carry it.
  const eastOnly = trafficPolicy("east-only", {
    destinationSelector: refs(ref("reviews", "east")),
    sourceSelector: [{ kubeWorkloadMatcher: { clusters: ["east"] } }],
    httpRequestMatchers: [{ prefix: "/admin" }],
    policy: { headerManipulation: { appendRequestHeaders: { "x-from": "east" } } },
  });
  const r = runFederation({ meshes: [east, west], services: [reviewsEast, reviewsWest, ratingsWest], trafficPolicies: [spill, eastOnly], virtualMeshes: [vm] });
  const EAST_HOST = "reviews.bookinfo.svc.east.global";
  const WEST_HOST = "reviews.bookinfo.svc.west.global";

  it("emits exactly the federation objects on each cluster", () => {
    expect(ids(r, "east")).toEqual([
      "DestinationRule bookinfo/reviews",
      "DestinationRule bookinfo/reviews-bookinfo-east",
      "DestinationRule istio-system/reviews-bookinfo-west",
      "Gateway istio-system/vm-meshhub",
      "ServiceEntry bookinfo/reviews.bookinfo.svc.east.global",
      "ServiceEntry istio-system/ratings.bookinfo.svc.west.global",
      "ServiceEntry istio-system/reviews.bookinfo.svc.west.global",
      "VirtualService bookinfo/reviews",
    ]);
    expect(ids(r, "west")).toEqual([
      "DestinationRule bookinfo/reviews",
      "DestinationRule bookinfo/reviews-bookinfo-west",
      "DestinationRule istio-system/reviews-bookinfo-east",
      "Gateway istio-system/vm-meshhub",
      "ServiceEntry bookinfo/reviews.bookinfo.svc.west.global",
      "ServiceEntry istio-system/ratings.bookinfo.svc.west.global",
      "ServiceEntry istio-system/reviews.bookinfo.svc.east.global",
      "VirtualService istio-system/reviews-bookinfo-east",
    ]);
    expect(r.statuses.virtualMeshes["vm.meshhub"]).toEqual({
      state: "ACCEPTED",
      meshes: { "istiod-istio-system-east.meshhub": { state: "ACCEPTED" }, "istiod-istio-system-west.meshhub": { state: "ACCEPTED" } },
    });
    for (const p of ["spill.meshhub", "east-only.meshhub"]) expect(r.statuses.trafficPolicies[p]?.destinations).toEqual({ "reviews.bookinfo.east": { state: "ACCEPTED" } });
  });

  it("opens an AUTO_PASSTHROUGH Gateway on each east-west gateway", () => {
    expect(obj(r, "east", "Gateway", "vm-meshhub")).toEqual({
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata: owned("vm-meshhub", "istio-system", VM),
      spec: {
        selector: { istio: "eastwestgateway" },
        servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, hosts: ["*.global"], tls: { mode: "AUTO_PASSTHROUGH" } }],
      },
    });
  });

  it("gives each client a ServiceEntry per federated service: virtual IP, Istio protocols, the remote gateway, the labels its routes need", () => {
    expect(obj(r, "east", "ServiceEntry", WEST_HOST)).toEqual(
      federationObject("ServiceEntry", WEST_HOST, "istio-system", "reviews.bookinfo.west", {
        hosts: [WEST_HOST],
        addresses: [federatedVirtualIp("reviews", "bookinfo", "west")],
        location: "MESH_INTERNAL",
        resolution: "DNS",
        ports: [{ number: 9080, name: "http", protocol: "HTTP" }],
        // The subset east's routes shift to, so the subset of the DestinationRule copy has an endpoint.
        endpoints: [{ address: "198.51.100.20", ports: { http: 15443 }, labels: { app: "reviews", version: "v3", "security.istio.io/tlsMode": "istio" } }],
      }),
    );
    expect(obj(r, "east", "ServiceEntry", "ratings.bookinfo.svc.west.global")["spec"]).toEqual({
      hosts: ["ratings.bookinfo.svc.west.global"],
      addresses: [federatedVirtualIp("ratings", "bookinfo", "west")],
      location: "MESH_INTERNAL",
      resolution: "DNS",
      ports: [
        { number: 9080, name: "http", protocol: "HTTP" },
        { number: 9090, name: "grpc-api", protocol: "GRPC" },
      ],
      endpoints: [{ address: "198.51.100.20", ports: { http: 15443, "grpc-api": 15443 }, labels: { app: "ratings", "security.istio.io/tlsMode": "istio" } }],
    });
  });

  it("resolves the SNI on the service's own cluster: a local ServiceEntry to the FQDN, or to the pods when subsets must be told apart", () => {
    expect(obj(r, "west", "ServiceEntry", "ratings.bookinfo.svc.west.global")).toEqual(
      federationObject("ServiceEntry", "ratings.bookinfo.svc.west.global", "istio-system", "ratings.bookinfo.west", {
        hosts: ["ratings.bookinfo.svc.west.global"],
        exportTo: ["."],
        location: "MESH_INTERNAL",
        resolution: "DNS",
        ports: [
          { number: 9080, name: "http", protocol: "HTTP" },
          { number: 9090, name: "grpc-api", protocol: "GRPC" },
        ],
        endpoints: [{ address: "ratings.bookinfo.svc.cluster.local", ports: { http: 9080, "grpc-api": 9090 } }],
      }),
    );
    expect(obj(r, "west", "ServiceEntry", WEST_HOST)).toEqual(
      federationObject("ServiceEntry", WEST_HOST, "bookinfo", "reviews.bookinfo.west", {
        hosts: [WEST_HOST],
        exportTo: ["istio-system"],
        location: "MESH_INTERNAL",
        resolution: "STATIC",
        ports: [{ number: 9080, name: "http", protocol: "HTTP", targetPort: 9080 }],
        workloadSelector: { labels: { app: "reviews" } },
      }),
    );
    expect(obj(r, "west", "DestinationRule", "reviews-bookinfo-west")).toEqual(
      federationObject("DestinationRule", "reviews-bookinfo-west", "bookinfo", "reviews.bookinfo.west", { host: WEST_HOST, exportTo: ["istio-system"], subsets: [{ name: "version-v3", labels: { version: "v3" } }] }, `TrafficPolicy/meshhub/spill,${VM}`),
    );
  });

  it("copies the VirtualService for the federated host to the client, as seen from the client's cluster", () => {
    expect(obj(r, "west", "VirtualService", "reviews-bookinfo-east")).toEqual(
      federationObject("VirtualService", "reviews-bookinfo-east", "istio-system", "reviews.bookinfo.east", {
        hosts: [EAST_HOST],
        // No /admin route: east-only's source clusters exclude west. The west target is local on west.
        http: [
          {
            name: "spill.meshhub",
            route: [
              { destination: { host: EAST_HOST, subset: "version-v1", port: { number: 9080 } }, weight: 80 },
              { destination: { host: "reviews.bookinfo.svc.cluster.local", subset: "version-v3", port: { number: 9080 } }, weight: 20 },
            ],
            timeout: "2s",
          },
        ],
      }, `TrafficPolicy/meshhub/spill,${VM}`),
    );
    expect(obj(r, "west", "DestinationRule", "reviews-bookinfo-east", "istio-system")["spec"]).toEqual({ host: EAST_HOST, subsets: [{ name: "version-v1", labels: { version: "v1" } }] });
    // The local VirtualService keeps both routes.
    expect((obj(r, "east", "VirtualService", "reviews")["spec"] as { http: { name: string }[] }).http.map((h) => h.name)).toEqual(["east-only.meshhub", "spill.meshhub"]);
  });

  it("routes a cross-cluster shift to a federated host that exists on the client, with the subset defined there", () => {
    const vs = obj(r, "east", "VirtualService", "reviews")["spec"] as { http: { name: string; route: { destination: { host: string; subset?: string } }[] }[] };
    const remote = vs.http.find((h) => h.name === "spill.meshhub")!.route[1]!.destination;
    expect(remote).toEqual({ host: WEST_HOST, subset: "version-v3", port: { number: 9080 } });
    expect((obj(r, "east", "ServiceEntry", WEST_HOST)["spec"] as { hosts: string[] }).hosts).toEqual([WEST_HOST]);
    expect(obj(r, "east", "DestinationRule", "reviews-bookinfo-west")).toEqual(
      federationObject("DestinationRule", "reviews-bookinfo-west", "istio-system", "reviews.bookinfo.west", { host: WEST_HOST, subsets: [{ name: "version-v3", labels: { version: "v3" } }] }, `TrafficPolicy/meshhub/spill,${VM}`),
    );
  });

  it("describes every export in the federation plan", () => {
    expect(r.federation).toEqual({
      apiVersion: "federation.meshhub.io/v1alpha1",
      kind: "FederationPlan",
      virtualMeshes: [
        {
          virtualMesh: "vm.meshhub",
          hostnameSuffix: "global",
          flatNetwork: false,
          globalAccessPolicy: "MESH_DEFAULT",
          services: [
            { service: "ratings.bookinfo.west", mesh: "istiod-istio-system-west.meshhub", clients: [{ mesh: "istiod-istio-system-east.meshhub", cluster: "east", reachedAs: "ratings.bookinfo.svc.west.global", virtualIp: federatedVirtualIp("ratings", "bookinfo", "west") }] },
            { service: "reviews.bookinfo.east", mesh: "istiod-istio-system-east.meshhub", clients: [{ mesh: "istiod-istio-system-west.meshhub", cluster: "west", reachedAs: EAST_HOST, virtualIp: federatedVirtualIp("reviews", "bookinfo", "east") }] },
            { service: "reviews.bookinfo.west", mesh: "istiod-istio-system-west.meshhub", clients: [{ mesh: "istiod-istio-system-east.meshhub", cluster: "east", reachedAs: WEST_HOST, virtualIp: federatedVirtualIp("reviews", "bookinfo", "west") }] },
          ],
          secrets: [],
          restarts: [],
        },
      ],
    });
  });

  it("uses v1beta1 for a client on Istio 1.21, and named target ports keep subsets of a federated service out of reach", () => {
    const old = istioMesh("west", { trustDomain: "west.example", eastWestAddress: "198.51.100.20", version: "1.21.4" });
    const named = service(old, "reviews", "bookinfo", { subsets: { version: ["v3"] }, ports: [{ port: 9080, name: "http", targetPort: "http-port" }] });
    const retry = trafficPolicy("retry", { destinationSelector: refs(ref("reviews", "east")), policy: { retries: { attempts: 3 } } });
    const res = runFederation({ meshes: [east, old], services: [reviewsEast, named], trafficPolicies: [spill, retry], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(east), meshRef(old)], federation: {} })] });
    expect(obj(res, "west", "VirtualService", "reviews-bookinfo-east").apiVersion).toBe("networking.istio.io/v1beta1");
    const s = res.statuses.trafficPolicies["spill.meshhub"]?.destinations["reviews.bookinfo.east"];
    expect(s?.state).toBe("INVALID");
    expect(s?.errors?.[0]).toContain('subset version=v3 of reviews.bookinfo.west cannot be reached from cluster east: the east-west gateway of cluster west picks a subset\'s pods through a ServiceEntry workloadSelector, and service port 9080 → "http-port" of bookinfo/reviews targets a named container port');
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("federation selectors", () => {
  const [c1, c2, c3] = ["c1", "c2", "c3"].map((c, i) => istioMesh(c, { trustDomain: `${c}.example`, eastWestAddress: `198.51.100.${i + 1}` })) as [Mesh, Mesh, Mesh];
  const services = [service(c1, "reviews", "bookinfo"), service(c1, "ratings", "bookinfo"), service(c2, "details", "bookinfo"), service(c3, "ratings", "bookinfo"), service(c3, "productpage", "bookinfo")];
  const selectors = [
    { destinationSelectors: refs(ref("reviews", "c1")), meshes: [meshRef(c2)] },
    { destinationSelectors: [{ kubeServiceMatcher: { clusters: ["c2"] } }] },
    { destinationSelectors: refs(ref("ratings", "c3")), meshes: [meshRef(c1)] },
  ];
  const vm = virtualMesh("vm", { meshes: [meshRef(c1), meshRef(c2), meshRef(c3)], federation: { permissive: {}, selectors } });
  const shift = (name: string, from: string, to: ReturnType<typeof ref>) => trafficPolicy(name, { destinationSelector: refs(ref(from === "c3" ? "productpage" : "reviews", from)), policy: { trafficShift: { destinations: [{ kubeService: to, weight: 1 }] } } });
  const r = runFederation({
    meshes: [c1, c2, c3],
    services,
    virtualMeshes: [vm],
    trafficPolicies: [shift("to-ratings", "c1", ref("ratings", "c3")), shift("to-reviews", "c3", ref("reviews", "c1"))],
  });
  // Client ServiceEntries are the ones with a virtual IP.
  const entries = (c: string) => (r.clusters[c] ?? []).filter((o) => o.kind === "ServiceEntry" && (o["spec"] as { addresses?: unknown }).addresses).map((o) => o.metadata.name);

  it("federate the selected services to the selected meshes only", () => {
    expect(entries("c1")).toEqual(["details.bookinfo.svc.c2.global", "ratings.bookinfo.svc.c3.global"]);
    expect(entries("c2")).toEqual(["reviews.bookinfo.svc.c1.global"]);
    expect(entries("c3")).toEqual(["details.bookinfo.svc.c2.global"]);
    expect(r.federation?.virtualMeshes[0]?.services.map((s) => `${s.service} → ${s.clients.map((c) => c.cluster).join(",")}`)).toEqual(["details.bookinfo.c2 → c1,c3", "ratings.bookinfo.c3 → c1", "reviews.bookinfo.c1 → c2"]);
    expect(r.statuses.virtualMeshes["vm.meshhub"]?.state).toBe("ACCEPTED");
  });

  it("refuse a shift to a service the selectors do not federate to the client, and report what a federated copy cannot carry", () => {
    const refused = r.statuses.trafficPolicies["to-reviews.meshhub"]?.destinations["productpage.bookinfo.c3"];
    expect(refused?.state).toBe("INVALID");
    expect(refused?.errors).toEqual([
      "traffic-shift: reviews.bookinfo.c1 on cluster c1 is not federated to the mesh istiod-istio-system-c3 of cluster c3, so its federated host reviews.bookinfo.svc.c1.global does not exist there: federation.selectors of VirtualMesh meshhub/vm do not federate it to the mesh istiod-istio-system-c3",
    ]);
    expect(maybe(r, "c3", "VirtualService", "productpage")).toBeUndefined();
    // Local on c1 ratings.c3 is federated; the copy for c2's clients cannot reach it.
    const copy = r.statuses.trafficPolicies["to-ratings.meshhub"]?.destinations["reviews.bookinfo.c1"];
    expect(copy?.state).toBe("INVALID");
    expect(copy?.errors?.[0]).toMatch(/^for clients on cluster c2 \(federated copy for Istio mesh istiod-istio-system-c2 on cluster c2\): traffic-shift: ratings\.bookinfo\.c3 on cluster c3 is not federated to the mesh istiod-istio-system-c2/);
    expect(obj(r, "c1", "VirtualService", "reviews")["spec"]).toMatchObject({ http: [{ route: [{ destination: { host: "ratings.bookinfo.svc.c3.global" } }] }] });
    expect(maybe(r, "c2", "VirtualService", "reviews-bookinfo-c1")).toBeUndefined();
  });

  it("make the VirtualMesh INVALID when they name services or meshes outside it", () => {
    const outside = istioMesh("c9", { trustDomain: "c9.example" });
    const bad = virtualMesh("vm", {
      meshes: [meshRef(c1), meshRef(c2)],
      federation: { selectors: [{ destinationSelectors: refs(ref("nope", "c1"), ref("lonely", "c9")), meshes: [meshRef(outside)] }] },
    });
    const res = runFederation({ meshes: [c1, c2, outside], services: [...services, service(outside, "lonely", "bookinfo")], virtualMeshes: [bad] });
    expect(res.statuses.virtualMeshes["vm.meshhub"]?.state).toBe("INVALID");
    expect(res.statuses.virtualMeshes["vm.meshhub"]?.errors).toEqual([
      "federation.selectors[0].destinationSelectors: Destination nope.bookinfo.c1 not found",
      "federation.selectors[0].destinationSelectors: lonely.bookinfo.c9 is in Mesh meshhub/istiod-istio-system-c9, which is not an accepted mesh of this VirtualMesh, so it is not federated; add its mesh to spec.meshes",
      "federation.selectors[0].meshes: Mesh meshhub/istiod-istio-system-c9 is not an accepted mesh of this VirtualMesh; nothing is federated to it",
    ]);
    expect(ids(res, "c1")).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("Istio + Linkerd in one VirtualMesh", () => {
  const i1 = istioMesh("c1", { trustDomain: "c1.example", eastWestAddress: "198.51.100.1" });
  const i2 = istioMesh("c2", { trustDomain: "c2.example", eastWestAddress: "198.51.100.2" });
  const l3 = linkerdMesh("c3", { trustDomain: "c3.example", gatewayAddress: "198.51.100.3" });
  const l4 = linkerdMesh("c4", { trustDomain: "c4.example", gatewayAddress: "198.51.100.4" });
  const meshes = [i1, i2, l3, l4];
  const services = meshes.map((m) => service(m, "web", "shop"));
  const vm = virtualMesh("vm", { meshes: meshes.map(meshRef), federation: { permissive: {} } });
  const r = runFederation({ meshes, services, virtualMeshes: [vm] });

  it("notes per mesh pair which services are not federated, why, and what would work, and stays ACCEPTED", () => {
    const st = r.statuses.virtualMeshes["vm.meshhub"]!;
    expect(st.state).toBe("ACCEPTED");
    expect(st.errors).toBeUndefined();
    for (const m of meshes) {
      const s = meshStatus(r, m)!;
      expect(s.state).toBe("ACCEPTED");
      expect(s.errors).toHaveLength(2);
      for (const e of s.errors!) expect(e).toMatch(/^not federated: /);
    }
    expect(meshStatus(r, l3)?.errors?.[0]).toBe(
      "not federated: services web.shop.c3 of Linkerd mesh linkerd-destination-linkerd-c3 on cluster c3 are not federated to Istio mesh istiod-istio-system-c1 on cluster c1: Istio sidecars verify SPIFFE URI SANs and Linkerd certificates carry DNS identities, so cross-mesh mTLS fails even with a shared root; expose the services through a Linkerd gateway (or a meshed ingress) and call them from the Istio mesh as external services (a MESH_EXTERNAL ServiceEntry) instead",
    );
    expect(meshStatus(r, i1)?.errors?.[1]).toBe(
      "not federated: services web.shop.c1 of Istio mesh istiod-istio-system-c1 on cluster c1 are not federated to Linkerd mesh linkerd-destination-linkerd-c4 on cluster c4: Linkerd proxies expect the DNS identity of a Linkerd certificate and Istio certificates carry only SPIFFE URI SANs, so cross-mesh mTLS fails even with a shared root; expose the services through an Istio ingress gateway and call it from the Linkerd mesh as an external service instead",
    );
  });

  it("still federates the same-type pairs", () => {
    expect(ids(r, "c1")).toEqual(["Gateway istio-system/vm-meshhub", "ServiceEntry istio-system/web.shop.svc.c2.global", "ServiceEntry istio-system/web.shop.svc.c1.global"].sort());
    expect(ids(r, "c3")).toEqual(["Link linkerd-multicluster/c4", "Service shop/web"]);
    expect(r.federation?.virtualMeshes[0]?.services.map((s) => `${s.service} → ${s.clients.map((c) => c.reachedAs).join(",")}`)).toEqual([
      "web.shop.c1 → web.shop.svc.c1.global",
      "web.shop.c2 → web.shop.svc.c2.global",
      "web.shop.c3 → shop/web-c3",
      "web.shop.c4 → shop/web-c4",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("missing gateways", () => {
  const withGateway = istioMesh("c1", { trustDomain: "c1.example", eastWestAddress: "198.51.100.1" });
  const without = istioMesh("c2", { trustDomain: "c2.example" });
  const services = [service(withGateway, "reviews", "bookinfo"), service(without, "reviews", "bookinfo")];
  const shift = trafficPolicy("spill", { destinationSelector: refs(ref("reviews", "c1")), policy: { trafficShift: { destinations: [{ kubeService: ref("reviews", "c2"), weight: 1 }] } } });

  it("make an Istio mesh without an east-west (or tls ingress) gateway INVALID, say which gateway is missing, and keep it a client", () => {
    const r = runFederation({ meshes: [withGateway, without], services, trafficPolicies: [shift], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(withGateway), meshRef(without)], federation: {} })] });
    expect(meshStatus(r, without)).toEqual({
      state: "INVALID",
      errors: [
        "services of Istio mesh istiod-istio-system-c2 on cluster c2 are not federated: no east-west gateway (and no ingress gateway with a tls port) was discovered in namespace istio-system; install an east-west gateway exposing port 15443 (e.g. istio-eastwestgateway behind a LoadBalancer or NodePort) so other clusters can reach its services (the mesh can still call the services other meshes federate to it)",
      ],
    });
    expect(meshStatus(r, withGateway)).toEqual({ state: "ACCEPTED" });
    expect(ids(r, "c2")).toEqual(["ServiceEntry istio-system/reviews.bookinfo.svc.c1.global"]);
    const s = r.statuses.trafficPolicies["spill.meshhub"]?.destinations["reviews.bookinfo.c1"];
    expect(s?.state).toBe("INVALID");
    expect(s?.errors?.[0]).toContain("so its federated host reviews.bookinfo.svc.c2.global does not exist there: Istio mesh istiod-istio-system-c2 on cluster c2: no east-west gateway");
    expect(maybe(r, "c1", "ServiceEntry", "reviews.bookinfo.svc.c2.global")).toBeUndefined();
  });

  it("name an east-west gateway without an external address", () => {
    const pending: Mesh = istioMesh("c2", { trustDomain: "c2.example", eastWestAddress: "x" });
    if ("istio" in pending.spec) delete pending.spec.istio.eastWestGateways[0]!.externalAddress;
    const r = runFederation({ meshes: [withGateway, pending], services, virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(withGateway), meshRef(pending)], federation: {} })] });
    expect(meshStatus(r, pending)?.state).toBe("INVALID");
    expect(meshStatus(r, pending)?.errors?.[0]).toContain("its east-west gateway istio-system/istio-eastwestgateway has no external address (is its LoadBalancer still pending?); install an east-west gateway");
  });

  it("fall back to the ingress gateway's tls port", () => {
    const ingressOnly = istioMesh("c2", { trustDomain: "c2.example", ingressAddress: "198.51.100.2" });
    const r = runFederation({ meshes: [withGateway, ingressOnly], services: [services[0]!, service(ingressOnly, "reviews", "bookinfo")], virtualMeshes: [virtualMesh("vm", { meshes: [meshRef(withGateway), meshRef(ingressOnly)], federation: {} })] });
    expect(obj(r, "c2", "Gateway", "vm-meshhub")["spec"]).toEqual({
      selector: { istio: "ingressgateway" },
      servers: [{ port: { number: 8443, name: "tls", protocol: "TLS" }, hosts: ["*.global"], tls: { mode: "AUTO_PASSTHROUGH" } }],
    });
    expect((obj(r, "c1", "ServiceEntry", "reviews.bookinfo.svc.c2.global")["spec"] as { endpoints: unknown[] }).endpoints).toEqual([
      { address: "198.51.100.2", ports: { http: 443 }, labels: { app: "reviews", "security.istio.io/tlsMode": "istio" } },
    ]);
    expect(r.statuses.virtualMeshes["vm.meshhub"]?.state).toBe("ACCEPTED");
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("hostname suffix", () => {
  const mesh = (c: string, smartDnsProxyingEnabled: boolean) => istioMesh(c, { trustDomain: `${c}.example`, eastWestAddress: `198.51.100.${c.slice(1)}`, smartDnsProxyingEnabled });
  const vmOf = (a: Mesh, b: Mesh) => virtualMesh("vm", { meshes: [meshRef(a), meshRef(b)], federation: { hostnameSuffix: "mesh.internal" } });

  it("requires smart DNS proxying on every Istio mesh, as Gloo Mesh did: otherwise nothing Istio is federated", () => {
    const [a, b] = [mesh("c1", true), mesh("c2", false)];
    const r = runFederation({ meshes: [a, b], services: [service(a, "reviews", "bookinfo"), service(b, "reviews", "bookinfo")], virtualMeshes: [vmOf(a, b)] });
    expect(r.statuses.virtualMeshes["vm.meshhub"]?.state).toBe("INVALID");
    expect(r.statuses.virtualMeshes["vm.meshhub"]?.errors).toEqual([
      'mesh istiod-istio-system-c2.meshhub does not have smart DNS proxying enabled (hostname suffix can only be specified if all grouped Istio meshes have it enabled): enable Istio DNS proxying (ISTIO_META_DNS_CAPTURE) on it, or drop federation.hostnameSuffix to use "global"',
    ]);
    expect(r.clusters).toEqual({});
  });

  it("names federated hosts with the suffix when every mesh proxies DNS", () => {
    const [a, b] = [mesh("c1", true), mesh("c2", true)];
    const r = runFederation({ meshes: [a, b], services: [service(a, "reviews", "bookinfo"), service(b, "reviews", "bookinfo")], virtualMeshes: [vmOf(a, b)] });
    expect(ids(r, "c1")).toContain("ServiceEntry istio-system/reviews.bookinfo.svc.c2.mesh.internal");
    expect((obj(r, "c1", "Gateway", "vm-meshhub")["spec"] as { servers: { hosts: string[] }[] }).servers[0]?.hosts).toEqual(["*.mesh.internal"]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("federation determinism", () => {
  const i1 = istioMesh("c1", { trustDomain: "c1.example", eastWestAddress: "198.51.100.1" });
  const i2 = istioMesh("c2", { trustDomain: "c2.example", eastWestAddress: "198.51.100.2" });
  const l3 = linkerdMesh("c3", { trustDomain: "c3.example", gatewayAddress: "198.51.100.3", version: "stable-2.17.2" });
  const l4 = linkerdMesh("c4", { trustDomain: "c4.example", gatewayAddress: "198.51.100.4" });
  const meshes = [i1, i2, l3, l4];
  const services: MeshService[] = meshes.flatMap((m) => [service(m, "web", "shop", { subsets: { version: ["v1", "v2"] } }), service(m, "api", "shop", { ports: [{ port: 8080, name: "http" }, { port: 9090, name: "grpc" }] })]);
  const workloads = meshes.map((m) => workload(m, "web", "shop"));
  const policies = [
    trafficPolicy("a", { destinationSelector: refs(ref("web", "c1", "shop")), policy: { requestTimeout: "1s", trafficShift: { destinations: [{ kubeService: { ...ref("web", "c2", "shop"), subset: { version: "v2" } }, weight: 1 }] } } }),
    trafficPolicy("b", { destinationSelector: refs(ref("web", "c3", "shop")), policy: { trafficShift: { destinations: [{ kubeService: { ...ref("web", "c4", "shop"), port: 9080 }, weight: 1 }] } } }),
    trafficPolicy("c", { destinationSelector: [], policy: { retries: { attempts: 2 } } }),
  ];
  const vms = [
    virtualMesh("vm", { meshes: [meshRef(i1), meshRef(i2), meshRef(l3), meshRef(l4)], federation: { selectors: [{ meshes: [meshRef(i1), meshRef(l3), meshRef(l4)] }, { destinationSelectors: refs(ref("web", "c1", "shop")) }] }, globalAccessPolicy: "ENABLED" }),
    virtualMesh("zz-other", { meshes: [meshRef(i1)] }),
  ];
  const render = (r: TranslationResult) => toCanonicalJson({ clusters: r.clusters, statuses: r.statuses, federation: r.federation });

  it("gives identical output for both input orders", () => {
    const forward = render(runFederation({ meshes, services, workloads, trafficPolicies: policies, virtualMeshes: vms }));
    const backward = render(runFederation({ meshes: [...meshes].reverse(), services: [...services].reverse(), workloads: [...workloads].reverse(), trafficPolicies: [...policies].reverse(), virtualMeshes: [...vms].reverse() }));
    expect(backward).toBe(forward);
    expect(forward).toContain("web.shop.svc.c2.global");
    expect(forward).toContain("web-c4");
  });
});
