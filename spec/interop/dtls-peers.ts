/**
 * Real DTLS 1.2 peers for interop specs, next to peers.ts (TCP only):
 *  - `openssl s_server -dtls1_2` on 127.0.0.1:<free UDP port>, and
 *    `openssl s_client -dtls1_2` / `gnutls-cli --udp` runs;
 *  - `gnutls-serv --udp` inside a private network namespace (it binds every
 *    interface). The TCP forwarder of netns.ts does not carry UDP, so the
 *    other end runs in the namespace too: `runOurDtlsClientIn(ns, ...)` starts
 *    dtls-client-main.ts there, which prints one JSON result line;
 *  - a UDP relay in the test process that can drop chosen datagrams, and a
 *    by-hand reading of DTLS record and handshake headers for choosing them;
 *  - what openssl's own output says was negotiated (its session PEM holds
 *    the protocol version and the suite's code).
 *
 * Everything started here is tracked by proc.ts; call `stopAll` (this
 * module's, which also closes relays and namespaces) from `after()`.
 */
import dgram from 'node:dgram';
import { readFile, readlink } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openPrivateNetns, type PrivateNetns } from './netns.js';
import { type ClientRunOptions, type ExecResult, runGnutlsClient, runInteractiveClient, stopAll as stopPeers } from './peers.js';
import { spawnTracked, which, type TrackedProcess } from './proc.js';

/** DTLS 1.2 only, otherwise gnutls defaults. */
export const GNUTLS_DTLS12_PRIORITY = 'NORMAL:-VERS-ALL:+VERS-DTLS1.2';

const openNamespaces = new Set<PrivateNetns>();
const openRelays = new Set<UdpRelay>();

/** Close relays and namespaces opened here, then kill every tracked peer (peers.ts stopAll). */
export async function stopAll(): Promise<void> {
  for (const r of openRelays) r.close();
  await Promise.all([...openNamespaces].map((ns) => ns.close()));
  openNamespaces.clear();
  await stopPeers();
}

/** A free UDP port on 127.0.0.1 (racy like peers.ts freePort, the window is tiny). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------
// openssl

export interface DtlsPeerServer {
  readonly proc: TrackedProcess['proc'];
  /** UDP port on 127.0.0.1. */
  readonly port: number;
  /** stdout+stderr so far. */
  output(): string;
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Write to the server's stdin (s_server: a line goes to the client as one record). */
  send(data: string): void;
  stop(): Promise<void>;
}

/**
 * `openssl s_server -dtls1_2 -accept 127.0.0.1:PORT -cert -key ...` until
 * stop(); resolves once it prints ACCEPT. It serves one association at a
 * time and goes back to accepting after each one ends; lines written with
 * send() go to the current client (avoid lines that are one command letter).
 */
export async function startOpensslDtlsServer(opts: { cert: string; key: string; args?: string[]; readyTimeoutMs?: number }): Promise<DtlsPeerServer> {
  const port = await freeUdpPort();
  const t = spawnTracked(['openssl', 's_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', opts.cert, '-key', opts.key, ...(opts.args ?? [])]);
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

/**
 * `openssl s_client -dtls1_2 -connect 127.0.0.1:PORT -nocommands ...` (see
 * peers.ts for the stdin/closeWhen conventions: EOF on stdin makes it send
 * close_notify and exit; it prints "closed" when the server's close_notify
 * arrives, then exits too).
 */
export function runOpensslDtlsClient(opts: ClientRunOptions): Promise<ExecResult> {
  return runInteractiveClient(
    ['openssl', 's_client', '-dtls1_2', '-connect', `${opts.host ?? '127.0.0.1'}:${opts.port}`, '-nocommands', ...(opts.args ?? [])],
    opts,
  );
}

/** `gnutls-cli --udp --port=PORT 127.0.0.1` with a DTLS 1.2-only priority (peers.ts runGnutlsClient). */
export function runGnutlsDtlsClient(opts: ClientRunOptions & { priority?: string; insecure?: boolean }): Promise<ExecResult> {
  return runGnutlsClient({ ...opts, priority: opts.priority ?? GNUTLS_DTLS12_PRIORITY, args: ['--udp', ...(opts.args ?? [])] });
}

/**
 * s_client's summary for DTLS: its "New, TLSv1.2, Cipher is" line names the
 * suite's TLS version, so the protocol comes from the "SSL-Session:" block
 * ("Protocol  : DTLSv1.2"), with the cipher and verify result from there too.
 */
export function parseOpensslDtlsClientOutput(text: string): { protocol?: string; cipher?: string; verifyCode?: number; extendedMasterSecret?: boolean } {
  const verify = /^\s*Verify return code: (\d+)/m.exec(text)?.[1];
  const ems = /^\s*Extended master secret: (\w+)/m.exec(text)?.[1];
  return {
    protocol: /^\s*Protocol\s*: (\S+)/m.exec(text)?.[1],
    cipher: /^\s*Cipher\s*: (\S+)/m.exec(text)?.[1],
    verifyCode: verify === undefined ? undefined : Number(verify),
    extendedMasterSecret: ems === undefined ? undefined : ems === 'yes',
  };
}

const VERSION_NAMES: Record<number, string> = { 0xfefd: 'DTLSv1.2', 0xfeff: 'DTLSv1', 0x0303: 'TLSv1.2' };

/**
 * The last "SSL SESSION PARAMETERS" PEM in openssl's output, read by hand
 * (SSL_SESSION_ASN1: SEQUENCE { INTEGER 1, INTEGER ssl_version, OCTET STRING
 * cipher, ... }): the protocol version and the suite's code as openssl itself
 * recorded them. s_server prints it for every connection.
 */
export function parseOpensslSession(text: string): { version?: string; suite?: number } {
  const all = [...text.matchAll(/-----BEGIN SSL SESSION PARAMETERS-----\n([\s\S]*?)-----END SSL SESSION PARAMETERS-----/g)];
  const pem = all.at(-1)?.[1];
  if (!pem) return {};
  const der = Buffer.from(pem.replace(/\s+/g, ''), 'base64');
  let o = 0;
  const tlv = (): { tag: number; body: Buffer } => {
    const tag = der[o++]!;
    let len = der[o++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = der.readUIntBE(o, n);
      o += n;
    }
    const body = der.subarray(o, o + len);
    o += len;
    return { tag, body };
  };
  if (der[o++] !== 0x30) return {};
  o += der[o]! & 0x80 ? 1 + (der[o]! & 0x7f) : 1; // into the SEQUENCE
  tlv(); // version 1
  const v = tlv();
  const c = tlv();
  const code = v.body.readUIntBE(0, v.body.length);
  return { version: VERSION_NAMES[code] ?? `0x${code.toString(16)}`, suite: c.body.length === 2 ? c.body.readUInt16BE(0) : undefined };
}

// ---------------------------------------------------------------------------
// gnutls-serv --udp in a private namespace

export interface GnutlsDtlsServer {
  readonly netns: PrivateNetns;
  /** UDP port it listens on inside the namespace. */
  readonly netnsPort: number;
  output(): string;
  waitForOutput(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `gnutls-serv --udp --echo` in a fresh private namespace (it binds 0.0.0.0
 * and ::, so it must not run in ours). It asks every client for a cookie
 * (HelloVerifyRequest) unless --nocookie.
 */
export async function startGnutlsDtlsServer(opts: { cert?: string; key?: string; args?: string[]; priority?: string; readyTimeoutMs?: number }): Promise<GnutlsDtlsServer> {
  const ns = await openPrivateNetns();
  openNamespaces.add(ns);
  const stop = async () => {
    openNamespaces.delete(ns);
    await ns.close();
  };
  try {
    const netnsPort = 5557;
    const t = ns.spawn([
      // Line-buffered stdout (when coreutils' stdbuf is there): gnutls-serv prints
      // "received[...]: <data>" with printf, lost in a full buffer when it is killed.
      ...(which('stdbuf') ? ['stdbuf', '-oL'] : []),
      'gnutls-serv', '--udp', '--echo', `--port=${netnsPort}`,
      // -d 4 for "Selected version DTLS1.2" and "Selected cipher suite: ..." (its UDP mode prints no description line).
      '-d', '4',
      // No certificate when args give other credentials (--rawpkfile/--rawpkkeyfile for RFC 7250 raw public keys).
      ...(opts.cert ? [`--x509certfile=${opts.cert}`] : []), ...(opts.key ? [`--x509keyfile=${opts.key}`] : []),
      `--priority=${opts.priority ?? GNUTLS_DTLS12_PRIORITY}`,
      ...(opts.args ?? []),
    ]);
    await waitForUdpBound(t, netnsPort, opts.readyTimeoutMs ?? 5000, ns.nsPath);
    return { netns: ns, netnsPort, output: t.output, waitForOutput: (p, ms = 5000) => t.waitForOutput(p, ms), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** True once `pid` has a UDP socket bound to `port` (in its own network namespace's table). */
async function isUdpBound(pid: number, port: number): Promise<boolean> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of ['udp', 'udp6']) {
    const text = await readFile(`/proc/${pid}/net/${file}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) if (line.trim().split(/\s+/)[1]?.endsWith(hexPort)) return true;
  }
  return false;
}

async function waitForUdpBound(t: TrackedProcess, port: number, timeoutMs: number, netnsPath: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const wantNs = await readlink(netnsPath);
  for (;;) {
    const pid = t.proc.pid;
    if (t.proc.exitCode !== null || t.proc.signalCode !== null || pid === undefined) {
      throw new Error(`process exited before binding UDP port ${port}; output:\n${t.output()}`);
    }
    // Right after spawn the pid is still nsenter's in our namespace.
    const inNs = (await readlink(`/proc/${pid}/ns/net`).catch(() => '')) === wantNs;
    if (inNs && (await isUdpBound(pid, port))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for UDP port ${port}; output:\n${t.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What dtls-client-main.ts reports. */
export interface OurDtlsClientResult {
  ok: boolean;
  error?: string;
  version?: string;
  suite?: string;
  /** What came back, utf8. */
  received?: string;
  /** RFC 7250: what the server's Certificate carried, and its raw key (hex SPKI) when it was one. */
  peerCertificateType?: string;
  peerRawPublicKeyHex?: string;
  /** What bye() returned ('done': our close_notify went out). */
  bye?: string;
  discarded?: number;
  /** Largest datagram we received / sent. */
  maxReceived?: number;
  maxSent?: number;
}

/** What gnutls-serv -d 4 says it selected, from its debug log. */
export function parseGnutlsServerDebug(text: string): { version?: string; suite?: string } {
  return {
    version: /Selected version (\S+)/.exec(text)?.[1],
    suite: /Selected cipher suite: (\S+)/.exec(text)?.[1],
  };
}

const CLIENT_MAIN = fileURLToPath(new URL('./dtls-client-main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Our DTLS client as a node process inside `ns`: handshake with
 * 127.0.0.1:port there, send `message`, read until `expect` has arrived,
 * bye(). Resolves with its JSON report plus the process' output.
 */
export async function runOurDtlsClientIn(
  ns: PrivateNetns,
  opts: {
    port: number;
    message: string;
    expect: string;
    mtu?: number;
    timeoutMs: number;
    psk?: { identity: string; keyHex: string; suites: string[] };
    serverRawPublicKey?: string;
  },
): Promise<{ result: OurDtlsClientResult; exec: ExecResult }> {
  const argv = [
    process.execPath, '--import', 'tsx', CLIENT_MAIN,
    JSON.stringify({ port: opts.port, message: opts.message, expect: opts.expect, mtu: opts.mtu, limitMs: opts.timeoutMs - 2000, psk: opts.psk, serverRawPublicKey: opts.serverRawPublicKey }),
  ];
  const exec = await ns.exec(argv, { timeoutMs: opts.timeoutMs, cwd: REPO_ROOT });
  const line = exec.stdout.split('\n').find((l) => l.startsWith('{"ok":'));
  if (!line) throw new Error(`no result line from dtls-client-main (code ${exec.code}):\n${exec.stdout}\n${exec.stderr}`);
  return { result: JSON.parse(line) as OurDtlsClientResult, exec };
}

// ---------------------------------------------------------------------------
// DTLS headers, read by hand

export interface DtlsHandshakeHeader {
  msgType: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
}

export interface DtlsRecordHeader {
  type: number;
  version: number;
  epoch: number;
  seq: number;
  length: number;
  /** Handshake message headers in an epoch-0 handshake record (later epochs are encrypted). */
  handshake: DtlsHandshakeHeader[];
}

/** The records of one datagram (13-byte DTLS record headers) and the plaintext handshake headers in them. */
export function dtlsRecords(d: Uint8Array): DtlsRecordHeader[] {
  const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const out: DtlsRecordHeader[] = [];
  for (let o = 0; o + 13 <= b.length; ) {
    const r: DtlsRecordHeader = {
      type: b[o]!,
      version: b.readUInt16BE(o + 1),
      epoch: b.readUInt16BE(o + 3),
      seq: b.readUIntBE(o + 5, 6),
      length: b.readUInt16BE(o + 11),
      handshake: [],
    };
    const body = b.subarray(o + 13, o + 13 + r.length);
    if (r.type === 22 && r.epoch === 0) {
      for (let h = 0; h + 12 <= body.length; ) {
        const fragmentLength = body.readUIntBE(h + 9, 3);
        r.handshake.push({ msgType: body[h]!, messageSeq: body.readUInt16BE(h + 4), fragmentOffset: body.readUIntBE(h + 6, 3), fragmentLength });
        h += 12 + fragmentLength;
      }
    }
    out.push(r);
    o += 13 + r.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// A UDP relay that drops datagrams on demand

export type RelayDirection = 'to-server' | 'to-client';

/**
 * A UDP relay on 127.0.0.1 between one client and a server port: datagrams
 * from the client go to the server from a second socket, the server's
 * answers go back to the client. `drop(datagram, direction)` returning true
 * swallows that datagram. `log` keeps every datagram seen, in order.
 */
export class UdpRelay {
  readonly log: Array<{ direction: RelayDirection; records: DtlsRecordHeader[]; dropped: boolean; at: number; size: number }> = [];
  private readonly front = dgram.createSocket('udp4');
  private readonly back = dgram.createSocket('udp4');
  private client?: number;
  private closed = false;

  constructor(
    private readonly serverPort: number,
    private readonly drop: (datagram: Uint8Array, direction: RelayDirection) => boolean,
  ) {
    openRelays.add(this);
  }

  /** Binds both sockets; returns the port clients should send to. */
  async open(): Promise<number> {
    await Promise.all([this.front, this.back].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', r))));
    this.front.on('message', (m, rinfo) => {
      this.client ??= rinfo.port;
      this.pass(m, 'to-server', () => this.back.send(m, this.serverPort, '127.0.0.1'));
    });
    this.back.on('message', (m) => {
      if (this.client !== undefined) this.pass(m, 'to-client', () => this.front.send(m, this.client!, '127.0.0.1'));
    });
    return this.front.address().port;
  }

  get dropped() {
    return this.log.filter((e) => e.dropped);
  }

  private pass(m: Buffer, direction: RelayDirection, send: () => void): void {
    if (this.closed) return;
    const d = new Uint8Array(m);
    const dropped = this.drop(d, direction);
    this.log.push({ direction, records: dtlsRecords(d), dropped, at: performance.now(), size: d.length });
    if (!dropped) send();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    openRelays.delete(this);
    this.front.close();
    this.back.close();
  }
}
