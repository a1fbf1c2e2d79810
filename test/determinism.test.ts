import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { toCanonicalJson, toCanonicalYamlStream } from "../src/codec/canonical.js";
import { translate, type TranslationResult } from "../src/translate/index.js";
import type { AccessPolicy, TrafficPolicy } from "../src/model/networking.js";
import { accessPolicy, discovery, istioMesh, linkerdMesh, service, trafficPolicy, virtualMesh, workload } from "./helpers/builders.js";

const east = istioMesh("east", { trustDomain: "east.mesh", eastWestAddress: "198.51.100.20" });
const west = linkerdMesh("west", { trustDomain: "west.mesh", gatewayAddress: "198.51.100.30" });
const services = [
  service(east, "reviews", "shop", { subsets: { version: ["v1", "v2"] } }),
  service(east, "ratings", "shop"),
  service(east, "catalog", "shop", { ports: [{ port: 9080, name: "http" }, { port: 9090, name: "grpc" }] }),
  service(west, "web-svc", "emojivoto", { ports: [{ port: 80, name: "http", targetPort: 8080 }] }),
  service(west, "emoji-svc", "emojivoto", { ports: [{ port: 8080, name: "grpc" }] }),
];
const workloads = [workload(east, "reviews-v1", "shop", { labels: { app: "reviews", version: "v1" }, serviceAccount: "reviews" }), workload(east, "frontend", "shop"), workload(west, "web", "emojivoto", { labels: { app: "web-svc" } })];
const estate = discovery({ meshes: [east, west], services, workloads });
const vm = virtualMesh("demo", { meshes: [{ name: east.metadata.name, namespace: "meshhub" }, { name: west.metadata.name, namespace: "meshhub" }], federation: { permissive: {} } });

const serviceRef = fc.constantFrom(...services.map((s) => s.spec.kubeService.ref));
const duration = fc.constantFrom("1s", "2s", "250ms", "1.5s", "10s");
const destinationSelector = fc.oneof(
  fc.constant([]),
  serviceRef.map((r) => [{ kubeServiceRefs: { services: [r] } }]),
  fc.constantFrom("east", "west").map((c) => [{ kubeServiceMatcher: { clusters: [c] } }]),
);
const matchers = fc.option(fc.array(fc.oneof(fc.constantFrom("/a", "/b", "/api").map((p) => ({ prefix: p })), fc.constantFrom("/x", "/y").map((p) => ({ exact: p, method: "GET" }))), { minLength: 1, maxLength: 2 }), { nil: undefined });
const actions = fc.record(
  {
    requestTimeout: duration,
    retries: fc.record({ attempts: fc.integer({ min: 0, max: 5 }), perTryTimeout: duration }),
    headerManipulation: fc.constantFrom({ appendRequestHeaders: { "x-a": "1" } }, { removeResponseHeaders: ["server"] }),
    faultInjection: fc.constantFrom({ abort: { httpStatus: 503 }, percentage: 5 }, { fixedDelay: "1s", percentage: 10 }),
    corsPolicy: fc.constant({ allowOrigins: [{ exact: "https://a.example" }] }),
  },
  { requiredKeys: [] },
);
const trafficArb = fc.record({
  name: fc.constantFrom("a", "b", "c", "d", "e", "f"),
  ts: fc.option(fc.constantFrom("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), { nil: undefined }),
  destinationSelector,
  httpRequestMatchers: matchers,
  policy: actions,
});
const accessArb = fc.record({
  name: fc.constantFrom("p", "q", "r"),
  destinationSelector,
  sourceSelector: fc.oneof(fc.constant(undefined), fc.constantFrom("east", "west", "mars").map((c) => [{ kubeServiceAccountRefs: { serviceAccounts: [{ name: "frontend", namespace: "shop", clusterName: c }] } }])),
  allowedMethods: fc.option(fc.constant(["GET"]), { nil: undefined }),
});

interface TrafficInput {
  name: string;
  ts?: string | undefined;
  destinationSelector: unknown;
  httpRequestMatchers?: unknown;
  policy: object;
}
interface AccessInput {
  name: string;
  destinationSelector: unknown;
  sourceSelector?: unknown;
  allowedMethods?: readonly string[] | undefined;
}

function build(t: readonly TrafficInput[], a: readonly AccessInput[]): { tps: TrafficPolicy[]; aps: AccessPolicy[] } {
  const seen = new Set<string>();
  const tps = t
    .filter((x) => !seen.has(`t${x.name}`) && seen.add(`t${x.name}`))
    .map((x) => trafficPolicy(x.name, { destinationSelector: x.destinationSelector, ...(x.httpRequestMatchers ? { httpRequestMatchers: x.httpRequestMatchers } : {}), policy: x.policy }, x.ts ? { creationTimestamp: x.ts } : {}));
  const aps = a
    .filter((x) => !seen.has(`a${x.name}`) && seen.add(`a${x.name}`))
    .map((x) => accessPolicy(x.name, { destinationSelector: x.destinationSelector, ...(x.sourceSelector ? { sourceSelector: x.sourceSelector } : {}), ...(x.allowedMethods ? { allowedMethods: x.allowedMethods } : {}) }));
  return { tps, aps };
}

function render(r: TranslationResult): string {
  return Object.entries(r.clusters).map(([c, objs]) => `# ${c}\n${toCanonicalYamlStream(objs)}`).join("") + toCanonicalJson(r.statuses);
}

describe("determinism", () => {
  it("gives byte-identical YAML and statuses for the same inputs in any order (property, 250 runs)", () => {
    fc.assert(
      fc.property(fc.array(trafficArb, { maxLength: 6 }), fc.array(accessArb, { maxLength: 3 }), fc.integer(), (t, a, seed) => {
        const { tps, aps } = build(t, a);
        const first = render(translate({ discovery: estate, trafficPolicies: tps, accessPolicies: aps, virtualMeshes: [vm] }));
        const shuffle = <T>(xs: T[]): T[] => {
          const out = [...xs];
          let s = seed >>> 0;
          for (let i = out.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const shuffledEstate = { ...estate, services: shuffle([...estate.services]), workloads: shuffle([...estate.workloads]), meshes: shuffle([...estate.meshes]) };
        const second = render(translate({ discovery: shuffledEstate, trafficPolicies: shuffle(tps), accessPolicies: shuffle(aps), virtualMeshes: [vm] }));
        expect(second).toBe(first);
      }),
      { numRuns: 250 },
    );
  });
});
