/**
 * Helpers for the meshctl tests: run the CLI as a user would — a subprocess (`node --import tsx src/cli/main.ts`),
 * asynchronously so an in-process fake API server keeps answering — optionally inside a pseudo-terminal driven by
 * Python's `pty` module (type answers, wait for prompts).
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect } from "vitest";
import { writeWorkspaceFiles } from "../src/adapters/files.js";
import { demoWorkspaceFiles } from "../src/cli/demo/workspace.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MAIN = join(ROOT, "src/cli/main.ts");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Temporary folders made by this test file, removed when it ends (a test run must not leave them behind). */
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file ends. */
export function tmp(prefix = "meshctl-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * An environment that can never reach a real cluster: no kubeconfig (KUBECONFIG points nowhere, HOME is empty),
 * no colour settings inherited.
 */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(KUBECONFIG|NO_COLOR|FORCE_COLOR|MESHCTL_WORKSPACE)$/.test(k)) env[k] = v;
  return { ...env, HOME: home, KUBECONFIG: join(home, "no-kubeconfig"), ...extra };
}

/** Runs meshctl (from source, through tsx) as a subprocess. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: options.cwd ?? ROOT, env: options.env ?? isolatedEnv(tmp()), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A user-facing error: no stack trace, a `meshctl:` line and a `hint:` line. */
export function expectOneLineError(r: CliResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).toMatch(message);
  const lines = r.stderr.trimEnd().split("\n");
  const errorLine = lines.findIndex((l) => l.startsWith("meshctl: "));
  expect(errorLine, r.stderr).toBeGreaterThanOrEqual(0);
  expect(lines[errorLine + 1] ?? "", r.stderr).toMatch(/^hint: \S/);
}

/** Writes the bundled demo workspace to `dir` (as `meshctl demo` does). */
export function writeDemoWorkspace(dir: string): string {
  writeWorkspaceFiles(dir, demoWorkspaceFiles());
  return dir;
}

/** The demo workspace without its deliberate CONFLICT (ratings-slow-clients) and INVALID (web-cors) policies. */
export function writeCleanWorkspace(dir: string): string {
  writeWorkspaceFiles(
    dir,
    demoWorkspaceFiles().map((f) => ({
      ...f,
      content: f.content
        .split(/^---$/m)
        .filter((doc) => !/name: (ratings-slow-clients|web-cors)\n/.test(doc))
        .join("---"),
    })),
  );
  return dir;
}

export const HAS_PYTHON = spawnSync("python3", ["-c", "import pty"], { encoding: "utf8" }).status === 0;

/** One step of a terminal session: wait until the screen (colour codes stripped) matches, then type. */
export interface PtyStep {
  readonly expect: string;
  readonly send: string;
}

const PTY_DRIVER = String.raw`
import fcntl, json, os, pty, re, select, struct, sys, termios, time
argv, env, steps, timeout = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[4])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    os.execve(argv[0], argv, env)
buf = b""
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
def plain():
    return ANSI.sub(b"", buf).decode("utf8", "replace")
def pump(t):
    global buf
    r, _, _ = select.select([fd], [], [], t)
    if not r:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    buf += data
    return True
failed = None
seen = 0
for step in steps:
    deadline = time.time() + timeout
    while step["expect"] not in plain()[seen:]:
        if time.time() > deadline or not pump(0.1):
            failed = step["expect"]
            break
    if failed is not None:
        break
    seen = plain().index(step["expect"], seen) + len(step["expect"])
    time.sleep(0.15)
    os.write(fd, step["send"].encode())
deadline = time.time() + timeout
while time.time() < deadline and pump(0.2):
    pass
try:
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
except ChildProcessError:
    code = -1
print(json.dumps({"code": code, "raw": buf.decode("utf8", "replace"), "screen": plain(), "failedAt": failed}))
`;

/** Runs meshctl inside a pseudo-terminal, typing `steps`; returns the raw output (with colour codes) and the exit code. */
export function runInPty(
  args: readonly string[],
  steps: readonly PtyStep[],
  options: { env?: Record<string, string>; timeoutSeconds?: number; stdoutTo?: string } = {},
): Promise<{ code: number; raw: string; screen: string; failedAt: string | null }> {
  const meshctl = [process.execPath, "--import", "tsx", MAIN, ...args];
  // `stdoutTo`: as `meshctl … > FILE` typed in a shell: stdout redirected, stdin and stderr still the terminal.
  const argv = options.stdoutTo !== undefined ? ["/bin/sh", "-c", 'f="$1"; shift; exec "$@" > "$f"', "sh", options.stdoutTo, ...meshctl] : meshctl;
  const env = { TERM: "xterm-256color", ...(options.env ?? isolatedEnv(tmp())) };
  return new Promise((resolvePromise, reject) => {
    execFile("python3", ["-c", PTY_DRIVER, JSON.stringify(argv), JSON.stringify(env), JSON.stringify(steps), String(options.timeoutSeconds ?? 20)], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && stdout === "") return reject(new Error(`pty driver failed: ${stderr}`));
      resolvePromise(JSON.parse(stdout) as { code: number; raw: string; screen: string; failedAt: string | null });
    });
  });
}

/** Every step of a terminal session was reached and meshctl exited 0 (the screen is shown when not). */
export function expectSessionDone(r: { code: number; screen: string; failedAt: string | null }): void {
  expect(r.failedAt, r.screen).toBeNull();
  expect(r.code, r.screen).toBe(0);
}
