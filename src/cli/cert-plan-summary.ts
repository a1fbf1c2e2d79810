import type { CertificatePlan, DeliveryObject, IntermediatePlan, VirtualMeshCertificatePlan } from "../trust/types.js";
import { formatFields, indent, makeStyle, plural, type Style } from "./output.js";

const day = (iso: string): string => iso.slice(0, 10);
const DAY_MS = 86_400_000;

function subject(s: { commonName?: string; organization?: string }): string {
  return [s.commonName !== undefined ? `CN=${s.commonName}` : undefined, s.organization !== undefined ? `O=${s.organization}` : undefined].filter(Boolean).join(", ") || "-";
}

function validity(notBefore: string, notAfter: string): string {
  const days = Math.round((Date.parse(notAfter) - Date.parse(notBefore)) / DAY_MS);
  return `${day(notBefore)} → ${day(notAfter)} (${plural(days, "day")})`;
}

/** `Secret istio-system/cacerts on east [ca-cert.pem, …]`: names only, never contents. */
export function deliveryText(d: DeliveryObject): string {
  return `${d.kind} ${d.namespace}/${d.name} ${d.cluster === null ? "on the management plane" : `on ${d.cluster}`} [${Object.keys(d.keys).join(", ")}]${d.containsPrivateKey ? " (holds a private key)" : ""}`;
}

function intermediate(i: IntermediatePlan, style: Style): string {
  const fields = formatFields(
    [
      ["Role", `${i.role} (key ${i.keyGeneration === "target-cluster-agent" ? "generated on the target cluster by an agent; it never leaves it" : "generated locally by the signer"})`],
      ["Subject", subject(i.csr.subject)],
      ["SANs", [...i.csr.sans.uris, ...i.csr.sans.dnsNames].join(", ") || "-"],
      ["Key", i.csr.key.algorithm],
      ["Valid", `${validity(i.notBefore, i.notAfter)}${i.cappedByRoot ? ", capped by the root's expiry" : ""}`],
      ["Delivered as", i.deliver.map(deliveryText).join("; ")],
      ["Restart", i.restart.summary],
    ],
    style,
  );
  const steps = i.restart.steps.map((s) => `${s.order}. ${s.cluster} ${s.tier}: ${s.manual}`);
  return [
    `${style.bold(`Mesh ${i.mesh.name}`)} (cluster ${i.mesh.cluster}, ${i.mesh.type} ${i.mesh.version}, trust domain ${i.mesh.trustDomain})`,
    indent(fields),
    ...(steps.length > 0 ? [indent(`Restart order:\n${indent(steps.join("\n"))}`)] : []),
    ...i.notes.map((n) => indent(`note: ${n}`)),
  ].join("\n");
}

function virtualMesh(vm: VirtualMeshCertificatePlan, style: Style): string {
  const r = vm.root;
  const root =
    r.source === "generated"
      ? formatFields(
          [
            ["Root CA", `${r.action === "generate" ? "generate a new root" : "reuse the root already generated"} (${r.key.algorithm}, chosen by ${r.keyChosenBy})`],
            ["Subject", subject(r.subject)],
            ["Valid", validity(r.notBefore, r.notAfter)],
            ["Stored in", deliveryText(r.storage)],
          ],
          style,
        )
      : formatFields(
          [
            ["Root CA", `from Secret ${r.secret.namespace}/${r.secret.name} on the management plane`],
            ["Accepted keys", r.acceptedKeys.map((k) => `${k.certificate} + ${k.privateKey}`).join(" or ")],
            ["Expires", r.existing?.notAfter !== undefined ? day(r.existing.notAfter) : undefined],
          ],
          style,
        );
  return [
    style.bold(`VirtualMesh ${vm.virtualMesh.namespace}/${vm.virtualMesh.name}`),
    indent(root),
    ...vm.intermediates.map((i) => indent(intermediate(i, style))),
    ...vm.warnings.map((w) => indent(`warning: ${w}`)),
  ].join("\n");
}

/**
 * The certificate plan for humans: roots, one intermediate per mesh with its subject and SANs, where each is
 * delivered (Secret / ConfigMap names and data keys, never contents), the restart order and the expiry dates.
 * The plan itself holds no key material.
 */
export function formatCertificatePlan(plan: CertificatePlan | null, style: Style = makeStyle(false)): string {
  if (plan === null) return "No certificate plan: no VirtualMesh asks for shared trust (mtlsConfig.shared).\n";
  const head = `Computed at ${plan.now}; intermediates' keys: ${plan.keyGeneration === "target-cluster-agent" ? "generated on each target cluster by an agent" : "generated locally"}; expiry grace ${plural(plan.graceDays, "day")}.`;
  const skipped = plan.skipped.map((s) => `VirtualMesh ${s.virtualMesh.namespace}/${s.virtualMesh.name}: not planned: ${s.reason}`);
  return `${[head, ...plan.virtualMeshes.map((vm) => virtualMesh(vm, style)), ...skipped].join("\n")}\n`;
}
