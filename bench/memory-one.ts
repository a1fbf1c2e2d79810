/**
 * Measures the memory of one estate size in one pass, the way `meshctl translate` runs: discover, drop the raw
 * snapshots, translate, write YAML one cluster at a time; prints one JSON line with the process's peak RSS.
 * run.ts bundles this file (so no TypeScript loader sits in the measured process, as with the built CLI) and runs
 * it under a heap cap, so it must fit a 1 GiB budget.
 * Usage: node bench/.build/memory-one.js <clusters> <services> <trafficPolicies> <accessPolicies>
 */
import { discover } from "../src/discovery/index.js";
import { translate } from "../src/translate/index.js";
import { toCanonicalYamlStream } from "../src/codec/canonical.js";
import { generateEstate, type Estate } from "./generate.js";

const [clusters, services, trafficPolicies, accessPolicies] = process.argv.slice(2).map(Number) as [number, number, number, number];
let estate: Estate | undefined = generateEstate({ clusters, services, versionsPerService: 2, trafficPolicies, accessPolicies });
const discovery = discover(estate.snapshots);
const input = { discovery, trafficPolicies: estate.trafficPolicies, accessPolicies: estate.accessPolicies, virtualMeshes: estate.virtualMeshes, options: { now: new Date("2026-06-01T00:00:00Z") } };
estate = undefined; // the raw snapshots are not needed once discovered
const result = translate(input);
const heapAfterTranslateMiB = process.memoryUsage().heapUsed / 1048576;
let yamlBytes = 0;
for (const objects of Object.values(result.clusters)) yamlBytes += toCanonicalYamlStream(objects).length; // one cluster's stream at a time, as files are written
process.stdout.write(`${JSON.stringify({ clusters, services, peakRssMiB: process.resourceUsage().maxRSS / 1024, heapAfterTranslateMiB, yamlBytes })}\n`);
