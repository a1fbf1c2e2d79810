/**
 * Linkerd reads some outbound settings (failure accrual) from annotations on the Service, which the user owns.
 * meshhub never rewrites that Service: it emits a server-side-apply patch that carries only its annotations,
 * marked with `meshhub.io/patch: server-side-apply`. No spec — and deliberately no owner label, so the adapters never
 * treat the user's Service as meshhub's (and never prune it); the sources annotation says which policies the
 * annotations come from. Federation patches Services (only the export label) and Namespaces (the default inbound
 * policy annotation) the same way ({@link renderMetadataPatch}); two patches of one object are merged.
 */
import type { KubeObject } from "../../model/common.js";
import type { PolicyRef } from "../../resolve/order.js";
import { PATCH_ANNOTATION, PATCH_SERVER_SIDE_APPLY, SOURCES_ANNOTATION, sourceId } from "../metadata.js";
import { compareStrings } from "../../codec/canonical.js";

function sourcesValue(ids: Iterable<string>): string {
  return [...new Set(ids)].sort(compareStrings).join(",");
}

/** A server-side-apply patch of a core object meshhub does not own (`v1` Service or Namespace): only labels and annotations. */
export function renderMetadataPatch(
  kind: "Service" | "Namespace",
  name: string,
  namespace: string | undefined,
  fields: { labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> },
  sources: readonly PolicyRef[],
): KubeObject {
  return {
    apiVersion: "v1",
    kind,
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(fields.labels && Object.keys(fields.labels).length > 0 ? { labels: { ...fields.labels } } : {}),
      annotations: { ...fields.annotations, [PATCH_ANNOTATION]: PATCH_SERVER_SIDE_APPLY, [SOURCES_ANNOTATION]: sourcesValue(sources.map(sourceId)) },
    },
  };
}

export function renderServicePatch(name: string, namespace: string, annotations: Readonly<Record<string, string>>, sources: readonly PolicyRef[]): KubeObject {
  return renderMetadataPatch("Service", name, namespace, { annotations }, sources);
}

function mergeMaps(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    if (k === SOURCES_ANNOTATION) continue;
    if (out[k] !== undefined && out[k] !== v) return undefined;
    out[k] = v;
  }
  return out;
}

/**
 * Two server-side-apply patches of the same object (e.g. failure accrual and the federation export label on one
 * Service) as one patch, with both sources; undefined when they are not both patches or set a key differently.
 */
export function mergeMetadataPatches(a: KubeObject, b: KubeObject): KubeObject | undefined {
  const isPatch = (o: KubeObject): boolean => o.metadata.annotations?.[PATCH_ANNOTATION] === PATCH_SERVER_SIDE_APPLY && Object.keys(o).every((k) => k === "apiVersion" || k === "kind" || k === "metadata");
  if (!isPatch(a) || !isPatch(b)) return undefined;
  const labels = mergeMaps(a.metadata.labels, b.metadata.labels);
  const annotations = mergeMaps(a.metadata.annotations, b.metadata.annotations);
  if (!labels || !annotations) return undefined;
  const sources = [a, b].flatMap((o) => (o.metadata.annotations?.[SOURCES_ANNOTATION] ?? "").split(",").filter((s) => s !== ""));
  return {
    apiVersion: a.apiVersion,
    kind: a.kind,
    metadata: {
      name: a.metadata.name,
      ...(a.metadata.namespace !== undefined ? { namespace: a.metadata.namespace } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      annotations: { ...annotations, [SOURCES_ANNOTATION]: sourcesValue(sources) },
    },
  };
}
