/**
 * Real TLS peers on loopback for interop specs: openssl s_server/s_client,
 * gnutls-serv/gnutls-cli and node:tls. Everything listens on 127.0.0.1 only
 * (gnutls-serv, which can't be restricted, runs in a private netns).
 *
 * Usage in a spec:
 *   before(function () { requirePeer('openssl', this); });
 *   after(stopAll);
 *
 * stdin conventions (the reason for the `closeWhen` option everywhere):
 *  - openssl s_server quits as soon as it reads EOF on stdin while a client
 *    is connected, so its stdin stays an open pipe until stop(); text written
 *    with `send()` goes to the connected client (or is a command letter, see
 *    OpensslServer.send).
 *  - openssl s_client (without -ign_eof) and gnutls-cli react to EOF on stdin
 *    by sending close_notify and exiting, possibly before the server's reply
 *    has arrived. So the client helpers keep stdin open after writing `input`
 *    and only send EOF once `closeWhen` has appeared in the client's stdout;
 *    without `closeWhen` the client runs until the *server* closes the
 *    connection (both tools exit then). We don't use -ign_eof: keeping stdin
 *    open gives the same "wait for the server" behaviour and still lets us
 *    make the client close first when a test wants that.
 *  - Without -ign_eof, s_client interprets input lines starting with Q, R, k, K
 *    as commands (quit, renegotiate, key update); we pass -nocommands unless
 *    `commands: true`, so arbitrary test payloads are sent verbatim.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { openPrivateNetns, waitForListen, type PrivateNetns } from './netns.js';
import {
  execTracked,
  matches,
  spawnTracked,
  stopAll as stopAllProcesses,
  which,
  withTimeout,
  type ExecResult,
  type TrackedProcess,
} from './proc.js';

export { ExecTimeoutError, liveProcessCount, type ExecResult } from './proc.js';
export { execInPrivateNetns, openPrivateNetns, requireNetns, netnsSupport, type PrivateNetns } from './netns.js';

/** TLS 1.3 only, otherwise gnutls defaults (gnutls-cli/serv accept TLS 1.2 by default). */
export const GNUTLS_TLS13_PRIORITY = 'NORMAL:-VERS-ALL:+VERS-TLS1.3';

const openNamespaces = new Set<PrivateNetns>();
const openServers = new Set<{ stop(): Promise<void> }>();

/**
 * Kill every peer process, close node:tls servers and private namespaces
 * started by this module. Call it from `after()` in each interop spec.
 */
export async function stopAll(): Promise<void> {
  await Promise.all([...openServers].map((s) => s.stop()));
  await Promise.all([...openNamespaces].map((ns) => ns.close()));
  openNamespaces.clear();
  await stopAllProcesses();
}

/**
 * A free TCP port on 127.0.0.1. Inherently racy (someone else may take it
 * before the peer binds), but the window is tiny on a test machine; prefer
 * listening on port 0 where the peer supports it (node:tls helpers do).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export type PeerCommand = 'openssl' | 'gnutls-serv' | 'gnutls-cli' | 'chromium';

/** Skip the test when `cmd` isn't installed; in CI (CI=true) a missing peer is a failure instead. */
export function requirePeer(cmd: PeerCommand, ctx: Mocha.Context): void {
  if (which(cmd)) return;
  if (process.env.CI === 'true') {
    throw new Error(`interop peer '${cmd}' not found on PATH; CI must install it (.ci/run: openssl / gnutls-bin / chromium)`);
  }
  ctx.skip();
}

// ---------------------------------------------------------------------------
// Certificates

export interface TempCert {
  dir: string;
  cert: string;
  key: string;
  cleanup(): Promise<void>;
}

/**
 * Self-signed P-256 certificate for CN=localhost (SAN localhost, 127.0.0.1)
 * in a fresh temp dir. Takes ~20 ms, so specs can make their own rather than
 * depend on shared fixtures.
 */
export async function makeTempCert(opts: { cn?: string; curve?: 'P-256' | 'P-384' | 'P-521' } = {}): Promise<TempCert> {
  const dir = await mkdtemp(join(tmpdir(), 'rxtls-cert-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const cn = opts.cn ?? 'localhost';
  const r = await execTracked(
    [
      'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${opts.curve ?? 'P-256'}`,
      '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', `subjectAltName=DNS:${cn},IP:127.0.0.1`,
    ],
    { timeoutMs: 10_000 },
  );
  if (r.code !== 0) throw new Error(`openssl req failed (${r.code}):\n${r.stderr}`);
  return { dir, cert, key, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------
// openssl s_server / s_client

export interface PeerServer {
  readonly proc: TrackedProcess['proc'];
  /** Port reachable on 127.0.0.1 from this (the main) namespace. */
  readonly port: number;
  /** stdout+stderr so far. */
  output(): string;
  /** Wait until `pattern` shows up in the server's output. */
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface OpensslServer extends PeerServer {
  /**
   * Write to s_server's stdin. In the default (non -www) mode a line is sent
   * to the connected client as application data, except lines starting with a
   * command letter: Q (quit server), q (close connection), k / K (send
   * KeyUpdate, K = update_requested), r/R (renegotiate, TLS 1.2 only),
   * B (heartbeat), P (plaintext garbage), S (print session cache stats).
   */
  send(data: string | Uint8Array): void;
}

export interface OpensslServerOptions {
  /** Default: freePort(). */
  port?: number;
  /** Both, or neither for a PSK-only server (pass ['-nocert', '-psk', HEX, ...] in args). */
  cert?: string;
  key?: string;
  /** Extra s_server args, e.g. ['-groups', 'X25519'], ['-ciphersuites', 'TLS_AES_128_GCM_SHA256']. */
  args?: string[];
  /** Serve the HTML status page (-www): answers "GET /" then closes the connection. */
  www?: boolean;
  /** The one version it speaks: s_server's -tls1_3 (default) or -tls1_2; 'any': its default range (1.2 and 1.3). */
  version?: 'tls1_3' | 'tls1_2' | 'any';
  readyTimeoutMs?: number;
}

/**
 * `openssl s_server -accept 127.0.0.1:PORT -tls1_3 ...` (or -tls1_2), running (across any
 * number of sequential connections) until stop(). Resolves once it prints
 * ACCEPT, which it does right after listen().
 */
export async function startOpensslServer(opts: OpensslServerOptions): Promise<OpensslServer> {
  const port = opts.port ?? (await freePort());
  const argv = [
    'openssl', 's_server',
    '-accept', `127.0.0.1:${port}`,
    ...(opts.cert ? ['-cert', opts.cert] : []),
    ...(opts.key ? ['-key', opts.key] : []),
    ...(opts.version === 'any' ? [] : [`-${opts.version ?? 'tls1_3'}`]),
    ...(opts.www ? ['-www'] : []),
    ...(opts.args ?? []),
  ];
  const t = spawnTracked(argv);
  try {
    await t.waitForOutput(/^ACCEPT$/m, opts.readyTimeoutMs ?? 5000);
  } catch (e) {
    await t.stop();
    throw e;
  }
  return {
    proc: t.proc,
    port,
    output: t.output,
    waitForOutput: (p, ms = 5000) => t.waitForOutput(p, ms),
    send: (data) => void t.proc.stdin!.write(data),
    stop: () => t.stop(),
  };
}

export interface ClientRunOptions {
  port: number;
  host?: string;
  args?: string[];
  /** Written to the client's stdin once spawned (sent after the handshake). */
  input?: Uint8Array | string;
  /**
   * Send EOF on stdin (client then sends close_notify and exits) once this
   * appears in the client's stdout. Without it the client runs until the
   * server closes the connection. It is matched against the *whole* stdout,
   * which also holds the tool's handshake dump (certificates, "x25519", ...),
   * so use a distinctive token, e.g. an echo of the input.
   */
  closeWhen?: string | RegExp;
  /** Hard limit; the client is SIGKILLed and the promise rejects with ExecTimeoutError (carrying the output). */
  timeoutMs: number;
}

export interface OpensslClientOptions extends ClientRunOptions {
  /** The one version it speaks: -tls1_3 (default), -tls1_2 or -dtls1_2 (UDP). */
  version?: 'tls1_3' | 'tls1_2' | 'dtls1_2';
  /** Keep s_client's command letters (Q/R/k/K at line start) active; default false (-nocommands). */
  commands?: boolean;
}

export function runInteractiveClient(argv: string[], opts: ClientRunOptions): Promise<ExecResult> {
  const t = spawnTracked(argv);
  if (opts.input !== undefined) t.proc.stdin!.write(opts.input);
  if (opts.closeWhen !== undefined) {
    const pattern = opts.closeWhen;
    // Only the client's stdout: s_client echoes received application data
    // there, while its stderr carries verify/diagnostic chatter.
    const onData = (): void => {
      if (matches(t.stdout(), pattern)) {
        t.proc.stdout!.off('data', onData);
        t.proc.stdin!.end();
      }
    };
    t.proc.stdout!.on('data', onData);
  }
  return withTimeout(t, argv, opts.timeoutMs);
}

/**
 * `openssl s_client -connect 127.0.0.1:PORT -tls1_3 ...`. Resolves with the
 * exit code and output when it exits (code 0: clean close, 1: handshake or
 * connection failure). See the module comment for stdin/EOF handling.
 * Pass `-servername localhost` in args for SNI: s_client sends none for an IP.
 */
export function runOpensslClient(opts: OpensslClientOptions): Promise<ExecResult> {
  const argv = [
    'openssl', 's_client',
    '-connect', `${opts.host ?? '127.0.0.1'}:${opts.port}`,
    `-${opts.version ?? 'tls1_3'}`,
    ...(opts.commands ? [] : ['-nocommands']),
    ...(opts.args ?? []),
  ];
  return runInteractiveClient(argv, opts);
}

export interface HandshakeSummary {
  protocol?: string;
  cipher?: string;
  /** IANA-style group name: x25519, secp256r1, secp384r1, secp521r1, x448, ffdhe2048... */
  group?: string;
  /** "Verify return code: N (...)" from s_client. */
  verifyCode?: number;
  /** e.g. ECDSA, RSA-PSS, Ed25519 ("Peer signature type"). */
  peerSignatureType?: string;
}

const OPENSSL_GROUP_NAMES: Record<string, string> = {
  prime256v1: 'secp256r1',
  'P-256': 'secp256r1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
};

function normalizeGroup(name: string): string {
  const n = OPENSSL_GROUP_NAMES[name] ?? name;
  return n.toLowerCase();
}

/**
 * Pull the negotiated parameters out of s_client output (normal or -brief;
 * pass stdout+stderr since -brief prints its summary on stderr).
 *
 * Only the first match of each line counts: the session summary precedes any
 * application data, and e.g. `s_server -www` echoes its own "Cipher is" lines
 * in the HTTP body.
 *
 * Group: OpenSSL >= 3.2 prints "Negotiated TLS1.3 group: X25519"; 3.0 only has
 * "Server Temp Key: X25519, 253 bits" or "Server Temp Key: ECDH, prime256v1, 256 bits"
 * (or "DH, 2048 bits" for ffdhe), so fall back to that.
 */
export function parseOpensslClientOutput(text: string): HandshakeSummary {
  const s: HandshakeSummary = {};
  let m = /^(?:New|Reused), (TLSv[\d.]+), Cipher is (\S+)/m.exec(text);
  if (m) {
    s.protocol = m[1];
    s.cipher = m[2];
  }
  s.protocol ??= /^Protocol version: (\S+)/m.exec(text)?.[1];
  s.cipher ??= /^Ciphersuite: (\S+)/m.exec(text)?.[1];
  if ((m = /^Negotiated TLS1\.3 group: (\S+)/m.exec(text))) s.group = normalizeGroup(m[1]!);
  else if ((m = /^(?:Server|Peer) Temp Key: (.+)$/m.exec(text))) {
    const parts = m[1]!.split(',').map((p) => p.trim());
    if (parts[0] === 'ECDH' && parts[1]) s.group = normalizeGroup(parts[1]);
    else if (parts[0] === 'DH' && parts[1]) s.group = `ffdhe${parseInt(parts[1], 10)}`;
    else if (parts[0]) s.group = normalizeGroup(parts[0]);
  }
  if ((m = /^\s*Verify return code: (\d+)/m.exec(text))) s.verifyCode = Number(m[1]);
  s.peerSignatureType = /^(?:Peer signature type|Signature type): (\S+)/m.exec(text)?.[1];
  return s;
}

/**
 * s_server prints per connection "CIPHER is X", "Shared groups: ..." etc. but
 * (in 3.0) not the negotiated group; returns what it can from the first connection.
 */
export function parseOpensslServerOutput(text: string): { cipher?: string; sharedGroups?: string[]; sharedSigalgs?: string[] } {
  return {
    cipher: /^CIPHER is (\S+)/m.exec(text)?.[1],
    sharedGroups: /^Shared groups: (.*)$/m.exec(text)?.[1]?.split(':'),
    sharedSigalgs: /^Shared Signature Algorithms: (.*)$/m.exec(text)?.[1]?.split(':'),
  };
}

// ---------------------------------------------------------------------------
// GnuTLS

export interface GnutlsServer extends PeerServer {
  /** The namespace gnutls-serv runs in; run more processes there with netns.exec/spawn. */
  readonly netns: PrivateNetns;
  /** Port gnutls-serv listens on inside the namespace. */
  readonly netnsPort: number;
}

export interface GnutlsServerOptions {
  /** Main-namespace port of the forwarder; default: any free port. */
  port?: number;
  /** Both, or neither for a PSK-only server (pass ['--pskpasswd', FILE] in args). */
  cert?: string;
  key?: string;
  /** Extra gnutls-serv args (e.g. ['--noticket'], ['--require-client-cert', '--x509cafile', ca]). */
  args?: string[];
  /** Default GNUTLS_TLS13_PRIORITY; pass null to use gnutls' own default. */
  priority?: string | null;
  /** 'echo' (default) echoes each line back (CRLF -> LF unless --crlf); 'http' serves a status page. */
  mode?: 'echo' | 'http';
  readyTimeoutMs?: number;
}

/**
 * gnutls-serv inside a private network namespace (it binds 0.0.0.0/::), made
 * reachable from the main namespace at 127.0.0.1:`port` through a forwarder.
 * The forwarder preserves the byte stream and half-closes, not TCP resets or
 * segmentation.
 */
export async function startGnutlsServer(opts: GnutlsServerOptions): Promise<GnutlsServer> {
  const ns = await openPrivateNetns();
  openNamespaces.add(ns);
  try {
    // Nothing else lives in this namespace, so a fixed port can't collide.
    const netnsPort = 5556;
    const priority = opts.priority === undefined ? GNUTLS_TLS13_PRIORITY : opts.priority;
    const argv = [
      'gnutls-serv',
      `--port=${netnsPort}`,
      ...(opts.cert ? [`--x509certfile=${opts.cert}`] : []),
      ...(opts.key ? [`--x509keyfile=${opts.key}`] : []),
      `--${opts.mode ?? 'echo'}`,
      ...(priority ? [`--priority=${priority}`] : []),
      ...(opts.args ?? []),
    ];
    const t = ns.spawn(argv);
    // Readiness from the kernel's socket table rather than the "listening on"
    // banner: the banner's wording differs between --echo and --http and
    // across gnutls versions, the LISTEN state doesn't.
    await waitForListen(t, netnsPort, opts.readyTimeoutMs ?? 5000, ns.nsPath);
    const fwd = await ns.forward(netnsPort, { listenPort: opts.port });
    return {
      proc: t.proc,
      port: fwd.port,
      netns: ns,
      netnsPort,
      output: t.output,
      waitForOutput: (p, ms = 5000) => t.waitForOutput(p, ms),
      stop: async () => {
        openNamespaces.delete(ns);
        await ns.close();
      },
    };
  } catch (e) {
    openNamespaces.delete(ns);
    await ns.close();
    throw e;
  }
}

export interface GnutlsClientOptions extends ClientRunOptions {
  /** Default GNUTLS_TLS13_PRIORITY; null for gnutls' default. */
  priority?: string | null;
  /** Skip certificate verification (--insecure); default true. */
  insecure?: boolean;
}

/**
 * `gnutls-cli --port=PORT 127.0.0.1 ...` in the main namespace (a client binds
 * nothing, so no netns is needed). Exit code 0 on clean close; 1 on handshake
 * failure (the reason is on stderr, e.g. "*** Fatal error: ...").
 * Use --sni-hostname=localhost in args for SNI (none is sent for an IP).
 */
export function runGnutlsClient(opts: GnutlsClientOptions): Promise<ExecResult> {
  const priority = opts.priority === undefined ? GNUTLS_TLS13_PRIORITY : opts.priority;
  const argv = [
    'gnutls-cli',
    `--port=${opts.port}`,
    ...((opts.insecure ?? true) ? ['--insecure'] : []),
    ...(priority ? [`--priority=${priority}`] : []),
    ...(opts.args ?? []),
    opts.host ?? '127.0.0.1',
  ];
  return runInteractiveClient(argv, opts);
}

/**
 * Parse the "- Description: (TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)"
 * line printed by gnutls-cli (stdout) and gnutls-serv (per connection).
 */
export function parseGnutlsDescription(text: string): { protocol?: string; group?: string; signature?: string; cipher?: string } {
  const m = /^- Description: \(([^)]*)\)-\(([^)]*)\)-\(([^)]*)\)-\(([^)]*)\)/m.exec(text);
  if (!m) return {};
  const protocol = m[1]!.split('-')[0]; // "TLS1.3"
  const kx = m[2]!; // "ECDHE-SECP256R1", "ECDHE-X25519", "DHE-FFDHE2048"
  const group = kx.includes('-') ? kx.slice(kx.indexOf('-') + 1).toLowerCase() : undefined;
  return { protocol, group, signature: m[3], cipher: m[4] };
}

// ---------------------------------------------------------------------------
// node:tls

export interface NodeTlsConnection {
  socket: tls.TLSSocket;
  /** Application data received on this connection so far. */
  data: Buffer;
  protocol: string | null;
  cipher: tls.CipherNameAndProtocol;
  closed: boolean;
}

export interface NodeTlsServer {
  server: tls.Server;
  port: number;
  connections: NodeTlsConnection[];
  /** All application data received, across connections. */
  received(): Buffer;
  /** Resolves with the n-th (0-based) secure connection once it exists. */
  waitForConnection(index?: number, timeoutMs?: number): Promise<NodeTlsConnection>;
  stop(): Promise<void>;
}

export type NodeTlsServerOptions = tls.TlsOptions & {
  port?: number;
  /** Write every received chunk back (default false). */
  echo?: boolean;
  /** Called for each secure connection after the built-in data collection is attached. */
  onConnection?: (socket: tls.TLSSocket, conn: NodeTlsConnection) => void;
};

/** node:tls server on 127.0.0.1 (port 0 by default), collecting what it receives. */
export async function startNodeTlsServer(opts: NodeTlsServerOptions): Promise<NodeTlsServer> {
  const { port, echo, onConnection, ...tlsOpts } = opts;
  const connections: NodeTlsConnection[] = [];
  const waiters: Array<() => void> = [];
  const server = tls.createServer({ minVersion: 'TLSv1.3', ...tlsOpts }, (socket) => {
    const conn: NodeTlsConnection = {
      socket,
      data: Buffer.alloc(0),
      protocol: socket.getProtocol(),
      cipher: socket.getCipher(),
      closed: false,
    };
    socket.on('data', (d: Buffer) => {
      conn.data = Buffer.concat([conn.data, d]);
      if (echo) socket.write(d);
    });
    // Peers may reset; that's the test's business, not an uncaught exception.
    socket.on('error', () => {});
    socket.on('close', () => (conn.closed = true));
    connections.push(conn);
    onConnection?.(socket, conn);
    for (const w of waiters.splice(0)) w();
  });
  // Handshake failures are visible to tests via the peer's output; keep them
  // from crashing the process.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  const handle: NodeTlsServer = {
    server,
    port: (server.address() as net.AddressInfo).port,
    connections,
    received: () => Buffer.concat(connections.map((c) => c.data)),
    waitForConnection: (index = 0, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no TLS connection #${index} within ${timeoutMs} ms`)), timeoutMs);
        const check = (): void => {
          if (connections[index]) {
            clearTimeout(timer);
            resolve(connections[index]!);
          } else waiters.push(check);
        };
        check();
      }),
    stop: async () => {
      openServers.delete(handle);
      for (const c of connections) c.socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  openServers.add(handle);
  return handle;
}

export type NodeTlsClientOptions = tls.ConnectionOptions & {
  port: number;
  host?: string;
  input?: Uint8Array | string;
  /** end() our side once the received data (utf8) contains this; otherwise wait for the server to close. */
  closeWhen?: string | RegExp;
  timeoutMs: number;
};

export interface NodeTlsClientResult {
  data: Buffer;
  protocol: string | null;
  cipher: tls.CipherNameAndProtocol;
  /** e.g. { type: 'ECDH', name: 'X25519', size: 253 } */
  ephemeralKeyInfo: tls.EphemeralKeyInfo | object | null;
  authorized: boolean;
  authorizationError?: Error;
}

/**
 * node:tls client to 127.0.0.1:port: handshake, write `input`, collect data
 * until the server closes (or `closeWhen` matches and we end()). Certificate
 * verification defaults to off (rejectUnauthorized: false) as the harness'
 * servers use throwaway self-signed certs; pass `ca` + `rejectUnauthorized` to check.
 */
export function runNodeTlsClient(opts: NodeTlsClientOptions): Promise<NodeTlsClientResult> {
  const { port, host, input, closeWhen, timeoutMs, ...tlsOpts } = opts;
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    let info: Omit<NodeTlsClientResult, 'data'> | undefined;
    const socket = tls.connect({
      host: host ?? '127.0.0.1',
      port,
      minVersion: 'TLSv1.3',
      rejectUnauthorized: false,
      ...tlsOpts,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`node:tls client timed out after ${timeoutMs} ms; received: ${JSON.stringify(data.toString('utf8'))}`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      info = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher(),
        ephemeralKeyInfo: socket.getEphemeralKeyInfo(),
        authorized: socket.authorized,
        authorizationError: socket.authorizationError,
      };
      if (input !== undefined) socket.write(input);
    });
    let ended = false;
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (closeWhen !== undefined && !ended && matches(data.toString('utf8'), closeWhen)) {
        ended = true;
        socket.end();
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (info) resolve({ ...info, data });
      else reject(new Error('node:tls client: connection closed before the handshake completed'));
    });
  });
}

export { which };
