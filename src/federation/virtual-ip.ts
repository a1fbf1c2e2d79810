import { fnv1_32 } from "../util/hash.js";

/**
 * The virtual IP (in 240.0.0.0/4) a federated service gets on client meshes. Gloo Mesh's scheme, kept so migrating
 * users keep their addresses: 32-bit FNV-1 over name + namespace + clusterName + "kube-service", bytes little-endian,
 * first byte OR 0xF0.
 */
export function federatedVirtualIp(name: string, namespace: string, clusterName: string): string {
  const h = fnv1_32(`${name}${namespace}${clusterName}kube-service`);
  return [(h & 0xff) | 0xf0, (h >>> 8) & 0xff, (h >>> 16) & 0xff, (h >>> 24) & 0xff].join(".");
}
