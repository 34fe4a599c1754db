/**
 * Private network namespaces for peers that cannot be told which address to
 * bind (gnutls-serv 3.7 listens on 0.0.0.0 and :: with no option to restrict
 * it). Running such a peer inside `unshare --net` means its listener is only
 * reachable inside that namespace, whose only interface is loopback.
 *
 * Two ways to talk to a peer in there:
 *  1. run the other end inside the same namespace too (`execInPrivateNetns`
 *     one-shot, or `PrivateNetns.exec/spawn`, e.g. `node --import tsx script.ts`);
 *  2. `PrivateNetns.forward(port)`: a relay process inside the namespace
 *     listens on a *filesystem* unix socket (those are not network-namespaced,
 *     so both sides can reach it) and the main-namespace side exposes it as
 *     127.0.0.1:<port>. In-process clients (our rxtls client in a mocha spec)
 *     then connect to 127.0.0.1:<port> as if the peer were local.
 *
 * Requirements: root (or CAP_SYS_ADMIN) for unshare/nsenter, util-linux
 * (`unshare`, `nsenter`; `setpriv` optional) and a way to bring `lo` up in the
 * new namespace, where it starts DOWN: iproute2's `ip` (preferred), net-tools'
 * `ifconfig`, or python3 (SIOCSIFFLAGS ioctl), tried in that order.
 */
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  execTracked,
  spawnTracked,
  which,
  withTimeout,
  type ExecOptions,
  type ExecResult,
  type TrackedProcess,
} from './proc.js';

export type LoopbackMethod = 'ip' | 'ifconfig' | 'python3';

// SIOCGIFFLAGS=0x8913 / SIOCSIFFLAGS=0x8914 with IFF_UP=1 on a struct ifreq
// (16-byte name + short flags, padded to sizeof(struct ifreq)=40). Node has no
// ioctl binding, so this is the fallback when neither ip nor ifconfig exist.
const PY_LO_UP = [
  'import socket,fcntl,struct',
  's=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)',
  "f=struct.unpack('16sH',fcntl.ioctl(s,0x8913,struct.pack('16sH22x',b'lo',0))[:18])[1]",
  "fcntl.ioctl(s,0x8914,struct.pack('16sH22x',b'lo',f|1))",
].join('\n');

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Shell snippet bringing `lo` up, or undefined if no tool for it is installed. */
function loopbackUpScript(method?: LoopbackMethod): { method: LoopbackMethod; script: string } | undefined {
  const order: LoopbackMethod[] = method ? [method] : ['ip', 'ifconfig', 'python3'];
  for (const m of order) {
    // System copies first: e.g. a pyenv shim on PATH costs ~0.5 s per call.
    const bin = which(m, { systemFirst: true });
    if (!bin) continue;
    // Absolute paths: the PATH of the test process may lack /usr/sbin.
    if (m === 'ip') return { method: m, script: `${shQuote(bin)} link set lo up` };
    if (m === 'ifconfig') return { method: m, script: `${shQuote(bin)} lo up` };
    return { method: m, script: `${shQuote(bin)} -c ${shQuote(PY_LO_UP)}` };
  }
  return undefined;
}

function unshareArgv(method: LoopbackMethod | undefined, tail: string, args: string[]): string[] {
  const unshare = which('unshare');
  const sh = which('sh');
  if (!unshare || !sh) throw new Error('unshare (util-linux) and sh are required for network namespaces');
  const lo = loopbackUpScript(method);
  if (!lo) {
    throw new Error(
      `no tool to bring up loopback in a new network namespace${method ? ` (forced method ${method})` : ''}: ` +
        'install iproute2 (apt-get install -y iproute2)',
    );
  }
  // `exec` keeps a single pid chain (unshare execs sh, sh execs the command),
  // so killing the pid we hold kills the real process, and the pdeathsig set
  // by setpriv carries through.
  return [unshare, '--net', '--', sh, '-c', `${lo.script} && ${tail}`, 'rxtls-netns', ...args];
}

export interface NetnsExecOptions extends ExecOptions {
  /** Force a loopback bring-up method (tests of the fallbacks); default: first available. */
  loopback?: LoopbackMethod;
}

/**
 * Run `argv` in a fresh network namespace whose only interface, lo
 * (127.0.0.1, ::1), is up. The namespace disappears when the command exits.
 * Use `sh -c '...'` as argv to run several cooperating processes in it.
 */
export function execInPrivateNetns(argv: string[], opts: NetnsExecOptions): Promise<ExecResult> {
  const full = unshareArgv(opts.loopback, 'exec "$@"', argv);
  return execTracked(full, opts);
}

let supportProbe: Promise<{ ok: true; method: LoopbackMethod } | { ok: false; reason: string }> | undefined;

/** Whether private network namespaces work here (cached; costs one unshare). */
export function netnsSupport(): Promise<{ ok: true; method: LoopbackMethod } | { ok: false; reason: string }> {
  supportProbe ??= (async () => {
    if (process.platform !== 'linux') return { ok: false as const, reason: 'network namespaces need Linux' };
    const lo = loopbackUpScript();
    if (!which('unshare') || !which('nsenter')) return { ok: false as const, reason: 'unshare/nsenter (util-linux) not found' };
    if (!lo) return { ok: false as const, reason: 'no ip/ifconfig/python3 to bring lo up (install iproute2)' };
    try {
      const r = await execInPrivateNetns(['true'], { timeoutMs: 5000 });
      if (r.code === 0) return { ok: true as const, method: lo.method };
      return { ok: false as const, reason: `unshare --net failed (code ${r.code}): ${r.stderr.trim()} (needs root/CAP_SYS_ADMIN)` };
    } catch (e) {
      return { ok: false as const, reason: String(e) };
    }
  })();
  return supportProbe;
}

/** Skip the current test/suite when netns is unusable; fail instead when CI=true. */
export async function requireNetns(ctx: Mocha.Context): Promise<void> {
  const s = await netnsSupport();
  if (s.ok) return;
  if (process.env.CI === 'true') throw new Error(`private network namespaces unavailable in CI: ${s.reason}`);
  ctx.skip();
}

// ---------------------------------------------------------------------------
// Long-lived namespaces

/**
 * TCP <-> unix-socket relay run *inside* the namespace. Plain ESM JS on purpose:
 * `node -e` starts in ~40 ms, `node --import tsx` takes several hundred.
 * It exits when its stdin reaches EOF, i.e. when the test process ends it or dies.
 */
const RELAY_JS = `
import net from 'node:net';
const [path, port] = process.argv.slice(1);
${spliceSource()}
const srv = net.createServer({ allowHalfOpen: true }, (down) => {
  const up = net.connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: true });
  splice(down, up);
});
srv.listen(path, () => process.stdout.write('rxtls-relay-ready\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

// Shared by the relay (as source text) and the main-namespace forwarder.
function spliceSource(): string {
  return `
function splice(a, b) {
  // pipe() propagates FIN in each direction independently (allowHalfOpen on
  // both sockets), which keeps TLS close_notify/half-close behaviour intact.
  a.pipe(b);
  b.pipe(a);
  // An error or reset on one side can't be forwarded as a RST; tear the other
  // side down so the peer sees the connection die instead of hanging.
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}`;
}

function splice(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}

export interface Forwarder {
  /** Port on 127.0.0.1 in the *main* namespace that reaches the target inside the namespace. */
  readonly port: number;
  /** The unix socket the relay listens on (net.connect({ path }) works too). */
  readonly socketPath: string;
  close(): Promise<void>;
}

export interface PrivateNetns {
  /** pid of the process holding the namespace open. */
  readonly pid: number;
  /** /proc/<pid>/ns/net, usable with `nsenter --net=...` */
  readonly nsPath: string;
  /** Start a long-running process inside the namespace (tracked, stopped by close()). */
  spawn(argv: string[], opts?: { cwd?: string; env?: NodeJS.ProcessEnv }): TrackedProcess;
  /** Run a command to completion inside the namespace. */
  exec(argv: string[], opts: ExecOptions): Promise<ExecResult>;
  /** Expose 127.0.0.1:`port` of the namespace as 127.0.0.1:<Forwarder.port> in the main namespace. */
  forward(port: number, opts?: { listenPort?: number }): Promise<Forwarder>;
  /** Stop everything started in the namespace and release it. */
  close(): Promise<void>;
}

/**
 * Create a network namespace with lo up, held open by a `cat` whose stdin is
 * a pipe from us: it exits on close() or when this process dies, so a crashed
 * test run does not leave namespace holders behind.
 */
export async function openPrivateNetns(opts: { loopback?: LoopbackMethod; timeoutMs?: number } = {}): Promise<PrivateNetns> {
  const nsenter = which('nsenter');
  if (!nsenter) throw new Error('nsenter (util-linux) is required');
  const holder = spawnTracked(unshareArgv(opts.loopback, 'echo rxtls-netns-ready && exec cat >/dev/null', []));
  await holder.waitForOutput('rxtls-netns-ready', opts.timeoutMs ?? 5000);
  const pid = holder.proc.pid!;
  const nsPath = `/proc/${pid}/ns/net`;
  const children = new Set<TrackedProcess>();
  const forwarders = new Set<Forwarder>();
  let tmpDir: string | undefined;
  let closed = false;

  const enter = (argv: string[]): string[] => [nsenter, `--net=${nsPath}`, '--', ...argv];

  const spawnIn = (argv: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): TrackedProcess => {
    if (closed) throw new Error('namespace already closed');
    const t = spawnTracked(enter(argv), o);
    children.add(t);
    void t.exited().then(() => children.delete(t));
    return t;
  };

  const forward = async (port: number, fo: { listenPort?: number } = {}): Promise<Forwarder> => {
    tmpDir ??= await mkdtemp(join(tmpdir(), 'rxtls-netns-'));
    const socketPath = join(tmpDir, `fwd-${port}-${forwarders.size}.sock`);
    const relay = spawnIn([process.execPath, '--input-type=module', '-e', RELAY_JS, socketPath, String(port)]);
    await relay.waitForOutput('rxtls-relay-ready', 5000);
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: true }, (client) => {
      const up = net.connect({ path: socketPath, allowHalfOpen: true });
      sockets.add(client).add(up);
      client.on('close', () => sockets.delete(client));
      up.on('close', () => sockets.delete(up));
      splice(client, up);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(fo.listenPort ?? 0, '127.0.0.1', () => resolve());
    });
    const fwd: Forwarder = {
      port: (server.address() as net.AddressInfo).port,
      socketPath,
      close: async () => {
        forwarders.delete(fwd);
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
        relay.proc.stdin!.end();
        await relay.stop(200);
      },
    };
    forwarders.add(fwd);
    return fwd;
  };

  return {
    pid,
    nsPath,
    spawn: spawnIn,
    exec: (argv, o) => {
      const t = spawnIn(argv, { cwd: o.cwd, env: o.env });
      if (o.input !== undefined) t.proc.stdin!.write(o.input);
      if ((o.endStdin ?? 'after-input') === 'after-input') t.proc.stdin!.end();
      return withTimeout(t, argv, o.timeoutMs);
    },
    forward,
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all([...forwarders].map((f) => f.close()));
      await Promise.all([...children].map((c) => c.stop()));
      holder.proc.stdin!.end();
      await holder.stop(200);
      if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

/**
 * True once the process `pid` has a TCP socket in LISTEN state on `port`.
 * /proc/<pid>/net/tcp{,6} shows the sockets of *that process's* network
 * namespace, so this works for peers inside a private namespace too, and
 * unlike a probe connect() it doesn't make the peer log a failed handshake.
 */
export async function isListening(pid: number, port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = await readFile(`/proc/${pid}/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] = local "ADDR:PORT" (hex), cols[3] = state; 0A = TCP_LISTEN.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') return true;
    }
  }
  return false;
}

/**
 * Poll `isListening` until true; rejects if `t` exits first or on timeout.
 * With `netnsPath`, a listener only counts once `t` has actually entered that
 * namespace: right after spawn the pid still belongs to setpriv/nsenter in the
 * main namespace, where an unrelated process may hold the same port.
 */
export async function waitForListen(t: TrackedProcess, port: number, timeoutMs: number, netnsPath?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const wantNs = netnsPath ? await readlink(netnsPath) : undefined;
  for (;;) {
    const pid = t.proc.pid;
    if (t.proc.exitCode !== null || t.proc.signalCode !== null || pid === undefined) {
      throw new Error(`process exited before listening on port ${port}; output:\n${t.output()}`);
    }
    const inNs = wantNs === undefined || (await readlink(`/proc/${pid}/ns/net`).catch(() => '')) === wantNs;
    if (inNs && (await isListening(pid, port))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for a listener on port ${port}; output:\n${t.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
