/**
 * Shared pieces of the TLS 1.3 interop specs (tls13-*.spec.ts): our Session
 * as a client or server over real node:net sockets, name tables between us,
 * node:tls and openssl, and two ways to see what the *peer* did without
 * trusting our own implementation:
 *
 *  - `WireTap` records the raw bytes a peer sent us and decodes its plaintext
 *    hellos (ClientHello / ServerHello / HelloRetryRequest) independently of
 *    lib/wire, and decrypts its protected records with node:crypto from the
 *    key-log secrets, following its KeyUpdates (RFC 8446 §7.1, §7.2, §5.2).
 *  - `parseOpensslTrace` reads openssl's `-trace` dump (every record it sent
 *    and received, decoded by openssl itself).
 */
import { expect } from 'chai';
import { createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { GroupName } from '../../lib/crypto/provider.js';
import { Session } from '../../lib/session/session.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import type { SuiteName } from '../../lib/tls13/suites.js';
import { caPem, fixture, fixturePath } from '../support/fixtures.js';
import { SocketDriver } from '../support/run-over-socket.js';

// ---------------------------------------------------------------------------
// The matrix

export const SUITE_NAMES: SuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
/** Groups every peer here has (OpenSSL 3.0 and GnuTLS 3.7 have no ML-KEM). */
export type ClassicalGroup = Exclude<GroupName, 'X25519MLKEM768'>;
/** The matrix's groups; secp521r1 and x448 get single cases. */
export const GROUP_NAMES: ClassicalGroup[] = ['x25519', 'secp256r1', 'secp384r1'];
export type MatrixCert = 'p256' | 'ed25519' | 'p384';
/** The certificates of the matrix; P-384 gets single extra cases. */
export const CERT_KINDS: MatrixCert[] = ['p256', 'ed25519'];

/** Names of one group in each tool. */
export const GROUPS: Record<ClassicalGroup, { code: number; node: string; openssl: string; nodeEphemeral: string }> = {
  // node's ecdhCurve takes OpenSSL group names; getEphemeralKeyInfo() reports curve short names.
  x25519: { code: 29, node: 'X25519', openssl: 'X25519', nodeEphemeral: 'X25519' },
  secp256r1: { code: 23, node: 'P-256', openssl: 'P-256', nodeEphemeral: 'prime256v1' },
  secp384r1: { code: 24, node: 'P-384', openssl: 'P-384', nodeEphemeral: 'secp384r1' },
  secp521r1: { code: 25, node: 'P-521', openssl: 'P-521', nodeEphemeral: 'secp521r1' },
  x448: { code: 30, node: 'X448', openssl: 'X448', nodeEphemeral: 'X448' },
};

export const SUITE_CODES: Record<SuiteName, number> = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
};

export function groupByCode(code: number): ClassicalGroup | `unknown-${number}` {
  return (Object.keys(GROUPS) as ClassicalGroup[]).find((g) => GROUPS[g].code === code) ?? `unknown-${code}`;
}
export function suiteByCode(code: number): SuiteName | `unknown-${number}` {
  return (Object.keys(SUITE_CODES) as SuiteName[]).find((s) => SUITE_CODES[s] === code) ?? `unknown-${code}`;
}

/** Certificates of the matrix: our fixtures (CA-signed, SAN localhost, rxtls.test, 127.0.0.1). */
export const CERTS: Record<MatrixCert, { cert: string; key: string; certFile: string; keyFile: string; scheme: string; opensslSigType: string }> = {
  p256: {
    cert: fixture('server-p256.pem'),
    key: fixture('server-p256.key'),
    certFile: fixturePath('server-p256.pem'),
    keyFile: fixturePath('server-p256.key'),
    scheme: 'ecdsa_secp256r1_sha256',
    opensslSigType: 'ECDSA',
  },
  ed25519: {
    cert: fixture('server-ed25519.pem'),
    key: fixture('server-ed25519.key'),
    certFile: fixturePath('server-ed25519.pem'),
    keyFile: fixturePath('server-ed25519.key'),
    scheme: 'ed25519',
    opensslSigType: 'ed25519', // openssl 3.0's "Peer signature type"
  },
  p384: {
    cert: fixture('server-p384.pem'),
    key: fixture('server-p384.key'),
    certFile: fixturePath('server-p384.pem'),
    keyFile: fixturePath('server-p384.key'),
    scheme: 'ecdsa_secp384r1_sha384',
    opensslSigType: 'ECDSA',
  },
};
export const CA_FILE = fixturePath('ca.pem');

// ---------------------------------------------------------------------------
// Our Session over sockets

const openSockets = new Set<net.Socket>();
const openListeners = new Set<net.Server>();

export interface OurEnd {
  socket: net.Socket;
  session: Session;
  driver: SocketDriver;
  /** Everything the peer sent us, raw. */
  tap: WireTap;
  /** Everything we sent the peer, raw. */
  sent: WireTap;
  /** Key-log lines of this connection (our side). */
  keylog: string[];
}

/** Connects our client to 127.0.0.1:port and completes the handshake. */
export async function connectOurs(port: number, options: Partial<ClientOptions> = {}): Promise<OurEnd> {
  const socket = net.connect(port, '127.0.0.1');
  openSockets.add(socket);
  socket.once('close', () => openSockets.delete(socket));
  const tap = WireTap.incoming(socket);
  const sent = WireTap.outgoing(socket);
  await once(socket, 'connect');
  const keylog: string[] = [];
  const session = Session.client({ serverName: 'localhost', ca: caPem(), keylog: (l) => keylog.push(l), ...options });
  const driver = new SocketDriver(session, socket);
  await driver.handshake();
  return { socket, session, driver, tap, sent, keylog };
}

export interface OurServer {
  port: number;
  /** The n-th accepted connection (0-based) with its handshake promise. */
  accepted(index?: number): Promise<OurEnd & { handshake: Promise<'done'> }>;
  close(): Promise<void>;
}

/** Our server Session on 127.0.0.1 (any port), one Session per accepted socket. */
export async function listenOurs(options: Partial<ServerOptions> & Pick<ServerOptions, 'cert' | 'key'>): Promise<OurServer> {
  const conns: Array<OurEnd & { handshake: Promise<'done'> }> = [];
  const waiters: Array<() => void> = [];
  const server = net.createServer((socket) => {
    openSockets.add(socket);
    socket.once('close', () => openSockets.delete(socket));
    const tap = WireTap.incoming(socket);
    const sent = WireTap.outgoing(socket);
    const keylog: string[] = [];
    const session = Session.server({ keylog: (l) => keylog.push(l), ...options });
    const driver = new SocketDriver(session, socket);
    const handshake = driver.handshake();
    handshake.catch(() => {}); // the test awaits it; keep an unawaited failure from being "unhandled"
    conns.push({ socket, session, driver, tap, sent, keylog, handshake });
    for (const w of waiters.splice(0)) w();
  });
  openListeners.add(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: (index = 0) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no connection #${index} accepted within 10 s`)), 10_000);
        const check = () => {
          if (conns[index]) {
            clearTimeout(timer);
            resolve(conns[index]!);
          } else waiters.push(check);
        };
        check();
      }),
    close: async () => {
      openListeners.delete(server);
      for (const c of conns) c.socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A connection our server accepted, with its handshake. */
export type Accepted = OurEnd & { handshake: Promise<'done'> };

/** Our side: read one line and send it back, then read to the client's close_notify and answer it. */
export async function echoLine(conn: Accepted, line: string): Promise<void> {
  await conn.handshake;
  const got = await conn.driver.readBytes(line.length + 1);
  expect(text(got)).to.equal(`${line}\n`);
  await conn.driver.send(got);
  await conn.driver.readAll();
  await conn.driver.bye().catch(() => {});
}

/** Destroys every socket and listener made here (call from after()). */
export async function closeOurs(): Promise<void> {
  for (const s of openSockets) s.destroy();
  openSockets.clear();
  await Promise.all([...openListeners].map((l) => new Promise<void>((r) => l.close(() => r()))));
  openListeners.clear();
}

/** Our side sends close_notify and reads to the peer's EOF. */
export async function closeGracefully(end: OurEnd): Promise<void> {
  await end.driver.bye();
  await end.driver.readAll();
}

/** A node:tls client connected to 127.0.0.1:port (resolves after the handshake); closed by closeOurs(). */
export async function nodeClient(options: tls.ConnectionOptions & { port: number }): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', minVersion: 'TLSv1.3', ...options });
  openSockets.add(socket);
  socket.once('close', () => openSockets.delete(socket));
  await once(socket, 'secureConnect');
  return socket;
}

/** Collects what a node:tls socket receives; `until(n)` resolves once n bytes came. */
export function collect(socket: tls.TLSSocket) {
  const chunks: Buffer[] = [];
  let length = 0;
  const waiters: Array<() => void> = [];
  socket.on('data', (d: Buffer) => {
    chunks.push(d);
    length += d.length;
    for (const w of waiters.splice(0)) w();
  });
  const bytes = () => Buffer.concat(chunks);
  return {
    bytes,
    text: () => bytes().toString('utf8'),
    until: (n: number, timeoutMs = 10_000) =>
      new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`node:tls got ${length} of ${n} bytes`)), timeoutMs);
        const check = () => {
          if (length >= n) {
            clearTimeout(timer);
            resolve(bytes());
          } else waiters.push(check);
        };
        socket.once('close', () => {
          if (length < n) {
            clearTimeout(timer);
            reject(new Error(`node:tls closed after ${length} of ${n} bytes`));
          }
        });
        check();
      }),
  };
}

export const utf8 = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const token = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

/** Resolves when `pred` holds, polling (for peer-side state updated by events). */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// ---------------------------------------------------------------------------
// Wire tap: what the peer really sent

export interface TapRecord {
  type: number;
  header: Buffer;
  fragment: Buffer;
}

export interface HelloSummary {
  kind: 'ClientHello' | 'ServerHello' | 'HelloRetryRequest';
  /** ServerHello / HRR: the selected suite; ClientHello: the offered suites. */
  suites: number[];
  /** ServerHello: the share's group; HRR: the selected group (if any); ClientHello: groups of the shares sent. */
  shareGroups: number[];
  /** ClientHello: supported_groups. */
  supportedGroups: number[];
  cookie?: Buffer;
  serverName?: string;
  alpn?: string[];
}

/** RFC 8446 §4.1.3: the ServerHello.random that marks a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');

export type PeerEvent =
  | { kind: 'handshake'; type: number; body: Buffer; generation: number }
  | { kind: 'data'; bytes: Buffer; generation: number }
  | { kind: 'alert'; level: number; description: number; generation: number };

/** Collects the bytes going one way on a socket, for decoding after the fact. */
export class WireTap {
  private chunks: Buffer[] = [];

  /** What the peer sends (a 'data' listener alongside whoever else reads the socket). */
  static incoming(socket: net.Socket): WireTap {
    const tap = new WireTap();
    socket.on('data', (d: Buffer) => tap.chunks.push(d));
    return tap;
  }

  /** What we write (wraps socket.write; copies each chunk). */
  static outgoing(socket: net.Socket): WireTap {
    const tap = new WireTap();
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      tap.chunks.push(Buffer.from(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array)));
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return tap;
  }

  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Whole records received so far. */
  records(): TapRecord[] {
    const b = this.bytes;
    const out: TapRecord[] = [];
    for (let o = 0; o + 5 <= b.length; ) {
      const len = b.readUInt16BE(o + 3);
      if (o + 5 + len > b.length) break;
      out.push({ type: b[o]!, header: b.subarray(o, o + 5), fragment: b.subarray(o + 5, o + 5 + len) });
      o += 5 + len;
    }
    return out;
  }

  /** The plaintext hellos (every unprotected handshake message), decoded. */
  hellos(): HelloSummary[] {
    const hs = Buffer.concat(this.records().filter((r) => r.type === 22).map((r) => r.fragment));
    return splitHandshake(hs).map(({ type, body }) => decodeHello(type, body));
  }

  /**
   * Decrypts every protected record sent by `sender`, given the key log (same
   * secrets on both ends) and the suite. `generation` counts the sender's
   * application-traffic key: 0 = *_TRAFFIC_SECRET_0, +1 per KeyUpdate it sent.
   * Handshake-phase messages are reported with generation -1.
   */
  decrypt(sender: 'client' | 'server', suite: SuiteName, keylog: string[]): PeerEvent[] {
    const secret = (label: string) => {
      const line = keylog.find((l) => l.startsWith(label + ' '));
      if (!line) throw new Error(`no ${label} in the key log`);
      return Buffer.from(line.split(' ')[2]!, 'hex');
    };
    const P = sender.toUpperCase();
    const params = SUITE_PARAMS[suite];
    let current: Buffer = secret(`${P}_HANDSHAKE_TRAFFIC_SECRET`);
    let opener = new Opener(params, current);
    let generation = -1;
    let hsBuf = Buffer.alloc(0);
    const events: PeerEvent[] = [];
    for (const rec of this.records()) {
      if (rec.type !== 23) continue; // plaintext hellos, CCS
      const { type, content } = opener.open(rec);
      let rekey: Buffer | undefined;
      if (type === 22) {
        hsBuf = Buffer.concat([hsBuf, content]);
        const msgs = splitHandshake(hsBuf, true);
        hsBuf = hsBuf.subarray(msgs.reduce((n, m) => n + 4 + m.body.length, 0));
        for (const m of msgs) {
          events.push({ kind: 'handshake', type: m.type, body: m.body, generation });
          if (m.type === 20 && generation === -1) rekey = secret(`${P}_TRAFFIC_SECRET_0`);
          if (m.type === 24) rekey = expandLabel(params.hash, current, 'traffic upd', Buffer.alloc(0), params.hashLen);
        }
      } else if (type === 23) events.push({ kind: 'data', bytes: content, generation });
      else if (type === 21) events.push({ kind: 'alert', level: content[0]!, description: content[1]!, generation });
      if (rekey) {
        current = rekey;
        opener = new Opener(params, current);
        generation++;
      }
    }
    return events;
  }
}

function splitHandshake(buf: Buffer, partialOk = false): Array<{ type: number; body: Buffer }> {
  const out: Array<{ type: number; body: Buffer }> = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    const len = buf.readUIntBE(o + 1, 3);
    if (o + 4 + len > buf.length) break;
    out.push({ type: buf[o]!, body: buf.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  if (!partialOk && o !== buf.length) throw new Error('truncated handshake message in the tap');
  return out;
}

/** Decodes a ClientHello or ServerHello/HRR body (RFC 8446 §4.1.2, §4.1.3). */
function decodeHello(type: number, body: Buffer): HelloSummary {
  let o = 2; // legacy_version
  const random = body.subarray(o, o + 32);
  o += 32;
  o += 1 + body[o]!; // legacy_session_id
  const s: HelloSummary = { kind: 'ClientHello', suites: [], shareGroups: [], supportedGroups: [] };
  if (type === 1) {
    const n = body.readUInt16BE(o);
    for (let i = 0; i < n; i += 2) s.suites.push(body.readUInt16BE(o + 2 + i));
    o += 2 + n;
    o += 1 + body[o]!; // compression methods
  } else if (type === 2) {
    s.kind = random.equals(HRR_RANDOM) ? 'HelloRetryRequest' : 'ServerHello';
    s.suites.push(body.readUInt16BE(o));
    o += 3;
  } else throw new Error(`unexpected plaintext handshake message ${type}`);
  const end = o + 2 + body.readUInt16BE(o);
  for (o += 2; o < end; ) {
    const ext = body.readUInt16BE(o);
    const data = body.subarray(o + 4, o + 4 + body.readUInt16BE(o + 2));
    o += 4 + data.length;
    if (ext === 51) {
      if (s.kind === 'ClientHello') {
        for (let p = 2; p < data.length; p += 4 + data.readUInt16BE(p + 2)) s.shareGroups.push(data.readUInt16BE(p));
      } else s.shareGroups.push(data.readUInt16BE(0));
    } else if (ext === 10) {
      for (let p = 2; p < data.length; p += 2) s.supportedGroups.push(data.readUInt16BE(p));
    } else if (ext === 44) s.cookie = data.subarray(2);
    else if (ext === 0 && data.length > 5) s.serverName = data.subarray(5).toString('latin1');
    else if (ext === 16) {
      s.alpn = [];
      for (let p = 2; p < data.length; p += 1 + data[p]!) s.alpn.push(data.subarray(p + 1, p + 1 + data[p]!).toString('latin1'));
    }
  }
  return s;
}

// --- An independent TLS 1.3 record opener (node:crypto) ---

interface SuiteParams {
  hash: 'sha256' | 'sha384';
  hashLen: number;
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLen: number;
}
const SUITE_PARAMS: Record<SuiteName, SuiteParams> = {
  TLS_AES_128_GCM_SHA256: { hash: 'sha256', hashLen: 32, cipher: 'aes-128-gcm', keyLen: 16 },
  TLS_AES_256_GCM_SHA384: { hash: 'sha384', hashLen: 48, cipher: 'aes-256-gcm', keyLen: 32 },
  TLS_CHACHA20_POLY1305_SHA256: { hash: 'sha256', hashLen: 32, cipher: 'chacha20-poly1305', keyLen: 32 },
};

/** HKDF-Expand-Label (RFC 8446 §7.1) on node:crypto HMAC. */
function expandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), context]);
  const blocks: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; blocks.length * t.length < length || blocks.length === 0; i++) {
    t = createHmac(hash, secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    blocks.push(t);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

class Opener {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private seq = 0n;
  constructor(private readonly p: SuiteParams, secret: Buffer) {
    this.key = expandLabel(p.hash, secret, 'key', Buffer.alloc(0), p.keyLen);
    this.iv = expandLabel(p.hash, secret, 'iv', Buffer.alloc(0), 12);
  }
  open(rec: TapRecord): { type: number; content: Buffer } {
    const nonce = Buffer.from(this.iv);
    for (let i = 0; i < 8; i++) nonce[11 - i] ^= Number((this.seq >> BigInt(8 * i)) & 0xffn);
    this.seq++;
    const d = createDecipheriv(this.p.cipher as 'aes-128-gcm', this.key, nonce, { authTagLength: 16 });
    d.setAAD(rec.header);
    d.setAuthTag(rec.fragment.subarray(rec.fragment.length - 16));
    const inner = Buffer.concat([d.update(rec.fragment.subarray(0, rec.fragment.length - 16)), d.final()]);
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw new Error('record with no content type');
    return { type: inner[end]!, content: inner.subarray(0, end) };
  }
}

/** KeyUpdate messages (type 24) among decrypted events, with update_requested. */
export function keyUpdates(events: PeerEvent[]): Array<{ requested: boolean; generation: number }> {
  return events
    .filter((e): e is Extract<PeerEvent, { kind: 'handshake' }> => e.kind === 'handshake' && e.type === 24)
    .map((e) => ({ requested: e.body[0] === 1, generation: e.generation }));
}

/** Application data among decrypted events, concatenated per key generation. */
export function dataByGeneration(events: PeerEvent[]): Map<number, string> {
  const m = new Map<number, string>();
  for (const e of events) if (e.kind === 'data') m.set(e.generation, (m.get(e.generation) ?? '') + e.bytes.toString('utf8'));
  return m;
}

// ---------------------------------------------------------------------------
// openssl -trace

export interface TraceEntry {
  dir: 'Sent' | 'Received';
  /** Handshake message names in this record (ClientHello, ServerHello, KeyUpdate, ...). */
  messages: string[];
  text: string;
}

/** Splits openssl's `-trace` output into records ("Sent Record" / "Received Record" blocks). */
export function parseOpensslTrace(output: string): TraceEntry[] {
  const parts = output.split(/^(Sent|Received) Record$/m);
  const out: TraceEntry[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const body = parts[i + 1]!;
    out.push({
      dir: parts[i] as 'Sent' | 'Received',
      messages: [...body.matchAll(/^ {4}(\w+), Length=\d+$/gm)].map((m) => m[1]!),
      text: body,
    });
  }
  return out;
}

export interface TraceHello {
  dir: 'Sent' | 'Received';
  kind: 'ClientHello' | 'ServerHello' | 'HelloRetryRequest';
  /** ServerHello: "cipher_suite {0x13, 0x02} TLS_AES_256_GCM_SHA384". */
  suite?: string;
  /** key_share NamedGroup codes (e.g. 29, 23, 24). */
  shareGroups: number[];
  cookie: boolean;
}

/** The hellos openssl printed, HelloRetryRequest told apart by its special random (openssl 3.0 labels it ServerHello). */
export function traceHellos(output: string): TraceHello[] {
  return parseOpensslTrace(output)
    .filter((e) => e.messages.includes('ClientHello') || e.messages.includes('ServerHello'))
    .map((e) => {
      const isServer = e.messages.includes('ServerHello');
      const hrr = isServer && /gmt_unix_time=0xCF21AD74\s+random_bytes \(len=28\): E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C/.test(e.text);
      return {
        dir: e.dir,
        kind: hrr ? 'HelloRetryRequest' : isServer ? 'ServerHello' : 'ClientHello',
        suite: isServer ? /cipher_suite \{0x13, 0x0\d\} (\S+)/.exec(e.text)?.[1] : undefined,
        shareGroups: [...(/extension_type=key_share\(51\)[^\n]*\n((?:[ ]{12}.*\n?)*)/.exec(e.text)?.[1] ?? '').matchAll(/NamedGroup: .*\((\d+)\)$/gm)].map((m) =>
          Number(m[1]),
        ),
        cookie: /extension_type=\w+\(44\)/.test(e.text), // openssl 3.0 says cookie_ext(44)
      };
    });
}

/** KeyUpdate messages openssl sent or received, in order. */
export function traceKeyUpdates(output: string): Array<{ dir: 'Sent' | 'Received'; requested: boolean }> {
  return parseOpensslTrace(output)
    .filter((e) => e.messages.includes('KeyUpdate'))
    .map((e) => ({ dir: e.dir, requested: /^\s+update_requested \(1\)$/m.test(e.text) }));
}

/** suite × group × certificate, plus one extra case with the ECDSA P-384 certificate. */
export const MATRIX: Array<[MatrixCert, ClassicalGroup, SuiteName]> = [
  ...CERT_KINDS.flatMap((c) => GROUP_NAMES.flatMap((g) => SUITE_NAMES.map((s): [MatrixCert, ClassicalGroup, SuiteName] => [c, g, s]))),
  ['p384', 'secp384r1', 'TLS_AES_256_GCM_SHA384'],
];
