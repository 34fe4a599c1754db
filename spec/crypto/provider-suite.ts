/**
 * Provider-independent conformance suite: every CryptoProvider (noble, and
 * later node:crypto) must pass it. node:crypto is used here only as an
 * independent reference implementation.
 */
import * as nodeCrypto from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import type {
  AeadName,
  CryptoProvider,
  GroupName,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureSchemeName,
} from '../../lib/crypto/provider.js';
import { ALL_AEADS, AEAD_KEY_LENGTHS as KEY_LENGTH, AEAD_TAG_LENGTHS as TAG_LENGTH } from '../../lib/crypto/algorithms.js';
import { fromHex as hex } from '../support/hex.js';
import { rsaScheme } from '../../lib/crypto/rsa.js';
import { rsaTests } from './rsa-suite.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);
const b64url = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'));

/** Deterministic RandomSource: SHA-256(seed || counter) blocks. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let off = 0; off < length; off += 32) {
      const block = nodeCrypto.createHash('sha256').update(`${seed}/${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, length - off)), off);
    }
    return out;
  };
}

/** The same bytes at byteOffset 1, to catch code that assumes aligned buffers. */
function unaligned(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(data.length + 1);
  buf.set(data, 1);
  return buf.subarray(1);
}

/** The same bytes inside a Node Buffer at byteOffset 1 (Buffer#slice makes views, not copies). */
function unalignedBuffer(data: Uint8Array): Uint8Array {
  const buf = Buffer.alloc(data.length + 1);
  buf.set(data, 1);
  return buf.subarray(1);
}

function expectIllegalParameter(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).to.be.instanceOf(TlsError);
  expect((error as TlsError).alert).to.equal('illegal_parameter');
}

// Shared plaintext of GCM spec test cases 3/4 and 15/16 (4 and 16 drop the last 4 bytes).
const GCM_P =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const GCM_A = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const GCM_K = 'feffe9928665731c6d6a8f9467308308';
const GCM_IV = 'cafebabefacedbaddecaf888';

/** [name, label, key, nonce, plaintext, aad, ciphertext || tag] */
const AEAD_VECTORS: [AeadName, string, string, string, string, string, string][] = [
  ['aes-128-gcm', 'GCM test case 2', '00'.repeat(16), '00'.repeat(12), '00'.repeat(16), '',
    '0388dace60b6a392f328c2b971b2fe78' + 'ab6e47d42cec13bdf53a67b21257bddf'],
  ['aes-128-gcm', 'GCM test case 3', GCM_K, GCM_IV, GCM_P, '',
    '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
    '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985' +
    '4d5c2af327cd64a62cf35abd2ba6fab4'],
  ['aes-128-gcm', 'GCM test case 4', GCM_K, GCM_IV, GCM_P.slice(0, 120), GCM_A,
    '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' +
    '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091' +
    '5bc94fbc3221a5db94fae95ae7121a47'],
  ['aes-256-gcm', 'GCM test case 14', '00'.repeat(32), '00'.repeat(12), '00'.repeat(16), '',
    'cea7403d4d606b6e074ec5d3baf39d18' + 'd0d1c8a799996bf0265b98b5d48ab919'],
  ['aes-256-gcm', 'GCM test case 15', GCM_K + GCM_K, GCM_IV, GCM_P, '',
    '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
    '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad' +
    'b094dac5d93471bdec1a502270e3cc6c'],
  ['aes-256-gcm', 'GCM test case 16', GCM_K + GCM_K, GCM_IV, GCM_P.slice(0, 120), GCM_A,
    '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
    '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
    '76fc6ece0f4e1768cddf8853bb2d551b'],
  ['chacha20-poly1305', 'RFC 8439 §2.8.2',
    '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
    '070000004041424344454647',
    Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.").toString('hex'),
    '50515253c0c1c2c3c4c5c6c7',
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
    '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116' +
    '1ae10b594f09e26a7e902ecbd0600691'],
];

/** node:crypto reference AEAD seal, returning ciphertext || tag (both CCM tag lengths are its aes-128-ccm). */
function nodeSeal(name: AeadName, key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): string {
  const cipherName = name === 'aes-128-ccm-8' ? 'aes-128-ccm' : name;
  const cipher = nodeCrypto.createCipheriv(cipherName as nodeCrypto.CipherGCMTypes, key, nonce, { authTagLength: TAG_LENGTH[name] });
  cipher.setAAD(aad, { plaintextLength: pt.length });
  return toHex(Buffer.concat([cipher.update(pt), cipher.final(), cipher.getAuthTag()]));
}

function aeadTests(provider: CryptoProvider): void {
  describe('AEAD', () => {
    for (const [name, label, key, nonce, pt, aad, expected] of AEAD_VECTORS) {
      it(`${name}: ${label}`, () => {
        const aead = provider.aead(name, hex(key));
        expect(toHex(aead.seal(hex(nonce), hex(pt), hex(aad)))).to.equal(expected);
        expect(toHex(aead.open(hex(nonce), hex(expected), hex(aad))!)).to.equal(pt);
      });
    }

    // Every AEAD aead() makes, also those not in provider.aeads (AES-CCM: used only when a suite names it).
    for (const name of ALL_AEADS) {
      describe(name, () => {
        const random = seededRandom(`aead ${name}`);
        const key = random(KEY_LENGTH[name]);
        const aead = provider.aead(name, key);
        const tagLength = TAG_LENGTH[name];

        it('reports its lengths', () => {
          expect([aead.keyLength, aead.nonceLength, aead.tagLength]).to.deep.equal([KEY_LENGTH[name], 12, tagLength]);
        });

        it('round-trips many records under one key, including unaligned buffers', () => {
          for (const size of [0, 1, 15, 16, 17, 255, 1000, 16384 + 256]) {
            const nonce = random(12);
            const pt = random(size);
            const aad = random(13);
            const sealed = aead.seal(nonce, pt, aad);
            expect(sealed.length).to.equal(size + tagLength);
            expect(toHex(aead.seal(unaligned(nonce), unaligned(pt), unaligned(aad)))).to.equal(toHex(sealed));
            expect(toHex(aead.open(nonce, sealed, aad)!)).to.equal(toHex(pt));
            expect(toHex(aead.open(unaligned(nonce), unaligned(sealed), unaligned(aad))!)).to.equal(toHex(pt));
            // Records read from a socket are views into Node Buffers at any offset.
            expect(toHex(aead.open(unalignedBuffer(nonce), unalignedBuffer(sealed), unalignedBuffer(aad))!)).to.equal(toHex(pt));
          }
        });

        it('returns undefined for tampered ciphertext, tag, aad or nonce', () => {
          const nonce = random(12);
          const aad = random(5);
          const sealed = aead.seal(nonce, random(40), aad);
          for (const index of [0, 39, 40, 40 + tagLength - 1]) {
            const bad = sealed.slice();
            bad[index]! ^= 1;
            expect(aead.open(nonce, bad, aad), `byte ${index}`).to.equal(undefined);
          }
          const badAad = aad.slice();
          badAad[0]! ^= 0x80;
          expect(aead.open(nonce, sealed, badAad)).to.equal(undefined);
          const badNonce = nonce.slice();
          badNonce[11]! ^= 1;
          expect(aead.open(badNonce, sealed, aad)).to.equal(undefined);
          expect(provider.aead(name, random(KEY_LENGTH[name])).open(nonce, sealed, aad)).to.equal(undefined);
        });

        it('returns undefined (no throw) for truncated input or a wrong nonce length', () => {
          const nonce = random(12);
          const sealed = aead.seal(nonce, new Uint8Array(0), new Uint8Array(0));
          for (const length of [0, 1, tagLength - 1]) {
            expect(aead.open(nonce, sealed.subarray(0, length), new Uint8Array(0))).to.equal(undefined);
          }
          expect(aead.open(new Uint8Array(8), sealed, new Uint8Array(0))).to.equal(undefined);
        });

        it('matches node:crypto for arbitrary inputs', () => {
          fc.assert(
            fc.property(
              fc.uint8Array({ minLength: 12, maxLength: 12 }),
              fc.uint8Array({ maxLength: 300 }),
              fc.uint8Array({ maxLength: 40 }),
              (nonce, pt, aad) => {
                const sealed = aead.seal(nonce, pt, aad);
                expect(toHex(sealed)).to.equal(nodeSeal(name, key, nonce, pt, aad));
                expect(toHex(aead.open(nonce, sealed, aad)!)).to.equal(toHex(pt));
              },
            ),
            { numRuns: 100 },
          );
        });

        if (aead.sealRecord) {
          it('sealRecord pieces join to header || seal(body || trailer, header)', () => {
            fc.assert(
              fc.property(
                fc.uint8Array({ minLength: 12, maxLength: 12 }),
                fc.uint8Array({ minLength: 5, maxLength: 5 }),
                fc.uint8Array({ maxLength: 300 }),
                fc.uint8Array({ minLength: 1, maxLength: 20 }),
                (nonce, header, body, trailer) => {
                  const pieces = aead.sealRecord!(nonce, header, body, trailer);
                  const joined = Buffer.concat(pieces);
                  const expected = Buffer.concat([header, aead.seal(nonce, Buffer.concat([body, trailer]), header)]);
                  expect(toHex(joined)).to.equal(toHex(expected));
                },
              ),
              { numRuns: 100 },
            );
          });
        }
      });
    }
  });
}

function hashTests(provider: CryptoProvider): void {
  describe('hashes', () => {
    const sha256 = provider.hash('sha256');
    const sha384 = provider.hash('sha384');

    it('advertises sha256 and sha384 with their output lengths', () => {
      expect(provider.hashes).to.include.members(['sha256', 'sha384']);
      expect([sha256.name, sha256.outputLength, sha384.name, sha384.outputLength]).to.deep.equal(['sha256', 32, 'sha384', 48]);
    });

    it('SHA-384("abc") (FIPS 180-2)', () => {
      expect(toHex(sha384.digest(utf8('abc')))).to.equal(
        'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
      );
    });

    it('SHA-256("abc") (FIPS 180-2)', () => {
      expect(toHex(sha256.digest(utf8('abc')))).to.equal(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    });

    for (const name of ['sha256', 'sha384'] as const) {
      it(`${name}: incremental digest() keeps the state usable and clone() forks it`, () => {
        const h = provider.hash(name);
        const state = h.create();
        state.update(utf8('a'));
        const fork = state.clone();
        expect(toHex(state.digest())).to.equal(toHex(h.digest(utf8('a'))));
        expect(toHex(state.digest())).to.equal(toHex(h.digest(utf8('a'))));
        fork.update(utf8('bc'));
        state.update(utf8('xyz'));
        expect(toHex(fork.digest())).to.equal(toHex(h.digest(utf8('abc'))));
        expect(toHex(state.digest())).to.equal(toHex(h.digest(utf8('axyz'))));
        expect(toHex(h.create().digest())).to.equal(nodeCrypto.createHash(name).digest('hex'));
      });
    }

    it('HMAC-SHA-384 (RFC 4231 test case 2)', () => {
      expect(toHex(sha384.hmac(utf8('Jefe'), utf8('what do ya want for nothing?')))).to.equal(
        'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      );
    });

    it('HKDF-SHA256 (RFC 5869 test case 1)', () => {
      const prk = sha256.hkdfExtract(hex('000102030405060708090a0b0c'), hex('0b'.repeat(22)));
      expect(toHex(prk)).to.equal('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
      expect(toHex(sha256.hkdfExpand(prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42))).to.equal(
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      );
    });

    it('HKDF-SHA256 with empty salt and info (RFC 5869 test case 3)', () => {
      const prk = sha256.hkdfExtract(new Uint8Array(0), hex('0b'.repeat(22)));
      expect(toHex(prk)).to.equal('19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04');
      expect(toHex(sha256.hkdfExpand(prk, new Uint8Array(0), 42))).to.equal(
        '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
      );
    });

    it('HKDF-SHA384 matches node:crypto', () => {
      const ikm = utf8('input key material'), salt = utf8('salt'), info = utf8('tls13 derived');
      const okm = sha384.hkdfExpand(sha384.hkdfExtract(salt, ikm), info, 48);
      expect(toHex(okm)).to.equal(Buffer.from(nodeCrypto.hkdfSync('sha384', ikm, salt, info, 48)).toString('hex'));
    });
  });
}

const NIST_CURVE: Partial<Record<GroupName, { node: string; length: number }>> = {
  secp256r1: { node: 'prime256v1', length: 32 },
  secp384r1: { node: 'secp384r1', length: 48 },
  secp521r1: { node: 'secp521r1', length: 66 },
};
/** RFC 7748 key lengths; u = 0 and u = 1 are low-order on both curves, giving the all-zero output RFC 8446 §7.4.2 forbids. */
const MONTGOMERY_LENGTH: Partial<Record<GroupName, number>> = { x25519: 32, x448: 56 };

function keyShareTests(provider: CryptoProvider): void {
  describe('key shares', () => {
    const fixed = (h: string): RandomSource => () => hex(h);

    it('X25519 (RFC 7748 §6.1, Alice and Bob)', () => {
      const alice = provider.keyShare('x25519', fixed('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
      const bob = provider.keyShare('x25519', fixed('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
      expect(toHex(alice.publicKey)).to.equal('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      expect(toHex(bob.publicKey)).to.equal('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      expect(toHex(alice.sharedSecret(bob.publicKey))).to.equal(shared);
      expect(toHex(bob.sharedSecret(alice.publicKey))).to.equal(shared);
    });

    it('X448 (RFC 7748 §6.2, Alice and Bob)', () => {
      const alice = provider.keyShare('x448', fixed('9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b'));
      const bob = provider.keyShare('x448', fixed('1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d'));
      expect(toHex(alice.publicKey)).to.equal('9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0');
      expect(toHex(bob.publicKey)).to.equal('3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609');
      const shared = '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d';
      expect(toHex(alice.sharedSecret(bob.publicKey))).to.equal(shared);
      expect(toHex(bob.sharedSecret(alice.publicKey))).to.equal(shared);
    });

    for (const group of provider.groups.filter((g) => g !== 'X25519MLKEM768')) {
      const nist = NIST_CURVE[group];
      const montgomery = MONTGOMERY_LENGTH[group];
      describe(group, () => {
        const a = provider.keyShare(group, seededRandom(`${group} a`));
        const b = provider.keyShare(group, seededRandom(`${group} b`));

        it('is deterministic in the injected random source and both sides agree', () => {
          expect(a.group).to.equal(group);
          expect(toHex(provider.keyShare(group, seededRandom(`${group} a`)).publicKey)).to.equal(toHex(a.publicKey));
          expect(a.publicKey.length).to.equal(nist ? 1 + 2 * nist.length : montgomery);
          if (nist) expect(a.publicKey[0]).to.equal(4);
          const secret = a.sharedSecret(b.publicKey);
          expect(secret.length).to.equal(nist ? nist.length : montgomery);
          expect(toHex(b.sharedSecret(a.publicKey))).to.equal(toHex(secret));
        });

        it('answers a share as the server does: a fresh key pair of its own and the same secret', () => {
          const answer = provider.answerKeyShare(group, a.publicKey, seededRandom(`${group} b`));
          expect(answer.group).to.equal(group);
          expect(toHex(answer.publicKey)).to.equal(toHex(b.publicKey));
          expect(toHex(answer.sharedSecret)).to.equal(toHex(a.sharedSecret(b.publicKey)));
          expectIllegalParameter(() => provider.answerKeyShare(group, a.publicKey.subarray(1), seededRandom('x')));
        });

        if (nist) {
          it('agrees with node:crypto ECDH (x-coordinate)', () => {
            const peer = nodeCrypto.createECDH(nist.node);
            peer.generateKeys();
            const ours = a.sharedSecret(new Uint8Array(peer.getPublicKey()));
            expect(toHex(ours)).to.equal(peer.computeSecret(a.publicKey).toString('hex'));
          });
        }

        it('rejects invalid peer keys with illegal_parameter', () => {
          const bad: Uint8Array[] = [new Uint8Array(0), b.publicKey.subarray(1), new Uint8Array([...b.publicKey, 0])];
          if (nist) {
            const n = nist.length;
            const compressed = new Uint8Array(1 + n);
            compressed[0] = 2 + (b.publicKey[2 * n]! & 1);
            compressed.set(b.publicKey.subarray(1, 1 + n), 1);
            const offCurve = b.publicKey.slice();
            offCurve[2 * n]! ^= 1;
            const wrongPrefix = b.publicKey.slice();
            wrongPrefix[0] = 6; // hybrid form, also forbidden
            const zeroPoint = new Uint8Array(1 + 2 * n);
            zeroPoint[0] = 4; // (0, 0) is not on the curve
            bad.push(compressed, offCurve, wrongPrefix, zeroPoint, new Uint8Array([0]) /* infinity */);
          } else {
            const one = new Uint8Array(montgomery!);
            one[0] = 1;
            bad.push(new Uint8Array(montgomery!), one);
            // Another X25519 low-order point (RFC 7748 §6.1's list).
            if (group === 'x25519') bad.push(hex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'));
          }
          for (const key of bad) expectIllegalParameter(() => a.sharedSecret(key));
        });
      });
    }

    hybridKeyShareTests(provider);
  });
}

/**
 * X25519MLKEM768 against its definition, rebuilt here from the parts: noble's
 * ML-KEM-768 (checked against FIPS 203's accumulated vectors in ml-kem.spec.ts)
 * and node:crypto's X25519, with the randomness the provider draws in order
 * (client: ML-KEM d || z, then the X25519 key; server: ML-KEM m, then the X25519 key).
 */
function hybridKeyShareTests(provider: CryptoProvider): void {
  describe('X25519MLKEM768', () => {
    const client = provider.keyShare('X25519MLKEM768', seededRandom('hybrid client'));
    const answer = provider.answerKeyShare('X25519MLKEM768', client.publicKey, seededRandom('hybrid server'));

    it('has the draft sizes: 1216-byte client share, 1120-byte server share, 64-byte secret; both sides agree', () => {
      expect([client.group, answer.group]).to.deep.equal(['X25519MLKEM768', 'X25519MLKEM768']);
      expect([client.publicKey.length, answer.publicKey.length, answer.sharedSecret.length]).to.deep.equal([1216, 1120, 64]);
      expect(toHex(client.sharedSecret(answer.publicKey))).to.equal(toHex(answer.sharedSecret));
      expect(toHex(provider.keyShare('X25519MLKEM768', seededRandom('hybrid client')).publicKey)).to.equal(toHex(client.publicKey));
    });

    it('puts ML-KEM first in both shares and in the secret (draft-ietf-tls-ecdhe-mlkem)', () => {
      const c = seededRandom('hybrid client');
      const { publicKey: ek } = ml_kem768.keygen(c(64));
      const clientX = x25519Reference(c(32));
      expect(toHex(client.publicKey)).to.equal(toHex(ek) + toHex(clientX.publicKey));
      const s = seededRandom('hybrid server');
      const { cipherText, sharedSecret } = ml_kem768.encapsulate(ek, s(32));
      const serverX = x25519Reference(s(32));
      expect(toHex(answer.publicKey)).to.equal(toHex(cipherText) + toHex(serverX.publicKey));
      expect(toHex(answer.sharedSecret)).to.equal(toHex(sharedSecret) + toHex(serverX.agree(clientX.publicKey)));
    });

    it('refuses client shares of any other size, and ML-KEM keys failing the modulus check, with illegal_parameter', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1400 }).filter((n) => n !== 1216), (n) => {
          const share = new Uint8Array(n);
          share.set(client.publicKey.subarray(0, Math.min(n, 1216)));
          expectIllegalParameter(() => provider.answerKeyShare('X25519MLKEM768', share, seededRandom('s')));
        }),
        { numRuns: 40 },
      );
      // Coefficient 0 of t-hat set to 4095 >= q = 3329: ByteEncode12(ByteDecode12(ek)) differs (FIPS 203 §7.2).
      const unreduced = client.publicKey.slice();
      unreduced[0] = 0xff;
      unreduced[1]! |= 0x0f;
      expectIllegalParameter(() => provider.answerKeyShare('X25519MLKEM768', unreduced, seededRandom('s')));
    });

    it('refuses server shares of any other size, and an all-zero X25519 half on either side, with illegal_parameter', () => {
      for (const n of [0, 32, 1088, 1119, 1121, 1216]) {
        const share = new Uint8Array(n);
        share.set(answer.publicKey.subarray(0, Math.min(n, 1120)));
        expectIllegalParameter(() => client.sharedSecret(share));
      }
      const lowOrderServer = answer.publicKey.slice();
      lowOrderServer.fill(0, 1088);
      expectIllegalParameter(() => client.sharedSecret(lowOrderServer));
      const lowOrderClient = client.publicKey.slice();
      lowOrderClient.fill(0, 1184);
      expectIllegalParameter(() => provider.answerKeyShare('X25519MLKEM768', lowOrderClient, seededRandom('s')));
    });

    it('a tampered ciphertext yields another secret (implicit rejection), not an exception', () => {
      const tampered = answer.publicKey.slice();
      tampered[0]! ^= 1;
      expect(toHex(client.sharedSecret(tampered))).to.not.equal(toHex(answer.sharedSecret));
    });
  });
}

/** node:crypto's X25519 from a raw private key (PKCS#8 wrapping, RFC 8410). */
function x25519Reference(secret: Uint8Array) {
  const privateKey = nodeCrypto.createPrivateKey({ key: Buffer.concat([hex('302e020100300506032b656e04220420'), secret]), format: 'der', type: 'pkcs8' });
  const publicKey = new Uint8Array(nodeCrypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32));
  const agree = (peer: Uint8Array) => {
    const peerKey = nodeCrypto.createPublicKey({ key: Buffer.concat([hex('302a300506032b656e032100'), peer]), format: 'der', type: 'spki' });
    return new Uint8Array(nodeCrypto.diffieHellman({ privateKey, publicKey: peerKey }));
  };
  return { publicKey, agree };
}

/** Generates a node:crypto key pair and converts it to our key types via JWK. */
function nodeKeyPair(scheme: SignatureSchemeName) {
  const pair =
    scheme === 'ed25519' || scheme === 'ed448'
      ? nodeCrypto.generateKeyPairSync(scheme as 'ed25519')
      : nodeCrypto.generateKeyPairSync('ec', { namedCurve: CURVE_OF[scheme as keyof typeof CURVE_OF] });
  const jwk = pair.privateKey.export({ format: 'jwk' });
  let privateKey: PrivateKey, publicKey: PublicKey;
  if (scheme === 'ed25519' || scheme === 'ed448') {
    privateKey = { kind: scheme, seed: b64url(jwk.d) };
    publicKey = { kind: scheme, key: b64url(jwk.x) };
  } else {
    const curve = jwk.crv as 'P-256' | 'P-384' | 'P-521';
    privateKey = { kind: 'ec', curve, d: b64url(jwk.d) };
    publicKey = { kind: 'ec', curve, point: new Uint8Array([4, ...b64url(jwk.x), ...b64url(jwk.y)]) };
  }
  return { node: pair, privateKey, publicKey };
}

const CURVE_OF = { ecdsa_secp256r1_sha256: 'P-256', ecdsa_secp384r1_sha384: 'P-384', ecdsa_secp521r1_sha512: 'P-521' } as const;
const DIGEST_OF = { ecdsa_secp256r1_sha256: 'sha256', ecdsa_secp384r1_sha384: 'sha384', ecdsa_secp521r1_sha512: 'sha512' } as const;
const nodeDigest = (scheme: SignatureSchemeName) => (scheme === 'ed25519' || scheme === 'ed448' ? null : DIGEST_OF[scheme as keyof typeof DIGEST_OF]);

const ORDER = {
  ecdsa_secp521r1_sha512:
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  ecdsa_secp256r1_sha256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ecdsa_secp384r1_sha384:
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** DER INTEGER of a non-negative bigint (minimal, with a 0x00 pad when the top bit is set). */
function derInteger(value: bigint): number[] {
  let bytes = [...Buffer.from(value.toString(16).padStart(2, '0').replace(/^(.(..)*)$/, '0$1'), 'hex')];
  if (bytes[0]! & 0x80) bytes = [0, ...bytes];
  return [0x02, bytes.length, ...bytes];
}

/** Re-encodes a P1363 (r || s) signature as DER with s replaced by its high-S twin max(s, n - s). */
function highSDer(p1363: Uint8Array, n: bigint): Uint8Array {
  const half = p1363.length / 2;
  const r = BigInt('0x' + toHex(p1363.subarray(0, half)));
  const s = BigInt('0x' + toHex(p1363.subarray(half)));
  const high = s > n / 2n ? s : n - s;
  const body = [...derInteger(r), ...derInteger(high)];
  // P-521 signatures pass 127 bytes: long-form length.
  return new Uint8Array([0x30, ...(body.length < 0x80 ? [body.length] : [0x81, body.length]), ...body]);
}

function signatureTests(provider: CryptoProvider): void {
  describe('signatures', () => {
    const message = utf8('TLS 1.3, server CertificateVerify');

    // RSA schemes have their own suite (rsa-suite.ts): RSA keys are slow to make, so it shares a few.
    for (const scheme of provider.signatureSchemes.filter((s) => !rsaScheme(s))) {
      describe(scheme, () => {
        const keys = nodeKeyPair(scheme);
        const digest = nodeDigest(scheme);

        it('publicKeyOf matches the key pair', () => {
          expect(provider.publicKeyOf(keys.privateKey)).to.deep.equal(keys.publicKey);
        });

        it('sign/verify round trip; wrong message or key fails', () => {
          const sig = provider.sign(scheme, keys.privateKey, message);
          expect(provider.verify(scheme, keys.publicKey, message, sig)).to.equal(true);
          expect(provider.verify(scheme, keys.publicKey, utf8('another message'), sig)).to.equal(false);
          expect(provider.verify(scheme, nodeKeyPair(scheme).publicKey, message, sig)).to.equal(false);
        });

        it('returns false, never throws, for garbage signatures and mismatched keys', () => {
          const sig = provider.sign(scheme, keys.privateKey, message);
          const garbage = [new Uint8Array(0), new Uint8Array(64), sig.subarray(0, sig.length - 1),
            new Uint8Array([...sig, 0]), seededRandom('garbage')(sig.length), hex('3006020100020100')];
          for (const g of garbage) expect(provider.verify(scheme, keys.publicKey, message, g)).to.equal(false);
          const others = provider.signatureSchemes.filter((s) => s !== scheme && !rsaScheme(s));
          for (const other of others) {
            expect(provider.verify(other, keys.publicKey, message, sig), `as ${other}`).to.equal(false);
            expect(provider.verify(scheme, nodeKeyPair(other).publicKey, message, sig), `${other} key`).to.equal(false);
          }
          const badPoint: PublicKey =
            keys.publicKey.kind === 'ec'
              ? { ...keys.publicKey, point: keys.publicKey.point.subarray(1) }
              : { kind: 'ed25519', key: new Uint8Array(31) };
          expect(provider.verify(scheme, badPoint, message, sig)).to.equal(false);
        });

        it('verifies node:crypto signatures and node:crypto verifies ours', () => {
          const theirs = nodeCrypto.sign(digest, message, { key: keys.node.privateKey, dsaEncoding: 'der' });
          expect(provider.verify(scheme, keys.publicKey, message, new Uint8Array(theirs))).to.equal(true);
          const ours = provider.sign(scheme, keys.privateKey, message);
          expect(nodeCrypto.verify(digest, message, { key: keys.node.publicKey, dsaEncoding: 'der' }, ours)).to.equal(true);
        });

        if (scheme !== 'ed25519' && scheme !== 'ed448') {
          it('ECDSA with either hash on this curve (TLS 1.2): node:crypto verifies ours, we verify node:crypto\'s', () => {
            for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
              const ours = provider.ecdsaSign(hash, keys.privateKey, message);
              expect(nodeCrypto.verify(hash, message, { key: keys.node.publicKey, dsaEncoding: 'der' }, ours), hash).to.equal(true);
              const theirs = new Uint8Array(nodeCrypto.sign(hash, message, { key: keys.node.privateKey, dsaEncoding: 'der' }));
              expect(provider.ecdsaVerify(hash, keys.publicKey, message, theirs), hash).to.equal(true);
              expect(provider.ecdsaVerify(hash, keys.publicKey, utf8('another message'), theirs), hash).to.equal(false);
              expect(provider.ecdsaVerify(hash === 'sha256' ? 'sha384' : 'sha256', keys.publicKey, message, theirs)).to.equal(false);
              expect(provider.ecdsaVerify(hash, keys.publicKey, message, new Uint8Array(8))).to.equal(false);
            }
          });

          it('accepts high-S signatures (OpenSSL emits them)', () => {
            const p1363 = nodeCrypto.sign(digest, message, { key: keys.node.privateKey, dsaEncoding: 'ieee-p1363' });
            const high = highSDer(new Uint8Array(p1363), ORDER[scheme as keyof typeof ORDER]);
            expect(nodeCrypto.verify(digest, message, { key: keys.node.publicKey, dsaEncoding: 'der' }, high)).to.equal(true);
            expect(provider.verify(scheme, keys.publicKey, message, high)).to.equal(true);
          });
        }
      });
    }
  });
}

export function providerSuite(provider: CryptoProvider): void {
  it('advertises the TLS 1.3 algorithms', () => {
    expect(provider.name).to.be.a('string').and.not.equal('');
    expect(provider.aeads).to.include.members(['aes-128-gcm']);
    expect(provider.groups.length).to.be.greaterThan(0);
    expect(provider.signatureSchemes.length).to.be.greaterThan(0);
  });

  it('random() returns fresh bytes of the requested length', () => {
    expect(provider.random(0).length).to.equal(0);
    const a = provider.random(32);
    expect(a.length).to.equal(32);
    expect(toHex(a)).to.not.equal(toHex(provider.random(32)));
  });

  aeadTests(provider);
  hashTests(provider);
  keyShareTests(provider);
  signatureTests(provider);
  rsaTests(provider);
}
