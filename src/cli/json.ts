import { toCanonicalJson } from "../codec/canonical.js";
import type { TranslationResult } from "../translate/index.js";

/**
 * JSON form of a translation: the public contract of `meshctl translate -o json`,
 * `{discovery, clusters, statuses, certificatePlan, diagnostics}`. Fields may be added, never removed
 * (`resolved` is in-process only).
 */
export function translationToJson(result: TranslationResult): string {
  const { discovery, clusters, statuses, certificatePlan, diagnostics } = result;
  return toCanonicalJson({ discovery, clusters, statuses, certificatePlan, diagnostics });
}
