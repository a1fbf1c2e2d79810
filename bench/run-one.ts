/**
 * Times one estate size in a fresh process and prints one JSON line: JIT warm-up on a small estate, then the best
 * of at least three runs of discovery, of translation, of the JSON floors (manifests, and all translation produced),
 * of reading and of deep-copying the output, and of at least one of YAML (runs repeat until a second is spent, so a
 * small size is not decided by one GC pause), and 50 policy edits through a live TranslationSession. Repeated
 * translations are what a controller pays when discovery changes, on a heap already sized for the work.
 * Usage: tsx bench/run-one.ts <clusters> <services> <trafficPolicies> <accessPolicies>
 */
import { performance } from "node:perf_hooks";
import { discover } from "../src/discovery/index.js";
import { translate, TranslationSession } from "../src/translate/index.js";
import { toCanonicalYamlStream } from "../src/codec/canonical.js";
import type { Estate } from "./generate.js";
import { best, estateOf, inputOf, ownOutputOf, warmUp } from "./measure.js";

const [clusters, services, tps, aps] = process.argv.slice(2).map(Number) as [number, number, number, number];

/** Time spent on one measurement at least: small sizes repeat until then, so one GC pause cannot set their number. */
const MEASURE_MS = 1_000;

/**
 * Visits every key and value of a JSON-like value once and allocates nothing: the cost of merely reading the output,
 * which shows how the machine's memory scales with the data (no algorithm to blame). Returns a sum so the work is kept.
 */
function readAll(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (typeof value !== "object" || value === null) return 1;
  let sum = 0;
  if (Array.isArray(value)) for (const item of value) sum += readAll(item);
  else for (const key in value) sum += key.length + readAll((value as Record<string, unknown>)[key]);
  return sum;
}

/** A plain deep copy of a JSON-like value: the cost of building the output's object graph and nothing else. */
function copyAll(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyAll);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = copyAll((value as Record<string, unknown>)[key]);
  return out;
}

const EDITS = 50;

/** The i-th edit: a different TrafficPolicy each time gets a new request timeout. */
function editOf(estate: Pick<Estate, "trafficPolicies">, i: number): Estate["trafficPolicies"][number] {
  const original = estate.trafficPolicies[(i * 37) % estate.trafficPolicies.length]!;
  return { ...original, spec: { ...original.spec, policy: { ...original.spec.policy, requestTimeout: `${i + 1}s` } } };
}

function measureTime(): Record<string, number> {
  // Warm-up: compile the hot paths (full and incremental) on a small estate first, so no size pays for the JIT.
  const warm = warmUp(clusters);
  const warmSession = new TranslationSession(inputOf(warm, discover(warm.snapshots)));
  for (let i = 0; i < EDITS; i++) warmSession.apply({ upsert: [editOf(warm, i)] });

  const estate: Omit<Estate, "snapshots"> & { snapshots?: Estate["snapshots"] } = estateOf(clusters, services, tps, aps);
  const disc = best(() => discover(estate.snapshots!), 3, MEASURE_MS);
  delete estate.snapshots; // raw snapshots are garbage once discovered, as in meshctl and controllers
  const input = inputOf(estate, disc.result);
  const tr = best(() => translate(input), 3, MEASURE_MS);
  const manifests = Object.values(tr.result.clusters).flat();
  const yaml = best(() => toCanonicalYamlStream(manifests), 1, MEASURE_MS);
  const floor = best(() => JSON.stringify(tr.result.clusters), 3, MEASURE_MS);
  const own = ownOutputOf(tr.result);
  const ownFloor = best(() => JSON.stringify(own), 3, MEASURE_MS);
  const read = best(() => readAll(tr.result.clusters), 3, MEASURE_MS);
  const copy = best(() => copyAll(tr.result.clusters), 3, MEASURE_MS);
  const session = new TranslationSession(input);
  const edits: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const edited = editOf(estate, i);
    const t0 = performance.now();
    session.apply({ upsert: [edited] });
    edits.push(performance.now() - t0);
  }
  edits.sort((a, b) => a - b);
  const statuses = tr.result.statuses;
  return {
    workloads: disc.result.workloads.length,
    discoveredServices: disc.result.services.length,
    objects: manifests.length,
    notAccepted: [...Object.values(statuses.trafficPolicies), ...Object.values(statuses.accessPolicies)].filter((s) => s.state !== "ACCEPTED").length,
    discoverMs: disc.ms,
    translateMs: tr.ms,
    yamlMs: yaml.ms,
    jsonFloorMs: floor.ms,
    ownOutputFloorMs: ownFloor.ms,
    readOutputMs: read.ms,
    copyOutputMs: copy.ms,
    editMedianMs: edits[Math.floor(edits.length / 2)]!,
    editP95Ms: edits[Math.ceil(edits.length * 0.95) - 1]!,
    editMaxMs: edits[edits.length - 1]!,
    outputBytes: yaml.result.length,
  };
}

const measured = measureTime();
process.stdout.write(`${JSON.stringify({ clusters, services, trafficPolicies: tps, accessPolicies: aps, ...measured })}\n`);
