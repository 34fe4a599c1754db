import { expect } from 'chai';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { TlsError, type AlertName, type TlsErrorCode } from '../../lib/errors.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import {
  KeyUsageBit,
  MAX_PATH_LENGTH,
  OID_SERVER_AUTH,
  verifyServerChain,
  type Certificate,
  type VerifyServerChainOptions,
} from '../../lib/x509/index.js';
import { crypto, ext, fixtureCert, fixtureChain, fixtureKey, flipByte, makeCert, NOW, type Issued } from './helpers.js';

const ca = fixtureCert('ca.pem');
const otherCa = fixtureCert('other-ca.pem');
const opts = (over: Partial<VerifyServerChainOptions> = {}): VerifyServerChainOptions => ({
  roots: [ca],
  date: NOW,
  serverName: 'localhost',
  crypto,
  ...over,
});

/** Expects a TlsError with `alert`, and with `code` (node's verify code) when given. */
function rejects(alert: AlertName, chain: Uint8Array[], o: Partial<VerifyServerChainOptions> = {}, code?: TlsErrorCode): TlsError {
  try {
    verifyServerChain(chain, opts(o));
  } catch (e) {
    expect(e).to.be.instanceOf(TlsError);
    expect((e as TlsError).alert, (e as Error).message).to.equal(alert);
    if (code) expect((e as TlsError).code, (e as Error).message).to.equal(code);
    return e as TlsError;
  }
  expect.fail(`expected ${alert}`);
}

const der = (...certs: Issued[]) => certs.map((c) => c.cert.der);

describe('x509/verify-chain', () => {
  describe('fixtures', () => {
    for (const name of ['server-p256.pem', 'server-p384.pem', 'server-ed25519.pem', 'server-chain.pem']) {
      it(`accepts ${name}`, () => {
        const leaf = verifyServerChain(fixtureChain(name), opts());
        expect(leaf.subject).to.equal('CN=localhost');
        expect(leaf.der).to.deep.equal(fixtureChain(name)[0]);
      });
    }

    it('accepts an Ed25519-signed chain (untrusted.pem under other-ca)', () => {
      verifyServerChain(fixtureChain('untrusted.pem'), opts({ roots: [ca, otherCa] }));
    });

    it('accepts every server name in the SAN, and no server name at all', () => {
      for (const serverName of ['localhost', 'rxtls.test', 'x.wild.rxtls.test', '127.0.0.1', '::1', '[::1]', undefined]) {
        verifyServerChain(fixtureChain('server-chain.pem'), opts({ serverName }));
      }
    });

    it('rejects a wrong host name with certificate_unknown naming the host', () => {
      for (const serverName of ['example.com', 'a.b.wild.rxtls.test', 'wild.rxtls.test', '127.0.0.2', '::2']) {
        const e = rejects('certificate_unknown', fixtureChain('server-p256.pem'), { serverName }, 'ERR_TLS_CERT_ALTNAME_INVALID');
        expect(e.message).to.include(`"${serverName}"`);
        expect(e.message).to.include('rxtls.test');
      }
    });

    it('validates against the injected date (inclusive bounds)', () => {
      const chain = fixtureChain('server-p256.pem');
      verifyServerChain(chain, opts({ date: new Date('2025-01-01T00:00:00Z') }));
      verifyServerChain(chain, opts({ date: new Date('2125-01-01T00:00:00Z') }));
      rejects('certificate_expired', chain, { date: new Date('2024-12-31T23:59:59Z') }, 'CERT_NOT_YET_VALID');
      rejects('certificate_expired', chain, { date: new Date('2125-01-01T00:00:01Z') }, 'CERT_HAS_EXPIRED');
    });

    it('rejects expired.pem with certificate_expired, at any date', () => {
      expect(rejects('certificate_expired', fixtureChain('expired.pem')).message).to.match(/expired at 2021/);
      // Inside its own window the leaf is fine but the root (2025-2125) is not yet valid.
      const e = rejects('certificate_expired', fixtureChain('expired.pem'), { date: new Date('2020-06-01T00:00:00Z') });
      expect(e.message).to.match(/rxtls test CA.*not valid before 2025/);
    });

    it('rejects an untrusted root with unknown_ca', () => {
      expect(rejects('unknown_ca', fixtureChain('untrusted.pem')).message).to.include('rxtls other CA');
      rejects('unknown_ca', [...fixtureChain('untrusted.pem'), otherCa.der]); // sending the root does not make it trusted
      rejects('unknown_ca', fixtureChain('server-chain.pem'), { roots: [otherCa] }, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
      rejects('unknown_ca', fixtureChain('server-p256.pem'), { roots: [] }, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it('rejects a clientAuth-only certificate with unsupported_certificate', () => {
      expect(rejects('unsupported_certificate', fixtureChain('client-only.pem'), {}, 'INVALID_PURPOSE').message).to.match(/serverAuth/);
    });

    it('rejects a tampered signature or TBS byte with bad_certificate', () => {
      for (const name of ['server-p256.pem', 'server-ed25519.pem', 'server-chain.pem', 'server-p384.pem']) {
        const [leaf, ...rest] = fixtureChain(name);
        rejects('bad_certificate', [flipByte(leaf!, leaf!.length - 1), ...rest]);
        // Change a byte inside the signed TBSCertificate (a letter's case).
        const tbsTampered = flipByte(leaf!, leaf!.indexOf(0x6c /* 'l' of localhost */, 100), 0x20);
        rejects('bad_certificate', [tbsTampered, ...rest]);
      }
      const [leaf, int] = fixtureChain('server-chain.pem');
      rejects('bad_certificate', [leaf!, flipByte(int!, int!.length - 2)], {}, 'CERT_SIGNATURE_FAILURE');
    });

    it('reports a root regenerated under the same name as a bad signature', () => {
      const impostor = makeCert({ cn: 'rxtls test CA', ca: true, keyUsage: KeyUsageBit.keyCertSign });
      const e = rejects('bad_certificate', fixtureChain('server-p256.pem'), { roots: [impostor.cert] });
      expect(e.message).to.match(/does not verify/);
    });

    it('accepts an unordered chain with extra certificates, and the root sent along', () => {
      const [leaf, int] = fixtureChain('server-chain.pem');
      verifyServerChain([leaf!, otherCa.der, ca.der, int!], opts());
      verifyServerChain([leaf!, int!, ca.der], opts());
      verifyServerChain([...fixtureChain('server-p256.pem'), ...fixtureChain('untrusted.pem')], opts());
    });

    it('requires the leaf first', () => {
      const [leaf, int] = fixtureChain('server-chain.pem');
      // int-ca as "leaf": its keyUsage lacks digitalSignature.
      expect(rejects('bad_certificate', [int!, leaf!]).message).to.match(/digitalSignature/);
    });

    it('rejects an empty chain with decode_error and an unparsable one with bad_certificate', () => {
      rejects('decode_error', []);
      rejects('bad_certificate', [new Uint8Array([0x30, 0x00])]);
      const [leaf] = fixtureChain('server-chain.pem');
      rejects('bad_certificate', [leaf!, new Uint8Array([1, 2, 3])]);
    });

    it('lets a configured root stand as the server certificate itself', () => {
      const pinned = fixtureCert('server-p256.pem');
      verifyServerChain([pinned.der], opts({ roots: [pinned] }));
      // The CA as a server certificate: trusted, but its keyUsage is for certificates only.
      rejects('bad_certificate', [ca.der]);
    });

    it('fails with unsupported_certificate when the provider lacks the scheme', () => {
      const noEd: CryptoProvider = { ...crypto, signatureSchemes: ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384'] };
      rejects('unsupported_certificate', fixtureChain('untrusted.pem'), { roots: [otherCa], crypto: noEd });
    });

    it('rejects an invalid validation date', () => {
      rejects('internal_error', fixtureChain('server-p256.pem'), { date: new Date(NaN) });
    });
  });

  describe('generated chains', () => {
    const CA_KU = KeyUsageBit.keyCertSign | KeyUsageBit.cRLSign;
    const root = makeCert({ cn: 'gen root', ca: true, keyUsage: CA_KU });
    const leafUnder = (issuer: Issued, extra: Partial<Parameters<typeof makeCert>[0]> = {}) =>
      makeCert({
        cn: 'gen leaf',
        issuer,
        dns: ['gen.test'],
        keyUsage: KeyUsageBit.digitalSignature,
        eku: [OID_SERVER_AUTH],
        ...extra,
      });
    const genOpts = { roots: [root.cert], serverName: 'gen.test' };

    it('accepts a plain two-level chain', () => {
      const int = makeCert({ cn: 'gen int', issuer: root, ca: true, keyUsage: CA_KU });
      verifyServerChain(der(leafUnder(int), int), opts(genOpts));
    });

    it('enforces pathLenConstraint', () => {
      const int1 = makeCert({ cn: 'gen int1', issuer: root, ca: true, pathLen: 0, keyUsage: CA_KU });
      const int2 = makeCert({ cn: 'gen int2', issuer: int1, ca: true, keyUsage: CA_KU });
      expect(rejects('bad_certificate', der(leafUnder(int2), int2, int1), genOpts, 'PATH_LENGTH_EXCEEDED').message).to.match(/pathLen/);
      const int1b = makeCert({ cn: 'gen int1', issuer: root, ca: true, pathLen: 1, keyUsage: CA_KU });
      const int2b = makeCert({ cn: 'gen int2', issuer: int1b, ca: true, keyUsage: CA_KU });
      verifyServerChain(der(leafUnder(int2b), int2b, int1b), opts(genOpts));
      // A root's own pathLen counts too.
      const tightRoot = makeCert({ cn: 'gen tight root', ca: true, pathLen: 0, keyUsage: CA_KU });
      const int = makeCert({ cn: 'gen int', issuer: tightRoot, ca: true, keyUsage: CA_KU });
      rejects('bad_certificate', der(leafUnder(int), int), { roots: [tightRoot.cert], serverName: 'gen.test' });
      verifyServerChain(der(leafUnder(tightRoot)), opts({ roots: [tightRoot.cert], serverName: 'gen.test' }));
    });

    it('requires basicConstraints cA and keyCertSign on issuers', () => {
      const noBc = makeCert({ cn: 'gen int', issuer: root, noBasicConstraints: true, keyUsage: CA_KU });
      expect(rejects('bad_certificate', der(leafUnder(noBc), noBc), genOpts, 'INVALID_CA').message).to.match(/not a CA/);
      const notCa = makeCert({ cn: 'gen int', issuer: root, ca: false, keyUsage: CA_KU });
      rejects('bad_certificate', der(leafUnder(notCa), notCa), genOpts);
      const noCertSign = makeCert({ cn: 'gen int', issuer: root, ca: true, keyUsage: KeyUsageBit.digitalSignature });
      expect(rejects('bad_certificate', der(leafUnder(noCertSign), noCertSign), genOpts).message).to.match(/keyCertSign/);
      // No keyUsage at all is fine for a CA.
      const noKu = makeCert({ cn: 'gen int', issuer: root, ca: true });
      verifyServerChain(der(leafUnder(noKu), noKu), opts(genOpts));
      // The root is held to the same rules.
      const rootNotCa = makeCert({ cn: 'gen root2', noBasicConstraints: true });
      rejects('bad_certificate', der(leafUnder(rootNotCa)), { roots: [rootNotCa.cert], serverName: 'gen.test' });
    });

    it('checks the leaf keyUsage and extendedKeyUsage', () => {
      rejects('bad_certificate', der(leafUnder(root, { keyUsage: KeyUsageBit.keyEncipherment })), genOpts, 'INVALID_PURPOSE');
      verifyServerChain(der(leafUnder(root, { keyUsage: undefined, eku: undefined })), opts(genOpts));
      verifyServerChain(der(leafUnder(root, { eku: ['1.3.6.1.5.5.7.3.2', OID_SERVER_AUTH] })), opts(genOpts));
      rejects('unsupported_certificate', der(leafUnder(root, { eku: ['2.5.29.37.0'] })), genOpts); // anyExtendedKeyUsage
    });

    it('rejects unknown critical extensions anywhere in the path, ignores non-critical ones', () => {
      const critical = [ext('1.2.3.4', true, new AlgorithmIdentifier({ algorithm: '1.2.3' }))];
      const lax = [ext('1.2.3.4', false, new AlgorithmIdentifier({ algorithm: '1.2.3' }))];
      rejects('unsupported_certificate', der(leafUnder(root, { extraExtensions: critical })), genOpts, 'UNHANDLED_CRITICAL_EXTENSION');
      verifyServerChain(der(leafUnder(root, { extraExtensions: lax })), opts(genOpts));
      const int = makeCert({ cn: 'gen int', issuer: root, ca: true, extraExtensions: critical });
      rejects('unsupported_certificate', der(leafUnder(int), int), genOpts);
    });

    it('rejects an expired intermediate', () => {
      const int = makeCert({ cn: 'gen int', issuer: root, ca: true, notAfter: new Date('2026-01-01T00:00:00Z') });
      rejects('certificate_expired', der(leafUnder(int), int), genOpts, 'CERT_HAS_EXPIRED');
    });

    it(`limits paths to ${MAX_PATH_LENGTH} certificates`, () => {
      const build = (intermediates: number) => {
        let issuer = root;
        const ints: Issued[] = [];
        for (let i = 0; i < intermediates; i++) {
          issuer = makeCert({ cn: `gen int ${i}`, issuer, ca: true });
          ints.unshift(issuer);
        }
        return der(leafUnder(issuer), ...ints);
      };
      verifyServerChain(build(MAX_PATH_LENGTH - 2), opts(genOpts));
      expect(rejects('bad_certificate', build(MAX_PATH_LENGTH - 1), genOpts, 'CERT_CHAIN_TOO_LONG').message).to.match(/longer than/);
    });

    it('rejects a self-signed server certificate that is not a root with unknown_ca', () => {
      const self = makeCert({ cn: 'gen self', dns: ['gen.test'], ca: true });
      rejects('unknown_ca', der(self), genOpts, 'DEPTH_ZERO_SELF_SIGNED_CERT');
      verifyServerChain(der(self), opts({ ...genOpts, roots: [self.cert] }));
    });

    it('terminates quickly on a pool full of look-alike issuers', () => {
      const decoys = Array.from({ length: 30 }, (_, i) =>
        makeCert({ cn: 'gen int', issuer: root, ca: true, key: { kind: 'ec', curve: 'P-256', d: new Uint8Array(32).fill(i + 1) } }),
      );
      // Each decoy is a valid CA with the right name, but none signed the leaf.
      const realInt = makeCert({ cn: 'gen int', issuer: root, ca: true, key: fixtureKey('server-p256.key') });
      const start = Date.now();
      rejects('bad_certificate', der(leafUnder(realInt), ...decoys), genOpts);
      verifyServerChain(der(leafUnder(realInt), ...decoys, realInt), opts(genOpts));
      expect(Date.now() - start).to.be.lessThan(10_000);
    });

    it('returns the parsed leaf', () => {
      const leaf = leafUnder(root);
      const got: Certificate = verifyServerChain(der(leaf), opts(genOpts));
      expect(got.der).to.deep.equal(leaf.cert.der);
      expect(got.subjectAltNames.dns).to.deep.equal(['gen.test']);
    });
  });
});
