import type { CommandSpec } from "../context.js";
import { applyCommand } from "./apply.js";
import { checkCommand } from "./check.js";
import { clusterCommand } from "./cluster.js";
import { completionCommand } from "./completion.js";
import { createCommand } from "./create.js";
import { demoCommand } from "./demo.js";
import { describeCommand } from "./describe.js";
import { diffCommand } from "./diff.js";
import { discoverCommand } from "./discover.js";
import { translateCommand } from "./translate.js";
import { validateCommand } from "./validate.js";
import { versionCommand } from "./version.js";

/** Every meshctl command, in the order `meshctl --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  versionCommand,
  validateCommand,
  clusterCommand,
  discoverCommand,
  translateCommand,
  checkCommand,
  describeCommand,
  createCommand,
  diffCommand,
  applyCommand,
  demoCommand,
  completionCommand,
];

/** The command named (or aliased) `word`. */
export function findCommand(word: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === word || (c.aliases ?? []).includes(word));
}
