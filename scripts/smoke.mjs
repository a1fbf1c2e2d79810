// Smoke run of the built CLI and the examples, as a user would run them. Exits non-zero on the first failure.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = join(process.cwd(), "dist/cli/main.js");
const tmp = mkdtempSync(join(tmpdir(), "meshhub-smoke-"));
let failures = 0;
let passes = 0;

function run(args, { expectCode = 0, expectOut, expectErr, cmd = process.execPath } = {}) {
  const r = spawnSync(cmd, cmd === process.execPath ? [cli, ...args] : args, { encoding: "utf8", cwd: tmp, env: { ...process.env, NO_COLOR: "1" } });
  const label = `${cmd === process.execPath ? "meshctl" : cmd} ${args.join(" ")}`;
  const problems = [];
  if (r.status !== expectCode) problems.push(`exit ${r.status}, expected ${expectCode}`);
  if (expectOut && !expectOut.test(r.stdout)) problems.push(`stdout does not match ${expectOut}`);
  if (expectErr && !expectErr.test(r.stderr)) problems.push(`stderr does not match ${expectErr}`);
  if (/\n\s+at .+\(.+:\d+:\d+\)/.test(r.stderr)) problems.push("stack trace on stderr");
  if (problems.length) {
    failures++;
    console.error(`FAIL ${label}: ${problems.join("; ")}\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`);
  } else {
    passes++;
    console.log(`ok   ${label}`);
  }
  return r;
}

try {
  run(["version"], { expectOut: /^meshctl \d+\.\d+\.\d+/ });
  run(["--help"], { expectOut: /Exit codes/ });
  run(["demo", "--dir", "demo"], { expectOut: /Translation: \d+ manifests written/ });
  run(["validate", "demo/workspace"], { expectOut: /^ok: / });
  run(["discover", "demo/workspace"], { expectOut: /istio/ });
  const json = run(["translate", "demo/workspace", "-o", "json"]);
  const parsed = JSON.parse(json.stdout);
  for (const key of ["discovery", "clusters", "statuses", "certificatePlan", "diagnostics"]) if (!(key in parsed)) throw new Error(`translate -o json lacks ${key}`);
  run(["translate", "demo/workspace", "--out-dir", "gitops"], { expectErr: /wrote \d+ manifests/ });
  mkdirSync(join(tmp, "broken"));
  writeFileSync(join(tmp, "broken/tp.yaml"), "apiVersion: networking.meshhub.io/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: x}\nspec:\n  policy:\n    requestTimeout: soon\n");
  run(["validate", "broken"], { expectCode: 1, expectErr: /tp\.yaml#0 TrafficPolicy default\/x spec\.policy\.requestTimeout: must be a duration/ });
  run(["validate", "does-not-exist"], { expectCode: 3, expectErr: /workspace does-not-exist does not exist\nhint:/ });
  run(["frobnicate"], { expectCode: 2, expectErr: /unknown command/ });
  for (const example of readdirSync(join(process.cwd(), "examples")).filter((f) => f.endsWith(".ts")).sort()) {
    run([join(process.cwd(), "node_modules/.bin/tsx"), join(process.cwd(), "examples", example)], { cmd: "node", expectOut: /\S/ });
  }
} catch (e) {
  failures++;
  console.error(`FAIL ${e.message}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`smoke: ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
