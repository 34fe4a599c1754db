import { generateKeyPairSync as nodeGenerate, type KeyPairKeyObjectResult } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { parsePrivateKey } from '../../lib/x509/private-key.js';
import { nobleCrypto } from '../../lib/crypto/index.js';

const b64 = (s: string | undefined) => Buffer.from(s!, 'base64url').toString('hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** @types/node 20 lacks hashAlgorithm/mgf1HashAlgorithm for 'rsa-pss' (node has them since 16.9). */
const generateKeyPairSync = nodeGenerate as unknown as (type: 'rsa' | 'rsa-pss', options: object) => KeyPairKeyObjectResult;

/** Keys made once for the file: RSA keygen is slow. */
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 });

function typedError(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(TlsError);
    return e as TlsError;
  }
  return expect.fail('no error');
}

describe('x509/private-key: RSA (as node reads them)', () => {
  const jwk = rsa.privateKey.export({ format: 'jwk' });

  for (const [label, input] of [
    ['PKCS#8 PEM', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['PKCS#1 PEM ("RSA PRIVATE KEY")', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string],
    ['PKCS#8 DER', new Uint8Array(rsa.privateKey.export({ type: 'pkcs8', format: 'der' }))],
    ['PKCS#1 DER', new Uint8Array(rsa.privateKey.export({ type: 'pkcs1', format: 'der' }))],
  ] as const) {
    it(`reads ${label}`, () => {
      const key = parsePrivateKey(input);
      if (key.kind !== 'rsa') expect.fail(key.kind);
      expect(key.pss).to.equal(false);
      expect([hex(key.n), hex(key.e), hex(key.d), hex(key.p), hex(key.q), hex(key.dp), hex(key.dq), hex(key.qi)]).to.deep.equal(
        [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(b64),
      );
    });
  }

  it('reads an RSASSA-PSS PKCS#8 key (SHA-256, MGF1-SHA-256, 32-byte salt) as a PSS-only key', () => {
    const key = parsePrivateKey(pss.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    expect(key).to.include({ kind: 'rsa', pss: true });
    const sig = nobleCrypto.sign('rsa_pss_pss_sha256', key, new Uint8Array(3));
    expect(nobleCrypto.verify('rsa_pss_pss_sha256', nobleCrypto.publicKeyOf(key), new Uint8Array(3), sig)).to.equal(true);
  });

  it('refuses, naming why: a 1024-bit key, a PSS key with a 20-byte salt or SHA-1', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(typedError(() => parsePrivateKey(small))).to.include({ alert: 'internal_error' }).and.have.property('message').that.matches(/1024-bit modulus is too small/);
    const salt20 = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 20 });
    expect(typedError(() => parsePrivateKey(salt20.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).message).to.match(/20-byte salt/);
    const sha1 = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha1', mgf1HashAlgorithm: 'sha1', saltLength: 20 });
    expect(typedError(() => parsePrivateKey(sha1.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).message).to.match(/RSASSA-PSS with sha1/);
  });

  it('truncated or corrupted RSA key DER: typed errors only (fast-check)', () => {
    const der = new Uint8Array(rsa.privateKey.export({ type: 'pkcs1', format: 'der' }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: der.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, byte, truncate) => {
        const input = truncate ? der.subarray(0, at) : Uint8Array.from(der, (b, i) => (i === at ? byte : b));
        try {
          parsePrivateKey(input);
        } catch (e) {
          expect(e).to.be.instanceOf(TlsError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
