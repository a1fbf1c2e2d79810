import { toCanonicalJson, toCanonicalYaml } from "../../codec/canonical.js";
import { maxPositionals, outputFormat, type CommandSpec } from "../context.js";
import { EXIT } from "../errors.js";
import { VERSION } from "../version.js";

export const versionCommand: CommandSpec = {
  name: "version",
  summary: "print the version",
  usage: ["version [-o text|json|yaml]"],
  flags: {},
  async run(ctx) {
    maxPositionals(ctx, 0, "no arguments");
    const o = outputFormat(ctx, ["text", "json", "yaml"], "text");
    const info = { client: { version: VERSION, node: process.version } };
    ctx.out(o === "json" ? toCanonicalJson(info) : o === "yaml" ? toCanonicalYaml(info) : `meshctl ${VERSION}\n`);
    return EXIT.ok;
  },
};
