/**
 * Federation decisions (issue #6): which service of which mesh is federated to which other mesh of its VirtualMesh,
 * and — for everything that is not — why, in the VirtualMesh status. Rendering (istio.ts, linkerd.ts, copies.ts)
 * only realises these decisions, and translators ask {@link FederationDecisions.unreachable} before routing to a
 * service on another cluster, so a route can never point at a host or mirror that federation does not create.
 *
 * Rules:
 * - A VirtualMesh federates when `federation` is set and at least two of its meshes are accepted.
 * - `federation.selectors` restrict what is federated: each selector federates the services its
 *   `destinationSelectors` pick (empty = every service of the VirtualMesh's meshes) to the meshes it lists (empty =
 *   every other mesh); selectors are OR-ed. No selectors (e.g. `permissive: {}`) = every service to every other mesh.
 *   Selectors restrict even when `permissive` is also set.
 * - Federation pairs meshes on different clusters (meshes on one cluster reach each other's services by their
 *   local names) and of the same type: Istio and Linkerd proxies cannot do mTLS with each other even with a shared
 *   root, so an Istio–Linkerd pair gets a `not federated:` note naming the services, why, and what would work. Such
 *   notes (and `note:` entries) leave the mesh ACCEPTED: the same-type pairs of the VirtualMesh still federate.
 * - Istio exports through the mesh's east-west gateway (else an ingress gateway with a `tls` port) with an external
 *   address; Linkerd through its multicluster gateway (optional with `flatNetwork: true`, where services are
 *   exported with `remote-discovery`). A mesh without one is INVALID in the VirtualMesh status with what is missing
 *   — it can still call the services other meshes federate to it.
 * - A non-default `hostnameSuffix` requires smart DNS proxying on every Istio mesh (as in Gloo Mesh): otherwise the
 *   VirtualMesh is INVALID naming the mesh, and no Istio service is federated.
 * - meshhub federates Linkerd ≥2.14 (the Link CRD with remote discovery).
 */
import { compareStrings } from "../codec/canonical.js";
import { parseLinkerdVersion } from "../discovery/versions.js";
import type { Mesh, MeshGateway, MeshService } from "../model/discovery.js";
import type { VirtualMesh } from "../model/networking.js";
import { describeRef, refOf, type PolicyRef } from "../resolve/order.js";
import { meshServiceKey, selectDestinations, serviceKey, type ServiceIndex } from "../resolve/selectors.js";
import type { StatusCollector } from "../resolve/status.js";
import { DEFAULT_FEDERATION_SUFFIX } from "../translate/istio/hosts.js";
import { flavourForVersion } from "../translate/linkerd/version.js";
import { PATCH_ANNOTATION } from "../translate/metadata.js";
import type { FederationLookup } from "../translate/types.js";

/** The label that exports a Service to linked Linkerd clusters. */
export const LINKERD_EXPORT_LABEL = "mirror.linkerd.io/exported";

export type MeshType = "istio" | "linkerd";

/** An accepted mesh of a VirtualMesh. */
export interface Member {
  /** `namespace/name`, as the pipeline keys meshes. */
  readonly key: string;
  /** `name.namespace`, as the VirtualMesh status keys meshes. */
  readonly statusKey: string;
  readonly mesh: Mesh;
  readonly type: MeshType;
  readonly cluster: string;
}

/** One service federated to one client mesh. */
export interface Export {
  /** `name.namespace.cluster` of the service. */
  readonly key: string;
  readonly service: MeshService;
  readonly server: Member;
  readonly client: Member;
}

/** The decisions for one VirtualMesh with at least one accepted mesh. */
export interface VirtualMeshDecisions {
  readonly vm: VirtualMesh;
  readonly ref: PolicyRef;
  /** Sorted by key. */
  readonly members: readonly Member[];
  /** `federation` is set and at least two meshes are accepted. */
  readonly federates: boolean;
  readonly suffix: string;
  readonly flat: boolean;
  /** Sorted by (service key, client key). */
  readonly exports: readonly Export[];
  /** The gateway each Istio mesh exports through. */
  readonly istioGateways: ReadonlyMap<string, MeshGateway>;
  /** The multicluster gateway of each Linkerd mesh (absent in flat mode when it has none). */
  readonly linkerdGateways: ReadonlyMap<string, MeshGateway>;
}

export interface DecideInput {
  /** In precedence order. */
  readonly virtualMeshes: readonly VirtualMesh[];
  /** Accepted grouping, from validateVirtualMeshes: mesh key (`namespace/name`) → VirtualMesh. */
  readonly virtualMeshOf: ReadonlyMap<string, VirtualMesh>;
  readonly meshes: ReadonlyMap<string, Mesh>;
  readonly index: ServiceIndex;
  readonly statuses: StatusCollector;
  /** Patch Services that already carry a hand-written export label (translate option `allowCoexisting`). */
  readonly allowCoexisting: boolean;
}

export interface FederationDecisions extends FederationLookup {
  /** Per VirtualMesh with at least one accepted mesh, in precedence order. */
  readonly virtualMeshes: readonly VirtualMeshDecisions[];
  /** Exports of a service, by service key. */
  exportsOf(serviceKey: string): readonly Export[];
}

export function meshKeyOf(m: Mesh): string {
  return `${m.metadata.namespace ?? ""}/${m.metadata.name}`;
}

export function meshTypeOf(m: Mesh): MeshType {
  return "istio" in m.spec ? "istio" : "linkerd";
}

export function meshClusterOf(m: Mesh): string {
  return ("istio" in m.spec ? m.spec.istio : m.spec.linkerd).installation.cluster;
}

/** `Istio mesh istiod-istio-system-east on cluster east`: how notes name a mesh. */
export function describeMember(m: Member): string {
  return `${m.type === "istio" ? "Istio" : "Linkerd"} mesh ${m.mesh.metadata.name} on cluster ${m.cluster}`;
}

function memberOf(mesh: Mesh): Member {
  const key = meshKeyOf(mesh);
  return { key, statusKey: `${mesh.metadata.name}.${mesh.metadata.namespace ?? ""}`, mesh, type: meshTypeOf(mesh), cluster: meshClusterOf(mesh) };
}

function byNamespaceName(a: MeshGateway, b: MeshGateway): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name);
}

/** What a gateway lacks to carry federated traffic; an Istio Gateway also selects its pods and listens on the container port. */
function missingOf(g: MeshGateway, port: string, istio: boolean): string[] {
  const missing: string[] = [];
  if (istio && Object.keys(g.workloadLabels).length === 0) missing.push("pod selector (a Gateway must select its pods)");
  if (!g.externalAddress) missing.push("external address (is its LoadBalancer still pending?)");
  if (g.externalTlsPort === undefined || (istio && g.tlsContainerPort === undefined)) missing.push(port);
  return missing;
}

/** The gateway an Istio mesh exports through: the first usable east-west gateway, else an ingress gateway with a `tls` port. */
export function istioFederationGateway(mesh: Mesh): { gateway: MeshGateway } | { problem: string } {
  if (!("istio" in mesh.spec)) return { problem: "not an Istio mesh" };
  const spec = mesh.spec.istio;
  const eastWest = [...spec.eastWestGateways].sort(byNamespaceName);
  const ingress = [...spec.ingressGateways].sort(byNamespaceName);
  const usable = (g: MeshGateway): boolean => missingOf(g, "", true).length === 0;
  const chosen = eastWest.find(usable) ?? ingress.find(usable);
  if (chosen) return { gateway: chosen };
  let detail: string;
  const first = eastWest[0];
  if (first) detail = `its east-west gateway ${first.namespace}/${first.name} has no ${missingOf(first, "mTLS port (15443)", true).join(" and no ")}`;
  else if (ingress.length > 0) detail = `no east-west gateway was discovered, and no ingress gateway (${ingress.map((g) => `${g.namespace}/${g.name}`).join(", ")}) has both a tls port and an external address`;
  else detail = `no east-west gateway (and no ingress gateway with a tls port) was discovered in namespace ${spec.installation.namespace}`;
  return {
    problem: `${detail}; install an east-west gateway exposing port 15443 (e.g. istio-eastwestgateway behind a LoadBalancer or NodePort) so other clusters can reach its services (the mesh can still call the services other meshes federate to it)`,
  };
}

/** The multicluster gateway of a Linkerd mesh; in flat mode, none is fine (pod-to-pod, remote discovery). */
function linkerdFederationGateway(mesh: Mesh, flat: boolean): { gateway?: MeshGateway } | { problem: string } {
  const gw = "linkerd" in mesh.spec ? mesh.spec.linkerd.multiclusterGateway : undefined;
  const missing = gw ? missingOf(gw, "mc-gateway port (4143)", false) : [];
  if (gw && missing.length === 0) return { gateway: gw };
  if (flat) return {};
  const detail = gw ? `its multicluster gateway ${gw.namespace}/${gw.name} has no ${missing.join(" and no ")}` : `no Linkerd multicluster gateway was discovered (linkerd multicluster install creates linkerd-multicluster/linkerd-gateway)`;
  return {
    problem: `${detail}; in gateway mode other clusters reach exported services only through it: install the linkerd-multicluster extension with its gateway, or set federation.flatNetwork: true when pods of all clusters can reach each other (the mesh can still call the services other meshes federate to it)`,
  };
}

function linkerdVersionProblem(mesh: Mesh): string | undefined {
  if (!("linkerd" in mesh.spec)) return undefined;
  const raw = mesh.spec.linkerd.version;
  const v = parseLinkerdVersion(raw);
  const label = flavourForVersion(raw).label;
  if (!v) return `cannot tell which Link version ${label} serves (the version is not a stable-2.x.y, edge-YY.M.N or version-2.x tag); fix the version discovery reports (Mesh spec.linkerd.version)`;
  const s = v.equivalentStable;
  if (s.major === 2 && s.minor < 14) return `meshhub federates Linkerd ≥2.14 (Link CRD with remote discovery) and the mesh runs ${label}; upgrade Linkerd`;
  return undefined;
}

/** Why an Istio and a Linkerd mesh cannot federate, and what would work. */
function crossMeshReason(server: Member): string {
  return server.type === "linkerd"
    ? "Istio sidecars verify SPIFFE URI SANs and Linkerd certificates carry DNS identities, so cross-mesh mTLS fails even with a shared root; expose the services through a Linkerd gateway (or a meshed ingress) and call them from the Istio mesh as external services (a MESH_EXTERNAL ServiceEntry) instead"
    : "Linkerd proxies expect the DNS identity of a Linkerd certificate and Istio certificates carry only SPIFFE URI SANs, so cross-mesh mTLS fails even with a shared root; expose the services through an Istio ingress gateway and call it from the Linkerd mesh as an external service instead";
}

/** A selector of `federation.selectors`, resolved: undefined sets mean "all". */
interface CompiledSelector {
  readonly services?: ReadonlySet<string>;
  readonly meshes?: ReadonlySet<string>;
}

function compileSelectors(vm: VirtualMesh, ref: PolicyRef, members: readonly Member[], index: ServiceIndex, statuses: StatusCollector): CompiledSelector[] | undefined {
  const selectors = vm.spec.federation?.selectors ?? [];
  if (selectors.length === 0) return undefined;
  const memberKeys = new Set(members.map((m) => m.key));
  return selectors.map((sel, i) => {
    const at = `federation.selectors[${i}]`;
    let services: Set<string> | undefined;
    if (sel.destinationSelectors?.length) {
      const picked = selectDestinations(sel.destinationSelectors, index);
      for (const e of picked.errors) statuses.policyError(ref, `${at}.destinationSelectors: ${e}`);
      services = new Set(picked.services.filter((s) => memberKeys.has(`${s.spec.mesh.namespace}/${s.spec.mesh.name}`)).map(meshServiceKey));
      for (const d of sel.destinationSelectors) {
        for (const r of d.kubeServiceRefs?.services ?? []) {
          const s = index.get(serviceKey(r));
          if (s && !memberKeys.has(`${s.spec.mesh.namespace}/${s.spec.mesh.name}`)) {
            statuses.policyError(ref, `${at}.destinationSelectors: ${serviceKey(r)} is in Mesh ${s.spec.mesh.namespace}/${s.spec.mesh.name}, which is not an accepted mesh of this VirtualMesh, so it is not federated; add its mesh to spec.meshes`);
          }
        }
      }
    }
    let meshes: Set<string> | undefined;
    if (sel.meshes?.length) {
      meshes = new Set();
      for (const m of sel.meshes) {
        const key = `${m.namespace}/${m.name}`;
        if (memberKeys.has(key)) meshes.add(key);
        else statuses.policyError(ref, `${at}.meshes: Mesh ${m.namespace}/${m.name} is not an accepted mesh of this VirtualMesh; nothing is federated to it`);
      }
    }
    return { ...(services ? { services } : {}), ...(meshes ? { meshes } : {}) };
  });
}

class VirtualMeshState implements VirtualMeshDecisions {
  readonly ref: PolicyRef;
  readonly members: Member[];
  readonly federates: boolean;
  readonly suffix: string;
  readonly flat: boolean;
  readonly exports: Export[] = [];
  readonly istioGateways = new Map<string, MeshGateway>();
  readonly linkerdGateways = new Map<string, MeshGateway>();
  /** Why Istio federation is off for the whole VirtualMesh. */
  istioOff?: string;
  /** Why a mesh's services cannot be exported / why a mesh cannot import, by mesh key. */
  readonly serverProblems = new Map<string, string>();
  readonly clientProblems = new Map<string, string>();
  private selectors: CompiledSelector[] | undefined;

  constructor(
    readonly vm: VirtualMesh,
    members: Member[],
    private readonly input: DecideInput,
  ) {
    this.ref = refOf(vm);
    this.members = members;
    const fed = vm.spec.federation;
    this.federates = fed !== undefined && members.length >= 2;
    this.suffix = fed?.hostnameSuffix ?? DEFAULT_FEDERATION_SUFFIX;
    this.flat = fed?.flatNetwork === true;
  }

  /** Services of a mesh that selectors federate to `client`. */
  selected(s: MeshService, client: Member): boolean {
    const key = this.input.index.keyOf(s);
    return this.selectors === undefined || this.selectors.some((c) => (!c.services || c.services.has(key)) && (!c.meshes || c.meshes.has(client.key)));
  }

  /** Why `s` (of `server`) is not federated to `client`, or undefined when it is. */
  reason(s: MeshService, server: Member, client: Member): string | undefined {
    if (server.type !== client.type) return crossMeshReason(server);
    if (server.cluster === client.cluster) return `both meshes are on cluster ${server.cluster}, where the service is reached by its own name`;
    if (server.type === "istio" && this.istioOff) return this.istioOff;
    const sp = this.serverProblems.get(server.key);
    if (sp) return `${describeMember(server)}: ${sp}`;
    const cp = this.clientProblems.get(client.key);
    if (cp) return `${describeMember(client)}: ${cp}`;
    const svc = this.serviceProblem(s, server);
    if (svc) return svc;
    if (!this.selected(s, client)) return `federation.selectors of ${describeRef(this.ref)} do not federate it to the mesh ${client.mesh.metadata.name}`;
    return undefined;
  }

  /** A property of the service itself that keeps it from being federated. */
  serviceProblem(s: MeshService, server: Member): string | undefined {
    const ks = s.spec.kubeService;
    if (server.type === "istio") {
      if (ks.ports.length === 0) return `${meshServiceKey(s)} has no ports`;
      if (ks.ports.every((p) => p.protocol === "UDP")) return `${meshServiceKey(s)} has only UDP ports, and the east-west gateway passes mTLS over TCP only`;
      return undefined;
    }
    const existing = ks.labels[LINKERD_EXPORT_LABEL];
    const wanted = this.flat ? "remote-discovery" : "true";
    if (existing !== undefined && existing !== wanted && ks.annotations?.[PATCH_ANNOTATION] === undefined && !this.input.allowCoexisting) {
      return `Service ${ks.ref.namespace}/${ks.ref.name} on cluster ${ks.ref.clusterName} already carries the hand-written label ${LINKERD_EXPORT_LABEL}=${JSON.stringify(existing)}, and federation would set ${JSON.stringify(wanted)}; meshhub does not overwrite a user's Service labels — remove the label, or set the translate option allowCoexisting`;
    }
    return undefined;
  }

  decide(servicesOf: (memberKey: string) => readonly MeshService[]): void {
    const { statuses } = this.input;
    const ref = this.ref;
    const fed = this.vm.spec.federation;
    if (!fed) return;
    if (!this.federates) {
      for (const m of this.members) statuses.report(ref, m.statusKey, "ACCEPTED", "note: federation has no effect: it needs at least two accepted meshes in the VirtualMesh");
      return;
    }
    this.selectors = compileSelectors(this.vm, ref, this.members, this.input.index, statuses);
    const istio = this.members.filter((m) => m.type === "istio");
    if (this.suffix !== DEFAULT_FEDERATION_SUFFIX && istio.length >= 2) {
      const without = istio.filter((m) => "istio" in m.mesh.spec && m.mesh.spec.istio.smartDnsProxyingEnabled !== true);
      for (const m of without) {
        statuses.policyError(
          ref,
          `mesh ${m.statusKey} does not have smart DNS proxying enabled (hostname suffix can only be specified if all grouped Istio meshes have it enabled): enable Istio DNS proxying (ISTIO_META_DNS_CAPTURE) on it, or drop federation.hostnameSuffix to use "${DEFAULT_FEDERATION_SUFFIX}"`,
        );
      }
      if (without.length > 0) {
        this.istioOff = `federation.hostnameSuffix ${JSON.stringify(this.suffix)} of ${describeRef(ref)} requires smart DNS proxying on every Istio mesh, and ${without.map((m) => m.statusKey).join(", ")} lack${without.length === 1 ? "s" : ""} it, so no Istio service is federated`;
      }
    }
    for (const m of this.members) {
      if (m.type === "istio") {
        const g = istioFederationGateway(m.mesh);
        if ("gateway" in g) this.istioGateways.set(m.key, g.gateway);
        else this.serverProblems.set(m.key, g.problem);
      } else {
        const version = linkerdVersionProblem(m.mesh);
        if (version) {
          this.serverProblems.set(m.key, version);
          this.clientProblems.set(m.key, version);
          continue;
        }
        const g = linkerdFederationGateway(m.mesh, this.flat);
        if ("problem" in g) this.serverProblems.set(m.key, g.problem);
        else if (g.gateway) this.linkerdGateways.set(m.key, g.gateway);
      }
    }
    for (const server of this.members) {
      for (const client of this.members) {
        if (client === server || client.cluster === server.cluster) continue;
        const candidates = servicesOf(server.key).filter((s) => this.selected(s, client));
        if (candidates.length === 0) continue;
        if (client.type !== server.type) {
          statuses.report(
            ref,
            server.statusKey,
            "ACCEPTED",
            `not federated: services ${candidates.map(meshServiceKey).join(", ")} of ${describeMember(server)} are not federated to ${describeMember(client)}: ${crossMeshReason(server)}`,
          );
          continue;
        }
        if (server.type === "istio" && this.istioOff) continue;
        const sp = this.serverProblems.get(server.key);
        if (sp) {
          statuses.report(ref, server.statusKey, "INVALID", `services of ${describeMember(server)} are not federated: ${sp}`);
          continue;
        }
        const cp = this.clientProblems.get(client.key);
        if (cp) {
          statuses.report(ref, client.statusKey, "INVALID", `${describeMember(client)} cannot call federated services: ${cp}`);
          continue;
        }
        for (const s of candidates) {
          const problem = this.serviceProblem(s, server);
          if (problem) {
            statuses.report(ref, server.statusKey, "ACCEPTED", `not federated: ${problem}`);
            continue;
          }
          this.exports.push({ key: this.input.index.keyOf(s), service: s, server, client });
          const udp = server.type === "istio" ? s.spec.kubeService.ports.filter((p) => p.protocol === "UDP").map((p) => p.port) : [];
          if (udp.length > 0) statuses.report(ref, server.statusKey, "ACCEPTED", `note: UDP port${udp.length > 1 ? "s" : ""} ${udp.join(", ")} of ${meshServiceKey(s)} ${udp.length > 1 ? "are" : "is"} not federated: the east-west gateway passes mTLS over TCP only`);
        }
      }
    }
    this.exports.sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.client.key, b.client.key));
    if (this.flat) {
      for (const m of istio) {
        if (this.exports.some((e) => e.server === m)) {
          statuses.report(ref, m.statusKey, "ACCEPTED", "note: federation.flatNetwork only changes how Linkerd meshes federate (remote discovery, pod to pod); Istio services are federated through the east-west gateway");
        }
      }
    }
  }
}

/** Decides federation for every VirtualMesh and reports what cannot be federated in the VirtualMesh statuses. */
export function decideFederation(input: DecideInput): FederationDecisions {
  const servicesByMesh = new Map<string, MeshService[]>();
  for (const s of input.index.all) {
    const key = `${s.spec.mesh.namespace}/${s.spec.mesh.name}`;
    const list = servicesByMesh.get(key);
    if (list) list.push(s);
    else servicesByMesh.set(key, [s]);
  }
  const states: VirtualMeshState[] = [];
  const stateOfMesh = new Map<string, VirtualMeshState>();
  for (const vm of input.virtualMeshes) {
    const keys = [...new Set(vm.spec.meshes.map((r) => `${r.namespace}/${r.name}`))].sort(compareStrings);
    const members = keys.flatMap((k) => {
      const mesh = input.meshes.get(k);
      return mesh && input.virtualMeshOf.get(k) === vm ? [memberOf(mesh)] : [];
    });
    if (members.length === 0) continue;
    const state = new VirtualMeshState(vm, members, input);
    state.decide((k) => servicesByMesh.get(k) ?? []);
    states.push(state);
    for (const m of members) stateOfMesh.set(m.key, state);
  }
  const exportsByService = new Map<string, Export[]>();
  for (const st of states) {
    for (const e of st.exports) {
      const list = exportsByService.get(e.key);
      if (list) list.push(e);
      else exportsByService.set(e.key, [e]);
    }
  }
  return {
    virtualMeshes: states,
    exportsOf: (key) => exportsByService.get(key) ?? [],
    unreachable(key: string, clientMesh: Mesh): string | undefined {
      const s = input.index.get(key);
      if (!s) return `${key} was not discovered`;
      const serverKey = `${s.spec.mesh.namespace}/${s.spec.mesh.name}`;
      const clientKey = meshKeyOf(clientMesh);
      const st = stateOfMesh.get(serverKey);
      const server = st?.members.find((m) => m.key === serverKey);
      const client = st?.members.find((m) => m.key === clientKey);
      if (!st || !server || !client) return `the mesh of ${key} and the mesh ${clientMesh.metadata.name} are not accepted members of one VirtualMesh`;
      if (!st.federates) return `${describeRef(st.ref)} does not federate (federation is not set, or fewer than two of its meshes are accepted)`;
      if ((exportsByService.get(key) ?? []).some((e) => e.client === client)) return undefined;
      return st.reason(s, server, client) ?? "it is not federated to that mesh";
    },
  };
}
