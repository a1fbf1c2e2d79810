/** Locates ../shared next to the repository (tests read it in place; it is never copied into the repo). */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_DIR = process.env.MESHHUB_SHARED ?? resolve(REPO_ROOT, "../shared");

/** The path of a folder under ../shared, or undefined (with a loud warning) when it is absent. */
export function sharedPath(sub: string): string | undefined {
  const p = join(SHARED_DIR, sub);
  if (existsSync(p)) return p;
  console.warn(`\n!!! SKIPPED: ${p} not found — tests that read ../shared/${sub} are skipped (set MESHHUB_SHARED to its location)\n`);
  return undefined;
}

/** Every file below `dir`, as {path relative to dir, content}. */
export function readTree(dir: string): { path: string; content: string }[] {
  const out: { path: string; content: string }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ path: relative(dir, full), content: readFileSync(full, "utf8") });
    }
  };
  walk(dir);
  return out;
}
