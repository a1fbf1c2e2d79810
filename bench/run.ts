/**
 * The benchmark: `npm run bench`. Runs each estate size in a fresh process, prints a table and writes
 * bench/results/latest.json. Sizes scale clusters, services and policies together (policies = 10% of services each).
 * `npm run bench -- --quick` runs the two small sizes only.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface Row {
  clusters: number;
  services: number;
  trafficPolicies: number;
  accessPolicies: number;
  workloads: number;
  objects: number;
  notAccepted: number;
  discoverMs: number;
  translateMs: number;
  yamlMs: number;
  jsonFloorMs: number;
  editMedianMs: number;
  editMaxMs: number;
  outputBytes: number;
  peakRssMiB: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const sizes: [number, number, number, number][] = [
  [10, 1_000, 100, 100],
  [10, 10_000, 1_000, 1_000],
  ...(quick ? [] : ([[10, 30_000, 3_000, 3_000], [10, 100_000, 10_000, 10_000]] as [number, number, number, number][])),
];

const rows: Row[] = [];
for (const [c, s, p, a] of sizes) {
  process.stderr.write(`measuring ${c} clusters × ${s} services × ${p} TrafficPolicies × ${a} AccessPolicies…\n`);
  const out = execFileSync(process.execPath, ["--max-old-space-size=8192", "--import", "tsx", join(here, "run-one.ts"), String(c), String(s), String(p), String(a)], { encoding: "utf8", maxBuffer: 1 << 20 });
  rows.push(JSON.parse(out.trim().split("\n").pop()!) as Row);
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);
const header = ["services", "policies", "objects", "discover ms", "translate ms", "yaml ms", "json floor ms", "translate/floor", "edit ms (median/max)", "output MiB", "peak RSS MiB", "translate exponent"];
const lines = rows.map((r, i) => {
  const prev = rows[i - 1];
  const exponent = prev ? Math.log(r.translateMs / prev.translateMs) / Math.log(r.services / prev.services) : Number.NaN;
  return [String(r.services), String(r.trafficPolicies + r.accessPolicies), String(r.objects), fmt(r.discoverMs), fmt(r.translateMs), fmt(r.yamlMs), fmt(r.jsonFloorMs), fmt(r.translateMs / r.jsonFloorMs, 1), `${fmt(r.editMedianMs, 1)}/${fmt(r.editMaxMs, 1)}`, fmt(r.outputBytes / 1048576, 1), fmt(r.peakRssMiB), Number.isNaN(exponent) ? "-" : fmt(exponent, 2)];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const row = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
console.log(row(header));
for (const l of lines) console.log(row(l));

const resultsDir = join(here, "results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`);
console.log(`\nwrote ${join("bench", "results", "latest.json")}`);
