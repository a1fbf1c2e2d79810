import { GLOBAL_FLAGS, maxPositionals, type CommandSpec, type FlagSpec, type FlagSpecs } from "../context.js";
import { EXIT, UsageError } from "../errors.js";

const words = (c: CommandSpec): string[] => [c.name, ...(c.aliases ?? [])];
const subWords = (c: CommandSpec): string[] => (c.subcommands ?? []).flatMap((s) => [s.name, ...(s.aliases ?? [])]);
const flagWords = (flags: FlagSpecs): string[] => Object.entries(flags).flatMap(([n, f]) => [`--${n}`, ...(f.short ? [`-${f.short}`] : [])]);
const clean = (text: string): string => text.replace(/['[\]:\\`$"]/g, "").replace(/\s+/g, " ");
const allFlags = (c: CommandSpec): [string, FlagSpec][] => Object.entries({ ...GLOBAL_FLAGS, ...c.flags });

/** bash: `source <(meshctl completion bash)` */
export function bashCompletion(commands: readonly CommandSpec[]): string {
  const valueFlags = [...new Set(commands.flatMap((c) => allFlags(c).filter(([, f]) => f.type === "string").flatMap(([n, f]) => [`--${n}`, ...(f.short ? [`-${f.short}`] : [])])))];
  const cases = commands
    .map((c) => `    ${words(c).join("|")}) subs="${subWords(c).join(" ")}"; opts="${flagWords(c.flags).join(" ")}"; dirs=${c.takesWorkspace ? 1 : 0} ;;`)
    .join("\n");
  const valueCases = [...new Map(commands.flatMap((c) => allFlags(c)).filter(([, f]) => f.type === "string")).entries()]
    .map(([n, f]) => {
      const names = [`--${n}`, ...(f.short ? [`-${f.short}`] : [])].join("|");
      if (f.values) return `    ${names}) COMPREPLY=( $(compgen -W "${f.values.join(" ")}" -- "$cur") ); return ;;`;
      if (f.complete === "dir") return `    ${names}) COMPREPLY=( $(compgen -d -- "$cur") ); return ;;`;
      if (f.complete === "file") return `    ${names}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`;
      return `    ${names}) return ;;`;
    })
    .join("\n");
  return `# bash completion for meshctl. Load it with:  source <(meshctl completion bash)
_meshctl() {
  local cur prev cmd="" sub="" i w skip=0 subs="" opts="" dirs=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local value_flags=" ${valueFlags.join(" ")} "
  for ((i=1; i<COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*) [[ "$value_flags" == *" $w "* ]] && skip=1 ;;
      *) if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi ;;
    esac
  done
  case "$prev" in
${valueCases}
  esac
  local globals="${flagWords(GLOBAL_FLAGS).join(" ")}"
  if [[ -z "$cmd" ]]; then
    COMPREPLY=( $(compgen -W "${commands.flatMap(words).join(" ")} $globals" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts $globals" -- "$cur") )
  elif [[ -z "$sub" && -n "$subs" ]]; then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
  elif ((dirs)); then
    COMPREPLY=( $(compgen -d -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -F _meshctl meshctl
`;
}

function zshFlag(name: string, f: FlagSpec): string[] {
  const desc = clean(f.description);
  const value = f.type === "string" ? `:${(f.valueName ?? "value").toLowerCase()}:${f.values ? `(${f.values.join(" ")})` : f.complete === "dir" ? "_files -/" : f.complete === "file" ? "_files" : " "}` : "";
  const repeat = f.multiple ? "*" : "";
  if (f.short) return [`'(-${f.short} --${name})'${repeat}{-${f.short},--${name}}'[${desc}]${value}'`];
  return [`'${repeat}--${name}[${desc}]${value}'`];
}

/** zsh: `source <(meshctl completion zsh)`, or save as `_meshctl` in a folder of `fpath`. */
export function zshCompletion(commands: readonly CommandSpec[]): string {
  const commandList = commands.flatMap((c) => words(c).map((w) => `    '${w}:${clean(c.summary)}'`)).join("\n");
  const cases = commands
    .map((c) => {
      // `((word\\:description …))`: colons and spaces escaped, no parentheses in descriptions.
      const subs = (c.subcommands ?? []).flatMap((s) => [s.name, ...(s.aliases ?? [])].map((w) => `${w}\\:${clean(s.summary).replace(/[()]/g, "").replace(/ /g, "\\ ")}`));
      const args = allFlags(c).flatMap(([n, f]) => zshFlag(n, f));
      const positional = subs.length > 0 ? `'1:subcommand:((${subs.join(" ")}))' '*:argument:_files'` : c.takesWorkspace ? `'*:workspace:_files -/'` : `'*:argument:_files'`;
      return `    ${words(c).join("|")})\n      _arguments -s \\\n        ${[...args, positional].join(" \\\n        ")}\n      ;;`;
    })
    .join("\n");
  return `#compdef meshctl
# zsh completion for meshctl. Load it with:  source <(meshctl completion zsh)
_meshctl() {
  local -a commands
  commands=(
${commandList}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'meshctl command' commands
    return
  fi
  local cmd="\${words[2]}"
  shift words
  (( CURRENT-- ))
  case "$cmd" in
${cases}
  esac
}
if [ "$funcstack[1]" = "_meshctl" ]; then
  _meshctl "$@"
else
  compdef _meshctl meshctl
fi
`;
}

/** fish: `meshctl completion fish | source`, or save as `~/.config/fish/completions/meshctl.fish`. */
export function fishCompletion(commands: readonly CommandSpec[]): string {
  const lines = ["# fish completion for meshctl. Load it with:  meshctl completion fish | source", "complete -c meshctl -f"];
  const all = commands.flatMap(words).join(" ");
  const flagLine = (condition: string, n: string, f: FlagSpec): string =>
    `complete -c meshctl${condition} -l ${n}${f.short ? ` -s ${f.short}` : ""}${f.type === "string" ? " -r" : ""}${f.values ? ` -a '${f.values.join(" ")}'` : f.complete ? " -F" : ""} -d '${clean(f.description)}'`;
  for (const [n, f] of Object.entries(GLOBAL_FLAGS)) lines.push(flagLine("", n, f));
  for (const c of commands) {
    for (const w of words(c)) lines.push(`complete -c meshctl -n 'not __fish_seen_subcommand_from ${all}' -a ${w} -d '${clean(c.summary)}'`);
    const seen = ` -n '__fish_seen_subcommand_from ${words(c).join(" ")}'`;
    for (const s of c.subcommands ?? []) for (const w of [s.name, ...(s.aliases ?? [])]) lines.push(`complete -c meshctl${seen} -a ${w} -d '${clean(s.summary)}'`);
    for (const [n, f] of Object.entries(c.flags)) lines.push(flagLine(seen, n, f));
    if (c.takesWorkspace) lines.push(`complete -c meshctl${seen} -a '(__fish_complete_directories)'`);
  }
  return `${lines.join("\n")}\n`;
}

export const completionCommand: CommandSpec = {
  name: "completion",
  summary: "print a shell completion script (bash, zsh or fish)",
  usage: ["completion bash|zsh|fish"],
  description: "Completes commands, subcommands, flags and flag values (output formats, files, folders).",
  subcommands: [
    { name: "bash", summary: "bash completion: source <(meshctl completion bash)" },
    { name: "zsh", summary: "zsh completion: source <(meshctl completion zsh)" },
    { name: "fish", summary: "fish completion: meshctl completion fish | source" },
  ],
  flags: {},
  examples: ["source <(meshctl completion bash)", "meshctl completion zsh > \"${fpath[1]}/_meshctl\"", "meshctl completion fish > ~/.config/fish/completions/meshctl.fish"],
  async run(ctx) {
    maxPositionals(ctx, 1, "one shell name");
    const { COMMANDS } = await import("./index.js");
    const shell = ctx.positionals[0];
    if (shell === "bash") ctx.out(bashCompletion(COMMANDS));
    else if (shell === "zsh") ctx.out(zshCompletion(COMMANDS));
    else if (shell === "fish") ctx.out(fishCompletion(COMMANDS));
    else throw new UsageError(shell === undefined ? "missing shell name" : `unsupported shell ${JSON.stringify(shell)}`, "use: meshctl completion bash|zsh|fish");
    return EXIT.ok;
  },
};
