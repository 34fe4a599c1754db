/**
 * Child-process plumbing shared by the interop harness (peers.ts, netns.ts).
 *
 * Every external TLS peer (openssl, gnutls-*, netns helpers) is spawned through
 * `spawnTracked` so that:
 *  - it is registered in a module-level set and can be killed by `stopAll()`
 *    (specs call it from `after()`), and by a synchronous `process.on('exit')`
 *    hook as a last resort when mocha exits without running after hooks;
 *  - when `setpriv` (util-linux) is available it gets PR_SET_PDEATHSIG=SIGKILL,
 *    so even if the mocha process itself is SIGKILLed (e.g. CI timeout) the
 *    kernel kills the peers instead of leaving them bound to ports.
 *    setpriv, unshare and nsenter all exec() (none of them forks for the
 *    options we use), so the pid we hold is the real peer's pid and the
 *    death signal survives into it.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join } from 'node:path';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/**
 * Absolute path of `cmd` on PATH (plus the sbin dirs, where `ip` lives), or
 * undefined. `systemFirst` looks in the system dirs before PATH.
 */
export function which(cmd: string, opts: { systemFirst?: boolean } = {}): string | undefined {
  // Scan PATH ourselves instead of spawning `which`: it's synchronous, cheap,
  // and `which` itself is not guaranteed to exist (debianutils).
  const path = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  // Non-login root shells in containers sometimes lack /usr/sbin on PATH,
  // which is where iproute2's `ip` is installed.
  const dirs = [...new Set(opts.systemFirst ? [...SYSTEM_DIRS, ...path] : [...path, ...SYSTEM_DIRS])];
  for (const dir of dirs) {
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

let setprivPath: string | null | undefined;
function deathSignalPrefix(): string[] {
  if (setprivPath === undefined) setprivPath = which('setpriv') ?? null;
  return setprivPath ? [setprivPath, '--pdeathsig', 'KILL', '--'] : [];
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous; kill() is, which is all we need here.
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/**
 * A spawned peer with its stdout+stderr captured (interleaved in arrival order,
 * which is what a human reading a failure message wants).
 */
export interface TrackedProcess {
  readonly proc: ChildProcess;
  /** stdout+stderr received so far. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the output once `pattern` appears in stdout+stderr; rejects on exit or timeout. */
  waitForOutput(pattern: string | RegExp, timeoutMs: number): Promise<string>;
  /** Resolves when the process has exited (immediately if it already has). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

/**
 * Spawn `argv` with piped stdio, register it for cleanup and capture output.
 * stdin is left open on purpose: openssl s_server/s_client and gnutls-cli
 * treat EOF on stdin as "quit", so callers decide when to end it.
 */
export function spawnTracked(argv: string[], opts: SpawnOptions = {}): TrackedProcess {
  if (argv.length === 0) throw new Error('spawnTracked: empty argv');
  installExitHook();
  const full = [...deathSignalPrefix(), ...argv];
  const proc = spawn(full[0]!, full.slice(1), { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(proc);

  let out = '';
  let err = '';
  let all = '';
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const l of [...listeners]) l();
  };
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    out += chunk;
    all += chunk;
    notify();
  });
  proc.stderr!.on('data', (chunk: string) => {
    err += chunk;
    all += chunk;
    notify();
  });
  // A peer that dies early makes writes to its stdin fail with EPIPE; that is
  // reported through exit status/output, so don't let it crash mocha.
  proc.stdin!.on('error', () => {});

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' (not 'exit') so that all stdout/stderr has been read by then.
    proc.on('close', (code, signal) => {
      exitInfo = { code, signal };
      live.delete(proc);
      notify();
      resolve(exitInfo);
    });
    proc.on('error', (e) => {
      // ENOENT etc.: no 'close' may follow if the process never started.
      spawnError = e;
      live.delete(proc);
      exitInfo ??= { code: null, signal: null };
      notify();
      resolve(exitInfo);
    });
  });

  const waitForOutput = (pattern: string | RegExp, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (matches(all, pattern)) {
          done();
          resolve(all);
        } else if (exitInfo) {
          done();
          reject(
            new Error(
              `${argv[0]} exited (code=${exitInfo.code}, signal=${exitInfo.signal}${spawnError ? `, ${spawnError.message}` : ''}) ` +
                `before printing ${String(pattern)}; output:\n${all}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${String(pattern)} from ${argv[0]}; output:\n${all}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  return {
    proc,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    waitForOutput,
    exited: () => exitPromise,
    stop: (graceMs = 500) => killProcess(proc, exitPromise, graceMs),
  };
}

async function killProcess(proc: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || !live.has(proc)) {
    await exited;
    return;
  }
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!graceful) {
    proc.kill('SIGKILL');
    await exited;
  }
}

/** Kill every process spawned through this module that is still running. Call from `after()`. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...live].map(async (proc) => {
      proc.kill('SIGKILL');
      await new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('close', () => r())));
      live.delete(proc);
    }),
  );
}

/** Number of tracked processes still alive (for leak assertions in specs). */
export function liveProcessCount(): number {
  return live.size;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to stdin right after spawning. */
  input?: Uint8Array | string;
  /**
   * When to send EOF on stdin. Default 'after-input' (plain pipe semantics,
   * right for ordinary commands); interop clients override this.
   */
  endStdin?: 'after-input' | 'never';
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Error thrown when a command is killed for exceeding its timeout; carries the output so far. */
export class ExecTimeoutError extends Error {
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ExecTimeoutError';
  }
}

/** Run a command to completion (tracked, hard timeout with SIGKILL). */
export async function execTracked(argv: string[], opts: ExecOptions): Promise<ExecResult> {
  const t = spawnTracked(argv, { cwd: opts.cwd, env: opts.env });
  if (opts.input !== undefined) t.proc.stdin!.write(opts.input);
  if ((opts.endStdin ?? 'after-input') === 'after-input') t.proc.stdin!.end();
  return withTimeout(t, argv, opts.timeoutMs);
}

/** Await exit of `t`, SIGKILLing it and rejecting with ExecTimeoutError after `timeoutMs`. */
export async function withTimeout(t: TrackedProcess, argv: string[], timeoutMs: number): Promise<ExecResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const res = await Promise.race([t.exited(), timedOut]);
  clearTimeout(timer);
  if (res === 'timeout') {
    t.proc.kill('SIGKILL');
    await t.exited();
    throw new ExecTimeoutError(
      `${argv.join(' ')} timed out after ${timeoutMs} ms\n--- stdout ---\n${t.stdout()}\n--- stderr ---\n${t.stderr()}`,
      t.stdout(),
      t.stderr(),
    );
  }
  return { ...res, stdout: t.stdout(), stderr: t.stderr() };
}
