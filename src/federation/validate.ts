import type { Mesh } from "../model/discovery.js";
import type { VirtualMesh } from "../model/networking.js";
import { describeRef, refOf } from "../resolve/order.js";
import type { StatusCollector } from "../resolve/status.js";

/**
 * Checks VirtualMeshes (given in precedence order): every referenced mesh must exist, and a mesh may belong to
 * one VirtualMesh only — a later VirtualMesh that includes an already grouped mesh is INVALID for that mesh,
 * naming the first. Returns the accepted grouping: mesh key (`namespace/name`) → VirtualMesh.
 */
export function validateVirtualMeshes(virtualMeshes: readonly VirtualMesh[], meshes: ReadonlyMap<string, Mesh>, statuses: StatusCollector): Map<string, VirtualMesh> {
  const owner = new Map<string, VirtualMesh>();
  for (const vm of virtualMeshes) {
    const ref = refOf(vm);
    statuses.register(ref, vm.metadata.generation);
    for (const m of vm.spec.meshes) {
      const meshKey = `${m.namespace}/${m.name}`;
      const statusKey = `${m.name}.${m.namespace}`;
      if (!meshes.has(meshKey)) {
        const known = [...meshes.keys()].sort();
        statuses.report(ref, statusKey, "INVALID", `Mesh ${m.namespace}/${m.name} not found${known.length ? ` (discovered: ${known.join(", ")})` : " (no meshes were discovered)"}`);
        continue;
      }
      const first = owner.get(meshKey);
      if (first && first !== vm) {
        statuses.report(ref, statusKey, "INVALID", `Includes a Mesh (${m.namespace}/${m.name}) that already is grouped in a VirtualMesh (${describeRef(refOf(first))}), which takes precedence`);
        continue;
      }
      owner.set(meshKey, vm);
      statuses.report(ref, statusKey, "ACCEPTED");
    }
    if (vm.spec.mtlsConfig?.limited) statuses.policyError(ref, "mtlsConfig.limited trust is not supported: use mtlsConfig.shared");
    if (vm.spec.mtlsConfig?.shared?.intermediateCertificateAuthority) {
      statuses.policyError(ref, "mtlsConfig.shared.intermediateCertificateAuthority (Vault) is a Gloo Mesh Enterprise feature meshhub does not support: use rootCertificateAuthority.generated or .secret");
    }
  }
  return owner;
}
