import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import { destinationMetadata } from "../metadata.js";
import type { DestinationContext } from "../types.js";
import { AUTHORIZATION_API } from "./version.js";

/** A MeshTLSAuthentication: the mTLS identities one AccessPolicy allows (see identities.ts for their form). */
export function renderMeshTlsAuthentication(name: string, identities: readonly string[], ctx: DestinationContext, source: PolicyRef): KubeObject {
  return {
    apiVersion: AUTHORIZATION_API,
    kind: "MeshTLSAuthentication",
    metadata: destinationMetadata(name, ctx.service.spec.kubeService.ref.namespace, [source], ctx.key),
    spec: { identities: [...identities] },
  };
}
