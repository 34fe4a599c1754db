/**
 * RSA part of the provider conformance suite: every RSA scheme against
 * node:crypto (OpenSSL) as the reference, the refusals (small keys, other
 * paddings, wrong lengths), and the forgeries a lax verifier lets through
 * (Bleichenbacher's e=3 signature forgery, 2006). Keys are made once per
 * process: RSA key generation costs 50-500 ms each.
 */
import * as nodeCrypto from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import type { CryptoProvider, HashName, RsaPrivateKey, RsaPublicKey, RsaSchemeName } from '../../lib/crypto/provider.js';
import { RSA_SCHEMES, RSA_SCHEME_NAMES, pkcs1Encoding } from '../../lib/crypto/rsa.js';

const b64url = (s: string | undefined) => {
  const bytes = new Uint8Array(Buffer.from(s!, 'base64url'));
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.slice(i);
};
const utf8 = (s: string) => new TextEncoder().encode(s);

export interface RsaTestKey {
  readonly node: nodeCrypto.KeyPairKeyObjectResult;
  readonly privateKey: RsaPrivateKey;
  readonly publicKey: RsaPublicKey;
}

function convert(node: nodeCrypto.KeyPairKeyObjectResult, pss = false): RsaTestKey {
  const j = node.privateKey.export({ format: 'jwk' });
  const privateKey: RsaPrivateKey = {
    kind: 'rsa', pss, n: b64url(j.n), e: b64url(j.e), d: b64url(j.d), p: b64url(j.p), q: b64url(j.q), dp: b64url(j.dp), dq: b64url(j.dq), qi: b64url(j.qi),
  };
  return { node, privateKey, publicKey: { kind: 'rsa', pss, n: privateKey.n, e: privateKey.e } };
}

const cache = new Map<string, RsaTestKey>();
/** A key pair made once per process: `bits` long with exponent `e`; `pss` marks it an RSASSA-PSS key (same numbers). */
export function rsaTestKey(bits = 2048, e = 65537, pss = false): RsaTestKey {
  const id = `${bits}/${e}`;
  let key = cache.get(id);
  if (!key) {
    key = convert(nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e }));
    cache.set(id, key);
  }
  return pss ? { ...key, privateKey: { ...key.privateKey, pss }, publicKey: { ...key.publicKey, pss } } : key;
}

/** node:crypto sign/verify options for a scheme (PSS: salt = hash length, or `saltLength`). */
function nodeOptions(scheme: RsaSchemeName, key: nodeCrypto.KeyObject, saltLength?: number) {
  return RSA_SCHEMES[scheme].padding === 'pss'
    ? { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLength ?? nodeCrypto.constants.RSA_PSS_SALTLEN_DIGEST }
    : { key, padding: nodeCrypto.constants.RSA_PKCS1_PADDING };
}

const toBig = (b: Uint8Array) => BigInt('0x0' + Buffer.from(b).toString('hex'));
const fromBig = (v: bigint, length: number) => new Uint8Array(Buffer.from(v.toString(16).padStart(length * 2, '0'), 'hex'));

/** m^d mod n by OpenSSL with no padding: lets a test sign any encoding it builds. */
function rawSign(key: RsaTestKey, em: Uint8Array): Uint8Array {
  return new Uint8Array(nodeCrypto.privateEncrypt({ key: key.node.privateKey, padding: nodeCrypto.constants.RSA_NO_PADDING }, em));
}

const digest = (hash: HashName, m: Uint8Array) => new Uint8Array(nodeCrypto.createHash(hash).update(m).digest());

function icbrt(x: bigint): bigint {
  let lo = 0n;
  let hi = 1n << BigInt(Math.ceil(x.toString(2).length / 3) + 1);
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (mid * mid * mid <= x) lo = mid;
    else hi = mid - 1n;
  }
  return lo;
}

/**
 * Bleichenbacher's e=3 forgery: 00 01 FF 00 DigestInfo(H(m)) followed by
 * garbage, whose integer cube root is a "signature" no private key made. A
 * verifier that parses the DigestInfo and ignores what follows accepts it.
 * `ffs` is the padding length; the garbage fills the rest.
 */
export function e3Forgery(k: number, hash: HashName, message: Uint8Array, ffs = 1): Uint8Array {
  const t = pkcs1Encoding(hash, digest(hash, message), k).subarray(k - (hash === 'sha256' ? 51 : hash === 'sha384' ? 67 : 83));
  const prefix = new Uint8Array([0x00, 0x01, ...new Array(ffs).fill(0xff), 0x00, ...t]);
  const garbageBits = BigInt(8 * (k - prefix.length));
  const target = (toBig(prefix) << garbageBits) + (1n << garbageBits) - 1n;
  const s = icbrt(target);
  const cube = fromBig(s * s * s, k);
  // The forgery is sound: its cube carries the whole prefix.
  expect(Buffer.from(cube.subarray(0, prefix.length)).equals(Buffer.from(prefix))).to.equal(true);
  return fromBig(s, k);
}

export function rsaTests(provider: CryptoProvider): void {
  describe('RSA signatures', function () {
    this.timeout(60_000);
    const message = utf8('TLS 1.3, server CertificateVerify');

    it('advertises every RSA scheme (PSS rsae and pss, PKCS#1 v1.5; SHA-256/384/512)', () => {
      expect(provider.signatureSchemes).to.include.members(RSA_SCHEME_NAMES);
    });

    for (const scheme of RSA_SCHEME_NAMES) {
      describe(scheme, () => {
        const { hash, pssKey } = RSA_SCHEMES[scheme];
        const keys = () => rsaTestKey(2048, 65537, pssKey);

        it('sign/verify round trip; publicKeyOf; wrong message, key or key type fails', () => {
          const { privateKey, publicKey } = keys();
          expect(provider.publicKeyOf(privateKey)).to.deep.equal(publicKey);
          const sig = provider.sign(scheme, privateKey, message);
          expect(sig.length).to.equal(256);
          expect(provider.verify(scheme, publicKey, message, sig)).to.equal(true);
          expect(provider.verify(scheme, publicKey, utf8('another message'), sig)).to.equal(false);
          expect(provider.verify(scheme, rsaTestKey(3072).publicKey, message, sig)).to.equal(false);
          expect(provider.verify(scheme, { ...publicKey, pss: !pssKey }, message, sig), 'rsae/pss key type swapped').to.equal(false);
          expect(() => provider.sign(scheme, { ...privateKey, pss: !pssKey }, message)).to.throw(/needs an? (RSASSA-PSS|rsaEncryption) key/);
        });

        it('node:crypto verifies ours and we verify node:crypto\'s', () => {
          const { node, privateKey, publicKey } = keys();
          const ours = provider.sign(scheme, privateKey, message);
          expect(nodeCrypto.verify(hash, message, nodeOptions(scheme, node.publicKey), ours)).to.equal(true);
          const theirs = new Uint8Array(nodeCrypto.sign(hash, message, nodeOptions(scheme, node.privateKey)));
          expect(provider.verify(scheme, publicKey, message, theirs)).to.equal(true);
          if (RSA_SCHEMES[scheme].padding === 'pkcs1') {
            // Deterministic: the very same bytes as OpenSSL's.
            expect(Buffer.from(ours).toString('hex')).to.equal(Buffer.from(theirs).toString('hex'));
          }
        });

        it('refuses tampered signatures and signatures of the wrong length (fast-check)', () => {
          const { privateKey, publicKey } = keys();
          const sig = provider.sign(scheme, privateKey, message);
          fc.assert(
            fc.property(fc.integer({ min: 0, max: sig.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
              const tampered = sig.slice();
              tampered[index]! ^= mask;
              expect(provider.verify(scheme, publicKey, message, tampered)).to.equal(false);
            }),
            { numRuns: 25 },
          );
          const n = publicKey.n;
          const wrong = [new Uint8Array(0), sig.subarray(1), sig.subarray(0, sig.length - 1), new Uint8Array([0, ...sig]), new Uint8Array([...sig, 0]),
            n, /* s = n */ new Uint8Array(256).fill(0xff) /* s > n */, new Uint8Array(256) /* s = 0 */];
          for (const w of wrong) expect(provider.verify(scheme, publicKey, message, w)).to.equal(false);
        });
      });
    }

    describe('refusals', () => {
      it('1024-bit keys: sign throws naming the size, verify is false', function () {
        const small = rsaTestKey(1024);
        expect(() => provider.sign('rsa_pss_rsae_sha256', small.privateKey, message)).to.throw(/1024-bit modulus is too small: at least 2048/);
        const theirs = new Uint8Array(nodeCrypto.sign('sha256', message, nodeOptions('rsa_pkcs1_sha256', small.node.privateKey)));
        expect(provider.verify('rsa_pkcs1_sha256', small.publicKey, message, theirs)).to.equal(false);
      });

      it('PSS with a salt other than the hash length (TLS requires it equal) is refused', () => {
        const key = rsaTestKey();
        for (const salt of [0, 20, 64]) {
          const sig = new Uint8Array(nodeCrypto.sign('sha256', message, nodeOptions('rsa_pss_rsae_sha256', key.node.privateKey, salt)));
          expect(provider.verify('rsa_pss_rsae_sha256', key.publicKey, message, sig), `salt ${salt}`).to.equal(false);
        }
      });

      it('PKCS#1 v1.5: every encoding but the exact one is refused (no NULL, short padding, wrong block type, trailing data, other hash)', () => {
        const key = rsaTestKey();
        const k = 256;
        const good = pkcs1Encoding('sha256', digest('sha256', message), k);
        expect(provider.verify('rsa_pkcs1_sha256', key.publicKey, message, rawSign(key, good))).to.equal(true);
        const variants: Record<string, Uint8Array> = {};
        // DigestInfo without the NULL parameters (some old signers omit it; RFC 8017 requires it).
        const noNull = new Uint8Array(k);
        const t = Uint8Array.from([...Buffer.from('302f300b0609608648016503040201', 'hex'), 0x04, 0x20, ...digest('sha256', message)]);
        noNull.set([0, 1]);
        noNull.fill(0xff, 2, k - t.length - 1);
        noNull.set(t, k - t.length);
        variants['no NULL'] = noNull;
        variants['block type 2'] = Uint8Array.from(good, (b, i) => (i === 1 ? 2 : b));
        variants['an FE in the padding'] = Uint8Array.from(good, (b, i) => (i === 5 ? 0xfe : b));
        variants['no zero separator'] = Uint8Array.from(good, (b, i) => (i === k - 52 ? 0xff : b));
        // DigestInfo moved left with garbage after the digest (the parse-and-ignore-the-rest bug).
        const shifted = new Uint8Array(k).fill(0xab);
        shifted.set(good.subarray(0, k - 51 - 8));
        shifted.set(good.subarray(k - 52), k - 52 - 8);
        variants['garbage after the digest'] = shifted;
        variants['SHA-384 DigestInfo for a SHA-256 scheme'] = pkcs1Encoding('sha384', digest('sha384', message), k);
        for (const [label, em] of Object.entries(variants)) {
          expect(provider.verify('rsa_pkcs1_sha256', key.publicKey, message, rawSign(key, em)), label).to.equal(false);
        }
      });

      it('PSS: a wrong trailer byte or a set top bit is refused', () => {
        const key = rsaTestKey();
        const sig = new Uint8Array(nodeCrypto.sign('sha256', message, nodeOptions('rsa_pss_rsae_sha256', key.node.privateKey)));
        const em = new Uint8Array(nodeCrypto.publicDecrypt({ key: key.node.publicKey, padding: nodeCrypto.constants.RSA_NO_PADDING }, sig));
        expect(provider.verify('rsa_pss_rsae_sha256', key.publicKey, message, rawSign(key, em))).to.equal(true);
        const trailer = em.slice();
        trailer[em.length - 1] = 0xbb;
        const top = em.slice();
        top[0]! |= 0x80;
        expect(provider.verify('rsa_pss_rsae_sha256', key.publicKey, message, rawSign(key, trailer))).to.equal(false);
        if (toBig(top) < toBig(key.publicKey.n)) expect(provider.verify('rsa_pss_rsae_sha256', key.publicKey, message, rawSign(key, top))).to.equal(false);
      });

      it('refuses Bleichenbacher e=3 forgeries (garbage after the DigestInfo), for every hash and padding length', () => {
        // 3072 bits: room for the garbage the cube root needs (about a third of the modulus) after a SHA-512 DigestInfo.
        const key = rsaTestKey(3072, 3);
        for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
          const scheme = `rsa_pkcs1_${hash}` as RsaSchemeName;
          const genuine = provider.sign(scheme, key.privateKey, message);
          expect(provider.verify(scheme, key.publicKey, message, genuine), 'a genuine e=3 signature').to.equal(true);
          for (const ffs of [1, 8, 16]) {
            const forged = e3Forgery(384, hash, message, ffs);
            expect(provider.verify(scheme, key.publicKey, message, forged), `${hash}, ${ffs} FF bytes`).to.equal(false);
          }
        }
      });

      it('e=3 forgeries of random messages are all refused (fast-check)', () => {
        const key = rsaTestKey(2048, 3);
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 20 }), (m, ffs) => {
            expect(provider.verify('rsa_pkcs1_sha256', key.publicKey, m, e3Forgery(256, 'sha256', m, ffs))).to.equal(false);
          }),
          { numRuns: 20 },
        );
      });
    });

    it('signs with 3072- and 4096-bit keys; node:crypto verifies', function () {
      for (const bits of [3072, 4096]) {
        const key = rsaTestKey(bits);
        const sig = provider.sign('rsa_pss_rsae_sha384', key.privateKey, message);
        expect(sig.length).to.equal(bits / 8);
        expect(nodeCrypto.verify('sha384', message, nodeOptions('rsa_pss_rsae_sha384', key.node.publicKey), sig), `${bits}`).to.equal(true);
      }
    });
  });
}
