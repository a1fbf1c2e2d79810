import { compareStrings } from "../codec/canonical.js";
import type { DiagnosticSink } from "./diagnostics.js";
import type { ImageRef } from "./images.js";
import { imageBaseName, parseImageRef } from "./images.js";
import type { RawObject } from "./snapshot-index.js";
import { asArray, asInt, asString, getIn, isRecord, literalEnv } from "./util.js";

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
}

export interface ContainerInfo {
  readonly name: string;
  readonly image: string;
  readonly imageRef: ImageRef;
  /** `Always` marks a native sidecar among init containers. */
  readonly restartPolicy?: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
}

/** What discovery needs from a Pod or a pod template. */
export interface PodSpecInfo {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly serviceAccountName: string;
  readonly containers: readonly ContainerInfo[];
  readonly initContainers: readonly ContainerInfo[];
  readonly nodeName?: string;
}

export type MeshType = "istio" | "linkerd";

export interface DetectedProxy {
  readonly mesh: MeshType;
  readonly container: ContainerInfo;
  /** True when the proxy is a native sidecar (an init container with `restartPolicy: Always`). */
  readonly native: boolean;
}

function readStringMapField(o: RawObject, value: unknown, path: string, sink: DiagnosticSink): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (!isRecord(value)) {
    sink.object(o, "error", "not a map of strings; ignored", { path, expected: "a map of strings", value });
    return out;
  }
  for (const key of Object.keys(value).sort(compareStrings)) {
    const v = value[key];
    if (typeof v === "string") out[key] = v;
    else sink.object(o, "error", "value is not a string; ignored", { path: `${path}.${key}`, expected: "a string", value: v });
  }
  return out;
}

function readContainers(o: RawObject, value: unknown, path: string, sink: DiagnosticSink): ContainerInfo[] {
  if (value === undefined || value === null) return [];
  const list = asArray(value);
  if (!list) {
    sink.object(o, "error", "containers are not a list; ignored", { path, expected: "a list of containers", value });
    return [];
  }
  const out: ContainerInfo[] = [];
  list.forEach((c, i) => {
    if (!isRecord(c)) {
      sink.object(o, "error", "container is not an object; ignored", { path: `${path}[${i}]`, expected: "a container", value: c });
      return;
    }
    const name = asString(c.name) ?? "";
    const image = asString(c.image) ?? "";
    if (c.image !== undefined && typeof c.image !== "string") sink.object(o, "error", "container image is not a string", { path: `${path}[${i}].image`, expected: "a string", value: c.image });
    const ports: ContainerPort[] = [];
    for (const p of asArray(c.ports) ?? []) {
      const containerPort = asInt(getIn(p, ["containerPort"]));
      if (containerPort === undefined) continue;
      const pname = asString(getIn(p, ["name"]));
      ports.push(pname === undefined ? { containerPort } : { name: pname, containerPort });
    }
    out.push({
      name,
      image,
      imageRef: parseImageRef(image),
      restartPolicy: asString(c.restartPolicy),
      args: [...(asArray(c.args) ?? []), ...(asArray(c.command) ?? [])].filter((a): a is string => typeof a === "string"),
      env: literalEnv(c.env),
      ports,
    });
  });
  return out;
}

function readSpec(o: RawObject, spec: unknown, path: string, labels: Record<string, string>, annotations: Record<string, string>, sink: DiagnosticSink): PodSpecInfo {
  if (spec !== undefined && !isRecord(spec)) sink.object(o, "error", "pod spec is not an object; ignored", { path, expected: "an object", value: spec });
  const s = isRecord(spec) ? spec : {};
  const sa = asString(s.serviceAccountName) ?? asString(s.serviceAccount);
  return {
    labels,
    annotations,
    serviceAccountName: sa === undefined || sa === "" ? "default" : sa,
    containers: readContainers(o, s.containers, `${path}.containers`, sink),
    initContainers: readContainers(o, s.initContainers, `${path}.initContainers`, sink),
    nodeName: asString(s.nodeName),
  };
}

/** Reads a Pod's labels, annotations and spec. */
export function readPod(o: RawObject, sink: DiagnosticSink): PodSpecInfo {
  return readSpec(o, o.raw.spec, "spec", { ...o.labels }, { ...o.annotations }, sink);
}

/** Reads `spec.template` of a Deployment, StatefulSet or DaemonSet; undefined (with a diagnostic) when unusable. */
export function readPodTemplate(o: RawObject, sink: DiagnosticSink): PodSpecInfo | undefined {
  const spec = o.raw.spec;
  if (!isRecord(spec)) {
    sink.object(o, "error", `${o.kind} spec is not an object; its pod template cannot be read`, { path: "spec", expected: "an object", value: spec });
    return undefined;
  }
  const template = spec.template;
  if (!isRecord(template)) {
    sink.object(o, "error", "pod template is missing or not an object", { path: "spec.template", expected: "an object", value: template });
    return undefined;
  }
  const meta = template.metadata;
  if (meta !== undefined && meta !== null && !isRecord(meta)) sink.object(o, "error", "pod template metadata is not an object; ignored", { path: "spec.template.metadata", expected: "an object", value: meta });
  const labels = readStringMapField(o, getIn(meta, ["labels"]), "spec.template.metadata.labels", sink);
  const annotations = readStringMapField(o, getIn(meta, ["annotations"]), "spec.template.metadata.annotations", sink);
  return readSpec(o, template.spec, "spec.template.spec", labels, annotations, sink);
}

/** `spec.selector.matchLabels` (string entries only). */
export function readMatchLabels(o: RawObject, sink: DiagnosticSink): Record<string, string> {
  return readStringMapField(o, getIn(o.raw, ["spec", "selector", "matchLabels"]), "spec.selector.matchLabels", sink);
}

function isIstioProxy(c: ContainerInfo): boolean {
  return c.name === "istio-proxy" || imageBaseName(c.imageRef) === "proxyv2";
}

function isLinkerdProxy(c: ContainerInfo): boolean {
  const path = c.imageRef.path;
  return c.name === "linkerd-proxy" || path.endsWith("linkerd/proxy") || path.endsWith("linkerd-io/proxy");
}

/**
 * Finds a mesh proxy: a native sidecar (init container with `restartPolicy: Always`, how Istio ≥1.29 and recent
 * Linkerd inject) or a classic sidecar in `containers`. Recognised by container name (`istio-proxy`, `linkerd-proxy`)
 * or image (`…/proxyv2`, `cr.l5d.io/linkerd/proxy`, `gcr.io/linkerd-io/proxy`). Plain init containers that run the
 * proxy image (`istio-init`, `linkerd-init`) are not proxies.
 */
export function detectProxy(spec: PodSpecInfo): DetectedProxy | undefined {
  for (const c of spec.initContainers) {
    if (c.restartPolicy !== "Always") continue;
    if (isIstioProxy(c)) return { mesh: "istio", container: c, native: true };
    if (isLinkerdProxy(c)) return { mesh: "linkerd", container: c, native: true };
  }
  for (const c of spec.containers) {
    if (isIstioProxy(c)) return { mesh: "istio", container: c, native: false };
    if (isLinkerdProxy(c)) return { mesh: "linkerd", container: c, native: false };
  }
  return undefined;
}
