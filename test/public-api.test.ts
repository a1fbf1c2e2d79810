import { describe, expect, it } from "vitest";
import ts from "typescript";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./helpers/shared.js";
import { VERSION } from "../src/cli/version.js";

describe("public API", () => {
  it("has TSDoc on every export of src/index.ts", () => {
    const entry = join(REPO_ROOT, "src/index.ts");
    const program = ts.createProgram([entry], { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(entry)!;
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    const exports = checker.getExportsOfModule(moduleSymbol);
    expect(exports.length).toBeGreaterThan(40);
    const undocumented: string[] = [];
    for (const exp of exports) {
      const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const docs = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
      // A zod schema and its inferred type share a name: documenting either declaration documents the export.
      const declDocs = (target.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0 || ts.getJSDocCommentsAndTags(d.parent?.parent ?? d).length > 0);
      if (!docs && !declDocs) undocumented.push(exp.getName());
    }
    expect(undocumented).toEqual([]);
  });

  it("keeps meshctl's version equal to package.json's", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version);
  });
});
