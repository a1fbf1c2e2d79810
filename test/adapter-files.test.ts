/*
 * Files adapter: a workspace folder holding `kubectl get -A -o yaml` dumps (`kind: List`) reads into cluster
 * snapshots with the List flattened; folders and hidden files are handled as documented.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileAdapterError, readWorkspaceDir, writeWorkspaceFiles } from "../src/adapters/files.js";
import { loadWorkspace } from "../src/codec/workspace.js";

// What `kubectl get namespaces,services,pods -A -o yaml` prints: one `kind: List` with typed items.
const DUMP = `apiVersion: v1
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: bookinfo
    labels:
      istio-injection: enabled
- apiVersion: v1
  kind: Service
  metadata:
    name: reviews
    namespace: bookinfo
  spec:
    ports:
    - port: 9080
      protocol: TCP
    selector:
      app: reviews
- apiVersion: v1
  kind: Pod
  metadata:
    name: reviews-v1-abc
    namespace: bookinfo
    labels:
      app: reviews
  spec:
    containers:
    - name: reviews
      image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.2
kind: List
metadata:
  resourceVersion: ""
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "meshhub-files-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("files adapter", () => {
  it("reads a kubectl get -A -o yaml dump (kind: List) as one cluster snapshot with the items flattened", () => {
    writeWorkspaceFiles(dir, [
      { path: "clusters/east/dump.yaml", content: DUMP },
      { path: "clusters/east/extra.json", content: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: "istio-system" }, data: {} }) },
      { path: "clusters/west/.hidden.yaml", content: "not: read" },
    ]);
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "config.yaml"), "ignored: true\n");
    writeFileSync(join(dir, "clusters", "east", "README.txt"), "not yaml");
    const files = readWorkspaceDir(dir);
    expect(files.map((f) => f.path)).toEqual(["clusters/east/dump.yaml", "clusters/east/extra.json"]);
    const ws = loadWorkspace(files);
    if (E.isLeft(ws)) throw new Error(JSON.stringify(ws.left));
    expect(ws.right.snapshots).toHaveLength(1);
    const snap = ws.right.snapshots[0];
    expect(snap?.cluster).toBe("east");
    expect(snap?.objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`)).toEqual(["Namespace /bookinfo", "Service bookinfo/reviews", "Pod bookinfo/reviews-v1-abc", "ConfigMap istio-system/istio"]);
    expect(snap?.sources?.[2]).toEqual({ file: "clusters/east/dump.yaml", document: 0, item: 2 });
  });

  it("reports a missing workspace as a FileAdapterError with a hint", () => {
    const missing = join(dir, "nope");
    try {
      readWorkspaceDir(missing);
      throw new Error("expected an error");
    } catch (e) {
      expect(e).toBeInstanceOf(FileAdapterError);
      expect((e as FileAdapterError).path).toBe(missing);
      expect((e as FileAdapterError).hint).toBeDefined();
    }
  });
});
