import { describe, expect, it } from "vitest";
import * as E from "fp-ts/lib/Either.js";
import { parseDocuments } from "../src/codec/parse.js";
import { loadResources } from "../src/codec/load.js";
import { loadWorkspace } from "../src/codec/workspace.js";
import { formatInputError, type InputError } from "../src/errors.js";
import { toCanonicalYaml } from "../src/codec/canonical.js";

function load(text: string, file = "policies.yaml"): InputError[] {
  const parsed = parseDocuments(text, file);
  return [...parsed.errors, ...loadResources(parsed.documents).errors];
}

const TP = (spec: string, meta = "  name: petstore\n  namespace: gloo-mesh\n"): string => `apiVersion: networking.mesh.gloo.solo.io/v1
kind: TrafficPolicy
metadata:
${meta}spec:
${spec}`;

describe("parseDocuments", () => {
  it("reports a YAML syntax error with file, document and line, and keeps the other documents", () => {
    const { documents, errors } = parseDocuments("a: 1\n---\nb: [1, 2\n---\nc: 3\n", "bad.yaml");
    expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: "bad.yaml", document: 1 });
    expect(errors[0]!.message).toMatch(/^YAML syntax error at line \d+, column \d+/);
  });

  it("flattens kind: List and top-level sequences, remembering the item index", () => {
    const { documents } = parseDocuments("apiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n---\n- {kind: C}\n", "dump.yaml");
    expect(documents.map((d) => [d.document, d.item, (d.value as { kind: string }).kind])).toEqual([
      [0, 0, "A"],
      [0, 1, "B"],
      [1, 0, "C"],
    ]);
  });

  it("refuses alias bombs", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    const { documents, errors } = parseDocuments(bomb, "bomb.yaml");
    expect(documents).toEqual([]);
    expect(errors[0]).toMatchObject({ file: "bomb.yaml", message: "too many YAML alias expansions" });
  });

  it("refuses __proto__ and constructor keys with their path, in YAML and JSON", () => {
    const y = parseDocuments("metadata:\n  labels:\n    __proto__: {polluted: true}\n", "p.yaml");
    expect(y.errors[0]).toMatchObject({ message: 'refused key "__proto__"', path: "metadata.labels.__proto__" });
    const j = parseDocuments('{"spec": {"constructor": {"prototype": 1}}}', "p.json");
    expect(j.errors[0]).toMatchObject({ message: 'refused key "constructor"', path: "spec.constructor" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("caps document size with a clear error", () => {
    const { errors } = parseDocuments(`a: "${"x".repeat(2000)}"\n`, "big.yaml", { maxDocumentChars: 1000 });
    expect(errors[0]).toMatchObject({ message: expect.stringMatching(/^document is too large/), expected: "at most 1000 characters" });
  });

  it("parses JSON documents", () => {
    expect(parseDocuments('{"kind": "TrafficPolicy", "spec": {}}', "tp.json").documents[0]!.value).toEqual({ kind: "TrafficPolicy", spec: {} });
  });
});

describe("loading meshhub resources", () => {
  it("accepts a Gloo Mesh v1 TrafficPolicy unchanged", () => {
    expect(load(TP("  destinationSelector:\n  - kubeServiceRefs:\n      services:\n      - {name: petstore, namespace: default, clusterName: cluster-1}\n  policy:\n    requestTimeout: 100ms\n"))).toEqual([]);
  });

  it("names file, document, object and field for an unknown field, with a did-you-mean hint", () => {
    const [e, ...rest] = load(TP("  policy:\n    requestTimeuot: 1s\n"));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ file: "policies.yaml", document: 0, kind: "TrafficPolicy", namespace: "gloo-mesh", name: "petstore", path: "spec.policy.requestTimeuot", message: 'unknown field "requestTimeuot"', hint: 'did you mean "requestTimeout"?' });
    expect(formatInputError(e!)).toBe(
      'policies.yaml#0 TrafficPolicy gloo-mesh/petstore spec.policy.requestTimeuot: unknown field "requestTimeuot" (expected one of trafficShift, faultInjection, requestTimeout, retries, corsPolicy, mirror, headerManipulation, outlierDetection, mtls). Hint: did you mean "requestTimeout"?',
    );
  });

  it("rejects a bad duration with expected and found", () => {
    const [e] = load(TP("  policy:\n    retries:\n      attempts: 2\n      perTryTimeout: 10 seconds\n"));
    expect(e).toMatchObject({ path: "spec.policy.retries.perTryTimeout", message: "must be a duration like 10s, 1.5s, 250ms or 1m", found: '"10 seconds"' });
  });

  it("rejects a negative weight", () => {
    const [e] = load(TP("  policy:\n    trafficShift:\n      destinations:\n      - kubeService: {name: a, namespace: b, clusterName: c}\n        weight: -5\n"));
    expect(e).toMatchObject({ path: "spec.policy.trafficShift.destinations[0].weight", message: "weight must be ≥ 0", found: "-5" });
  });

  it("rejects a missing name", () => {
    const [e] = load(TP("  policy: {}\n", "  namespace: gloo-mesh\n"));
    expect(e).toMatchObject({ kind: "TrafficPolicy", path: "metadata.name", message: "required field is missing", expected: "a string", found: "nothing" });
  });

  it("reports the one broken item of a List and keeps the others", () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: networking.meshhub.io/v1alpha1
  kind: AccessPolicy
  metadata: {name: ok, namespace: meshhub}
  spec: {allowedMethods: [GET]}
- apiVersion: networking.meshhub.io/v1alpha1
  kind: AccessPolicy
  metadata: {name: broken, namespace: meshhub}
  spec: {allowedMethods: [FETCH]}
`;
    const parsed = parseDocuments(list, "list.yaml");
    const { resources, errors } = loadResources(parsed.documents);
    expect(resources.accessPolicies.map((p) => p.metadata.name)).toEqual(["ok"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: "list.yaml", document: 0, item: 1, name: "broken", path: "spec.allowedMethods[0]", found: '"FETCH"' });
    expect(formatInputError(errors[0]!)).toMatch(/^list\.yaml#0\.items\[1\] AccessPolicy meshhub\/broken spec\.allowedMethods\[0\]: must be one of GET/);
  });

  it("reports every error of a run, not just the first", () => {
    const errors = load(`${TP("  policy:\n    requestTimeout: soon\n")}---\n${TP("  policy:\n    retries: {attempts: -1}\n", "  name: other\n  namespace: gloo-mesh\n")}`);
    expect(errors.map((e) => `${e.name} ${e.path}`)).toEqual(["petstore spec.policy.requestTimeout", "other spec.policy.retries.attempts"]);
  });

  it("rejects percentages over 100, bad label values and unknown HTTP methods", () => {
    expect(load(TP("  policy:\n    faultInjection: {abort: {httpStatus: 503}, percentage: 150}\n"))[0]).toMatchObject({ path: "spec.policy.faultInjection.percentage", message: "must be a percentage from 0 to 100" });
    expect(load(TP("  destinationSelector:\n  - kubeServiceMatcher:\n      labels: {app: 'not valid!'}\n"))[0]).toMatchObject({ path: "spec.destinationSelector[0].kubeServiceMatcher.labels.app" });
    expect(load(TP("  httpRequestMatchers:\n  - method: FETCH\n"))[0]).toMatchObject({ path: "spec.httpRequestMatchers[0].method" });
  });

  it("explains Service Mesh Hub 0.6 manifests instead of failing obscurely", () => {
    const [e] = load("apiVersion: networking.smh.solo.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: simple, namespace: service-mesh-hub}\nspec: {}\n");
    expect(e).toMatchObject({ path: "apiVersion", message: 'unsupported apiVersion "networking.smh.solo.io/v1alpha1"' });
    expect(e!.hint).toMatch(/Service Mesh Hub 0\.6 API/);
  });

  it("reports duplicates with where the first one is", () => {
    const doc = TP("  policy: {}\n");
    const errors = load(`${doc}---\n${doc}`);
    expect(errors).toEqual([expect.objectContaining({ document: 1, message: "duplicate TrafficPolicy gloo-mesh/petstore", hint: "also defined in policies.yaml#0" })]);
  });
});

describe("loadWorkspace", () => {
  it("splits raw cluster objects from meshhub resources and keeps provenance", () => {
    const ws = loadWorkspace([
      { path: "clusters/east/app.yaml", content: "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b}\n" },
      { path: "policies/tp.yaml", content: TP("  policy: {}\n") },
      { path: "README.md", content: "ignored" },
    ]);
    expect(E.isRight(ws)).toBe(true);
    if (E.isRight(ws)) {
      expect(ws.right.snapshots).toEqual([{ cluster: "east", objects: [expect.objectContaining({ kind: "Service" })], sources: [{ file: "clusters/east/app.yaml", document: 0 }] }]);
      expect(ws.right.resources.trafficPolicies).toHaveLength(1);
    }
  });

  it("returns every error of every file", () => {
    const ws = loadWorkspace([
      { path: "a.yaml", content: "x: [" },
      { path: "b.yaml", content: TP("  policy: {requestTimeout: never}\n") },
      { path: "clusters/east/x.yaml", content: "- 5\n" },
    ]);
    expect(E.isLeft(ws) && ws.left.map((e) => e.file)).toEqual(["a.yaml", "b.yaml", "clusters/east/x.yaml"]);
  });
});

describe("canonical YAML", () => {
  it("puts apiVersion, kind, metadata, spec first and sorts the rest", () => {
    expect(toCanonicalYaml({ status: {}, spec: { b: 1, a: 2 }, metadata: { namespace: "n", name: "x", labels: { z: "1", a: "2" } }, kind: "K", apiVersion: "v1", extra: true })).toBe(
      "apiVersion: v1\nkind: K\nmetadata:\n  name: x\n  namespace: n\n  labels:\n    a: \"2\"\n    z: \"1\"\nspec:\n  a: 2\n  b: 1\nextra: true\nstatus: {}\n",
    );
  });
});
