import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import { ownedMetadata, sourceId, SOURCES_ANNOTATION } from "../metadata.js";
import { deepFreeze } from "../../util/freeze.js";
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

/** The object per identity list (one per rule, mesh and cluster) and namespace: every destination there emits it. */
const RENDERED = new WeakMap<readonly string[], Map<string, KubeObject>>();

/**
 * A MeshTLSAuthentication: the mTLS identities one AccessPolicy allows (see identities.ts for their form). The
 * destinations of the policy in a namespace all contribute it: they share one frozen object.
 */
export function renderMeshTlsAuthentication(identities: readonly string[], ctx: DestinationContext, source: PolicyRef): KubeObject {
  const namespace = ctx.service.spec.kubeService.ref.namespace;
  let byNamespace = RENDERED.get(identities);
  if (!byNamespace) RENDERED.set(identities, (byNamespace = new Map()));
  let rendered = byNamespace.get(namespace);
  // An identity list belongs to one rule, so to one policy; checked anyway, as a mix-up would name the wrong source.
  if (rendered?.metadata.annotations?.[SOURCES_ANNOTATION] !== sourceId(source)) {
    rendered = deepFreeze({
      apiVersion: AUTHORIZATION_API,
      kind: "MeshTLSAuthentication",
      metadata: ownedMetadata(meshTlsAuthenticationName(source), namespace, [source]),
      spec: { identities: [...identities] },
    });
    byNamespace.set(namespace, rendered);
  }
  return rendered;
}
