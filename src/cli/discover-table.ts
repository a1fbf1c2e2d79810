import { compareStrings } from "../codec/canonical.js";
import { CLUSTER_LABEL } from "../discovery/naming.js";
import type { Discovery } from "../discovery/types.js";
import type { Mesh, MeshGateway, MeshService, MeshWorkload } from "../model/discovery.js";
import { formatColumns, indent, makeStyle, type Style } from "./output.js";

export { formatColumns };

function gatewayText(kind: string, g: MeshGateway): string {
  const address = g.externalAddress ?? "<no address>";
  const port = g.externalTlsPort !== undefined ? `:${g.externalTlsPort}` : "";
  return `${kind} ${g.namespace}/${g.name} ${address}${port}`;
}

function meshRow(m: Mesh): string[] {
  if ("istio" in m.spec) {
    const s = m.spec.istio;
    const gateways = [...s.ingressGateways.map((g) => gatewayText("ingress", g)), ...s.eastWestGateways.map((g) => gatewayText("east-west", g))];
    const version = s.installation.revision ? `${s.installation.version} (rev ${s.installation.revision})` : s.installation.version;
    return [m.metadata.name, "istio", version, s.installation.namespace, s.trustDomain, gateways.join(", ") || "-"];
  }
  const s = m.spec.linkerd;
  const gateways = s.multiclusterGateway ? [gatewayText("multicluster", s.multiclusterGateway)] : [];
  return [m.metadata.name, "linkerd", s.version, s.installation.namespace, s.trustDomain, gateways.join(", ") || "-"];
}

function workloadRow(w: MeshWorkload): string[] {
  const c = w.spec.kubernetes.controller;
  return [`${c.namespace}/${c.name}`, c.kind, w.spec.mesh.name, w.spec.kubernetes.serviceAccountName];
}

function serviceRow(s: MeshService): string[] {
  const k = s.spec.kubeService;
  const ports = k.ports.map((p) => `${p.port}${p.name ? `/${p.name}` : ""}`).join(",") || "-";
  const subsets =
    Object.keys(k.subsets)
      .sort(compareStrings)
      .map((key) => `${key}=${(k.subsets[key]?.values ?? []).join("|")}`)
      .join(" ") || "-";
  return [`${k.ref.namespace}/${k.ref.name}${k.headless ? " (headless)" : ""}`, ports, subsets, s.spec.mesh.name];
}

function clusterOfMesh(m: Mesh): string {
  return "istio" in m.spec ? m.spec.istio.installation.cluster : m.spec.linkerd.installation.cluster;
}

/**
 * Renders a discovery as plain-text tables, per cluster: meshes (type, version, namespace, trust domain, gateways
 * with addresses), workloads (name, kind, mesh, service account) and services (name, ports, subsets). No colour codes
 * unless a coloured `style` is given.
 */
export function formatDiscoveryTable(d: Discovery, style: Style = makeStyle(false)): string {
  const names = new Set<string>();
  for (const c of d.clusters) names.add(c.metadata.name);
  for (const m of d.meshes) names.add(clusterOfMesh(m));
  for (const w of d.workloads) names.add(w.spec.kubernetes.controller.clusterName);
  for (const s of d.services) names.add(s.spec.kubeService.ref.clusterName);
  const domainOf = new Map(d.clusters.map((c) => [c.metadata.labels?.[CLUSTER_LABEL] ?? c.metadata.name, c.spec?.clusterDomain ?? "cluster.local"] as const));
  const sections: string[] = [];
  for (const cluster of [...names].sort(compareStrings)) {
    const meshes = d.meshes.filter((m) => clusterOfMesh(m) === cluster);
    const workloads = d.workloads.filter((w) => w.spec.kubernetes.controller.clusterName === cluster);
    const services = d.services.filter((s) => s.spec.kubeService.ref.clusterName === cluster);
    const lines: string[] = [style.cyan(style.bold(`CLUSTER ${cluster}`)) + ` (domain ${domainOf.get(cluster) ?? "cluster.local"})`, ""];
    lines.push(`Meshes (${meshes.length})`);
    lines.push(meshes.length === 0 ? "  none" : indent(formatColumns(["NAME", "TYPE", "VERSION", "NAMESPACE", "TRUST DOMAIN", "GATEWAYS"], meshes.map(meshRow), style)));
    lines.push("", `Workloads (${workloads.length})`);
    lines.push(workloads.length === 0 ? "  none" : indent(formatColumns(["NAME", "KIND", "MESH", "SERVICE ACCOUNT"], workloads.map(workloadRow), style)));
    lines.push("", `Services (${services.length})`);
    lines.push(services.length === 0 ? "  none" : indent(formatColumns(["NAME", "PORTS", "SUBSETS", "MESH"], services.map(serviceRow), style)));
    sections.push(lines.join("\n"));
  }
  if (sections.length === 0) sections.push("No clusters discovered.");
  const errors = d.diagnostics.filter((x) => x.severity === "error").length;
  const warnings = d.diagnostics.length - errors;
  if (d.diagnostics.length > 0) sections.push(`${errors} error(s), ${warnings} warning(s) while discovering.`);
  return `${sections.join("\n\n")}\n`;
}

