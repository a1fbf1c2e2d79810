/**
 * Test-only loader for the upstream CRDs in `../shared/schemas` (or `$MESHHUB_CRDS`), and an assertion that a list of
 * emitted manifests conforms to them. Reads files, so it lives under test/, never in src/.
 *
 *   const crds = loadSharedCrds();
 *   describe.skipIf(crds === undefined)("istio translator output", () => {
 *     it("conforms", () => { expectValid(crds!, manifests); });
 *   });
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isLeft } from "fp-ts/lib/Either.js";
import {
  formatConformanceError,
  hasSchemaFor,
  loadCrds,
  validateObject,
  type ConformanceError,
  type ConformanceOptions,
  type CrdRegistry,
} from "../../src/conformance/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** `$MESHHUB_CRDS`, else `<repo>/../shared/schemas` computed from this file's location. */
export function sharedCrdsDir(): string {
  const fromEnv = process.env["MESHHUB_CRDS"];
  return fromEnv !== undefined && fromEnv !== "" ? path.resolve(fromEnv) : path.resolve(here, "../../../shared/schemas");
}

/** Every *.yaml / *.yml below `dir`, sorted so that `gateway-api/v1.4.1` loads before `v1.6.1` (numeric-aware). */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(name)) out.push(full);
    }
  };
  walk(dir);
  return out.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

let cached: { dir: string; registry: CrdRegistry | undefined } | undefined;

/**
 * Loads all CRDs once per test file (module cache). Returns `undefined` — after a loud `console.warn` — when the folder
 * does not exist, so callers can `describe.skipIf(registry === undefined)`. Throws if a CRD file is broken.
 */
export function loadSharedCrds(): CrdRegistry | undefined {
  const dir = sharedCrdsDir();
  if (cached !== undefined && cached.dir === dir) return cached.registry;
  if (!existsSync(dir)) {
    console.warn(
      `\n*** CRD conformance tests SKIPPED: ../shared/schemas not found; set MESHHUB_CRDS (looked in ${dir}) ***\n`,
    );
    cached = { dir, registry: undefined };
    return undefined;
  }
  const texts = yamlFiles(dir).map((file) => ({ source: path.relative(dir, file), text: readFileSync(file, "utf8") }));
  const loaded = loadCrds(texts);
  if (isLeft(loaded)) {
    throw new Error(`cannot load the CRDs in ${dir}:\n${loaded.left.map(formatConformanceError).join("\n")}`);
  }
  cached = { dir, registry: loaded.right };
  return loaded.right;
}

/** Core and other built-in Kubernetes API groups (Service, ConfigMap, Deployment, RBAC…), which have no CRD. */
export function isBuiltinKubernetesApi(apiVersion: string): boolean {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  if (group === "" || !group.includes(".")) return true;
  return group.endsWith(".k8s.io") && !group.startsWith("gateway.networking.") && !group.endsWith(".x-k8s.io");
}

export interface ExpectValidOptions extends ConformanceOptions {
  /** Skip objects of built-in Kubernetes kinds that have no CRD (default `true`); anything else without a CRD fails. */
  readonly skipBuiltins?: boolean;
}

/**
 * Throws (listing every formatted error) unless all objects conform to their CRDs. Objects of built-in kinds
 * (`v1` Service, `apps/v1` Deployment, `rbac.authorization.k8s.io/v1` …) are skipped and reported in the result.
 */
export function expectValid(
  registry: CrdRegistry,
  objs: readonly unknown[],
  options: ExpectValidOptions = {},
): { checked: number; skipped: string[] } {
  const skipBuiltins = options.skipBuiltins ?? true;
  const skipped: string[] = [];
  const errors: ConformanceError[] = [];
  let checked = 0;
  objs.forEach((obj, index) => {
    const o = (typeof obj === "object" && obj !== null ? obj : {}) as Record<string, unknown>;
    const apiVersion = typeof o["apiVersion"] === "string" ? o["apiVersion"] : "";
    const kind = typeof o["kind"] === "string" ? o["kind"] : "";
    if (skipBuiltins && apiVersion !== "" && kind !== "" && isBuiltinKubernetesApi(apiVersion) && !hasSchemaFor(registry, apiVersion, kind)) {
      skipped.push(`${apiVersion} ${kind}`);
      return;
    }
    checked += 1;
    const closed = options.closed;
    for (const e of validateObject(registry, obj, closed === undefined ? {} : { closed })) errors.push({ ...e, index });
  });
  if (errors.length > 0) {
    throw new Error(
      `${errors.length} CRD conformance error${errors.length === 1 ? "" : "s"} in ${checked} object${checked === 1 ? "" : "s"}:\n` +
        errors.map((e) => `  - ${formatConformanceError(e)}`).join("\n"),
    );
  }
  return { checked, skipped };
}
