/**
 * Linkerd reads some outbound settings (failure accrual) from annotations on the Service, which the user owns.
 * meshhub never rewrites that Service: it emits a server-side-apply patch that carries only its annotations,
 * marked with `meshhub.io/patch: server-side-apply`. No spec, no labels — and deliberately no owner label, so the
 * adapters never treat the user's Service as meshhub's (and never prune it); the sources annotation says which
 * policies the annotations come from.
 */
import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import { PATCH_ANNOTATION, PATCH_SERVER_SIDE_APPLY, SOURCES_ANNOTATION, sourceId } from "../metadata.js";
import { compareStrings } from "../../codec/canonical.js";

export function renderServicePatch(name: string, namespace: string, annotations: Readonly<Record<string, string>>, sources: readonly PolicyRef[]): KubeObject {
  const ids = [...new Set(sources.map(sourceId))].sort(compareStrings);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace,
      annotations: { ...annotations, [PATCH_ANNOTATION]: PATCH_SERVER_SIDE_APPLY, [SOURCES_ANNOTATION]: ids.join(",") },
    },
  };
}
