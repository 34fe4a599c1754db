import { gcm } from '@noble/ciphers/aes.js';
import { expect } from 'chai';
import fc from 'fast-check';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { providerSuite } from './provider-suite.js';

describe('noble CryptoProvider', () => {
  providerSuite(nobleCrypto);

  it('advertises its algorithms in preference order, its fastest AEAD (ChaCha20-Poly1305) first', () => {
    expect(nobleCrypto.name).to.equal('noble');
    expect(nobleCrypto.aeads).to.deep.equal(['chacha20-poly1305', 'aes-128-gcm', 'aes-256-gcm']);
    expect(nobleCrypto.groups).to.deep.equal(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1', 'secp521r1', 'x448']);
    expect(nobleCrypto.signatureSchemes).to.deep.equal([
      'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'ed25519', 'ed448',
      'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512',
      'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
      'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512',
    ]);
  });

  // Our AES-GCM reuses per-key state built from noble internals; pin it to noble's own gcm().
  it('keyed AES-GCM matches noble gcm() across many nonces', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 32),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 20 })), { minLength: 1, maxLength: 5 }),
        (keyLength, keyBytes, records) => {
          const key = keyBytes.subarray(0, keyLength);
          const aead = nobleCrypto.aead(keyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key);
          for (const [nonce, pt, aad] of records) {
            expect(aead.seal(nonce, pt, aad)).to.deep.equal(gcm(key, nonce, aad).encrypt(pt));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
