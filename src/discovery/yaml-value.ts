import { parseDocument } from "yaml";

/** Parses a YAML (or JSON) string held in a ConfigMap; errors are values. */
export function parseYamlValue(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
    const first = doc.errors[0];
    if (first) return { ok: false, error: first.message.split("\n")[0] ?? first.message };
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
