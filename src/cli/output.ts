import { closestKey } from "../codec/load.js";

/**
 * Shared output helpers of meshctl: colour (only on a terminal, never with NO_COLOR or --no-color), aligned tables,
 * kubectl-style `Key:  value` blocks, a progress spinner on stderr (only on a terminal), and "did you mean".
 */

const ANSI = /\u001b\[[0-9;]*m/g;

/** Length of `text` as shown on a terminal (colour codes do not count). */
export function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}

/** Removes colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Colour functions; identity functions when colour is off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  /** Colours an approval state or check result: ACCEPTED/ok green, CONFLICT/warn yellow, INVALID/fail red. */
  state(text: string): string;
}

const code =
  (open: number, close: number) =>
  (enabled: boolean) =>
  (text: string): string =>
    enabled && text !== "" ? `\u001b[${open}m${text}\u001b[${close}m` : text;
const BOLD = code(1, 22);
const DIM = code(2, 22);
const RED = code(31, 39);
const GREEN = code(32, 39);
const YELLOW = code(33, 39);
const CYAN = code(36, 39);

export function makeStyle(enabled: boolean): Style {
  const red = RED(enabled);
  const green = GREEN(enabled);
  const yellow = YELLOW(enabled);
  return {
    enabled,
    bold: BOLD(enabled),
    dim: DIM(enabled),
    red,
    green,
    yellow,
    cyan: CYAN(enabled),
    state: (text) => {
      if (/^(ACCEPTED|ok|✔)/.test(text)) return green(text);
      if (/^(CONFLICT|warn|‼)/.test(text)) return yellow(text);
      if (/^(INVALID|fail|×|FAILED)/.test(text)) return red(text);
      return text;
    },
  };
}

/**
 * Colour is used only when the stream is a terminal, `--no-color` was not given, `NO_COLOR` is unset or empty
 * (https://no-color.org) and `TERM` is not `dumb`.
 */
export function colorWanted(isTTY: boolean | undefined, noColorFlag: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (noColorFlag || !isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return env.TERM !== "dumb";
}

/**
 * Aligns rows into columns separated by two spaces; trailing spaces are trimmed. The header is bold when `style`
 * is coloured; cells may carry colour codes (widths count visible characters).
 */
export function formatColumns(header: readonly string[], rows: readonly (readonly string[])[], style?: Style): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ""))));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)))))
      .join("  ")
      .trimEnd();
  const head = line(header);
  return [style ? style.bold(head) : head, ...rows.map(line)].join("\n");
}

/** Indents every non-empty line. */
export function indent(text: string, by = 2): string {
  const pad = " ".repeat(by);
  return text
    .split("\n")
    .map((l) => (l === "" ? l : pad + l))
    .join("\n");
}

/** One `Key: value` pair; an undefined or empty value is left out (as Gloo Mesh's describe does). */
export type Field = readonly [key: string, value: string | number | undefined];

/** kubectl-style block: `Key:` padded so values line up, empty values left out. */
export function formatFields(fields: readonly Field[], style?: Style): string {
  const kept = fields.filter(([, v]) => v !== undefined && v !== "");
  const width = Math.max(0, ...kept.map(([k]) => k.length + 1));
  return kept.map(([k, v]) => `${style ? style.bold(`${k}:`) : `${k}:`}${" ".repeat(width - k.length - 1 + 2)}${v}`).join("\n");
}

/** Words for counts: `1 policy`, `2 policies`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A progress indicator on stderr. */
export interface Progress {
  update(text: string): void;
  /** Stops; prints `text` as a final line when given. */
  done(text?: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A spinner with a message on stderr when it is a terminal; otherwise silent, or (with `verbose`) one line per
 * update. The timer never keeps the process alive.
 */
export function makeProgress(write: (text: string) => void, isTTY: boolean, verbose: boolean): Progress {
  if (!isTTY) {
    return {
      update: (text) => {
        if (verbose) write(`${text}\n`);
      },
      done: (text) => {
        if (text !== undefined && verbose) write(`${text}\n`);
      },
    };
  }
  let frame = 0;
  let message = "";
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = (): void => write(`\r\u001b[K${FRAMES[frame++ % FRAMES.length] ?? ""} ${message}`);
  return {
    update: (text) => {
      message = text;
      if (!timer) {
        timer = setInterval(draw, 80);
        timer.unref();
      }
      draw();
    },
    done: (text) => {
      if (timer) clearInterval(timer);
      timer = undefined;
      write("\r\u001b[K");
      if (text !== undefined) write(`${text}\n`);
    },
  };
}

/** The closest candidate to `word` (a prefix match first, else the nearest by edit distance), or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  return (word.length >= 2 ? list.find((c) => c.startsWith(word) || word.startsWith(c)) : undefined) ?? closestKey(word, list);
}
