/**
 * Test helpers for discovery: the shared fixtures loaded as cluster snapshots, and small builders for inline objects.
 * Fixtures are read in place from `<repo>/../shared/fixtures` (never copied into the repo).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/model/common.js";
import type { ClusterSnapshot } from "../../src/discovery/types.js";

const here = dirname(fileURLToPath(import.meta.url));
/** `<repo>/../shared/fixtures` */
export const FIXTURES_DIR = resolve(here, "..", "..", "..", "shared", "fixtures");

export const FIXTURE_FILES = {
  cluster1: ["istio-control-plane.yaml", "istio-bookinfo-workloads.yaml"],
  cluster2: ["linkerd-control-plane.yaml", "linkerd-emojivoto-workloads.yaml"],
} as const;

export function fixturesAvailable(): boolean {
  return Object.values(FIXTURE_FILES)
    .flat()
    .every((f) => existsSync(join(FIXTURES_DIR, f)));
}

/** Warns loudly (once per call site) when the shared fixtures are missing; returns true when tests must be skipped. */
export function skipWithoutFixtures(suite: string): boolean {
  if (fixturesAvailable()) return false;
  console.warn(`\n*** SKIP ${suite}: shared fixtures not found at ${FIXTURES_DIR} ***\n`);
  return true;
}

/** Parses a multi-document YAML file into objects, with provenance (file, document index). */
export function loadYamlObjects(file: string): { objects: KubeObject[]; sources: { file: string; document: number }[] } {
  const text = readFileSync(join(FIXTURES_DIR, file), "utf8");
  const objects: KubeObject[] = [];
  const sources: { file: string; document: number }[] = [];
  parseAllDocuments(text).forEach((doc, document) => {
    if ("errors" in doc && doc.errors.length > 0) throw new Error(`${file}#${document}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return;
    objects.push(value as KubeObject);
    sources.push({ file, document });
  });
  return { objects, sources };
}

/** cluster1 = Istio control plane + bookinfo, cluster2 = Linkerd control plane + emojivoto. */
export function loadFixtureSnapshots(): ClusterSnapshot[] {
  return Object.entries(FIXTURE_FILES).map(([cluster, files]) => {
    const objects: KubeObject[] = [];
    const sources: { file: string; document: number }[] = [];
    for (const f of files) {
      const loaded = loadYamlObjects(f);
      objects.push(...loaded.objects);
      sources.push(...loaded.sources);
    }
    return { cluster, objects, sources };
  });
}

// ---- builders for inline objects ------------------------------------------------------------

type Labels = Record<string, string>;

export interface ContainerSpec {
  name: string;
  image: string;
  restartPolicy?: string;
  env?: { name: string; value: string }[];
  ports?: { containerPort: number; name?: string }[];
  args?: string[];
}

export function namespace(name: string, labels: Labels = {}, annotations: Labels = {}): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels, annotations } };
}

export function configMap(ns: string, name: string, data: Record<string, string>, labels: Labels = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels }, data };
}

export function secret(ns: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, type: "Opaque", data };
}

export interface PodTemplateOptions {
  labels?: Labels;
  annotations?: Labels;
  serviceAccountName?: string;
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
}

function podTemplate(o: PodTemplateOptions): Record<string, unknown> {
  const spec: Record<string, unknown> = { containers: o.containers ?? [{ name: "app", image: "example.com/app:1.0" }] };
  if (o.initContainers) spec.initContainers = o.initContainers;
  if (o.serviceAccountName) spec.serviceAccountName = o.serviceAccountName;
  return { metadata: { labels: o.labels ?? {}, annotations: o.annotations ?? {} }, spec };
}

export function controller(
  kind: "Deployment" | "StatefulSet" | "DaemonSet",
  ns: string,
  name: string,
  template: PodTemplateOptions,
  extra: { replicas?: number; labels?: Labels; matchLabels?: Labels } = {},
): KubeObject {
  const spec: Record<string, unknown> = { selector: { matchLabels: extra.matchLabels ?? template.labels ?? {} }, template: podTemplate(template) };
  if (extra.replicas !== undefined) spec.replicas = extra.replicas;
  return { apiVersion: "apps/v1", kind, metadata: { name, namespace: ns, labels: extra.labels ?? {} }, spec };
}

export function deployment(ns: string, name: string, template: PodTemplateOptions, extra: { replicas?: number; labels?: Labels; matchLabels?: Labels } = {}): KubeObject {
  return controller("Deployment", ns, name, template, extra);
}

export interface PodOptions extends PodTemplateOptions {
  owner?: { kind: string; name: string };
  nodeName?: string;
}

export function pod(ns: string, name: string, o: PodOptions): KubeObject {
  const t = podTemplate(o);
  const metadata: KubeObject["metadata"] = { name, namespace: ns, labels: o.labels ?? {}, annotations: o.annotations ?? {} };
  if (o.owner) metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: o.owner.kind, name: o.owner.name, controller: true, uid: `uid-${name}` }];
  const spec = t.spec as Record<string, unknown>;
  if (o.nodeName) spec.nodeName = o.nodeName;
  return { apiVersion: "v1", kind: "Pod", metadata, spec };
}

export interface ServiceOptions {
  selector?: Labels;
  ports?: { name?: string; port: number; targetPort?: number | string; nodePort?: number; protocol?: string; appProtocol?: string }[];
  type?: string;
  clusterIP?: string;
  labels?: Labels;
  annotations?: Labels;
  externalIPs?: string[];
  lbIngress?: { ip?: string; hostname?: string };
}

export function service(ns: string, name: string, o: ServiceOptions = {}): KubeObject {
  const spec: Record<string, unknown> = { ports: o.ports ?? [{ name: "http", port: 80 }], type: o.type ?? "ClusterIP" };
  if (o.selector) spec.selector = o.selector;
  if (o.clusterIP) spec.clusterIP = o.clusterIP;
  if (o.externalIPs) spec.externalIPs = o.externalIPs;
  const obj: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns, labels: o.labels ?? {}, annotations: o.annotations ?? {} }, spec };
  if (o.lbIngress) obj.status = { loadBalancer: { ingress: [o.lbIngress] } };
  return obj;
}

export function node(name: string, addresses: { type: string; address: string }[]): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name }, status: { addresses } };
}

/** An istiod Deployment (`istiod` or `istiod-<rev>`) running `docker.io/istio/pilot:<tag>`. */
export function istiod(ns: string, o: { revision?: string; image?: string; env?: Record<string, string>; serviceAccountName?: string } = {}): KubeObject {
  const name = o.revision ? `istiod-${o.revision}` : "istiod";
  const revLabel = o.revision ?? "default";
  const labels = { app: "istiod", istio: "pilot", "istio.io/rev": revLabel };
  return deployment(
    ns,
    name,
    {
      labels,
      serviceAccountName: o.serviceAccountName ?? name,
      containers: [
        {
          name: "discovery",
          image: o.image ?? "docker.io/istio/pilot:1.29.6",
          env: Object.entries({ REVISION: revLabel, ...(o.env ?? {}) }).map(([n, value]) => ({ name: n, value })),
        },
      ],
    },
    { labels, matchLabels: { app: "istiod", "istio.io/rev": revLabel } },
  );
}

/** The `istio` / `istio-<rev>` mesh config ConfigMap. */
export function meshConfig(ns: string, mesh: string, revision?: string): KubeObject {
  return configMap(ns, revision ? `istio-${revision}` : "istio", { mesh });
}

/** An Istio native sidecar (init container with restartPolicy Always). */
export function istioProxy(tag = "1.29.6", native = true): ContainerSpec {
  return { name: "istio-proxy", image: `docker.io/istio/proxyv2:${tag}`, ...(native ? { restartPolicy: "Always" } : {}), args: ["proxy", "sidecar"] };
}

export function linkerdProxy(tag = "edge-26.8.3", native = true): ContainerSpec {
  return { name: "linkerd-proxy", image: `cr.l5d.io/linkerd/proxy:${tag}`, ...(native ? { restartPolicy: "Always" } : {}) };
}

/** A Linkerd control plane Deployment (`linkerd-destination` or `linkerd-identity`) running the controller image. */
export function linkerdControlPlane(ns: string, name = "linkerd-destination", tag = "edge-26.8.3"): KubeObject {
  const component = name.replace(/^linkerd-/, "");
  const labels = { "linkerd.io/control-plane-component": component, "linkerd.io/control-plane-ns": ns };
  return deployment(ns, name, { labels, containers: [{ name: component, image: `cr.l5d.io/linkerd/controller:${tag}` }], initContainers: [linkerdProxy(tag)] }, { labels });
}

/** Pod of a Deployment, owned through a ReplicaSet `<deployment>-<hash>` that is not in the snapshot. */
export function deploymentPod(ns: string, deploymentName: string, o: PodOptions & { hash?: string }): KubeObject {
  const hash = o.hash ?? "5d9f7c8b6";
  return pod(ns, `${deploymentName}-${hash}-abcde`, { ...o, labels: { ...(o.labels ?? {}), "pod-template-hash": hash }, owner: { kind: "ReplicaSet", name: `${deploymentName}-${hash}` } });
}

export function snapshot(cluster: string, objects: unknown[]): ClusterSnapshot {
  return { cluster, objects: objects as KubeObject[] };
}
