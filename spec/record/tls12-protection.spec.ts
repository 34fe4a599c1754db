/**
 * TLS 1.2 AEAD record protection (lib/record/tls12-protection.ts), checked
 * against records sealed and opened by hand on node:crypto from the RFCs'
 * definitions (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905 §2).
 */
import { expect } from 'chai';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CipherGCMTypes } from 'node:crypto';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import { AEAD_TAG_LENGTHS } from '../../lib/crypto/algorithms.js';
import type { Aead, AeadName, CryptoProvider } from '../../lib/crypto/provider.js';
import { MAX_PLAINTEXT } from '../../lib/record/limits.js';
import {
  SequenceNumber,
  TLS12_FRAMING,
  TLS12_MAX_CIPHERTEXT,
  Tls12RecordOpener,
  Tls12RecordSealer,
  streamFraming,
  type Tls12Framing,
} from '../../lib/record/tls12-protection.js';
import { concatBytes, toHex } from '../../lib/wire/codec.js';
import { alertOf } from '../support/alerts.js';
import { fromHex as hex } from '../support/hex.js';

const HANDSHAKE = 22;
const ALERT = 21;
const APPLICATION_DATA = 23;
const SUITES: { aead: AeadName; keyLength: number; fixedIvLength: number }[] = [
  { aead: 'aes-128-gcm', keyLength: 16, fixedIvLength: 4 },
  { aead: 'aes-256-gcm', keyLength: 32, fixedIvLength: 4 },
  { aead: 'chacha20-poly1305', keyLength: 32, fixedIvLength: 12 },
  // RFC 6655 §3: CCM's nonce is salt || explicit nonce, exactly as GCM's; CCM_8 has an 8-byte tag.
  { aead: 'aes-128-ccm', keyLength: 16, fixedIvLength: 4 },
  { aead: 'aes-128-ccm-8', keyLength: 16, fixedIvLength: 4 },
];
const tagOf = (name: AeadName) => AEAD_TAG_LENGTHS[name];
/** node's cipher name (both CCM tag lengths are its aes-128-ccm). */
const nodeName = (name: AeadName) => (name === 'aes-128-ccm-8' ? 'aes-128-ccm' : name) as CipherGCMTypes;

/** A node:crypto decipher of `name` opening `ciphertext || tag` with `aad`; throws when it does not authenticate. */
function decipherByHand(name: AeadName, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, fragment: Uint8Array): Uint8Array {
  const tag = tagOf(name);
  const ciphertext = fragment.subarray(0, fragment.length - tag);
  const d = createDecipheriv(nodeName(name), key, nonce, { authTagLength: tag });
  d.setAuthTag(fragment.subarray(fragment.length - tag));
  d.setAAD(aad, { plaintextLength: ciphertext.length });
  return concatBytes(d.update(ciphertext), d.final());
}
const PROVIDERS: CryptoProvider[] = [nobleCrypto, nodeCrypto];

const data = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i * 13 + 5) & 0xff);
const keyFor = (s: (typeof SUITES)[number]) => Uint8Array.from({ length: s.keyLength }, (_, i) => 0x10 + i);
const ivFor = (s: (typeof SUITES)[number]) => Uint8Array.from({ length: s.fixedIvLength }, (_, i) => 0xe0 + i);
const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};
const split = (record: Uint8Array) => [record.subarray(0, 5), record.subarray(5)] as const;

/** The AEAD nonce as the RFCs define it: salt || explicit (GCM), or iv xor (0^4 || seq) (ChaCha20). */
function rfcNonce(fixedIv: Uint8Array, seqOrExplicit: Uint8Array): Uint8Array {
  if (fixedIv.length === 4) return concatBytes(fixedIv, seqOrExplicit);
  const nonce = fixedIv.slice();
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seqOrExplicit[i]!;
  return nonce;
}

/** seq_num || type || version || plaintext length. */
const rfcAad = (seq: Uint8Array, type: number, length: number, version = 0x0303) =>
  concatBytes(seq, Uint8Array.of(type, version >> 8, version & 0xff, length >> 8, length & 0xff));

/** A TLS 1.2 record sealed by hand on node:crypto. */
function sealByHand(name: AeadName, key: Uint8Array, fixedIv: Uint8Array, seq: Uint8Array, type: number, content: Uint8Array): Uint8Array {
  const c = createCipheriv(nodeName(name), key, rfcNonce(fixedIv, seq), { authTagLength: tagOf(name) });
  c.setAAD(rfcAad(seq, type, content.length), { plaintextLength: content.length });
  const body = concatBytes(c.update(content), c.final(), c.getAuthTag());
  const explicit = fixedIv.length === 4 ? seq : new Uint8Array(0);
  const length = explicit.length + body.length;
  return concatBytes(Uint8Array.of(type, 3, 3, length >> 8, length & 0xff), explicit, body);
}

/** Opens a TLS 1.2 record by hand on node:crypto; throws when it does not authenticate. */
function openByHand(name: AeadName, key: Uint8Array, fixedIv: Uint8Array, seq: Uint8Array, record: Uint8Array): { type: number; content: Uint8Array } {
  const type = record[0]!;
  const explicitLength = fixedIv.length === 4 ? 8 : 0;
  const fragment = record.subarray(5);
  const nonce = rfcNonce(fixedIv, explicitLength ? fragment.subarray(0, 8) : seq);
  const plaintextLength = fragment.length - explicitLength - tagOf(name);
  const content = decipherByHand(name, key, nonce, rfcAad(seq, type, plaintextLength), fragment.subarray(explicitLength));
  return { type, content };
}

/** The provider's AEAD without its sealRecord path. */
function sealOnly(aead: Aead): Aead {
  const { sealRecord: _, ...rest } = aead;
  return rest;
}

/** A framing starting at sequence number `first`. */
const startingAt = (first: Uint8Array): Tls12Framing => ({ ...TLS12_FRAMING, newSequence: () => new SequenceNumber(first) });

/**
 * A DTLS-1.2-shaped framing, as a test double for the seam: 13-byte headers
 * type || version || epoch(2) || seq(6) || length, the seq_num stated in each
 * record, a 48-bit counter after the epoch.
 */
function dtlsLikeFraming(epoch: number): Tls12Framing {
  return {
    version: 0xfefd,
    headerLength: 13,
    newSequence: () => new SequenceNumber(Uint8Array.of(epoch >> 8, epoch & 0xff, 0, 0, 0, 0, 0, 0), 2),
    writeHeader(hdr, type, length, seqNum) {
      hdr[0] = type;
      hdr[1] = 0xfe;
      hdr[2] = 0xfd;
      hdr.set(seqNum, 3);
      hdr[11] = length >> 8;
      hdr[12] = length & 0xff;
    },
    seqNumOf: (hdr) => hdr.subarray(3, 11),
  };
}

/**
 * Recorded once with node:crypto by hand (seq 0x0102030405060708, key 10 11 12 ..,
 * fixed IV e0 e1 ..): the records of application data "GET / HTTP/1.1\r\nHost: rxtls\r\n\r\n".
 */
const RECORDED: Record<AeadName, string> = {
  'aes-128-gcm':
    '17030300370102030405060708809b26e1a7ab271de55432c117844ac7b875cb188481c819a60d6d97f347eb8310a506a1164c36cc036ebeacac47c5',
  'aes-256-gcm':
    '17030300370102030405060708a087cb0dfa3c03127bec4425370fecd35bc70f50917a8c3a1f3cff379ffe432e219147f3c3eb421c492fc22c8ced1f',
  'chacha20-poly1305': '170303002f9277cf55c5a44eb99926ae2408abf19e609d068c4a068917a8ebcb76c671245666f04a616a5b1aca51145787cde946',
  'aes-128-ccm':
    '1703030037010203040506070869f799babae06966c795209c4c81a335db7c2065cfe1e0be36e43606cb8409ef6e9d1c07c04c2c5b62041560605c28',
  'aes-128-ccm-8': '170303002f010203040506070869f799babae06966c795209c4c81a335db7c2065cfe1e0be36e43606cb8409d6f098b129e92d15',
};
const RECORDED_SEQ = hex('0102030405060708');
const RECORDED_TEXT = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: rxtls\r\n\r\n');

describe('Tls12RecordSealer / Tls12RecordOpener', () => {
  for (const suite of SUITES) {
    const { aead: name } = suite;
    const key = keyFor(suite);
    const iv = ivFor(suite);
    const explicit = suite.fixedIvLength === 4 ? 8 : 0;
    const tag = tagOf(name);

    describe(name, () => {
      for (const provider of PROVIDERS) {
        it(`our records open by hand on node:crypto, in sequence (${provider.name})`, () => {
          const sealer = new Tls12RecordSealer(provider.aead(name, key), iv);
          const cases: [number, number][] = [[APPLICATION_DATA, 0], [HANDSHAKE, 100], [ALERT, 2], [APPLICATION_DATA, 1], [APPLICATION_DATA, MAX_PLAINTEXT]];
          cases.forEach(([type, n], i) => {
            const content = data(n, i);
            const record = sealer.seal(type, content);
            expect(record.length).to.equal(5 + explicit + n + tag);
            expect(Array.from(record.subarray(0, 3))).to.deep.equal([type, 3, 3]);
            expect((record[3]! << 8) | record[4]!).to.equal(record.length - 5);
            if (explicit) expect(toHex(record.subarray(5, 13)), 'the explicit nonce is the sequence number').to.equal(toHex(u64(i)));
            const opened = openByHand(name, key, iv, u64(i), record);
            expect(opened.type).to.equal(type);
            expect(toHex(opened.content)).to.equal(toHex(content));
          });
          expect(sealer.seq).to.equal(cases.length);
        });

        it(`records sealed by hand on node:crypto open, in sequence (${provider.name})`, () => {
          const opener = new Tls12RecordOpener(provider.aead(name, key), iv);
          for (let i = 0; i < 5; i++) {
            const content = data(i * 700, i);
            const [hdr, fragment] = split(sealByHand(name, key, iv, u64(i), i % 2 ? HANDSHAKE : APPLICATION_DATA, content));
            const out = opener.open(hdr, fragment);
            expect(out.type).to.equal(i % 2 ? HANDSHAKE : APPLICATION_DATA);
            expect(toHex(out.content)).to.equal(toHex(content));
            expect(opener.seq).to.equal(i + 1);
          }
        });

        it(`the recorded vector, sealed and opened (${provider.name})`, () => {
          const framing = startingAt(RECORDED_SEQ);
          const record = new Tls12RecordSealer(provider.aead(name, key), iv, undefined, framing).seal(APPLICATION_DATA, RECORDED_TEXT);
          expect(toHex(record)).to.equal(RECORDED[name]);
          const [hdr, fragment] = split(hex(RECORDED[name]));
          const out = new Tls12RecordOpener(provider.aead(name, key), iv, framing).open(hdr, fragment);
          expect(new TextDecoder().decode(out.content)).to.equal('GET / HTTP/1.1\r\nHost: rxtls\r\n\r\n');
        });

        // noble's AES-CCM has no sealRecord: the record layer uses seal(), checked by every other test here.
        const hasSealRecord = provider.aead(name, key).sealRecord !== undefined;
        if (hasSealRecord || !name.includes('ccm')) it(`the same records with and without the AEAD's sealRecord path (${provider.name})`, () => {
          const fast = provider.aead(name, key);
          expect(fast.sealRecord).to.be.a('function');
          const a = new Tls12RecordSealer(fast, iv);
          const b = new Tls12RecordSealer(sealOnly(fast), iv);
          for (const n of [0, 1, 31, 1000, MAX_PLAINTEXT]) {
            const pieces = a.sealPieces(APPLICATION_DATA, data(n));
            // noble seals in place: header and explicit nonce go where the additional data was, one buffer.
            if (provider === nobleCrypto) expect(pieces.length).to.equal(1);
            expect(toHex(concatBytes(...pieces))).to.equal(toHex(b.seal(APPLICATION_DATA, data(n))));
          }
        });
      }

      it('sealed records from both providers are the same bytes, and each opens the other\'s', () => {
        const s1 = new Tls12RecordSealer(nobleCrypto.aead(name, key), iv);
        const s2 = new Tls12RecordSealer(nodeCrypto.aead(name, key), iv);
        const o1 = new Tls12RecordOpener(nobleCrypto.aead(name, key), iv);
        const o2 = new Tls12RecordOpener(nodeCrypto.aead(name, key), iv);
        for (const n of [0, 17, 4096]) {
          const r1 = s1.seal(APPLICATION_DATA, data(n));
          const r2 = s2.seal(APPLICATION_DATA, data(n));
          expect(toHex(r1)).to.equal(toHex(r2));
          expect(toHex(o1.open(...split(r2)).content)).to.equal(toHex(data(n)));
          expect(toHex(o2.open(...split(r1)).content)).to.equal(toHex(data(n)));
        }
      });

      it('changing any byte of the record (type, version, nonce, ciphertext, tag) is bad_record_mac', () => {
        const record = new Tls12RecordSealer(nobleCrypto.aead(name, key), iv).seal(APPLICATION_DATA, data(40));
        for (let i = 0; i < record.length; i++) {
          if (i === 3 || i === 4) continue; // the length: the record reader's business (it frames the fragment)
          const bad = record.slice();
          bad[i]! ^= 0x01;
          for (const provider of PROVIDERS) {
            const opener = new Tls12RecordOpener(provider.aead(name, key), iv);
            expect(alertOf(() => opener.open(...split(bad))), `byte ${i} (${provider.name})`).to.equal('bad_record_mac');
            expect(opener.seq, 'a failed record does not count').to.equal(0);
          }
        }
      });

      it('a truncated record is bad_record_mac, however short', () => {
        const record = new Tls12RecordSealer(nobleCrypto.aead(name, key), iv).seal(APPLICATION_DATA, data(30));
        const [hdr, fragment] = split(record);
        for (let n = 0; n < fragment.length; n++) {
          for (const provider of PROVIDERS) {
            const opener = new Tls12RecordOpener(provider.aead(name, key), iv);
            expect(alertOf(() => opener.open(hdr, fragment.subarray(0, n))), `${n} bytes (${provider.name})`).to.equal('bad_record_mac');
          }
        }
      });

      it('a record replayed, dropped or reordered does not open (the sequence number is in nonce or AAD)', () => {
        const sealer = new Tls12RecordSealer(nobleCrypto.aead(name, key), iv);
        const records = [0, 1, 2].map((i) => sealer.seal(APPLICATION_DATA, data(10, i)));
        const opener = new Tls12RecordOpener(nobleCrypto.aead(name, key), iv);
        opener.open(...split(records[0]!));
        expect(alertOf(() => opener.open(...split(records[0]!))), 'replayed').to.equal('bad_record_mac');
        expect(alertOf(() => opener.open(...split(records[2]!))), 'skipped one').to.equal('bad_record_mac');
        expect(toHex(opener.open(...split(records[1]!)).content)).to.equal(toHex(data(10, 1)));
      });

      it('record_overflow for a fragment over 2^14 + 2048 bytes or a plaintext over 2^14', () => {
        const opener = new Tls12RecordOpener(nobleCrypto.aead(name, key), iv);
        const hdr = Uint8Array.of(APPLICATION_DATA, 3, 3, 0, 0);
        expect(alertOf(() => opener.open(hdr, new Uint8Array(TLS12_MAX_CIPHERTEXT + 1)))).to.equal('record_overflow');
        expect(alertOf(() => opener.open(hdr, new Uint8Array(explicit + MAX_PLAINTEXT + 1 + tag)))).to.equal('record_overflow');
        // One byte less is a plaintext of 2^14: it gets as far as authentication.
        expect(alertOf(() => opener.open(hdr, new Uint8Array(explicit + MAX_PLAINTEXT + tag)))).to.equal('bad_record_mac');
        // A record sealed by hand around 2^14 + 1 bytes is refused though it authenticates.
        const big = sealByHand(name, key, iv, u64(0), APPLICATION_DATA, data(MAX_PLAINTEXT + 1));
        expect(alertOf(() => opener.open(...split(big)))).to.equal('record_overflow');
      });

      it('the sealer refuses content over 2^14 bytes', () => {
        const sealer = new Tls12RecordSealer(nobleCrypto.aead(name, key), iv);
        expect(() => sealer.seal(APPLICATION_DATA, new Uint8Array(MAX_PLAINTEXT + 1))).to.throw(RangeError);
        expect(sealer.seq).to.equal(0);
      });

      it('the 2^64th record is the last: sealing or opening after it is a fatal error', () => {
        const framing = startingAt(hex('fffffffffffffffe'));
        for (const provider of PROVIDERS) {
          const sealer = new Tls12RecordSealer(provider.aead(name, key), iv, undefined, framing);
          const opener = new Tls12RecordOpener(provider.aead(name, key), iv, framing);
          for (const seq of ['fffffffffffffffe', 'ffffffffffffffff']) {
            expect(sealer.exhausted).to.equal(false);
            const record = sealer.seal(APPLICATION_DATA, data(5));
            expect(toHex(openByHand(name, key, iv, hex(seq), record).content)).to.equal(toHex(data(5)));
            opener.open(...split(record));
          }
          expect(sealer.exhausted).to.equal(true);
          expect(alertOf(() => sealer.seal(APPLICATION_DATA, data(5)))).to.equal('internal_error');
          const late = sealByHand(name, key, iv, new Uint8Array(8), APPLICATION_DATA, data(5)); // what a wrapped counter would give
          expect(alertOf(() => opener.open(...split(late)))).to.equal('internal_error');
        }
      });
    });
  }

  it('exhausted turns true at the record limit', () => {
    const sealer = new Tls12RecordSealer(nobleCrypto.aead('aes-128-gcm', keyFor(SUITES[0]!)), ivFor(SUITES[0]!), 3);
    for (let i = 0; i < 3; i++) {
      expect(sealer.exhausted).to.equal(false);
      sealer.seal(APPLICATION_DATA, data(1));
    }
    expect(sealer.exhausted).to.equal(true);
    expect(sealer.seq).to.equal(3);
  });

  it('a sequence number counts across byte boundaries', () => {
    const s = new SequenceNumber(hex('00000000ffffffff'));
    expect(s.count).to.equal(0xffffffff);
    s.advance();
    expect(toHex(s.bytes)).to.equal('0000000100000000');
    expect(s.count).to.equal(2 ** 32);
    const d = new SequenceNumber(hex('0007ffffffffffff'), 2); // DTLS: the epoch's bytes never count
    d.advance();
    expect(toHex(d.bytes)).to.equal('0007000000000000');
    expect(d.wrapped).to.equal(true);
  });

  it('a fixed IV that does not fit the AEAD nonce is refused', () => {
    const aead = nobleCrypto.aead('aes-128-gcm', new Uint8Array(16));
    expect(() => new Tls12RecordSealer(aead, new Uint8Array(5))).to.throw(RangeError);
    expect(() => new Tls12RecordOpener(aead, new Uint8Array(0))).to.throw(RangeError);
  });

  it('the record version is the framing\'s, in the header and in the additional data', () => {
    const suite = SUITES[0]!;
    const key = keyFor(suite);
    const iv = ivFor(suite);
    const framing = streamFraming(0x0301);
    const record = new Tls12RecordSealer(nodeCrypto.aead(suite.aead, key), iv, undefined, framing).seal(HANDSHAKE, data(20));
    expect(Array.from(record.subarray(0, 3))).to.deep.equal([HANDSHAKE, 3, 1]);
    const d = createDecipheriv('aes-128-gcm', key, rfcNonce(iv, record.subarray(5, 13)), { authTagLength: 16 });
    d.setAAD(rfcAad(new Uint8Array(8), HANDSHAKE, 20, 0x0301));
    d.setAuthTag(record.subarray(record.length - 16));
    expect(toHex(concatBytes(d.update(record.subarray(13, record.length - 16)), d.final()))).to.equal(toHex(data(20)));
    expect(new Tls12RecordOpener(nodeCrypto.aead(suite.aead, key), iv, framing).open(...split(record)).type).to.equal(HANDSHAKE);
  });

  describe('the framing seam, with a DTLS-1.2-shaped test double', () => {
    for (const suite of SUITES) {
      for (const provider of PROVIDERS) {
        it(`${suite.aead} (${provider.name}): epoch || seq in header, nonce and AAD; records open in any order`, () => {
          const key = keyFor(suite);
          const iv = ivFor(suite);
          const framing = dtlsLikeFraming(3);
          const sealer = new Tls12RecordSealer(provider.aead(suite.aead, key), iv, undefined, framing);
          const records = [0, 1, 2].map((i) => sealer.seal(APPLICATION_DATA, data(50 * i, i)));
          const explicit = suite.fixedIvLength === 4 ? 8 : 0;
          const tag = tagOf(suite.aead);
          records.forEach((record, i) => {
            const seqNum = concatBytes(Uint8Array.of(0, 3), hex('0000000000'), Uint8Array.of(i));
            expect(toHex(record.subarray(0, 13))).to.equal(toHex(concatBytes(Uint8Array.of(APPLICATION_DATA, 0xfe, 0xfd), seqNum, Uint8Array.of(0, explicit + 50 * i + tag))));
            // By hand: the AAD carries the DTLS version and epoch || seq.
            const fragment = record.subarray(13);
            const nonce = rfcNonce(iv, explicit ? fragment.subarray(0, 8) : seqNum);
            const opened = decipherByHand(suite.aead, key, nonce, rfcAad(seqNum, APPLICATION_DATA, 50 * i, 0xfefd), fragment.subarray(explicit));
            expect(toHex(opened)).to.equal(toHex(data(50 * i, i)));
          });
          const opener = new Tls12RecordOpener(provider.aead(suite.aead, key), iv, framing);
          for (const i of [2, 0, 1]) {
            const record = records[i]!;
            expect(toHex(opener.open(record.subarray(0, 13), record.subarray(13)).content)).to.equal(toHex(data(50 * i, i)));
          }
        });
      }
    }
  });
});
