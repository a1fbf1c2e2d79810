/**
 * Measures one estate size in a fresh process (so peak memory is this size's alone) and prints one JSON line.
 * Usage: tsx bench/run-one.ts <clusters> <services> <trafficPolicies> <accessPolicies>
 */
import { performance } from "node:perf_hooks";
import { discover } from "../src/discovery/index.js";
import { translate, TranslationSession } from "../src/translate/index.js";
import { toCanonicalYamlStream } from "../src/codec/canonical.js";
import { generateEstate } from "./generate.js";

const [clusters, services, tps, aps] = process.argv.slice(2).map(Number) as [number, number, number, number];
const estate = generateEstate({ clusters, services, versionsPerService: 2, trafficPolicies: tps, accessPolicies: aps });
const now = new Date("2026-06-01T00:00:00Z");

function time<T>(fn: () => T, runs: number): { result: T; ms: number } {
  let best = Number.POSITIVE_INFINITY;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { result, ms: best };
}

const runs = services >= 50_000 ? 1 : 3;
const disc = time(() => discover(estate.snapshots), runs);
const tr = time(() => translate({ discovery: disc.result, trafficPolicies: estate.trafficPolicies, accessPolicies: estate.accessPolicies, virtualMeshes: estate.virtualMeshes, options: { now } }), runs);
const manifests = Object.values(tr.result.clusters).flat();
const yaml = time(() => toCanonicalYamlStream(manifests), 1);
const floor = time(() => JSON.stringify(tr.result.clusters), runs);
// One policy edit in a live session: the controller's path.
const session = new TranslationSession({ discovery: disc.result, trafficPolicies: estate.trafficPolicies, accessPolicies: estate.accessPolicies, virtualMeshes: estate.virtualMeshes, options: { now } });
const edits: number[] = [];
for (let i = 0; i < 20; i++) {
  const original = estate.trafficPolicies[(i * 37) % estate.trafficPolicies.length]!;
  const edited = { ...original, spec: { ...original.spec, policy: { ...original.spec.policy, requestTimeout: `${i + 1}s` } } };
  const t0 = performance.now();
  session.apply({ upsert: [edited] });
  edits.push(performance.now() - t0);
}
edits.sort((a, b) => a - b);
const statuses = tr.result.statuses;
const notAccepted = [...Object.values(statuses.trafficPolicies), ...Object.values(statuses.accessPolicies)].filter((s) => s.state !== "ACCEPTED").length;
process.stdout.write(
  `${JSON.stringify({
    clusters,
    services,
    trafficPolicies: tps,
    accessPolicies: aps,
    workloads: disc.result.workloads.length,
    discoveredServices: disc.result.services.length,
    objects: manifests.length,
    notAccepted,
    discoverMs: disc.ms,
    translateMs: tr.ms,
    yamlMs: yaml.ms,
    jsonFloorMs: floor.ms,
    editMedianMs: edits[Math.floor(edits.length / 2)],
    editMaxMs: edits[edits.length - 1],
    outputBytes: yaml.result.length,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
