/**
 * Hostile input at every stage of a TLS 1.3 conversation, for both roles:
 * whatever bytes arrive, a session either keeps going or throws a TlsError
 * whose alert is one of `Alert`, never another exception and never a loop.
 * After the error the session is unusable (every call throws the same error)
 * and, when we detected the problem, our alert went out on the transport.
 *
 * Reproduce a failure with FC_SEED=<seed printed below>; FUZZ_SCALE=<n>
 * multiplies every run count for a longer soak.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { HandshakeBuffer } from '../../lib/record/handshake-buffer.js';
import { RecordReader } from '../../lib/record/record-reader.js';
import { Reader } from '../../lib/wire/codec.js';
import { HandshakeType } from '../../lib/wire/enums.js';
import {
  decodeAlpn,
  decodeBody,
  decodeCookie,
  decodePskModes,
  decodeSelectedVersion,
  decodeServerName,
  decodeU16List,
  encodeAlpn,
  encodeCookie,
  encodePskModes,
  encodeSelectedVersion,
  encodeServerName,
  encodeU16List,
  keyShare,
  readExtensions,
} from '../../lib/wire/extension.js';
import { decodeHandshake, encodeHandshake, HRR_RANDOM } from '../../lib/wire/handshake.js';
import { Session } from '../../lib/session/session.js';
import { AGAIN } from '../../lib/session/contract.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { checkOutcome, expectTlsError, onlyTlsError } from './check.js';
import { type ByteMut, applyByteMut, applyPlan, byteMutArb, planArb, recordStreamArb } from './mutate.js';
import { type Flight, type Recording, type Role, attack, describeFlight, feedFresh, peerOf, record, recordBytes, splitRecords } from './rig.js';
import { SCENARIOS } from './scenarios.js';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) });

/** How the attacker delivers the bytes: all at once, or in small pulls; and whether the transport then ends. */
const deliveryArb = fc.record({
  pullLimit: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) }, { weight: 1, arbitrary: fc.integer({ min: 8, max: 700 }) }),
  thenEof: fc.boolean(),
});

/**
 * Runs per attacked flight: most for the handshake flights, where the parsing
 * and the state machines are; the post-handshake flights (application data,
 * KeyUpdate, close_notify) look alike in every scenario and get fewer.
 */
const runsFor = (scenario: number, flight: Flight) => (flight.label === 'handshake' ? (flight.index === 0 ? 60 : 45) : scenario === 0 ? 16 : 8);

const recordings: Recording[] = SCENARIOS.map(record);

/** How many names an ALPN body holds (valid UTF-8 or not); the body is known to decode. */
function decodeAlpnCount(body: Uint8Array): number {
  let n = 0;
  for (let o = 2; o < body.length; o += 1 + body[o]!) n++;
  return n;
}

describe('bad input (fuzz)', function () {
  this.timeout(120_000);
  const started = performance.now();
  let runs = 0;

  before(() => {
    console.log(`      FC_SEED=${SEED}${SCALE !== 1 ? ` FUZZ_SCALE=${SCALE}` : ''}`);
  });
  after(() => {
    console.log(`      ${runs} property runs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  recordings.forEach((rec, si) => {
    describe(`mutated flights: ${rec.scenario.name}`, () => {
      for (const target of ['server', 'client'] as Role[]) {
        const peer = peerOf(target);
        for (const flight of rec.flights[peer]) {
          it(`${target} vs ${peer} flight ${flight.index} (written by its ${flight.label}): ${describeFlight(flight)}`, () => {
            fc.assert(
              fc.property(planArb, deliveryArb, (plan, delivery) => {
                runs++;
                checkOutcome(attack(rec, target, flight.index, (f) => applyPlan(f, plan), delivery));
              }),
              params(runsFor(si, flight)),
            );
          });
        }
      }
    });
  });

  describe('random bytes into a fresh session', () => {
    const scenario = SCENARIOS[0]!;
    for (const role of ['client', 'server'] as Role[]) {
      it(`${role}: random byte streams up to 20 KB`, () => {
        fc.assert(
          fc.property(
            fc.oneof(fc.uint8Array({ maxLength: 20_000 }), fc.uint8Array({ maxLength: 64 })),
            deliveryArb,
            (bytes, delivery) => {
              runs++;
              checkOutcome(feedFresh(scenario, role, bytes, delivery));
            },
          ),
          params(60),
        );
      });

      it(`${role}: random sequences of plausible records`, () => {
        fc.assert(
          fc.property(recordStreamArb, deliveryArb, (bytes, delivery) => {
            runs++;
            checkOutcome(feedFresh(scenario, role, bytes, delivery));
          }),
          params(100),
        );
      });
    }
  });

  describe('parsers', () => {
    /** Every plaintext handshake message of the recordings (sealed ones via the seal log): seeds for mutation. */
    const seeds: Array<{ type: number; body: Uint8Array }> = [];
    for (const rec of recordings) {
      for (const f of [...rec.flights.client, ...rec.flights.server]) {
        for (const r of f.records) {
          const inner = r.sealed ? r.sealed.inner : r.fragment;
          let end = inner.length - 1;
          if (r.sealed) while (end >= 0 && inner[end] === 0) end--;
          const type = r.sealed ? inner[end] : r.type;
          if (type !== 22) continue;
          const content = r.sealed ? inner.subarray(0, end) : inner;
          for (let o = 0; o + 4 <= content.length; ) {
            const len = (content[o + 1]! << 16) | (content[o + 2]! << 8) | content[o + 3]!;
            seeds.push({ type: content[o]!, body: content.slice(o + 4, o + 4 + len) });
            o += 4 + len;
          }
        }
      }
    }
    const HS_TYPES = Object.values(HandshakeType);
    const mutatedArb = (base: Uint8Array[]) =>
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        fc.tuple(fc.constantFrom(...base), fc.array(byteMutArb, { minLength: 1, maxLength: 3 })).map(([b, ms]) => ms.reduce((x: Uint8Array, m: ByteMut) => applyByteMut(x, m), b)),
      );

    it('the recordings contain every handshake message type we parse', () => {
      const types = new Set(seeds.map((s) => s.type));
      for (const t of [1, 2, 4, 8, 11, 15, 20, 24]) expect(types.has(t), `type ${t}`).to.equal(true);
    });

    it('decodeHandshake: every type, random and mutated bodies', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.record({ type: fc.oneof(fc.constantFrom(...HS_TYPES), fc.integer({ min: 0, max: 255 })), body: fc.uint8Array({ maxLength: 600 }) }),
            fc.tuple(fc.constantFrom(...seeds), fc.array(byteMutArb, { maxLength: 3 })).map(([s, ms]) => ({ type: s.type, body: ms.reduce((x: Uint8Array, m: ByteMut) => applyByteMut(x, m), s.body) })),
          ),
          fc.constantFrom(32, 48, 0, 64),
          ({ type, body }, hashLength) => {
            runs++;
            const msg = onlyTlsError(() => decodeHandshake(type, body, hashLength));
            if (msg instanceof TlsError) return;
            // Strict decoders: what decodes re-encodes to the same bytes.
            const again = encodeHandshake(msg);
            expect(Buffer.from(again.subarray(4)).equals(body), `type ${type} round trip`).to.equal(true);
          },
        ),
        params(1500),
      );
    });

    const extensionBlocks = seeds
      .filter((s) => s.type === 8)
      .map((s) => s.body)
      .concat(seeds.filter((s) => s.type === 1 || s.type === 2).map((s) => s.body.subarray(34 + 1 + s.body[34]! + (s.type === 1 ? 2 + ((s.body[35 + s.body[34]!]! << 8) | s.body[36 + s.body[34]!]!) + 1 + 1 : 3))));

    it('readExtensions: random and mutated extension blocks', () => {
      fc.assert(
        fc.property(mutatedArb(extensionBlocks), (bytes) => {
          runs++;
          onlyTlsError(() => {
            const r = new Reader(bytes);
            readExtensions(r);
            r.end();
          });
        }),
        params(800),
      );
    });

    const decoders: Array<[string, (d: Uint8Array) => unknown, Uint8Array[]]> = [
      ['supported_versions (client)', (d) => decodeU16List(d, 'supported_versions', 1), [encodeU16List([0x0304, 0x0303], 1)]],
      ['supported_groups', (d) => decodeU16List(d, 'supported_groups'), [encodeU16List([0x1d, 0x17, 0x18])]],
      ['signature_algorithms', (d) => decodeU16List(d, 'signature_algorithms'), [encodeU16List([0x0403, 0x0503, 0x0807])]],
      ['server_name', decodeServerName, [encodeServerName('rxtls.test'), new Uint8Array(0)]],
      ['alpn', decodeAlpn, [encodeAlpn(['h2', 'http/1.1'])]],
      ['key_share (client)', keyShare.decodeClient, [keyShare.encodeClient([{ group: 0x1d, keyExchange: new Uint8Array(32).fill(9) }, { group: 0x17, keyExchange: new Uint8Array(65).fill(4) }])]],
      ['key_share (server)', keyShare.decodeServer, [keyShare.encodeServer({ group: 0x1d, keyExchange: new Uint8Array(32).fill(9) })]],
      ['key_share (HRR)', keyShare.decodeHrr, [keyShare.encodeHrr(0x17)]],
      ['supported_versions (server)', decodeSelectedVersion, [encodeSelectedVersion(0x0304)]],
      ['cookie', decodeCookie, [encodeCookie(new Uint8Array(32).fill(7))]],
      ['psk_key_exchange_modes', decodePskModes, [encodePskModes([1, 0])]],
      ['early_data (u32)', (d) => decodeBody(d, 'early_data', (r) => r.u32()), [Uint8Array.of(0, 0, 0x40, 0)]],
    ];
    for (const [name, decode, base] of decoders) {
      it(`extension decoder ${name}: random and mutated bodies`, () => {
        fc.assert(
          fc.property(mutatedArb(base), (bytes) => {
            runs++;
            onlyTlsError(() => decode(bytes));
          }),
          params(300),
        );
      });
    }

    /** Codecs whose decoded value encodes back to exactly the decoded bytes (server_name normalises the host by design). */
    const exact: Array<[string, (d: Uint8Array) => unknown, (v: never) => Uint8Array, Uint8Array[]]> = [
      ['supported_groups', (d) => decodeU16List(d, 'supported_groups'), (v: number[]) => encodeU16List(v), [encodeU16List([0x1d, 0x17])]],
      ['supported_versions (client)', (d) => decodeU16List(d, 'supported_versions', 1), (v: number[]) => encodeU16List(v, 1), [encodeU16List([0x0304], 1)]],
      ['alpn', decodeAlpn, (v: string[]) => encodeAlpn(v), [encodeAlpn(['h2', 'http/1.1'])]],
      ['key_share (client)', keyShare.decodeClient, keyShare.encodeClient, [keyShare.encodeClient([{ group: 0x1d, keyExchange: new Uint8Array(4).fill(9) }, { group: 0x17, keyExchange: Uint8Array.of(4) }])]],
      ['key_share (HRR)', keyShare.decodeHrr, keyShare.encodeHrr, [keyShare.encodeHrr(0x17)]],
      ['cookie', decodeCookie, encodeCookie, [encodeCookie(new Uint8Array(5).fill(7))]],
      ['psk_key_exchange_modes', decodePskModes, encodePskModes, [encodePskModes([1, 0])]],
    ];
    for (const [name, decode, encode, base] of exact) {
      it(`extension codec ${name}: what decodes encodes back to the same bytes`, () => {
        fc.assert(
          fc.property(mutatedArb(base), (bytes) => {
            runs++;
            const v = onlyTlsError(() => decode(bytes));
            if (v instanceof TlsError) return;
            // ALPN leaves out names that are not UTF-8: then it is shorter, never different.
            if (name === 'alpn' && (v as string[]).length < decodeAlpnCount(bytes)) return;
            expect(Buffer.from(encode(v as never)).toString('hex')).to.equal(Buffer.from(bytes).toString('hex'));
          }),
          params(300),
        );
      });
    }

    it('RecordReader: random chunks give records or TlsError', () => {
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), recordStreamArb), { maxLength: 6 }), (chunks) => {
          runs++;
          const reader = new RecordReader();
          onlyTlsError(() => {
            for (const c of chunks) {
              reader.feed(c);
              for (let r = reader.next(), n = 0; r; r = reader.next(), n++) if (n > 100_000) throw new Error('RecordReader loops');
            }
          });
        }),
        params(400),
      );
    });

    it('RecordReader: valid records cut anywhere come out whole and unchanged', () => {
      const recordArb = fc.record({ type: fc.integer({ min: 20, max: 23 }), version: fc.integer({ min: 0x0300, max: 0x03ff }), body: fc.uint8Array({ maxLength: 300 }) });
      fc.assert(
        fc.property(fc.array(recordArb, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }), (recs, cuts) => {
          runs++;
          const stream = Buffer.concat(recs.map((r) => recordBytes(r.type, r.version, r.body)));
          const reader = new RecordReader();
          const got: Array<{ type: number; version: number; body: Uint8Array }> = [];
          for (let o = 0, i = 0; o < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            reader.feed(stream.subarray(o, o + n));
            o += n;
            for (let r = reader.next(); r; r = reader.next()) got.push({ type: r.type, version: r.version, body: r.fragment });
          }
          expect(got.map((r) => [r.type, r.version, Buffer.from(r.body).toString('hex')])).to.deep.equal(
            recs.map((r) => [r.type, r.version, Buffer.from(r.body).toString('hex')]),
          );
          expect(reader.buffered).to.equal(0);
        }),
        params(200),
      );
    });

    it('RecordReader: a header that is not TLS (type outside 20..23, version outside 3.x) is refused once its byte is in', () => {
      const recordArb = fc.record({ type: fc.integer({ min: 20, max: 23 }), version: fc.integer({ min: 0x0300, max: 0x03ff }), body: fc.uint8Array({ maxLength: 300 }) });
      const badArb = fc.oneof(
        fc.record({ type: fc.oneof(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 24, max: 255 })), version: fc.constant(0x0303) }),
        fc.record({ type: fc.integer({ min: 20, max: 23 }), version: fc.oneof(fc.integer({ min: 0, max: 0x02ff }), fc.integer({ min: 0x0400, max: 0xffff })) }),
      );
      fc.assert(
        fc.property(fc.array(recordArb, { maxLength: 4 }), badArb, fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (good, bad, tail, cut) => {
          runs++;
          const prefix = Buffer.concat(good.map((r) => recordBytes(r.type, r.version, r.body)));
          const stream = Buffer.concat([prefix, recordBytes(bad.type, bad.version, tail)]);
          const badByte = prefix.length + (bad.type < 20 || bad.type > 23 ? 0 : 1);
          const reader = new RecordReader();
          let fed = 0;
          const err = onlyTlsError(() => {
            while (fed < stream.length) {
              reader.feed(stream.subarray(fed, fed + cut));
              fed = Math.min(stream.length, fed + cut);
              while (reader.next());
            }
          });
          expect(err).to.be.instanceOf(TlsError);
          // Refused in the feed that brought the offending byte, whatever length the header spells.
          expect(fed - cut).to.be.at.most(badByte);
          const alert = (err as TlsError).alert;
          if (prefix.length === 0 && bad.type >= 0x80) expect(alert).to.equal('protocol_version');
          else expect(alert).to.equal(bad.type < 20 || bad.type > 23 ? 'unexpected_message' : 'protocol_version');
        }),
        params(400),
      );
    });

    it('HandshakeBuffer: random fragments give messages or TlsError', () => {
      fc.assert(
        fc.property(fc.array(mutatedArb(seeds.map((s) => Uint8Array.of(s.type, 0, s.body.length >>> 8, s.body.length & 0xff, ...s.body))), { maxLength: 5 }), (frags) => {
          runs++;
          const hb = new HandshakeBuffer();
          onlyTlsError(() => {
            for (const f of frags) {
              hb.add(f);
              for (let m = hb.next(), n = 0; m; m = hb.next(), n++) if (n > 100_000) throw new Error('HandshakeBuffer loops');
            }
          });
        }),
        params(400),
      );
    });
  });

  it('the oracle itself rejects non-TlsErrors and unknown alert names', () => {
    expect(() => expectTlsError(new Error('x'))).to.throw(/not a TlsError/);
    expect(() => expectTlsError(new TlsError('alert_99' as never, 'x'))).to.throw(/not in Alert/);
    expect(() => expectTlsError(new TlsError('alert_99', 'x', true))).not.to.throw();
    expect(() => expectTlsError(new TlsError('decode_error', 'x'))).not.to.throw();
  });

  describe('regressions found by this fuzzer', () => {
    /** A fresh client that has written its ClientHello and then reads `bytes`. */
    function clientReading(bytes: Uint8Array): unknown {
      const client = Session.client({ serverName: 'localhost', ca: caPem() });
      let fed = false;
      client.setTransport({ push: (b) => b.length, pull: () => (fed ? AGAIN : ((fed = true), bytes)) });
      try {
        return client.handshake();
      } catch (e) {
        return e;
      }
    }

    it('FC_SEED=6 (decodeHandshake, path 1107:4:30:60): a ClientHello without an extensions block re-encodes to the same bytes', () => {
      // The counterexample: legacy_version 0x0303, random, empty session id, one suite, null compression, and nothing after.
      const body = Uint8Array.from([
        3, 3, 134, 0, 169, 51, 138, 18, 1, 235, 248, 53, 239, 97, 5, 13, 115, 200, 161, 123, 104, 50, 252, 241, 68, 241, 218, 251, 178, 241, 246,
        241, 55, 141, 0, 0, 2, 19, 3, 1, 0,
      ]);
      const msg = decodeHandshake(1, body, 32);
      // It used to come back 2 bytes longer: an empty extensions block was written where there was none.
      expect(Buffer.from(encodeHandshake(msg).subarray(4)).toString('hex')).to.equal(Buffer.from(body).toString('hex'));
    });

    it('a peer alert with an unknown description surfaces as alert_255, from the peer', () => {
      // Plaintext alert record: level fatal (2), description 255 (not in Alert).
      const e = clientReading(Uint8Array.of(21, 3, 3, 0, 2, 2, 255));
      expectTlsError(e);
      expect(e).to.include({ alert: 'alert_255', fromPeer: true });
    });

    it('a second ClientHello without the requested key share is illegal_parameter, never a second HelloRetryRequest', () => {
      // Scenario 2: the server wants secp256r1, the client offered an x25519 share: HRR(key_share secp256r1, cookie).
      const rec = recordings[1]!;
      const ch2 = rec.flights.client[1]!; // [CCS] ClientHello2
      // Empty the key_share client_shares list of ClientHello2; cookie, groups and session id stay as they were.
      const replaced = (f: Flight) => {
        const { records } = splitRecords(f.bytes);
        const hello = records.find((r) => r.type === 22)!.fragment;
        const body = hello.subarray(4);
        let o = 2 + 32;
        o += 1 + body[o]!;
        o += 2 + ((body[o]! << 8) | body[o + 1]!);
        o += 1 + body[o]!;
        const exts: Uint8Array[] = [];
        for (let e = o + 2; e < body.length; ) {
          const type = (body[e]! << 8) | body[e + 1]!;
          const len = (body[e + 2]! << 8) | body[e + 3]!;
          exts.push(type === 51 ? Uint8Array.of(0, 51, 0, 2, 0, 0) : body.subarray(e, e + 4 + len));
          e += 4 + len;
        }
        const extBytes = Buffer.concat(exts);
        const newBody = Buffer.concat([body.subarray(0, o), Uint8Array.of(extBytes.length >>> 8, extBytes.length & 0xff), extBytes]);
        const msg = Buffer.concat([Uint8Array.of(1, 0, newBody.length >>> 8, newBody.length & 0xff), newBody]);
        return Buffer.concat([recordBytes(20, 0x0303, Uint8Array.of(1)), recordBytes(22, 0x0303, msg)]);
      };
      const outcome = attack(rec, 'server', ch2.index, replaced);
      const hrrs = splitRecords(Buffer.concat(outcome.side.output)).records.filter(
        (r) => r.type === 22 && r.fragment[0] === 2 && Buffer.from(r.fragment.subarray(6, 38)).equals(HRR_RANDOM),
      );
      expect(hrrs.length, 'HelloRetryRequests sent').to.equal(1);
      expect(outcome.kind).to.equal('threw');
      expect(outcome.kind === 'threw' && (outcome.error as TlsError).alert).to.equal('illegal_parameter');
    });

    it('one large handshake message in 1-byte records is reassembled (linear growth, not a copy per fragment)', () => {
      // A ClientHello header announcing the longest body a ClientHello can have (131,396 bytes), then that many 1-byte handshake records.
      const total = 131396;
      const parts = [recordBytes(22, 0x0303, Uint8Array.of(1, total >>> 16, (total >>> 8) & 0xff, total & 0xff))];
      for (let i = 0; i < total; i++) parts.push(recordBytes(22, 0x0303, Uint8Array.of(0)));
      const input = Buffer.concat(parts);
      const server = Session.server(serverIdentity('p256'));
      let o = 0;
      server.setTransport({
        push: (b) => b.length,
        pull: (max) => {
          if (o >= input.length) return AGAIN;
          const r = input.subarray(o, o + max);
          o += r.length;
          return r;
        },
      });
      // The whole message is reassembled, then refused as a ClientHello of zeros.
      const result = onlyTlsError(() => server.handshake());
      expect(result).to.be.instanceOf(TlsError);
      expect(o).to.equal(input.length);
    });
  });
});
