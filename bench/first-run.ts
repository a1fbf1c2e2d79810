/**
 * Times the first translation of an estate in a fresh process: JIT warm-up on a small estate, then generate,
 * discover, drop the raw snapshots and translate once; then the JSON.stringify floors of that output (its manifests,
 * and all it produced; the best of three). Prints one JSON line; run.ts runs this in several processes per size and
 * takes the medians.
 *
 * Repeated runs in one process (run-one.ts) measure something else: a heap V8 has already sized for the work, and
 * per-input memos already filled. A first run shares its heap with discovery's garbage and may pay for a full
 * collection of it — measured, about 20% more time at 10k services and about the same at 100k — which is why the
 * bench reports both. With --cold there is no warm-up: the translation also pays for compiling the code, as a
 * one-shot `meshctl` run does.
 *
 * It also sums the main-thread GC pauses inside the translation (a PerformanceObserver on "gc" entries): the rest
 * is the translator's own work, which is what to compare across sizes when GC grows faster than the heap it cleans.
 *
 * Usage: tsx bench/first-run.ts <clusters> <services> <trafficPolicies> <accessPolicies> [--cold]
 */
import { performance, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { discover } from "../src/discovery/index.js";
import { translate } from "../src/translate/index.js";
import type { Estate } from "./generate.js";
import { best, estateOf, inputOf, ownOutputOf, warmUp } from "./measure.js";

const [clusters, services, tps, aps] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];
const cold = process.argv.includes("--cold");

if (!cold) warmUp(clusters);

const estate: Omit<Estate, "snapshots"> & { snapshots?: Estate["snapshots"] } = estateOf(clusters, services, tps, aps);
const discovery = discover(estate.snapshots!);
delete estate.snapshots; // raw snapshots are garbage once discovered, as in meshctl and controllers
const input = inputOf(estate, discovery);
const gcPauses: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => gcPauses.push(...list.getEntries()));
observer.observe({ entryTypes: ["gc"] });
const startedAt = performance.now();
const translation = best(() => translate(input), 1);
const endedAt = performance.now();
await sleep(100); // GC entries are delivered asynchronously
observer.disconnect();
const gcMs = gcPauses.filter((e) => e.startTime >= startedAt && e.startTime < endedAt).reduce((sum, e) => sum + e.duration, 0);
const own = ownOutputOf(translation.result);
const manifestsFloor = best(() => JSON.stringify(translation.result.clusters), 3);
const ownFloor = best(() => JSON.stringify(own), 3);
process.stdout.write(
  `${JSON.stringify({ services, cold, firstTranslateMs: translation.ms, firstGcMs: gcMs, firstJsonFloorMs: manifestsFloor.ms, firstOwnOutputFloorMs: ownFloor.ms, ownOutputBytes: ownFloor.result.length })}\n`,
);
