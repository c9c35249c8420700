// Runs `fedsvc` as a user does: a child process of node on the package's entry (through tsx,
// on the sources), against local fixtures. Every process a test starts, it ends.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = 'packages/cli/src/bin.ts';

/** Variables a developer may have set that would steer the child: fedsvc's own, and the cloud SDKs' credentials and settings. */
const STEERING = /^(FEDSVC|AWS|GOOGLE|GCLOUD|CLOUDSDK)_/;

/** The environment of a child: this process's, without the variables a developer may have set that steer it. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key, value]) => !STEERING.test(key) && value !== undefined));
  return { ...(env as Record<string, string>), ...extra };
}

/** A running `fedsvc`: its output so far, and its exit. */
export interface Fedsvc {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (a signal's death is reported as its name). */
  readonly exited: Promise<number | string>;
}

export function startFedsvc(args: readonly string[], env: Record<string, string> = cleanEnv()): Fedsvc {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@fedsvc/source', BIN, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs `fedsvc` to its end, killed past `timeoutMs`. */
export async function runFedsvc(
  args: readonly string[],
  env?: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const fedsvc = startFedsvc(args, env);
  const timer = setTimeout(() => fedsvc.child.kill('SIGKILL'), timeoutMs);
  const code = await fedsvc.exited;
  clearTimeout(timer);
  return { code, stdout: fedsvc.stdout(), stderr: fedsvc.stderr() };
}

/** Polls `check` every 50 ms until it holds, at most `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
