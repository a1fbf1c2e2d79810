import { existsSync, readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { toCanonicalJson, toCanonicalYaml } from "../../codec/canonical.js";
import type { CommandSpec, Ctx, FlagSpec } from "../context.js";
import { CREATE_KINDS, LIST_SPLIT, TRAFFIC_POLICY, ACCESS_POLICY, VIRTUAL_MESH, answerProblem, type Answers, type CreateField, type CreateKind } from "../create-spec.js";
import { CliError, EXIT, UsageError } from "../errors.js";
import { closest } from "../output.js";
import { findInText, sameResource, upsertResource } from "../resource-files.js";
import { assertValid } from "../validation.js";

/** Answers from flags; every item checked, the first problem is an error naming the flag (exit 1). */
function answersFromFlags(ctx: Ctx, kind: CreateKind): Answers {
  const out: Record<string, string[]> = {};
  const missing: string[] = [];
  for (const f of kind.fields) {
    const items = f.type === "list" ? ctx.list(f.flag) : ctx.str(f.flag) !== undefined ? [(ctx.str(f.flag) as string).trim()] : ctx.bool(f.flag) ? ["true"] : [];
    const value = items.length > 0 ? items : f.default !== undefined ? [f.default] : [];
    if (value.length === 0 && f.required) {
      missing.push(`--${f.flag}`);
      continue;
    }
    const problem = answerProblem(f, value);
    if (problem !== undefined) {
      const bad = f.type === "list" ? value.find((item) => answerProblem(f, [item]) !== undefined) : value[0];
      throw new CliError(`--${f.flag}${bad !== undefined && !problem.includes(bad) ? ` ${JSON.stringify(bad)}` : ""}: ${problem}`, EXIT.notAccepted, f.placeholder ? `for example --${f.flag} ${f.placeholder}` : `see 'meshctl create --help'`);
    }
    if (value.length > 0) out[f.flag] = value;
  }
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.join(", ")} for 'meshctl create ${kind.kind.toLowerCase()}'`, `give ${kind.fields.filter((f) => f.required).map((f) => `--${f.flag}`).join(" and ")}; or run it on a terminal without flags to be asked for each field`);
  }
  return out;
}

/** Asks every question on the terminal; each answer is checked as it is typed, with the precise problem shown. */
async function answersFromPrompts(ctx: Ctx, kind: CreateKind): Promise<Answers> {
  const p = await import("@clack/prompts");
  // Prompts go to the terminal: stdout, or stderr when stdout is redirected (`meshctl create tp > tp.yaml`).
  const io = { output: ctx.stdoutIsTTY ? process.stdout : process.stderr };
  const out: Record<string, string[]> = {};
  const cancelled = (): never => {
    p.cancel("Cancelled: nothing was written.", io);
    throw new CliError("cancelled; nothing was written", EXIT.notAccepted, "run the command again to start over");
  };
  p.intro(`meshctl create ${kind.kind}`, io);
  const ask = async (f: CreateField): Promise<void> => {
    if (!f.prompt || (f.when && !f.when(out))) return;
    let answer: string | symbol;
    if (f.type === "select") {
      answer = await p.select({ ...io, message: f.prompt, options: (f.options ?? []).map((o) => ({ value: o, label: o })), ...(f.default !== undefined ? { initialValue: f.default } : {}) });
    } else if (f.type === "confirm") {
      const yes = await p.confirm({ ...io, message: f.prompt, initialValue: f.default === "true" });
      answer = p.isCancel(yes) ? yes : String(yes);
    } else {
      answer = await p.text({
        ...io,
        message: f.prompt,
        ...(f.placeholder !== undefined ? { placeholder: f.placeholder } : {}),
        ...(f.default !== undefined ? { defaultValue: f.default } : {}),
        validate: (v) => {
          const text = (v ?? "").trim();
          if (text === "") return f.required && f.default === undefined ? `${f.prompt?.replace(/ \(.*$/, "")} is required` : undefined;
          return answerProblem(f, f.type === "list" ? text.split(LIST_SPLIT).filter((x) => x !== "") : [text]);
        },
      });
    }
    if (p.isCancel(answer)) cancelled();
    const text = String(answer).trim();
    const items = f.type === "list" ? text.split(LIST_SPLIT).filter((x) => x !== "") : text !== "" ? [text] : f.default !== undefined ? [f.default] : [];
    if (items.length > 0) out[f.flag] = items;
    else delete out[f.flag];
  };
  for (const f of kind.fields) await ask(f);
  // A resource that would do nothing: say why and ask the optional questions again.
  for (let problem = kind.complete?.(out); problem !== undefined; problem = kind.complete?.(out)) {
    p.log.error(problem, io);
    for (const f of kind.fields) if (!f.required && f.flag !== "namespace") await ask(f);
  }
  p.outro(`${kind.kind} ${out.namespace?.[0] ?? "meshhub"}/${out.name?.[0] ?? ""} is ready`, io);
  return out;
}

/** Where `-o` writes: a file path (anything but yaml/json). */
function outputTarget(ctx: Ctx): { format: "yaml" | "json"; file?: string } {
  const o = ctx.str("output") ?? "yaml";
  if (o === "yaml" || o === "json") return { format: o };
  if (!/\.(ya?ml|json)$/i.test(o)) throw new UsageError(`-o ${o}: give yaml, json, or a file ending in .yaml, .yml or .json`);
  return { format: /\.json$/i.test(o) ? "json" : "yaml", file: o };
}

const KIND_FLAGS: Readonly<Record<string, FlagSpec>> = Object.fromEntries(
  [TRAFFIC_POLICY, ACCESS_POLICY, VIRTUAL_MESH].flatMap((k) => k.fields.map((f) => [f.flag, { type: f.type === "confirm" ? "boolean" : "string", ...(f.type === "list" ? { multiple: true } : {}), valueName: f.type === "confirm" ? undefined : f.flag.toUpperCase(), ...(f.options ? { values: f.options } : {}), description: f.description } as FlagSpec] as const)),
);

export const createCommand: CommandSpec = {
  name: "create",
  summary: "create a VirtualMesh, TrafficPolicy or AccessPolicy: prompts on a terminal, flags otherwise",
  usage: ["create trafficpolicy|accesspolicy|virtualmesh [flags] [-o yaml|json|FILE] [--dry-run] [--overwrite]"],
  description: `On a terminal without --name, asks for each field and checks every answer with meshhub's schemas as
it is typed, showing the precise problem until the answer is right. Otherwise (or with --name) takes flags; a bad
value names its flag (exit 1), missing required flags are a usage error (exit 2). Prints the YAML (-o yaml, the
default, or -o json), or with -o FILE adds it to that file as a new document (a resource of the same kind, namespace
and name is refused unless --overwrite replaces it; other documents stay as they are). --dry-run prints what would
be written without writing.

TrafficPolicy: --name, --dest (required), --source-labels, --source-namespaces, --prefix, --method, --timeout,
--retries, --per-try-timeout, --retry-on, --shift SERVICE[/LABEL=VALUE]:WEIGHT, --fault-abort, --fault-delay,
--fault-percent, --mirror, --mirror-percent, --tls-mode.
AccessPolicy: --name, --dest (required), --source-sa NAME.NAMESPACE[.CLUSTER], --source-namespaces, --paths,
--methods, --ports.
VirtualMesh: --name, --meshes (required), --trust shared|limited|none, --root-ttl-days, --key-algorithm, --org,
--federation permissive|none, --global-access, --auto-restart-pods.`,
  subcommands: [
    { name: "trafficpolicy", aliases: ["tp"], summary: "create a TrafficPolicy" },
    { name: "accesspolicy", aliases: ["ap"], summary: "create an AccessPolicy" },
    { name: "virtualmesh", aliases: ["vm", "vmesh"], summary: "create a VirtualMesh" },
  ],
  flags: {
    ...KIND_FLAGS,
    "dry-run": { type: "boolean", description: "print the resource without writing the -o file" },
    overwrite: { type: "boolean", description: "with -o FILE: replace a resource of the same kind, namespace and name" },
  },
  examples: [
    "meshctl create trafficpolicy      # on a terminal: asks for each field",
    "meshctl create tp --name reviews-timeout --dest reviews.shop.east --timeout 2s --retries 3 -o policies/reviews.yaml",
    "meshctl create ap --name web-to-voting --dest voting-svc.emojivoto.west --source-sa web.emojivoto.west --ports 8080",
    "meshctl create vm --name demo --meshes istiod-istio-system-east,linkerd-destination-linkerd-west --global-access ENABLED",
  ],
  async run(ctx) {
    const word = ctx.positionals[0];
    const kind = word !== undefined ? CREATE_KINDS[word.toLowerCase()] : undefined;
    if (!kind) {
      const guess = word !== undefined ? closest(word.toLowerCase(), Object.keys(CREATE_KINDS)) : undefined;
      throw new UsageError(word === undefined ? "missing resource kind" : `cannot create ${JSON.stringify(word)}`, `${guess ? `did you mean ${guess}? ` : ""}use: meshctl create trafficpolicy|accesspolicy|virtualmesh`);
    }
    if (ctx.positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[1])}`, "give fields as flags, e.g. --name NAME");
    const known = new Set(kind.fields.map((f) => f.flag));
    const foreign = Object.keys(KIND_FLAGS).filter((f) => !known.has(f) && ctx.given(f));
    if (foreign.length > 0) throw new UsageError(`--${foreign[0]} does not apply to a ${kind.kind}`, `run 'meshctl create --help' for each kind's flags`);
    const target = outputTarget(ctx);
    const interactive = ctx.stdinIsTTY && (ctx.stdoutIsTTY || ctx.stderrIsTTY) && !ctx.given("name");
    const answers = interactive ? await answersFromPrompts(ctx, kind) : answersFromFlags(ctx, kind);
    const incomplete = kind.complete?.(answers);
    if (incomplete !== undefined) throw new CliError(`${kind.kind} ${answers.name?.[0] ?? ""}: ${incomplete}`, EXIT.notAccepted, "see 'meshctl create --help' for the flags of each kind");
    const resource = kind.build(answers);
    assertValid(kind.schema, resource, kind.kind, kind.flagOf);
    const text = target.format === "json" ? toCanonicalJson(resource) : toCanonicalYaml(resource);
    if (target.file === undefined || ctx.bool("dry-run")) {
      if (target.file !== undefined) ctx.err(`dry run: would write to ${target.file}\n`);
      ctx.out(text);
      return EXIT.ok;
    }
    const meta = resource.metadata as { name: string; namespace: string };
    const existing = existsSync(target.file) ? findInText(basename(target.file), readFileSync(target.file, "utf8"), sameResource(kind.kind, meta.namespace, meta.name)) : [];
    if (existing.length > 0 && !ctx.bool("overwrite")) {
      throw new CliError(`${target.file} already holds ${kind.kind} ${meta.namespace}/${meta.name}`, EXIT.notAccepted, "replace it with --overwrite, or choose another --name");
    }
    if (target.format === "json" && existsSync(target.file)) throw new CliError(`${target.file} exists; meshctl adds documents only to YAML files`, EXIT.notAccepted, "write to a .yaml file, or to a new .json file");
    const written = upsertResource(dirname(target.file), basename(target.file), text, existing[0]);
    ctx.out(`${kind.kind} ${meta.namespace}/${meta.name} ${written.action === "replaced" ? "replaced in" : "written to"} ${target.file}\n`);
    return EXIT.ok;
  },
};
