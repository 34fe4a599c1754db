/**
 * Hostile client flights against our TLS 1.2 server, in memory. A
 * conversation between our client (maxVersion TLSv1.2) and our server is
 * recorded with seeded randomness (spec/fuzz/rig.ts's Side), then a fresh
 * server is replayed to the moment one client flight arrives and gets a
 * mutated one instead: the ClientHello, ClientKeyExchange + ChangeCipherSpec
 * + Finished (or, resuming, ChangeCipherSpec + Finished), application data,
 * close_notify. Records the client sealed are re-sealed under its real key,
 * so mutated content gets past the AEAD to the state machines.
 *
 * Whatever arrives, the server either goes on or throws a TlsError with an
 * alert of our table (never another exception, never a loop), sends that
 * alert (in the clear before its write key, sealed after), and stays failed.
 * A handshake whose client messages were changed never completes.
 *
 * Reproduce a failure with FC_SEED=<seed printed below>; FUZZ_SCALE=<n>
 * multiplies the run counts.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Alert, TlsError } from '../../lib/errors.js';
import type { Tls12SessionTicket } from '../../lib/handshake/session-info.js';
import { concatBytes, equalBytes } from '../../lib/wire/codec.js';
import { expectTlsError } from '../fuzz/check.js';
import { type ByteMut, type HsMut, applyByteMut, applyHsMut, byteMutArb, hsMutArb } from '../fuzz/mutate.js';
import { type Event, type Flight, type Op, type Outcome, type Role, type Scenario, type SealEntry, Side, drive, nonceAt, recordBytes, splitRecords } from '../fuzz/rig.js';
import { caPem, serverIdentity } from '../support/fixtures.js';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) });

const TICKET_KEY = { name: new Uint8Array(16).fill(0x71), key: new Uint8Array(32).fill(0x72) };
const client12 = { serverName: 'localhost', ca: caPem(), maxVersion: 'TLSv1.2' } as const;

const SCENARIOS: Scenario[] = [
  {
    name: 'AES-128-GCM, x25519, P-256 certificate',
    seed: 11,
    client: { ...client12, suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] },
    server: { ...serverIdentity('p256'), ticketKeys: [TICKET_KEY] },
  },
  {
    name: 'ChaCha20-Poly1305, P-384 group and certificate, ALPN',
    seed: 12,
    client: { ...client12, suites: ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'], groups: ['secp384r1'], alpn: ['h2'] },
    server: { ...serverIdentity('p384'), ticketKeys: [TICKET_KEY], alpn: ['h2'] },
  },
];

// ---------------------------------------------------------------------------
// Recording a TLS 1.2 conversation

/** A record the sender sealed: its seal-log entry and how many explicit nonce bytes precede the ciphertext (8 for GCM, 0 for ChaCha20). */
interface Sealed {
  entry: SealEntry;
  explicitLength: number;
}

interface Recording12 {
  scenario: Scenario;
  events: Event[];
  flights: Record<Role, Flight[]>;
  /** Per client flight, per record: the seal when the client sealed it. */
  sealed: Map<Flight, Array<Sealed | undefined>>;
  /** The ticket the client kept. */
  ticket?: Tls12SessionTicket;
}

/** Pairs each sealed record of a TLS 1.2 flight (outer type is the real one) with its seal-log entry. */
function sealsOf(flight: Flight, seals: SealEntry[]): Array<Sealed | undefined> {
  const out = flight.records.map((r) => {
    const next = seals[0];
    if (!next || r.fragment.length < next.out.length) return undefined;
    const explicitLength = r.fragment.length - next.out.length;
    if (!equalBytes(r.fragment.subarray(explicitLength), next.out)) return undefined;
    seals.shift();
    return { entry: next, explicitLength };
  });
  if (seals.length) throw new Error('recording: sealed records missing from the flight');
  return out;
}

/** Handshake (both in turn), a line each way, close_notify each way. */
function record12(scenario: Scenario): Recording12 {
  const sides: Record<Role, Side> = { client: new Side('client', scenario), server: new Side('server', scenario) };
  const rec: Recording12 = { scenario, events: [], flights: { client: [], server: [] }, sealed: new Map() };
  const step = (actor: Role, op: Op, want?: string): string => {
    const side = sides[actor];
    const result = side.apply(op);
    if (want !== undefined && result !== want) throw new Error(`recording: ${actor} ${op.kind} gave ${result}, wanted ${want}`);
    rec.events.push({ kind: 'op', actor, op, result });
    const bytes = side.takePushed();
    if (!bytes.length) return result;
    const { records, rest } = splitRecords(bytes);
    if (rest.length) throw new Error('recording: a flight ended inside a record');
    const flight: Flight = { from: actor, index: rec.flights[actor].length, label: op.kind, bytes, records };
    rec.sealed.set(flight, sealsOf(flight, side.seals.splice(0)));
    rec.flights[actor].push(flight);
    rec.events.push({ kind: 'flight', flight });
    sides[actor === 'client' ? 'server' : 'client'].deliver(bytes);
    return result;
  };
  let c = 'AGAIN';
  let s = 'AGAIN';
  for (let i = 0; c !== 'done' || s !== 'done'; i++) {
    if (i > 10) throw new Error(`recording: handshake stuck (client ${c}, server ${s})`);
    if (c !== 'done') c = step('client', { kind: 'handshake' });
    if (s !== 'done') s = step('server', { kind: 'handshake' });
  }
  const text = (t: string) => new TextEncoder().encode(t);
  step('client', { kind: 'send', data: text('ping') });
  step('server', { kind: 'recv' }, 'data:4');
  step('server', { kind: 'send', data: text('pong') });
  step('client', { kind: 'recv' }, 'data:4');
  step('client', { kind: 'bye' });
  step('server', { kind: 'recv' }, 'EOF');
  step('server', { kind: 'bye' });
  step('client', { kind: 'recv' }, 'EOF');
  rec.ticket = sides.client.session.info.tickets[0] as Tls12SessionTicket | undefined;
  if (sides.server.session.info.version !== 'TLSv1.2') throw new Error('recording: not TLS 1.2');
  return rec;
}

/** A fresh server of the recording, replayed to the moment client flight `k` arrives (not delivered). */
function serverAt(rec: Recording12, k: number): Side {
  const side = new Side('server', rec.scenario);
  for (const ev of rec.events) {
    if (ev.kind === 'op') {
      if (ev.actor !== 'server') continue;
      const result = side.apply(ev.op);
      if (result !== ev.result) throw new Error(`replay diverged: server ${ev.op.kind} gave ${result}, recorded ${ev.result}`);
      side.takePushed();
      continue;
    }
    if (ev.flight.from !== 'client') continue;
    if (ev.flight.index === k) return side;
    side.deliver(ev.flight.bytes);
  }
  throw new Error(`no client flight ${k}`);
}

// ---------------------------------------------------------------------------
// Mutations of a client flight

/** A record as the attacker models it: its type, its content, and the client's key when it was sealed. */
interface Model {
  type: number;
  content: Uint8Array;
  sealed?: Sealed;
}

type Mut =
  | { k: 'bytes'; muts: ByteMut[] }
  | { k: 'hs'; rec: number; mut: HsMut }
  | { k: 'content'; rec: number; mut: ByteMut }
  | { k: 'drop'; rec: number }
  | { k: 'dup'; rec: number }
  | { k: 'swap'; rec: number; other: number }
  | { k: 'retype'; rec: number; type: number }
  | { k: 'insert'; rec: number; type: number; content: Uint8Array; sealed: boolean };

const contentType = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(20, 21, 22, 23) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) });

const mutArb: fc.Arbitrary<Mut> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ k: fc.constant('bytes' as const), muts: fc.array(byteMutArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('hs' as const), rec: fc.nat(), mut: hsMutArb }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('content' as const), rec: fc.nat(), mut: byteMutArb }) },
  fc.record({ k: fc.constant('drop' as const), rec: fc.nat() }),
  fc.record({ k: fc.constant('dup' as const), rec: fc.nat() }),
  fc.record({ k: fc.constant('swap' as const), rec: fc.nat(), other: fc.nat() }),
  fc.record({ k: fc.constant('retype' as const), rec: fc.nat(), type: contentType }),
  fc.record({
    k: fc.constant('insert' as const),
    rec: fc.nat(),
    type: contentType,
    content: fc.oneof(fc.constantFrom(Uint8Array.of(1), Uint8Array.of(1, 0), Uint8Array.of(20, 0, 0, 12)), fc.uint8Array({ maxLength: 60 })),
    sealed: fc.boolean(),
  }),
);

function models(rec: Recording12, flight: Flight): Model[] {
  const seals = rec.sealed.get(flight)!;
  return flight.records.map((r, i) => {
    const s = seals[i];
    if (!s) return { type: r.type, content: r.fragment };
    const inner = s.entry.inner;
    return { type: r.type, content: inner, sealed: s };
  });
}

/** The flight's bytes after `m`: sealed records re-sealed under the client's key, renumbered from the flight's first sequence number. */
function mutate(rec: Recording12, flight: Flight, m: Mut): Uint8Array {
  if (m.k === 'bytes') return m.muts.reduce(applyByteMut, flight.bytes);
  const recs = models(rec, flight);
  const key = recs.find((r) => r.sealed)?.sealed;
  const at = (i: number) => i % recs.length;
  switch (m.k) {
    case 'hs':
      recs[at(m.rec)] = { ...recs[at(m.rec)]!, content: applyHsMut(recs[at(m.rec)]!.content, m.mut) };
      break;
    case 'content':
      recs[at(m.rec)] = { ...recs[at(m.rec)]!, content: applyByteMut(recs[at(m.rec)]!.content, m.mut) };
      break;
    case 'drop':
      recs.splice(at(m.rec), 1);
      break;
    case 'dup':
      recs.splice(at(m.rec), 0, recs[at(m.rec)]!);
      break;
    case 'swap': {
      const [a, b] = [at(m.rec), at(m.other)];
      [recs[a], recs[b]] = [recs[b]!, recs[a]!];
      break;
    }
    case 'retype':
      recs[at(m.rec)] = { ...recs[at(m.rec)]!, type: m.type };
      break;
    case 'insert':
      recs.splice(m.rec % (recs.length + 1), 0, { type: m.type, content: m.content, sealed: m.sealed ? key : undefined });
      break;
  }
  return serialize(recs);
}

function serialize(recs: Model[]): Uint8Array {
  let seq = Math.min(...recs.flatMap((r) => (r.sealed ? [r.sealed.entry.seq] : [])));
  return concatBytes(...recs.map((r) => (r.sealed ? seal12(r.sealed, seq++, r.type, r.content) : recordBytes(r.type, 0x0303, r.content))));
}

/** A TLS 1.2 AEAD record (RFC 5288 §3, RFC 7905 §2) under the sender's key at sequence number `seq`. */
function seal12(s: Sealed, seq: number, type: number, content: Uint8Array): Uint8Array {
  const seqBytes = new Uint8Array(8);
  new DataView(seqBytes.buffer).setBigUint64(0, BigInt(seq));
  const aad = concatBytes(seqBytes, Uint8Array.of(type, 3, 3, content.length >> 8, content.length & 0xff));
  const sealedContent = s.entry.key.aead.seal(nonceAt(s.entry.key.iv, seq), content, aad);
  return recordBytes(type, 0x0303, concatBytes(s.explicitLength ? seqBytes : new Uint8Array(0), sealedContent));
}

// ---------------------------------------------------------------------------
// The oracle

/** Our own failure, to be reported with our alert (not the peer's alert, not the transport's end). */
const ours = (e: TlsError) => e.sendsAlert;

function check(o: Outcome): void {
  if (o.kind === 'hang') throw new Error(`no progress after ${o.calls} calls`);
  if (o.kind !== 'threw') return;
  expectTlsError(o.error);
  const err = o.error;
  if (ours(err) && !o.side.sentBye) expectAlertSent(o.side, err, o.written);
  for (const call of [() => o.side.session.handshake(), () => o.side.session.recv(), () => o.side.session.send(Uint8Array.of(1)), () => o.side.session.bye()]) {
    expect(() => call()).to.throw(err.constructor as typeof TlsError).that.equals(err);
  }
  expect(o.side.takePushed().length, 'a failed session wrote more').to.equal(0);
}

/**
 * The last record written is our fatal alert: in the clear before our
 * ChangeCipherSpec, sealed after it (TLS 1.2: under the outer type alert).
 * The seal log also holds session tickets (sealed with an AEAD too), so the
 * sealed alert is found by its ciphertext.
 */
function expectAlertSent(side: Side, err: TlsError, written: Uint8Array): void {
  const { records, rest } = splitRecords(written);
  const last = records.at(-1);
  expect(rest.length, `a partial record after ${err.message}`).to.equal(0);
  expect(last?.type, `no alert record after ${err.message}`).to.equal(21);
  const alert = [2, Alert[err.alert as keyof typeof Alert]];
  const wroteCcs = splitRecords(concatBytes(...side.output)).records.some((r) => r.type === 20);
  if (!wroteCcs) return void expect(Array.from(last!.fragment), `plaintext alert for ${err.message}`).to.deep.equal(alert);
  const seal = [...side.seals].reverse().find((e) => equalBytes(last!.fragment.subarray(last!.fragment.length - e.out.length), e.out));
  expect(seal, `the alert record was not sealed by us (${err.message})`).to.not.equal(undefined);
  expect(Array.from(seal!.inner), `sealed alert for ${err.message}`).to.deep.equal(alert);
}

function attack(rec: Recording12, k: number, bytes: Uint8Array, pullLimit?: number, thenEof = false): Outcome {
  const side = serverAt(rec, k);
  side.pullLimit = pullLimit ?? Infinity;
  side.deliver(bytes);
  return drive(side, thenEof);
}

// ---------------------------------------------------------------------------

const deliveryArb = fc.record({
  pullLimit: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }) }),
  thenEof: fc.boolean(),
});

describe('TLS 1.2 server: hostile client flights (fuzz)', function () {
  this.timeout(120_000);
  let runs = 0;
  before(() => console.log(`      FC_SEED=${SEED}${SCALE !== 1 ? ` FUZZ_SCALE=${SCALE}` : ''}`));
  after(() => console.log(`      ${runs} property runs`));

  const full = SCENARIOS.map(record12);
  const resumed = full.map((r) =>
    record12({ ...r.scenario, name: `${r.scenario.name}, resumed`, client: { ...r.scenario.client, session: r.ticket } }),
  );

  it('the recordings are what they say: full handshakes issue a ticket, the second conversations resume it', () => {
    for (const r of full) expect(r.ticket?.version).to.equal('TLSv1.2');
    for (const r of resumed) {
      const server = serverAt(r, 1);
      server.deliver(r.flights.client[1]!.bytes);
      expect(server.session.handshake()).to.equal('done');
      expect(server.session.info.resumed).to.equal(true);
    }
  });

  for (const rec of [...full, ...resumed]) {
    describe(rec.scenario.name, () => {
      for (const flight of rec.flights.client) {
        const what = ['ClientHello', rec.scenario.client.session ? 'CCS + Finished' : 'ClientKeyExchange + CCS + Finished', 'application data', 'close_notify'][flight.index];
        it(`client flight ${flight.index} (${what}), mutated: only TlsErrors, our alert sent, the session stays failed`, () => {
          fc.assert(
            fc.property(mutArb, deliveryArb, (m, d) => {
              runs++;
              check(attack(rec, flight.index, mutate(rec, flight, m), d.pullLimit, d.thenEof));
            }),
            params(flight.index <= 1 ? 150 : 40),
          );
        });
      }

      it('the handshake flight with any of its handshake messages changed never completes the handshake', () => {
        const flight = rec.flights.client[1]!;
        const recs = models(rec, flight);
        const handshakeRecords = recs.flatMap((r, i) => (r.type === 22 ? [i] : []));
        fc.assert(
          fc.property(fc.nat(), fc.oneof(hsMutArb.map((mut) => ({ hs: mut })), byteMutArb.map((mut) => ({ bytes: mut }))), (pick, change) => {
            const i = handshakeRecords[pick % handshakeRecords.length]!;
            const m: Mut = 'hs' in change ? { k: 'hs', rec: i, mut: change.hs } : { k: 'content', rec: i, mut: change.bytes };
            const changed = models(rec, flight);
            const content = 'hs' in change ? applyHsMut(changed[i]!.content, change.hs) : applyByteMut(changed[i]!.content, change.bytes);
            // Bytes appended after an intact message start the next message: not a change of this one.
            const original = recs[i]!.content;
            fc.pre(!equalBytes(content.subarray(0, original.length), original));
            runs++;
            const o = attack(rec, 1, mutate(rec, flight, m));
            check(o);
            expect(o.side.handshakeDone, 'handshake completed with changed messages').to.equal(false);
          }),
          params(150),
        );
      });
    });
  }

  describe('targeted cases', () => {
    const rec = full[0]!;
    const flight = rec.flights.client[1]!;
    const kinds = () => models(rec, flight).map((r) => r.type);

    it("the client's flight is ClientKeyExchange, ChangeCipherSpec, then its sealed Finished", () => {
      expect(kinds()).to.deep.equal([22, 20, 22]);
      expect(rec.sealed.get(flight)!.map((s) => s !== undefined)).to.deep.equal([false, false, true]);
    });

    const expectAlert = (o: Outcome, alert: string) => {
      check(o);
      expect(o.kind).to.equal('threw');
      expect((o as { error: TlsError }).error.alert).to.equal(alert);
    };

    it('a Finished before the ChangeCipherSpec: unexpected_message', () => {
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'drop', rec: 1 })), 'unexpected_message');
    });

    it('two ChangeCipherSpecs: unexpected_message', () => {
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'dup', rec: 1 })), 'unexpected_message');
    });

    it('a ChangeCipherSpec that is not the byte 1: decode_error', () => {
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'content', rec: 1, mut: { k: 'set', pos: 0, value: 2 } })), 'decode_error');
    });

    it('a Finished with one bit of verify_data flipped, properly sealed: decrypt_error', () => {
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'content', rec: 2, mut: { k: 'flip', pos: 10, mask: 1 } })), 'decrypt_error');
    });

    it('a Finished of 11 bytes: decode_error; of 13, refused from its header (illegal_parameter, lib/tls12/limits.ts)', () => {
      const shorter: HsMut = { k: 'body', m: 0, mut: { k: 'truncate', keep: 11 }, fixLength: true };
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'hs', rec: 2, mut: shorter })), 'decode_error');
      const longer: HsMut = { k: 'body', m: 0, mut: { k: 'append', bytes: Uint8Array.of(0) }, fixLength: true };
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'hs', rec: 2, mut: longer })), 'illegal_parameter');
    });

    it('the sealed Finished with its ciphertext changed: bad_record_mac', () => {
      const bytes = flight.bytes.slice();
      bytes[bytes.length - 1]! ^= 0x80;
      expectAlert(attack(rec, 1, bytes), 'bad_record_mac');
    });

    it('application data sealed in place of the Finished: unexpected_message', () => {
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'retype', rec: 2, type: 23 })), 'unexpected_message');
    });

    it('a ClientKeyExchange whose point has the wrong size: illegal_parameter; whose length lies: decode_error', () => {
      const recs = models(rec, flight);
      recs[0] = { type: 22, content: Uint8Array.of(16, 0, 0, 32, 31, ...new Uint8Array(31).fill(9)) };
      expectAlert(attack(rec, 1, serialize(recs)), 'illegal_parameter');
      const lying: HsMut = { k: 'body', m: 0, mut: { k: 'set', pos: 0, value: 31 }, fixLength: true };
      expectAlert(attack(rec, 1, mutate(rec, flight, { k: 'hs', rec: 0, mut: lying })), 'decode_error');
    });

    it('after the handshake, a renegotiating ClientHello (sealed) gets a sealed no_renegotiation warning, and the data after it is read', () => {
      const ping = rec.flights.client[2]!;
      const [data] = models(rec, ping);
      const hello = rec.flights.client[0]!.records[0]!.fragment;
      const bytes = serialize([{ type: 22, content: hello, sealed: data!.sealed }, data!]);
      const side = serverAt(rec, 2);
      side.deliver(bytes);
      const got = side.session.recv();
      expect(got instanceof Uint8Array && new TextDecoder().decode(got)).to.equal('ping');
      expect(side.seals.map((s) => Array.from(s.inner))).to.deep.include([1, Alert.no_renegotiation]);
    });
  });
});
