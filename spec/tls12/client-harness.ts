/**
 * Our TLS 1.2 client against our TLS 1.2 server in memory, with a hand on
 * the wire: every handshake message the server sends in the clear (its
 * flights up to its ChangeCipherSpec) passes through an `edit` hook that may
 * change, drop or add messages, so a spec can make an otherwise real server
 * say exactly the wrong thing it wants to test. A ServerKeyExchange can be
 * signed again with the server's key after an edit, so a spec reaches the
 * checks behind the signature. After the server's ChangeCipherSpec its
 * records pass untouched (or get one record sealed under its own key added,
 * from the key log: `injectProtected`).
 */
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { TlsError } from '../../lib/errors.js';
import { Tls12RecordOpener, Tls12RecordSealer } from '../../lib/record/tls12-protection.js';
import { AGAIN, type Again } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { deriveKeys } from '../../lib/tls12/key-block.js';
import { verifyData } from '../../lib/tls12/prf.js';
import { tls12SuiteByCode, tls12SuiteByName } from '../../lib/tls12/suites.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { parsePrivateKey } from '../../lib/x509/private-key.js';
import { caPem, fixture, serverIdentity } from '../support/fixtures.js';
import { tls12Sign } from '../../lib/tls12/signature.js';

export interface Message {
  type: number;
  body: Uint8Array;
}

/** Returns the messages to send instead of `m`: [m] to keep it, [] to drop it, more to add some. */
export type Edit = (m: Message, flight: FlightView) => Message[];

/** What the edit hook knows of the handshake so far. */
export interface FlightView {
  clientRandom: Uint8Array;
  /** Set once the ServerHello went by. */
  serverRandom?: Uint8Array;
  clientSessionId: Uint8Array;
}

export const HT = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  client_key_exchange: 16,
  finished: 20,
};

export const clientOptions = (o: Partial<ClientOptions> = {}): ClientOptions => ({ serverName: 'localhost', ca: caPem(), maxVersion: 'TLSv1.2', ...o });
/** One ticket key for every server here, so a ticket from one run opens in the next (each run resolves its own config). */
const TICKET_KEYS = [{ name: new Uint8Array(16).fill(7), key: new Uint8Array(32).fill(9) }];
export const serverOptions = (o: Partial<ServerOptions> = {}): ServerOptions => ({ ...serverIdentity('p256'), maxVersion: 'TLSv1.2', ticketKeys: TICKET_KEYS, ...o });

function record(type: number, body: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff), body);
}

export function frame(m: Message): Uint8Array {
  const n = m.body.length;
  return concatBytes(Uint8Array.of(m.type, n >> 16, (n >> 8) & 0xff, n & 0xff), m.body);
}

/** Splits complete records off the front of `buf`. */
function takeRecords(buf: Uint8Array): { records: Array<{ type: number; fragment: Uint8Array; raw: Uint8Array }>; rest: Uint8Array } {
  const records = [];
  let o = 0;
  while (o + 5 <= buf.length) {
    const len = (buf[o + 3]! << 8) | buf[o + 4]!;
    if (o + 5 + len > buf.length) break;
    records.push({ type: buf[o]!, fragment: buf.subarray(o + 5, o + 5 + len), raw: buf.subarray(o, o + 5 + len) });
    o += 5 + len;
  }
  return { records, rest: buf.subarray(o) };
}

function splitMessages(hs: Uint8Array): Message[] {
  const out: Message[] = [];
  for (let o = 0; o + 4 <= hs.length; ) {
    const len = (hs[o + 1]! << 16) | (hs[o + 2]! << 8) | hs[o + 3]!;
    out.push({ type: hs[o]!, body: hs.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return out;
}

export interface Outcome {
  /** The client's result: 'done', or the TlsError it failed with. */
  client: 'done' | TlsError | Again;
  server: 'done' | TlsError | Again;
  clientSession: Session;
  serverSession: Session;
  /** Every handshake message the client sent in the clear, as the server got it. */
  clientMessages: Message[];
  /** Every record the client sent: [type, length] (alerts and the rest after its CCS are protected). */
  clientRecords: Array<{ type: number; fragment: Uint8Array }>;
  wire: MitmWire;
}

/**
 * The in-memory wire between the two sessions, rewriting the server's
 * plaintext handshake messages with `edit`.
 */
export class MitmWire {
  toServer: Uint8Array[] = [];
  toClient: Uint8Array[] = [];
  private serverOut = new Uint8Array(0);
  private serverCcsSeen = false;
  /** Records the server sent after its ChangeCipherSpec. */
  serverProtectedRecords = 0;
  readonly clientMessages: Message[] = [];
  readonly clientRecords: Array<{ type: number; fragment: Uint8Array }> = [];
  private clientOut = new Uint8Array(0);
  private clientCcsSeen = false;
  view?: FlightView;
  readonly serverKeylog: string[] = [];

  /** The handshake messages as the client saw them (framed), for a Finished made again. */
  private readonly transcript: Uint8Array[] = [];

  constructor(
    private readonly edit: Edit = (m) => [m],
    /**
     * Resumed handshakes only: replace the server's Finished with one computed
     * over the messages as edited (ClientHello, ServerHello, NewSessionTicket),
     * under the server's key, so an edit the server never made still verifies.
     */
    private readonly refinish = false,
  ) {}

  clientTransport() {
    return {
      push: (b: Uint8Array) => {
        this.toServer.push(b.slice());
        this.observeClient(b);
        return b.length;
      },
      pull: () => this.toClient.shift() ?? AGAIN,
    };
  }

  serverTransport() {
    return {
      push: (b: Uint8Array) => {
        this.fromServer(b);
        return b.length;
      },
      pull: () => this.toServer.shift() ?? AGAIN,
    };
  }

  private observeClient(b: Uint8Array): void {
    const { records, rest } = takeRecords(concatBytes(this.clientOut, b));
    this.clientOut = rest.slice();
    for (const r of records) {
      this.clientRecords.push({ type: r.type, fragment: r.fragment.slice() });
      if (r.type === 20) this.clientCcsSeen = true;
      if (r.type !== 22 || this.clientCcsSeen) continue;
      for (const m of splitMessages(r.fragment)) {
        this.clientMessages.push({ type: m.type, body: m.body.slice() });
        this.transcript.push(frame(m));
        if (m.type === HT.client_hello) {
          const sidLength = m.body[34]!;
          this.view = { clientRandom: m.body.slice(2, 34), clientSessionId: m.body.slice(35, 35 + sidLength) };
        }
      }
    }
  }

  private fromServer(b: Uint8Array): void {
    const { records, rest } = takeRecords(concatBytes(this.serverOut, b));
    this.serverOut = rest.slice();
    for (const r of records) {
      if (r.type === 20) this.serverCcsSeen = true;
      else if (this.serverCcsSeen && this.serverProtectedRecords++ === 0 && this.refinish) {
        this.toClient.push(this.finishedAgain());
        continue;
      }
      if (r.type !== 22 || this.serverCcsSeen) {
        this.toClient.push(r.raw.slice());
        continue;
      }
      const edited = splitMessages(r.fragment).flatMap((m) => {
        if (m.type === HT.server_hello) this.view!.serverRandom = m.body.slice(2, 34);
        return this.edit({ type: m.type, body: m.body.slice() }, this.view!);
      });
      this.transcript.push(...edited.map(frame));
      if (edited.length) this.toClient.push(record(22, concatBytes(...edited.map(frame))));
    }
  }

  /** The server's Finished over the transcript as the client has it, sealed as the server's first protected record. */
  private finishedAgain(): Uint8Array {
    const suiteCode = parseServerHello(this.transcript.find((m) => m[0] === HT.server_hello)!.subarray(4)).suite;
    const suite = tls12SuiteByCode(suiteCode)!;
    const { keys, master } = this.keys(suite.name);
    const hash = nobleCrypto.hash(suite.hash);
    const verify = verifyData(hash, master, 'server finished', hash.digest(concatBytes(...this.transcript)));
    const sealer = new Tls12RecordSealer(nobleCrypto.aead(suite.aead, keys.serverWriteKey), keys.serverWriteIv);
    return sealer.seal(22, frame({ type: HT.finished, body: verify }));
  }

  /** The client's protected records (after its ChangeCipherSpec), opened with its write key from the server's key log. */
  clientProtected(suiteName: string): Array<{ type: number; content: Uint8Array }> {
    const { keys, suite } = this.keys(suiteName);
    const opener = new Tls12RecordOpener(nobleCrypto.aead(suite.aead, keys.clientWriteKey), keys.clientWriteIv);
    const ccs = this.clientRecords.findIndex((r) => r.type === 20);
    return this.clientRecords.slice(ccs + 1).map((r) => {
      const header = Uint8Array.of(r.type, 3, 3, r.fragment.length >> 8, r.fragment.length & 0xff);
      return opener.open(header, r.fragment);
    });
  }

  private keys(suiteName: string) {
    const line = this.serverKeylog.find((l) => l.startsWith('CLIENT_RANDOM '))!;
    const [, clientRandomHex, masterHex] = line.split(' ');
    const suite = tls12SuiteByName(suiteName);
    const hash = nobleCrypto.hash(suite.hash);
    const master = Uint8Array.from(Buffer.from(masterHex!, 'hex'));
    return { suite, master, keys: deriveKeys(hash, master, Buffer.from(clientRandomHex!, 'hex'), this.view!.serverRandom!, suite) };
  }

  /**
   * Seals `content` as a record of `type` under the server's write key (from
   * its key log) with the next sequence number, and hands it to the client.
   * The server's own later records then carry a sequence number the client
   * no longer expects: use it for the server's last word.
   */
  injectProtected(suiteName: string, type: number, content: Uint8Array): void {
    const { keys, suite } = this.keys(suiteName);
    const sealer = new Tls12RecordSealer(nobleCrypto.aead(suite.aead, keys.serverWriteKey), keys.serverWriteIv);
    // The server's Finished and whatever followed used the sequence numbers before ours.
    for (let i = 0; i < this.serverProtectedRecords; i++) sealer.seal(23, new Uint8Array(0));
    this.toClient.push(sealer.seal(type, content));
    this.serverProtectedRecords++;
  }
}

/** Runs both handshakes over `wire` until neither can go on; failures become results, not throws. */
export function run(client: Partial<ClientOptions> = {}, server: Partial<ServerOptions> = {}, edit?: Edit, opts: { refinish?: boolean } = {}): Outcome {
  const wire = new MitmWire(edit, opts.refinish);
  const clientSession = Session.client(clientOptions(client));
  const serverSession = Session.server(serverOptions({ keylog: (l) => wire.serverKeylog.push(l), ...server }));
  clientSession.setTransport(wire.clientTransport());
  serverSession.setTransport(wire.serverTransport());
  let c: Outcome['client'] = AGAIN;
  let s: Outcome['server'] = AGAIN;
  const step = (f: () => 'done' | Again): 'done' | TlsError | Again => {
    try {
      return f();
    } catch (e) {
      if (e instanceof TlsError) return e;
      throw e;
    }
  };
  for (let i = 0; i < 100; i++) {
    if (c === AGAIN) c = step(() => clientSession.handshake());
    if (s === AGAIN) s = step(() => serverSession.handshake());
    if (c !== AGAIN && s !== AGAIN) break;
    // Both wait and nothing is in flight: neither will move again.
    if (wire.toClient.length + wire.toServer.length === 0) break;
  }
  return { client: c, server: s, clientSession, serverSession, clientMessages: wire.clientMessages, clientRecords: wire.clientRecords, wire };
}

/** The alert a client failed with, or its result. */
export function clientAlert(o: Outcome): string {
  return o.client instanceof TlsError ? o.client.alert : String(o.client);
}

// --- message surgery ---

/** A ServerHello body's fields with offsets, for editing in place. */
export interface ServerHelloParts {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suite: number;
  compression: number;
  extensions: Array<{ type: number; data: Uint8Array }>;
}

export function parseServerHello(body: Uint8Array): ServerHelloParts {
  const sid = body[34]!;
  let o = 35 + sid;
  const parts: ServerHelloParts = {
    version: (body[0]! << 8) | body[1]!,
    random: body.slice(2, 34),
    sessionId: body.slice(35, 35 + sid),
    suite: (body[o]! << 8) | body[o + 1]!,
    compression: body[o + 2]!,
    extensions: [],
  };
  o += 3;
  const end = o + 2 + ((body[o]! << 8) | body[o + 1]!);
  for (o += 2; o < end; ) {
    const type = (body[o]! << 8) | body[o + 1]!;
    const len = (body[o + 2]! << 8) | body[o + 3]!;
    parts.extensions.push({ type, data: body.slice(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return parts;
}

export function encodeServerHello(p: ServerHelloParts): Uint8Array {
  const exts = concatBytes(...p.extensions.map((e) => concatBytes(Uint8Array.of(e.type >> 8, e.type & 0xff, e.data.length >> 8, e.data.length & 0xff), e.data)));
  return concatBytes(
    Uint8Array.of(p.version >> 8, p.version & 0xff),
    p.random,
    Uint8Array.of(p.sessionId.length),
    p.sessionId,
    Uint8Array.of(p.suite >> 8, p.suite & 0xff, p.compression, exts.length >> 8, exts.length & 0xff),
    exts,
  );
}

/** An edit of the ServerHello alone. */
export function editServerHello(change: (p: ServerHelloParts, view: FlightView) => void): Edit {
  return (m, view) => {
    if (m.type !== HT.server_hello) return [m];
    const p = parseServerHello(m.body);
    change(p, view);
    return [{ type: m.type, body: encodeServerHello(p) }];
  };
}

/** ECDHE ServerKeyExchange fields. */
export interface SkeParts {
  curveType: number;
  group: number;
  point: Uint8Array;
  scheme: number;
  signature: Uint8Array;
}

export function parseSke(body: Uint8Array): SkeParts {
  const pl = body[3]!;
  const o = 4 + pl;
  return {
    curveType: body[0]!,
    group: (body[1]! << 8) | body[2]!,
    point: body.slice(4, o),
    scheme: (body[o]! << 8) | body[o + 1]!,
    signature: body.slice(o + 4, o + 4 + ((body[o + 2]! << 8) | body[o + 3]!)),
  };
}

export function paramsOf(p: SkeParts): Uint8Array {
  return concatBytes(Uint8Array.of(p.curveType, p.group >> 8, p.group & 0xff, p.point.length), p.point);
}

export function encodeSke(p: SkeParts): Uint8Array {
  const s = p.signature.length;
  return concatBytes(paramsOf(p), Uint8Array.of(p.scheme >> 8, p.scheme & 0xff, s >> 8, s & 0xff), p.signature);
}

const P256_KEY = parsePrivateKey(fixture('server-p256.key'));

/**
 * An edit of the ServerKeyExchange; with `resign` its params are signed again
 * with the P-256 server key under the scheme the message names (TLS 1.2
 * rules: any ECDSA hash on P-256), so only the edit is wrong.
 */
export function editSke(change: (p: SkeParts) => void, opts: { resign?: boolean } = {}): Edit {
  return (m, view) => {
    if (m.type !== HT.server_key_exchange) return [m];
    const p = parseSke(m.body);
    change(p);
    if (opts.resign) {
      const content = concatBytes(view.clientRandom, view.serverRandom!, paramsOf(p));
      const scheme = p.scheme === 0x0503 ? 'ecdsa_secp384r1_sha384' : 'ecdsa_secp256r1_sha256';
      p.signature = tls12Sign(nobleCrypto, scheme, P256_KEY, content);
    }
    return [{ type: m.type, body: encodeSke(p) }];
  };
}

/** An edit of every message of one type. */
export function editType(type: number, change: (m: Message) => Message[]): Edit {
  return (m) => (m.type === type ? change(m) : [m]);
}

/** Applies edits in turn. */
export function edits(...list: Edit[]): Edit {
  return (m, view) => list.reduce<Message[]>((ms, e) => ms.flatMap((x) => e(x, view)), [m]);
}
