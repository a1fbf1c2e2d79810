import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import { ownedMetadata } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import { objectName } from "./names.js";
import { AUTHORIZATION_API } from "./version.js";

/**
 * The name of the MeshTLSAuthentication holding one AccessPolicy's identities in a namespace. The identities depend
 * only on the policy and the destination's mesh and cluster (one Linkerd per cluster), so every destination of the
 * policy in a namespace shares one object, as Linkerd's own examples do, instead of a copy per service.
 */
export function meshTlsAuthenticationName(source: PolicyRef): string {
  return objectName([source.name, source.namespace]);
}

/** A MeshTLSAuthentication: the mTLS identities one AccessPolicy allows (see identities.ts for their form). */
export function renderMeshTlsAuthentication(identities: readonly string[], ctx: DestinationContext, source: PolicyRef): KubeObject {
  return {
    apiVersion: AUTHORIZATION_API,
    kind: "MeshTLSAuthentication",
    metadata: ownedMetadata(meshTlsAuthenticationName(source), ctx.service.spec.kubeService.ref.namespace, [source]),
    spec: { identities: [...identities] },
  };
}
