import { describe, expect, it } from "vitest";
import { loadResources } from "../src/codec/load.js";
import { parseDocuments } from "../src/codec/parse.js";
import { formatInputError, type InputError } from "../src/errors.js";
import { readTree, sharedPath } from "./helpers/shared.js";

const realInputs = sharedPath("real-inputs");

function load(file: { path: string; content: string }): { errors: InputError[]; count: number } {
  const parsed = parseDocuments(file.content, file.path);
  const loaded = loadResources(parsed.documents);
  const r = loaded.resources;
  return { errors: [...parsed.errors, ...loaded.errors], count: r.trafficPolicies.length + r.accessPolicies.length + r.virtualMeshes.length };
}

describe.skipIf(!realInputs)("Gloo Mesh users' real manifests", () => {
  const dir = `${realInputs}/gloo-mesh-v1`;

  it("loads every valid v1 manifest unchanged", () => {
    const files = readTree(`${dir}/manifests`);
    expect(files.length).toBeGreaterThanOrEqual(30);
    let total = 0;
    for (const f of files) {
      const { errors, count } = load(f);
      expect(errors.map(formatInputError), f.path).toEqual([]);
      total += count;
    }
    expect(total).toBe(33);
  });

  it("loads the integration-test templates once their Go template fields are filled in", () => {
    const files = readTree(`${dir}/integration-templates`);
    for (const f of files) {
      const rendered = { path: f.path, content: f.content.replace(/\{\{[^}]*\}\}/g, "bookinfo") };
      const parsed = parseDocuments(rendered.content, rendered.path);
      // VirtualDestination is Gloo Mesh Enterprise: meshhub names it instead of ignoring it.
      const docs = parsed.documents.filter((d) => (d.value as { kind?: string }).kind !== "VirtualDestination");
      const loaded = loadResources(docs);
      const messages = [...parsed.errors, ...loaded.errors].map(formatInputError);
      if (f.path.endsWith("weighted-routing-single-cluster.yaml")) {
        // Upstream bug: `clusters:` and `labels:` are indented differently, so the file is not valid YAML.
        expect(messages).toEqual([`${f.path}#2: YAML syntax error at line 62, column 1: All mapping items must start at the same column`]);
      } else expect(messages, f.path).toEqual([]);
    }
  });

  const drift: Record<string, RegExp[]> = {
    "ap-productpage-yamltab-trailing-EOF.yaml": [/line 17 is a stray heredoc terminator "EOF": remove it/],
    "osm-ap-and-tp-prepolicy.yaml": [/spec\.trafficShift: unknown field "trafficShift".*move trafficShift to spec\.policy\.trafficShift/],
    "tp-linkerd-reviews-v3-shift-archived.yaml": [
      /spec\.destinationSelector: wrong type \(expected a list, found an object with keys matcher\).*`matcher` is the Service Mesh Hub spelling of `kubeServiceMatcher`/,
      /destinations\[0\]\.destination: unknown field "destination".*v1 calls this field kubeService/,
      /destinations\[0\]\.port: unknown field "port".*port belongs inside kubeService/,
      /destinations\[0\]: exactly one of kubeService or virtualDestination must be set/,
    ],
    "tp-petstore-admin-role-prepolicy.yaml": [/spec\.requestTimeout: unknown field.*move requestTimeout to spec\.policy\.requestTimeout/, /spec\.retries: unknown field.*move retries to spec\.policy\.retries/],
    "tp-reviews-multicluster-split-prepolicy.yaml": [/spec\.trafficShift: unknown field.*spec\.policy\.trafficShift/],
    "tp-traffic-mirror-sourceselector-labels.yaml": [/spec\.sourceSelector\[0\]\.labels: unknown field "labels".*sourceSelector: \[\{kubeWorkloadMatcher: \{labels: …\}\}\]/],
  };

  for (const [file, expected] of Object.entries(drift)) {
    it(`gives precise errors with hints for schema-drift/${file}`, () => {
      const f = readTree(`${dir}/schema-drift`).find((x) => x.path === file);
      expect(f).toBeDefined();
      const messages = load(f!).errors.map(formatInputError);
      expect(messages).toHaveLength(expected.length);
      expected.forEach((re, i) => expect(messages[i]).toMatch(re));
      for (const m of messages) expect(m.startsWith(file)).toBe(true);
    });
  }

  it("keeps the valid object of a file whose other object drifted", () => {
    const f = readTree(`${dir}/schema-drift`).find((x) => x.path === "osm-ap-and-tp-prepolicy.yaml")!;
    const parsed = parseDocuments(f.content, f.path);
    expect(loadResources(parsed.documents).resources.accessPolicies.map((p) => p.metadata.name)).toEqual(["osm-access-policy"]);
  });

  it("explains Service Mesh Hub 0.6 manifests with a migration hint", () => {
    for (const f of readTree(`${realInputs}/service-mesh-hub-v0.6/manifests`)) {
      const { errors } = load(f);
      expect(errors.length, f.path).toBeGreaterThan(0);
      expect(errors.every((e) => e.hint !== undefined), f.path).toBe(true);
    }
  });
});
