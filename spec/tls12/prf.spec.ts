/**
 * The TLS 1.2 PRF and what is made with it (lib/tls12/prf.ts), the key block
 * split (lib/tls12/key-block.ts) and the suite table (lib/tls12/suites.ts).
 * Expected values come from the published PRF test vectors and from an
 * independent P_hash written here on node:crypto's HMAC.
 */
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { AEAD_KEY_LENGTHS } from '../../lib/crypto/algorithms.js';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import type { CryptoProvider, HashName } from '../../lib/crypto/provider.js';
import { deriveKeys, keyBlockLength, splitKeyBlock } from '../../lib/tls12/key-block.js';
import { extendedMasterSecret, keyBlock, masterSecret, prf, verifyData } from '../../lib/tls12/prf.js';
import { TLS12_SUITES, tls12SuiteByCode, tls12SuiteByName } from '../../lib/tls12/suites.js';
import { toHex } from '../../lib/wire/codec.js';
import { fromHex as hex } from '../support/hex.js';

const bytes = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 0xff);

/** P_hash / PRF from RFC 5246 §5, written plainly on node:crypto: the reference the module is checked against. */
function referencePrf(hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const hmac = (data: Uint8Array) => createHmac(hash, secret).update(data).digest();
  let a: Uint8Array = labelSeed;
  let out = Buffer.alloc(0);
  while (out.length < length) {
    a = hmac(a);
    out = Buffer.concat([out, hmac(Buffer.concat([a, labelSeed]))]);
  }
  return Uint8Array.from(out.subarray(0, length));
}

/** The widely published TLS 1.2 PRF vectors (IETF TLS WG list), label "test label". */
const VECTORS = [
  {
    hash: 'sha256' as const,
    secret: '9bbe436ba940f017b17652849a71db35',
    seed: 'a0ba9f936cda311827a6f796ffd5198c',
    length: 100,
    begins: 'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a',
    ends: '5110fff70187347b66',
  },
  {
    hash: 'sha384' as const,
    secret: 'b80b733d6ceefcdc71566ea48e5567df',
    seed: 'cd665cf6a8447dd6ff8b27555edb7465',
    length: 148,
    begins: '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd',
    ends: '8d5eaa3be85e0990703d73e56f',
  },
];

const PROVIDERS: CryptoProvider[] = [nobleCrypto, nodeCrypto];

describe('TLS 1.2 PRF (RFC 5246 §5)', () => {
  for (const v of VECTORS) {
    for (const provider of PROVIDERS) {
      it(`${v.hash} test vector, ${v.length} bytes (${provider.name})`, () => {
        const out = prf(provider.hash(v.hash), hex(v.secret), 'test label', hex(v.seed), v.length);
        const expected = referencePrf(v.hash, hex(v.secret), 'test label', hex(v.seed), v.length);
        expect(toHex(expected).startsWith(v.begins), 'the reference reproduces the published vector').to.equal(true);
        expect(toHex(expected).endsWith(v.ends)).to.equal(true);
        expect(toHex(out)).to.equal(toHex(expected));
      });
    }
  }

  it('agrees with the reference for lengths around the hash size, both hashes and providers', () => {
    for (const provider of PROVIDERS) {
      for (const hash of ['sha256', 'sha384'] as const) {
        for (const length of [0, 1, 12, 31, 32, 33, 47, 48, 49, 64, 65, 96, 97, 200]) {
          const secret = bytes(20 + length % 7, length);
          const seed = bytes(length % 40, 3);
          expect(toHex(prf(provider.hash(hash), secret, 'some label', seed, length)), `${provider.name} ${hash} ${length}`).to.equal(
            toHex(referencePrf(hash, secret, 'some label', seed, length)),
          );
        }
      }
    }
  });

  it('the output is a prefix of a longer output (P_hash is a stream)', () => {
    const h = nobleCrypto.hash('sha256');
    const long = prf(h, bytes(48), 'label', bytes(64), 150);
    expect(toHex(prf(h, bytes(48), 'label', bytes(64), 40))).to.equal(toHex(long.subarray(0, 40)));
  });

  it('refuses non-ASCII labels and bad lengths', () => {
    const h = nobleCrypto.hash('sha256');
    expect(() => prf(h, bytes(16), 'étiquette', bytes(4), 10)).to.throw(RangeError);
    expect(() => prf(h, bytes(16), 'label', bytes(4), -1)).to.throw(RangeError);
    expect(() => prf(h, bytes(16), 'label', bytes(4), 1.5)).to.throw(RangeError);
  });
});

describe('TLS 1.2 secrets made with the PRF', () => {
  const preMaster = bytes(32, 9);
  const clientRandom = bytes(32, 100);
  const serverRandom = bytes(32, 200);

  for (const provider of PROVIDERS) {
    for (const hash of ['sha256', 'sha384'] as const) {
      describe(`${provider.name} ${hash}`, () => {
        const h = provider.hash(hash);

        it('master secret: PRF(pre_master, "master secret", client_random || server_random), 48 bytes', () => {
          const expected = referencePrf(hash, preMaster, 'master secret', new Uint8Array([...clientRandom, ...serverRandom]), 48);
          expect(toHex(masterSecret(h, preMaster, clientRandom, serverRandom))).to.equal(toHex(expected));
        });

        it('extended master secret (RFC 7627 §4): PRF(pre_master, "extended master secret", session_hash), 48 bytes', () => {
          const sessionHash = createHmac(hash, 'x').update('transcript').digest();
          const ems = extendedMasterSecret(h, preMaster, sessionHash);
          expect(ems.length).to.equal(48);
          expect(toHex(ems)).to.equal(toHex(referencePrf(hash, preMaster, 'extended master secret', sessionHash, 48)));
          // It does not depend on the randoms, and differs from the classic master secret.
          expect(toHex(ems)).to.not.equal(toHex(masterSecret(h, preMaster, clientRandom, serverRandom)));
        });

        it('key block: PRF(master, "key expansion", server_random || client_random)', () => {
          const master = masterSecret(h, preMaster, clientRandom, serverRandom);
          const expected = referencePrf(hash, master, 'key expansion', new Uint8Array([...serverRandom, ...clientRandom]), 88);
          expect(toHex(keyBlock(h, master, clientRandom, serverRandom, 88))).to.equal(toHex(expected));
          // The randoms' order matters.
          expect(toHex(keyBlock(h, master, serverRandom, clientRandom, 88))).to.not.equal(toHex(expected));
        });

        it('verify_data: PRF(master, finished_label, Hash(handshake_messages)), 12 bytes', () => {
          const master = bytes(48, 77);
          const transcript = h.digest(new TextEncoder().encode('ClientHello...ClientKeyExchange'));
          for (const label of ['client finished', 'server finished'] as const) {
            const out = verifyData(h, master, label, transcript);
            expect(out.length).to.equal(12);
            expect(toHex(out)).to.equal(toHex(referencePrf(hash, master, label, transcript, 12)));
          }
          expect(() => verifyData(h, master, 'master secret' as 'client finished', transcript)).to.throw(RangeError);
        });
      });
    }
  }

  it('the randoms must be 32 bytes', () => {
    const h = nobleCrypto.hash('sha256');
    expect(() => masterSecret(h, preMaster, bytes(31), serverRandom)).to.throw(RangeError);
    expect(() => keyBlock(h, bytes(48), clientRandom, bytes(33), 40)).to.throw(RangeError);
  });
});

describe('TLS 1.2 suites and key block split (RFC 5246 §6.3)', () => {
  it('lists the ECDHE_ECDSA, ECDHE_RSA, PSK and ECDHE_PSK AEAD suites with their record parameters', () => {
    expect(TLS12_SUITES.map((s) => [s.code, s.name, s.kx, s.auth, s.aead, s.hash, s.keyLength, s.fixedIvLength, s.explicitNonceLength])).to.deep.equal([
      [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ecdhe', 'ecdsa', 'aes-128-gcm', 'sha256', 16, 4, 8],
      [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ecdhe', 'ecdsa', 'aes-256-gcm', 'sha384', 32, 4, 8],
      [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ecdhe', 'ecdsa', 'chacha20-poly1305', 'sha256', 32, 12, 0],
      [0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ecdhe', 'ecdsa', 'aes-128-ccm-8', 'sha256', 16, 4, 8],
      [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ecdhe', 'rsa', 'aes-128-gcm', 'sha256', 16, 4, 8],
      [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ecdhe', 'rsa', 'aes-256-gcm', 'sha384', 32, 4, 8],
      [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ecdhe', 'rsa', 'chacha20-poly1305', 'sha256', 32, 12, 0],
      [0xccac, 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 'ecdhe_psk', 'psk', 'chacha20-poly1305', 'sha256', 32, 12, 0],
      [0x00a8, 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'psk', 'psk', 'aes-128-gcm', 'sha256', 16, 4, 8],
      [0xc0a8, 'TLS_PSK_WITH_AES_128_CCM_8', 'psk', 'psk', 'aes-128-ccm-8', 'sha256', 16, 4, 8],
    ]);
    for (const s of TLS12_SUITES) {
      expect(s.keyLength).to.equal(AEAD_KEY_LENGTHS[s.aead]);
      expect(s.fixedIvLength + s.explicitNonceLength, 'the AEAD nonce is 12 bytes').to.equal(12);
      expect(Object.isFrozen(s)).to.equal(true);
      expect(tls12SuiteByCode(s.code)).to.equal(s);
      expect(tls12SuiteByName(s.name)).to.equal(s);
    }
    expect(tls12SuiteByCode(0x1301)).to.equal(undefined);
    expect(() => tls12SuiteByName('TLS_AES_128_GCM_SHA256')).to.throw();
  });

  it('splits client key, server key, client IV, server IV in that order (mac_key_length 0)', () => {
    const block = bytes(80, 1);
    const gcm = tls12SuiteByCode(0xc02b)!;
    expect(keyBlockLength(gcm)).to.equal(40);
    const k = splitKeyBlock(block, gcm);
    expect([k.clientWriteKey, k.serverWriteKey, k.clientWriteIv, k.serverWriteIv].map(toHex)).to.deep.equal(
      [block.subarray(0, 16), block.subarray(16, 32), block.subarray(32, 36), block.subarray(36, 40)].map(toHex),
    );
    const chacha = tls12SuiteByCode(0xcca9)!;
    expect(keyBlockLength(chacha)).to.equal(88);
    const c = splitKeyBlock(bytes(88, 5), chacha);
    expect([c.clientWriteKey.length, c.serverWriteKey.length, c.clientWriteIv.length, c.serverWriteIv.length]).to.deep.equal([32, 32, 12, 12]);
    expect(toHex(c.serverWriteIv)).to.equal(toHex(bytes(88, 5).subarray(76, 88)));
    expect(() => splitKeyBlock(bytes(87), chacha)).to.throw(RangeError);
  });

  it('the split keys are copies, not views of the block', () => {
    const block = bytes(40, 3);
    const k = splitKeyBlock(block, tls12SuiteByCode(0xc02b)!);
    block.fill(0);
    expect(k.clientWriteKey.some((b) => b !== 0)).to.equal(true);
  });

  it('deriveKeys is the key block with the suite\'s PRF hash, split', () => {
    const master = bytes(48, 11);
    const cr = bytes(32, 1);
    const sr = bytes(32, 2);
    for (const suite of TLS12_SUITES) {
      const h = nodeCrypto.hash(suite.hash);
      const block = referencePrf(suite.hash, master, 'key expansion', new Uint8Array([...sr, ...cr]), keyBlockLength(suite));
      const keys = deriveKeys(h, master, cr, sr, suite);
      expect(keys).to.deep.equal(splitKeyBlock(block, suite));
    }
  });
});
