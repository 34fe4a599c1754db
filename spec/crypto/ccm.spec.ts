/**
 * AES-CCM on noble's AES block (lib/crypto/noble/ccm.ts): RFC 3610 packet
 * vectors, and node:crypto's aes-*-ccm as an independent reference in both
 * directions.
 */
import * as nodeCrypto from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { aesCcm } from '../../lib/crypto/noble/ccm.js';
import { fromHex as hex } from '../support/hex.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The same bytes at byteOffset 1, to catch code that assumes aligned buffers. */
function unaligned(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(data.length + 1);
  buf.set(data, 1);
  return buf.subarray(1);
}

function nodeSeal(key: Uint8Array, tagLength: number, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = nodeCrypto.createCipheriv(`aes-${key.length * 8}-ccm` as 'aes-128-ccm', key, nonce, { authTagLength: tagLength });
  c.setAAD(aad, { plaintextLength: pt.length });
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return new Uint8Array(Buffer.concat([ct, c.getAuthTag()]));
}

function nodeOpen(key: Uint8Array, tagLength: number, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
  const ctLength = sealed.length - tagLength;
  const d = nodeCrypto.createDecipheriv(`aes-${key.length * 8}-ccm` as 'aes-128-ccm', key, nonce, { authTagLength: tagLength });
  d.setAuthTag(sealed.subarray(ctLength));
  d.setAAD(aad, { plaintextLength: ctLength });
  const pt = d.update(sealed.subarray(0, ctLength)); // CCM authenticates in update(); throws on failure
  try {
    d.final();
  } catch {
    return undefined;
  }
  return new Uint8Array(pt);
}

// RFC 3610 §8, packet vectors #1-#3: AES-128, 13-byte nonce (L = 2), M = 8,
// first 8 bytes of the packet are the cleartext header (the AAD).
const RFC3610 = [
  {
    name: '#1',
    nonce: '00000003020100a0a1a2a3a4a5',
    packet: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e',
    output: '0001020304050607588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0',
  },
  {
    name: '#2',
    nonce: '00000004030201a0a1a2a3a4a5',
    packet: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    output: '000102030405060772c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916',
  },
  {
    name: '#3',
    nonce: '00000005040302a0a1a2a3a4a5',
    packet: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
    output: '000102030405060751b1e5f44a197d1da46b0f8e2d282ae871e838bb64da8596574adaa76fbd9fb0c5',
  },
];
const RFC3610_KEY = hex('c0c1c2c3c4c5c6c7c8c9cacbcccdcecf');

describe('AES-CCM (noble AES block)', () => {
  for (const v of RFC3610) {
    it(`RFC 3610 packet vector ${v.name} (13-byte nonce, 8-byte tag)`, () => {
      const ccm = aesCcm(RFC3610_KEY, 8);
      const nonce = hex(v.nonce);
      const packet = hex(v.packet);
      const aad = packet.subarray(0, 8);
      const pt = packet.subarray(8);
      const output = hex(v.output);
      const sealed = ccm.seal(nonce, pt, aad);
      expect(toHex(sealed)).to.equal(toHex(output.subarray(8)));
      expect(toHex(ccm.open(nonce, sealed, aad)!)).to.equal(toHex(pt));
      // Unaligned views of every input give the same answers.
      expect(toHex(ccm.seal(unaligned(nonce), unaligned(pt), unaligned(aad)))).to.equal(toHex(sealed));
      expect(toHex(ccm.open(unaligned(nonce), unaligned(sealed), unaligned(aad))!)).to.equal(toHex(pt));
      // And node:crypto agrees with the vector.
      expect(toHex(nodeSeal(RFC3610_KEY, 8, nonce, pt, aad))).to.equal(toHex(sealed));
    });
  }

  const keyArb = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  const tagArb = fc.constantFrom(8 as const, 16 as const);
  const nonce12 = fc.uint8Array({ minLength: 12, maxLength: 12 });
  const ptArb = fc.uint8Array({ maxLength: 200 });
  const aadArb = fc.uint8Array({ maxLength: 40 });

  it('we seal, node:crypto opens (12-byte nonce, 8- and 16-byte tags)', () => {
    fc.assert(
      fc.property(keyArb, tagArb, nonce12, ptArb, aadArb, (key, tagLength, nonce, pt, aad) => {
        const sealed = aesCcm(key, tagLength).seal(nonce, pt, aad);
        expect(sealed.length).to.equal(pt.length + tagLength);
        expect(toHex(nodeOpen(key, tagLength, nonce, sealed, aad)!)).to.equal(toHex(pt));
        expect(toHex(sealed)).to.equal(toHex(nodeSeal(key, tagLength, nonce, pt, aad)));
      }),
      { numRuns: 300 },
    );
  });

  it('node:crypto seals, we open (12-byte nonce, 8- and 16-byte tags)', () => {
    fc.assert(
      fc.property(keyArb, tagArb, nonce12, ptArb, aadArb, fc.boolean(), (key, tagLength, nonce, pt, aad, shift) => {
        const sealed = nodeSeal(key, tagLength, nonce, pt, aad);
        const input = shift ? unaligned(sealed) : sealed;
        expect(toHex(aesCcm(key, tagLength).open(nonce, input, aad)!)).to.equal(toHex(pt));
      }),
      { numRuns: 300 },
    );
  });

  it('matches node:crypto for every nonce length 7..13 and AADs past the 2-byte length encoding', () => {
    fc.assert(
      fc.property(
        keyArb,
        tagArb,
        fc.integer({ min: 7, max: 13 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        ptArb,
        fc.oneof(aadArb, fc.integer({ min: 0xff00 - 2, max: 0xff00 + 2 }).map((n) => new Uint8Array(n).fill(0x5a))),
        (key, tagLength, nonce, pt, aad) => {
          const ccm = aesCcm(key, tagLength);
          const sealed = ccm.seal(nonce, pt, aad);
          expect(toHex(sealed)).to.equal(toHex(nodeSeal(key, tagLength, nonce, pt, aad)));
          expect(toHex(ccm.open(nonce, sealed, aad)!)).to.equal(toHex(pt));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('tampering with any byte of ciphertext, tag, nonce or aad fails to open', () => {
    fc.assert(
      fc.property(
        keyArb,
        tagArb,
        nonce12,
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 24 }),
        fc.constantFrom('sealed', 'nonce', 'aad'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (key, tagLength, nonce, pt, aad, target, index, delta) => {
          const ccm = aesCcm(key, tagLength);
          const sealed = ccm.seal(nonce, pt, aad);
          const flip = (b: Uint8Array) => {
            const copy = new Uint8Array(b);
            copy[index % b.length] ^= delta;
            return copy;
          };
          if (target === 'sealed') expect(ccm.open(nonce, flip(sealed), aad)).to.equal(undefined);
          if (target === 'nonce') expect(ccm.open(flip(nonce), sealed, aad)).to.equal(undefined);
          if (target === 'aad' && aad.length > 0) expect(ccm.open(nonce, sealed, flip(aad))).to.equal(undefined);
          // Appending to the AAD also fails.
          expect(ccm.open(nonce, sealed, new Uint8Array([...aad, 0]))).to.equal(undefined);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('truncated or extended input fails to open', () => {
    fc.assert(
      fc.property(keyArb, tagArb, nonce12, fc.uint8Array({ maxLength: 64 }), aadArb, fc.nat(), (key, tagLength, nonce, pt, aad, cut) => {
        const ccm = aesCcm(key, tagLength);
        const sealed = ccm.seal(nonce, pt, aad);
        const length = cut % sealed.length; // 0 .. sealed.length - 1
        expect(ccm.open(nonce, sealed.subarray(0, length), aad)).to.equal(undefined);
        expect(ccm.open(nonce, sealed.subarray(sealed.length - length), aad)).to.equal(undefined);
        expect(ccm.open(nonce, new Uint8Array([...sealed, 0]), aad)).to.equal(undefined);
      }),
      { numRuns: 200 },
    );
  });

  it('open never throws on malformed arguments; seal rejects bad nonces', () => {
    const ccm = aesCcm(new Uint8Array(16), 8);
    const sealed = ccm.seal(new Uint8Array(12), new Uint8Array(5), new Uint8Array(0));
    for (const n of [0, 6, 14, 16]) {
      expect(ccm.open(new Uint8Array(n), sealed, new Uint8Array(0))).to.equal(undefined);
      expect(() => ccm.seal(new Uint8Array(n), new Uint8Array(5), new Uint8Array(0))).to.throw(RangeError);
    }
    expect(ccm.open(new Uint8Array(12), new Uint8Array(0), new Uint8Array(0))).to.equal(undefined);
    const bad = [undefined, null, 'x', 42, [1, 2, 3]] as unknown as Uint8Array[];
    for (const b of bad) {
      expect(ccm.open(b, sealed, new Uint8Array(0))).to.equal(undefined);
      expect(ccm.open(new Uint8Array(12), b, new Uint8Array(0))).to.equal(undefined);
      expect(ccm.open(new Uint8Array(12), sealed, b)).to.equal(undefined);
    }
    // Empty plaintext is just a tag; the untampered input still opens.
    expect(ccm.open(new Uint8Array(12), sealed, new Uint8Array(0))).to.deep.equal(new Uint8Array(5));
  });

  it('rejects bad keys and tag lengths at construction', () => {
    expect(() => aesCcm(new Uint8Array(15), 8)).to.throw(RangeError);
    expect(() => aesCcm(new Uint8Array(16), 12 as 8)).to.throw(RangeError);
  });
});
