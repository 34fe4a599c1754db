/**
 * ML-KEM-768 as our hybrid uses it: @noble/post-quantum checked against the
 * C2SP CCTV accumulated vectors for FIPS 203 (final: k appended to d), and our
 * wrapper checked to draw its randomness in FIPS 203's order (d || z, then m).
 */
import { expect } from 'chai';
import { shake128 } from '@noble/hashes/sha3.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { TlsError } from '../../lib/errors.js';
import { ML_KEM_768, mlKem768Encapsulate, mlKem768KeyPair } from '../../lib/crypto/noble/ml-kem.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * c2sp.org/CCTV/ML-KEM "accumulated pq-crystals vectors": inputs drawn from one
 * SHAKE-128 stream (d, z, m, a random ciphertext), outputs (ek, dk, ct, k,
 * k of the random ciphertext) written to another, whose first 32 bytes must
 * match. 100 tests run by default (~0.4 s); RXTLS_LONG_VECTORS=1 runs CCTV's 10 000 (~20 s).
 */
const ACCUMULATED = process.env.RXTLS_LONG_VECTORS
  ? { count: 10_000, hash: 'f959d18d3d1180121433bf0e05f11e7908cf9d03edc150b2b07cb90bef5bc1c1' }
  : { count: 100, hash: '8d65b902f28edc683cebee2872962fd165a4d197c9e24ec74caa4470270df0b7' };

describe('ML-KEM-768 (FIPS 203)', () => {
  it(`matches the C2SP accumulated vectors (${ACCUMULATED.count} tests)`, function () {
    this.timeout(120_000);
    const rng = shake128.create({});
    const out = shake128.create({});
    for (let i = 0; i < ACCUMULATED.count; i++) {
      const [d, z, m, badCt] = [rng.xof(32), rng.xof(32), rng.xof(32), rng.xof(ML_KEM_768.ciphertextLength)];
      const { publicKey, secretKey } = ml_kem768.keygen(new Uint8Array([...d, ...z]));
      const { cipherText, sharedSecret } = ml_kem768.encapsulate(publicKey, m);
      expect(toHex(ml_kem768.decapsulate(cipherText, secretKey))).to.equal(toHex(sharedSecret));
      for (const part of [publicKey, secretKey, cipherText, sharedSecret, ml_kem768.decapsulate(badCt, secretKey)]) out.update(part);
    }
    expect(toHex(out.xof(32))).to.equal(ACCUMULATED.hash);
  });

  it('our wrapper takes d || z, then m, from the random source, and round-trips', () => {
    const seed = new Uint8Array(64).map((_, i) => i);
    const m = new Uint8Array(32).fill(7);
    const pair = mlKem768KeyPair(() => seed);
    expect(toHex(pair.encapsulationKey)).to.equal(toHex(ml_kem768.keygen(seed).publicKey));
    const sent = mlKem768Encapsulate(pair.encapsulationKey, () => m);
    expect(toHex(sent.ciphertext)).to.equal(toHex(ml_kem768.encapsulate(pair.encapsulationKey, m).cipherText));
    expect([pair.encapsulationKey.length, sent.ciphertext.length, sent.sharedSecret.length]).to.deep.equal([1184, 1088, 32]);
    expect(toHex(pair.decapsulate(sent.ciphertext))).to.equal(toHex(sent.sharedSecret));
  });

  it('wrong sizes and unreduced keys are illegal_parameter', () => {
    const pair = mlKem768KeyPair(() => new Uint8Array(64));
    const alert = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as TlsError).alert;
      }
      return 'none';
    };
    expect(alert(() => pair.decapsulate(new Uint8Array(1087)))).to.equal('illegal_parameter');
    expect(alert(() => mlKem768Encapsulate(pair.encapsulationKey.subarray(1), () => new Uint8Array(32)))).to.equal('illegal_parameter');
    // The last coefficient of the last polynomial set to 4095 (>= q): FIPS 203 §7.2's modulus check.
    const unreduced = pair.encapsulationKey.slice();
    unreduced[1151] = 0xff;
    unreduced[1150]! |= 0xf0;
    expect(alert(() => mlKem768Encapsulate(unreduced, () => new Uint8Array(32)))).to.equal('illegal_parameter');
  });
});
