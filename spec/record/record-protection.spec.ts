import { expect } from 'chai';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import { AEAD_KEY_LENGTHS } from '../../lib/crypto/algorithms.js';
import type { AeadName } from '../../lib/crypto/provider.js';
import { MAX_CIPHERTEXT, MAX_PLAINTEXT } from '../../lib/record/limits.js';
import { RecordOpener, RecordSealer } from '../../lib/record/record-protection.js';
import { RecordReader } from '../../lib/record/record-reader.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { alertOf } from '../support/alerts.js';

const HANDSHAKE = 22;
const ALERT = 21;
const APPLICATION_DATA = 23;
const KEY_LENGTHS = AEAD_KEY_LENGTHS;
const iv = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 0xff);

function pair(name: AeadName = 'aes-128-gcm', limit = 1000) {
  const key = Uint8Array.from({ length: KEY_LENGTHS[name] }, (_, i) => i + 1);
  return {
    sealer: new RecordSealer(nobleCrypto.aead(name, key), iv, limit),
    opener: new RecordOpener(nobleCrypto.aead(name, key), iv),
    aead: nobleCrypto.aead(name, key),
  };
}

const split = (record: Uint8Array) => [record.subarray(0, 5), record.subarray(5)] as const;

/** Builds a protected record around an arbitrary inner plaintext, bypassing the sealer's checks. */
function rawRecord(name: AeadName, inner: Uint8Array, nonce = iv): Uint8Array {
  const { aead } = pair(name);
  const length = inner.length + 16;
  const hdr = Uint8Array.of(APPLICATION_DATA, 3, 3, length >> 8, length & 0xff);
  return concatBytes(hdr, aead.seal(nonce, inner, hdr));
}

describe('RecordSealer / RecordOpener', () => {
  for (const name of ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as AeadName[]) {
    describe(name, () => {
      it('round-trips records of many sizes, types and paddings in sequence', () => {
        const { sealer, opener } = pair(name);
        const cases: [number, number, number][] = [
          [APPLICATION_DATA, 0, 0],
          [APPLICATION_DATA, 1, 0],
          [HANDSHAKE, 100, 7],
          [ALERT, 2, 0],
          [APPLICATION_DATA, 0, 200],
          [APPLICATION_DATA, 1000, 1],
          [APPLICATION_DATA, MAX_PLAINTEXT, 0],
          [APPLICATION_DATA, MAX_PLAINTEXT - 255, 255],
        ];
        const reader = new RecordReader();
        for (const [type, n, padding] of cases) {
          const content = data(n);
          const record = sealer.seal(type, content, padding);
          expect(record.length).to.equal(5 + n + 1 + padding + 16);
          expect(Array.from(record.subarray(0, 3))).to.deep.equal([APPLICATION_DATA, 3, 3]);
          expect((record[3]! << 8) | record[4]!).to.equal(record.length - 5);
          // The outer type is always application_data; the real type is inside.
          reader.feed(record);
          const rec = reader.next()!;
          expect(rec.type).to.equal(APPLICATION_DATA);
          const out = opener.open(rec.header, rec.fragment);
          expect(out.type).to.equal(type);
          expect(out.content).to.deep.equal(content);
        }
        expect(sealer.seq).to.equal(cases.length);
        expect(opener.seq).to.equal(cases.length);
      });

      it('the same records with and without the AEAD\'s sealRecord path, for both providers', () => {
        const key = Uint8Array.from({ length: KEY_LENGTHS[name] }, (_, i) => i + 1);
        for (const provider of [nobleCrypto, nodeCrypto]) {
          const fast = provider.aead(name, key);
          expect(fast.sealRecord, provider.name).to.be.a('function');
          const { sealRecord: _, ...sealOnly } = fast;
          const a = new RecordSealer(fast, iv, 100);
          const b = new RecordSealer(sealOnly, iv, 100);
          for (const [type, n, padding] of [[APPLICATION_DATA, 0, 0], [HANDSHAKE, 1000, 3], [APPLICATION_DATA, MAX_PLAINTEXT, 0]] as const) {
            const pieces = a.sealPieces(type, data(n), padding);
            const whole = b.sealPieces(type, data(n), padding);
            expect(whole).to.have.length(1);
            expect(Buffer.concat(pieces).equals(whole[0]!), `${provider.name} ${n}`).to.equal(true);
          }
        }
      });

      it('bad_record_mac on any tampered byte of header, ciphertext or tag; the sequence does not advance', () => {
        const { sealer } = pair(name);
        const record = sealer.seal(APPLICATION_DATA, data(40), 3);
        for (const at of [0, 1, 2, 3, 4, 5, 20, record.length - 17, record.length - 1]) {
          const bad = record.slice();
          bad[at]! ^= 0x01;
          const { opener } = pair(name);
          expect(alertOf(() => opener.open(...split(bad)))).to.equal('bad_record_mac');
          expect(opener.seq).to.equal(0);
        }
        const { opener } = pair(name);
        expect(alertOf(() => opener.open(record.subarray(0, 5), record.subarray(5, record.length - 1)))).to.equal('bad_record_mac');
        expect(alertOf(() => opener.open(record.subarray(0, 5), new Uint8Array(0)))).to.equal('bad_record_mac');
        expect(opener.open(...split(record)).content).to.deep.equal(data(40));
      });

      it('bad_record_mac for a replayed or reordered record (wrong sequence number)', () => {
        const { sealer, opener } = pair(name);
        const r0 = sealer.seal(APPLICATION_DATA, data(5));
        const r1 = sealer.seal(APPLICATION_DATA, data(6));
        expect(alertOf(() => opener.open(...split(r1)))).to.equal('bad_record_mac');
        opener.open(...split(r0));
        expect(alertOf(() => opener.open(...split(r0)))).to.equal('bad_record_mac');
      });
    });
  }

  it('tryOpen: a record that does not authenticate gives undefined and keeps the sequence; the next good one opens', () => {
    const { sealer, opener } = pair();
    const good = sealer.seal(HANDSHAKE, data(30));
    const junk = good.slice();
    junk[10]! ^= 0xff;
    for (let i = 0; i < 3; i++) expect(opener.tryOpen(...split(junk))).to.equal(undefined);
    expect(opener.seq).to.equal(0);
    expect(opener.tryOpen(...split(good))).to.deep.include({ type: HANDSHAKE });
    expect(opener.seq).to.equal(1);
    // Other failures still throw.
    expect(alertOf(() => opener.tryOpen(new Uint8Array(5), new Uint8Array(MAX_CIPHERTEXT + 1)))).to.equal('record_overflow');
  });

  it('unexpected_message when the inner plaintext is all zeros (no content type)', () => {
    const { sealer, opener } = pair();
    // type 0 with zero padding: every byte of the inner plaintext is zero.
    const record = sealer.seal(0, new Uint8Array(0), 10);
    expect(alertOf(() => opener.open(...split(record)))).to.equal('unexpected_message');
    const { opener: o2 } = pair();
    expect(alertOf(() => o2.open(...split(rawRecord('aes-128-gcm', new Uint8Array(0)))))).to.equal('unexpected_message');
    const { opener: o3 } = pair();
    expect(alertOf(() => o3.open(...split(rawRecord('aes-128-gcm', new Uint8Array(1)))))).to.equal('unexpected_message');
  });

  it('zero bytes before the type byte belong to the content; only trailing zeros are padding', () => {
    const { opener } = pair();
    const out = opener.open(...split(rawRecord('aes-128-gcm', Uint8Array.of(0, 0, 9, 0, APPLICATION_DATA, 0, 0))));
    expect(out.type).to.equal(APPLICATION_DATA);
    expect(Array.from(out.content)).to.deep.equal([0, 0, 9, 0]);
  });

  it('record_overflow when the inner plaintext carries more than 2^14 content bytes', () => {
    const inner = concatBytes(data(MAX_PLAINTEXT + 1), Uint8Array.of(APPLICATION_DATA));
    const { opener } = pair();
    expect(alertOf(() => opener.open(...split(rawRecord('aes-128-gcm', inner))))).to.equal('record_overflow');
    // Exactly 2^14 content bytes plus padding up to the ciphertext limit is fine.
    const max = concatBytes(data(MAX_PLAINTEXT), Uint8Array.of(APPLICATION_DATA), new Uint8Array(MAX_CIPHERTEXT - MAX_PLAINTEXT - 1 - 16));
    const { opener: o2 } = pair();
    expect(o2.open(...split(rawRecord('aes-128-gcm', max))).content.length).to.equal(MAX_PLAINTEXT);
  });

  it('record_overflow when the ciphertext is longer than 2^14 + 256 bytes', () => {
    const { opener } = pair();
    const hdr = Uint8Array.of(APPLICATION_DATA, 3, 3, 0x41, 0x01);
    expect(alertOf(() => opener.open(hdr, new Uint8Array(MAX_CIPHERTEXT + 1)))).to.equal('record_overflow');
  });

  it('seal refuses content over 2^14 bytes', () => {
    const { sealer } = pair();
    expect(() => sealer.seal(APPLICATION_DATA, data(MAX_PLAINTEXT + 1))).to.throw(RangeError);
    expect(sealer.seq).to.equal(0);
  });

  it('seal refuses padding that makes the inner plaintext exceed 2^14 + 1 bytes', () => {
    const { sealer } = pair();
    expect(() => sealer.seal(APPLICATION_DATA, data(MAX_PLAINTEXT), 300)).to.throw(RangeError);
  });

  it('exhausted once `limit` records were sealed', () => {
    const { sealer } = pair('aes-128-gcm', 3);
    expect(sealer.limit).to.equal(3);
    for (let i = 0; i < 3; i++) {
      expect(sealer.exhausted).to.equal(false);
      sealer.seal(APPLICATION_DATA, data(1));
    }
    expect(sealer.exhausted).to.equal(true);
    const { sealer: zero } = pair('aes-128-gcm', 0);
    expect(zero.exhausted).to.equal(true);
  });

  it('sealed records are independent copies', () => {
    const { sealer, opener } = pair();
    const content = data(10);
    const record = sealer.seal(APPLICATION_DATA, content);
    content.fill(0);
    expect(opener.open(...split(record)).content).to.deep.equal(data(10));
  });
});
