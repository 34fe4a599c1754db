/**
 * Deterministic record-and-replay of a client/server conversation, the base
 * of the bad-input fuzzing.
 *
 * Both sides get a seeded PRNG as `random`, a fixed clock and date, and a
 * crypto provider whose AEADs log every record they seal. Signatures are
 * deterministic (RFC 6979 ECDSA, Ed25519), so one seed gives one byte-exact
 * conversation. A fresh session built from the same scenario and fed the
 * peer's recorded flights verbatim therefore derives the same keys and writes
 * the same bytes as in the recording: the peer is not needed to bring the
 * target to any stage. The seal log lets the attacker re-encrypt mutated
 * plaintext under the sender's real keys (valid AEAD, hostile content).
 */
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import type { Aead, CryptoProvider, RandomSource } from '../../lib/crypto/provider.js';
import { AGAIN, EOF, type Transport } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { concatBytes, equalBytes } from '../../lib/wire/codec.js';
import { prng } from '../support/memory-pipe.js';

export type Role = 'client' | 'server';
export const peerOf = (r: Role): Role => (r === 'client' ? 'server' : 'client');

export function seededRandom(seed: number): RandomSource {
  const rand = prng(seed);
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
    return out;
  };
}

// --- sealing log ---

/** One AEAD key as the sender used it: enough to seal more records under it. */
export interface SealKey {
  id: number;
  aead: Aead;
  /** The per-key IV (nonce of sequence number 0). */
  iv: Uint8Array;
}

export interface SealEntry {
  key: SealKey;
  seq: number;
  /** TLSInnerPlaintext: content || type || zeros. */
  inner: Uint8Array;
  /** ciphertext || tag, i.e. the record fragment. */
  out: Uint8Array;
}

/** The per-record nonce of RFC 8446 §5.3: iv xor the 64-bit sequence number. */
export function nonceAt(iv: Uint8Array, seq: number): Uint8Array {
  const nonce = iv.slice();
  let s = seq;
  for (let i = nonce.length - 1; i >= nonce.length - 8 && s > 0; i--) {
    nonce[i]! ^= s % 256;
    s = Math.floor(s / 256);
  }
  return nonce;
}

let nextKeyId = 1;

/** nobleCrypto whose AEADs append every seal to `log` (openers are untouched). */
/** Ticket seals (ticket-keys.ts) carry the key name as aad; record AADs are 5 (TLS 1.3) or 13 (TLS 1.2) bytes. */
const TICKET_AAD_LENGTH = 16;

export function loggingCrypto(log: SealEntry[]): CryptoProvider {
  return {
    ...nobleCrypto,
    aead(name, keyBytes) {
      const inner = nobleCrypto.aead(name, keyBytes);
      let key: SealKey | undefined;
      let seq = 0;
      return {
        keyLength: inner.keyLength,
        nonceLength: inner.nonceLength,
        tagLength: inner.tagLength,
        seal(nonce, plaintext, aad) {
          const out = inner.seal(nonce, plaintext, aad);
          // Session tickets are sealed too (aad = the 16-byte key name): they are not records.
          if (aad?.length === TICKET_AAD_LENGTH) return out;
          const s = seq++;
          // nonceAt is an involution in the sequence number: xoring again recovers the IV.
          key ??= { id: nextKeyId++, aead: inner, iv: nonceAt(nonce, s) };
          log.push({ key, seq: s, inner: plaintext.slice(), out: out.slice() });
          return out;
        },
        open: (nonce, data, aad) => inner.open(nonce, data, aad),
      };
    },
  };
}

// --- records ---

export interface RawRecord {
  type: number;
  version: number;
  fragment: Uint8Array;
}

/** Splits well-formed record bytes; a partial tail is returned as `rest`. */
export function splitRecords(bytes: Uint8Array): { records: RawRecord[]; rest: Uint8Array } {
  const records: RawRecord[] = [];
  let o = 0;
  while (bytes.length - o >= 5) {
    const len = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    if (bytes.length - o - 5 < len) break;
    records.push({ type: bytes[o]!, version: (bytes[o + 1]! << 8) | bytes[o + 2]!, fragment: bytes.slice(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return { records, rest: bytes.subarray(o) };
}

export function recordBytes(type: number, version: number, fragment: Uint8Array): Uint8Array {
  const r = new Uint8Array(5 + fragment.length);
  r.set([type, version >>> 8, version & 0xff, (fragment.length >>> 8) & 0xff, fragment.length & 0xff]);
  r.set(fragment, 5);
  return r;
}

/** A record of a recorded flight; `sealed` when it was AEAD-protected by the sender. */
export interface FlightRecord extends RawRecord {
  sealed?: { key: SealKey; seq: number; inner: Uint8Array };
}

export interface Flight {
  from: Role;
  /** Index among the flights this role sent. */
  index: number;
  /** What the sender's operation was (for test names). */
  label: string;
  bytes: Uint8Array;
  records: FlightRecord[];
}

// --- scenarios ---

export interface Scenario {
  name: string;
  seed: number;
  client: ClientOptions;
  server: ServerOptions;
}

export type Op =
  | { kind: 'handshake' }
  | { kind: 'recv' }
  | { kind: 'send'; data: Uint8Array }
  | { kind: 'keyUpdate'; request: boolean }
  | { kind: 'bye' };

export type Event = { kind: 'op'; actor: Role; op: Op; result: string } | { kind: 'flight'; flight: Flight };

export const FIXED_DATE = new Date('2026-01-01T00:00:00Z');

/** One side: a session over a transport whose input we feed and whose output we capture. */
export class Side {
  readonly session: Session;
  readonly seals: SealEntry[] = [];
  private inbox: Uint8Array[] = [];
  private inboxClosed = false;
  private pushed: Uint8Array[] = [];
  /** Every byte this side ever wrote, in order. */
  readonly output: Uint8Array[] = [];
  handshakeDone = false;
  sentBye = false;
  /** Largest number of bytes one pull() returns (the attacker may fragment the stream). */
  pullLimit = Infinity;

  constructor(readonly role: Role, scenario: Scenario) {
    const common = {
      random: seededRandom(scenario.seed * 2 + (role === 'client' ? 0 : 1)),
      clock: () => 1000,
      date: () => FIXED_DATE,
      crypto: loggingCrypto(this.seals),
    };
    this.session = role === 'client' ? Session.client({ ...scenario.client, ...common }) : Session.server({ ...scenario.server, ...common });
    const transport: Transport = {
      push: (bytes) => {
        this.pushed.push(bytes.slice());
        this.output.push(bytes.slice());
        return bytes.length;
      },
      pull: (max) => {
        const head = this.inbox[0];
        if (!head) return this.inboxClosed ? EOF : AGAIN;
        const n = Math.min(head.length, max, this.pullLimit);
        if (n >= head.length) this.inbox.shift();
        else this.inbox[0] = head.subarray(n);
        return head.subarray(0, n);
      },
    };
    this.session.setTransport(transport);
  }

  deliver(bytes: Uint8Array): void {
    if (bytes.length) this.inbox.push(bytes);
  }
  closeInbox(): void {
    this.inboxClosed = true;
  }
  get inboxEmpty(): boolean {
    return this.inbox.length === 0;
  }
  get inboxIsClosed(): boolean {
    return this.inboxClosed;
  }
  /** Everything pushed since the last call. */
  takePushed(): Uint8Array {
    const out = concatBytes(...this.pushed);
    this.pushed = [];
    return out;
  }

  apply(op: Op): string {
    const s = this.session;
    let r: unknown;
    switch (op.kind) {
      case 'handshake':
        r = s.handshake();
        if (r === 'done') this.handshakeDone = true;
        break;
      case 'recv':
        r = s.recv();
        break;
      case 'send':
        r = s.send(op.data);
        break;
      case 'keyUpdate':
        r = s.keyUpdate(op.request);
        break;
      case 'bye':
        r = s.bye();
        this.sentBye = true;
        break;
    }
    return r instanceof Uint8Array ? `data:${r.length}` : String(r);
  }
}

export interface Recording {
  scenario: Scenario;
  events: Event[];
  flights: Record<Role, Flight[]>;
}

function opLabel(op: Op): string {
  return op.kind === 'send' ? `send(${op.data.length})` : op.kind === 'keyUpdate' ? `keyUpdate(${op.request})` : op.kind;
}

/** Attaches the seal-log entries to the sealed records of a flight (in order, checked byte for byte). */
function annotate(bytes: Uint8Array, seals: SealEntry[], from: Role, index: number, label: string): Flight {
  const { records, rest } = splitRecords(bytes);
  if (rest.length) throw new Error('recording: a flight ended inside a record');
  const out: FlightRecord[] = records.map((r) => {
    if (r.type !== 23) return r;
    const seal = seals.shift();
    if (!seal || !equalBytes(seal.out, r.fragment)) throw new Error('recording: sealed record does not match the seal log');
    return { ...r, sealed: { key: seal.key, seq: seal.seq, inner: seal.inner } };
  });
  if (seals.length) throw new Error('recording: sealed records missing from the flight');
  return { from, index, label, bytes, records: out };
}

/**
 * Runs the scenario's conversation: the handshake (client and server in turn),
 * tickets, application data both ways (one of two records), KeyUpdates in both
 * directions with update_requested, and close_notify both ways.
 */
export function record(scenario: Scenario): Recording {
  const sides: Record<Role, Side> = { client: new Side('client', scenario), server: new Side('server', scenario) };
  const events: Event[] = [];
  const flights: Record<Role, Flight[]> = { client: [], server: [] };
  const step = (actor: Role, op: Op): string => {
    const side = sides[actor];
    const result = side.apply(op);
    events.push({ kind: 'op', actor, op, result });
    const bytes = side.takePushed();
    if (bytes.length) {
      const seals = side.seals.splice(0);
      const flight = annotate(bytes, seals, actor, flights[actor].length, opLabel(op));
      flights[actor].push(flight);
      events.push({ kind: 'flight', flight });
      sides[peerOf(actor)].deliver(bytes);
    } else if (side.seals.length) {
      throw new Error('recording: sealed without writing');
    }
    return result;
  };
  const text = (s: string) => new TextEncoder().encode(s);

  let c = 'AGAIN';
  let s = 'AGAIN';
  for (let i = 0; c !== 'done' || s !== 'done'; i++) {
    if (i > 20) throw new Error(`recording: handshake stuck (client ${c}, server ${s})`);
    if (c !== 'done') c = step('client', { kind: 'handshake' });
    if (s !== 'done') s = step('server', { kind: 'handshake' });
  }
  step('client', { kind: 'recv' }); // tickets
  step('client', { kind: 'send', data: text('ping') });
  expectResult(step('server', { kind: 'recv' }), 'data:4');
  const big = new Uint8Array(20000).map((_, i) => i & 0xff);
  step('server', { kind: 'send', data: big }); // two records
  expectResult(step('client', { kind: 'recv' }), 'data:16384');
  expectResult(step('client', { kind: 'recv' }), `data:${20000 - 16384}`);
  step('client', { kind: 'keyUpdate', request: true });
  step('server', { kind: 'recv' }); // answers with its own KeyUpdate
  step('client', { kind: 'recv' });
  step('server', { kind: 'keyUpdate', request: true });
  step('client', { kind: 'recv' }); // answers
  step('server', { kind: 'recv' });
  step('server', { kind: 'send', data: text('pong') });
  expectResult(step('client', { kind: 'recv' }), 'data:4');
  step('client', { kind: 'bye' });
  expectResult(step('server', { kind: 'recv' }), 'EOF');
  step('server', { kind: 'bye' });
  expectResult(step('client', { kind: 'recv' }), 'EOF');
  return { scenario, events, flights };
}

function expectResult(got: string, want: string): void {
  if (got !== want) throw new Error(`recording: expected ${want}, got ${got}`);
}

// --- replay ---

export type Outcome =
  | { kind: 'threw'; error: unknown; side: Side; calls: number; written: Uint8Array }
  | { kind: 'stalled' | 'eof' | 'hang'; side: Side; calls: number };

export const MAX_CALLS = 100_000;

/**
 * A fresh `target` brought to the moment the peer's flight `k` arrives by
 * replaying the recording (the target's own operations, the peer's flights
 * verbatim); flight k is replaced by `replacement(flight k)`. Then the target
 * is driven until it throws, finishes, or waits for input that is not there.
 * With `thenEof`, the transport then ends and the target is driven once more.
 */
export function attack(
  rec: Recording,
  target: Role,
  k: number,
  replacement: (f: Flight) => Uint8Array,
  opts: { pullLimit?: number; thenEof?: boolean } = {},
): Outcome {
  const side = new Side(target, rec.scenario);
  let ownFlights = 0;
  for (const ev of rec.events) {
    if (ev.kind === 'op') {
      if (ev.actor !== target) continue;
      const result = side.apply(ev.op);
      if (result !== ev.result) throw new Error(`replay diverged: ${target} ${ev.op.kind} gave ${result}, recorded ${ev.result}`);
      const written = side.takePushed();
      if (written.length) {
        const want = rec.flights[target][ownFlights++]!;
        if (!equalBytes(written, want.bytes)) throw new Error(`replay diverged: ${target} flight ${want.index} differs`);
      }
      continue;
    }
    const f = ev.flight;
    if (f.from === target) continue;
    if (f.index < k) {
      side.deliver(f.bytes);
      continue;
    }
    side.pullLimit = opts.pullLimit ?? Infinity;
    side.deliver(replacement(f));
    return drive(side, opts.thenEof ?? false);
  }
  throw new Error(`no flight ${k} from the ${peerOf(target)}`);
}

/** Calls handshake() (then recv()) until the side throws, reaches EOF, or waits with nothing left to read. */
export function drive(side: Side, thenEof: boolean): Outcome {
  for (let calls = 1; calls <= MAX_CALLS; calls++) {
    let r: unknown;
    try {
      r = side.handshakeDone ? side.session.recv() : side.session.handshake();
    } catch (error) {
      return { kind: 'threw', error, side, calls, written: side.takePushed() };
    }
    side.takePushed();
    if (r === 'done') side.handshakeDone = true;
    else if (r === EOF) return { kind: 'eof', side, calls };
    else if (r === AGAIN && side.inboxEmpty) {
      if (!thenEof || side.inboxIsClosed) return { kind: 'stalled', side, calls };
      side.closeInbox();
    }
  }
  return { kind: 'hang', side, calls: MAX_CALLS };
}

/** A fresh side of the scenario fed `bytes` from the start (after writing its first flight, for a client). */
export function feedFresh(scenario: Scenario, role: Role, bytes: Uint8Array, opts: { pullLimit?: number; thenEof?: boolean } = {}): Outcome {
  const side = new Side(role, scenario);
  side.pullLimit = opts.pullLimit ?? Infinity;
  side.deliver(bytes);
  return drive(side, opts.thenEof ?? false);
}

const HS_NAMES: Record<number, string> = {
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  13: 'CertificateRequest',
  15: 'CertificateVerify',
  20: 'Finished',
  24: 'KeyUpdate',
};

/** "ServerHello, CCS, {EncryptedExtensions, ...}": braces for what was encrypted. */
export function describeFlight(f: Flight): string {
  return f.records
    .map((r) => {
      let type = r.type;
      let content = r.fragment;
      if (r.sealed) {
        let end = r.sealed.inner.length - 1;
        while (end >= 0 && r.sealed.inner[end] === 0) end--;
        type = r.sealed.inner[end]!;
        content = r.sealed.inner.subarray(0, end);
      }
      let what: string;
      if (type === 20) what = 'CCS';
      else if (type === 21) what = content[1] === 0 ? 'close_notify' : 'alert';
      else if (type === 23) what = `data(${content.length})`;
      else {
        const names: string[] = [];
        for (let o = 0; o + 4 <= content.length; o += 4 + ((content[o + 1]! << 16) | (content[o + 2]! << 8) | content[o + 3]!)) {
          const name = HS_NAMES[content[o]!] ?? `handshake(${content[o]})`;
          // A ServerHello with the special random is a HelloRetryRequest.
          names.push(name === 'ServerHello' && content[o + 6] === 0xcf && content[o + 7] === 0x21 ? 'HelloRetryRequest' : name);
        }
        what = names.join(', ');
      }
      return r.sealed ? `{${what}}` : what;
    })
    .join(', ');
}
