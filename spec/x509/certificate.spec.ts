import { expect } from 'chai';
import { AlgorithmIdentifier, ExtendedKeyUsage, SubjectPublicKeyInfo, id_ce_extKeyUsage } from '@peculiar/asn1-x509';
import { TlsError } from '../../lib/errors.js';
import { KeyUsageBit, OID_CLIENT_AUTH, OID_SERVER_AUTH, parseCertificate, parseCertificates } from '../../lib/x509/index.js';
import { decodePem } from '../../lib/x509/pem.js';
import { ext, fixtureCert, fixtureCerts, fixtureText, makeCert, makeCertDer } from './helpers.js';

const ALL_CERT_FIXTURES = [
  'ca.pem',
  'server-p256.pem',
  'server-p384.pem',
  'server-ed25519.pem',
  'int-ca.pem',
  'server-chain-leaf.pem',
  'server-chain.pem',
  'expired.pem',
  'client-only.pem',
  'other-ca.pem',
  'untrusted.pem',
];

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function badCertificate(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(TlsError);
    expect((e as TlsError).alert).to.equal('bad_certificate');
    return e as TlsError;
  }
  expect.fail('expected bad_certificate');
}

describe('x509/certificate', () => {
  it('parses every fixture certificate', () => {
    for (const name of ALL_CERT_FIXTURES) {
      for (const cert of fixtureCerts(name)) {
        expect(cert.version, name).to.equal(3);
        expect(cert.publicKey, name).to.not.equal(undefined);
        // tbsDer and the Names are the original bytes, found inside the DER.
        expect(indexOf(cert.der, cert.tbsDer), name).to.equal(4);
        expect(indexOf(cert.tbsDer, cert.subjectDer), name).to.be.greaterThan(0);
        expect(indexOf(cert.tbsDer, cert.issuerDer), name).to.be.greaterThan(0);
        expect(cert.serial).to.match(/^[0-9a-f]+$/);
      }
    }
  });

  it('reads the root CA', () => {
    const ca = fixtureCert('ca.pem');
    expect(ca.subject).to.equal('CN=rxtls test CA');
    expect(ca.issuer).to.equal('CN=rxtls test CA');
    expect(ca.subjectDer).to.deep.equal(ca.issuerDer);
    expect(ca.basicConstraints).to.deep.equal({ ca: true });
    expect(ca.keyUsage).to.equal(KeyUsageBit.keyCertSign | KeyUsageBit.cRLSign);
    expect(ca.extKeyUsage).to.equal(undefined);
    expect(ca.notBefore.toISOString()).to.equal('2025-01-01T00:00:00.000Z');
    // 2125 is past 2049, so this one is a GeneralizedTime.
    expect(ca.notAfter.toISOString()).to.equal('2125-01-01T00:00:00.000Z');
    expect(ca.signatureAlgorithm).to.equal('ecdsa-with-SHA256');
    expect(ca.publicKey).to.include({ kind: 'ec', curve: 'P-256' });
  });

  it('reads the server certificates', () => {
    const ca = fixtureCert('ca.pem');
    for (const [name, kind, curve, length] of [
      ['server-p256.pem', 'ec', 'P-256', 65],
      ['server-p384.pem', 'ec', 'P-384', 97],
      ['server-ed25519.pem', 'ed25519', undefined, 32],
    ] as const) {
      const c = fixtureCert(name);
      expect(c.subject).to.equal('CN=localhost');
      expect(c.issuerDer).to.deep.equal(ca.subjectDer);
      expect(c.basicConstraints).to.deep.equal({ ca: false });
      expect(c.keyUsage).to.equal(KeyUsageBit.digitalSignature);
      expect(c.extKeyUsage).to.deep.equal([OID_SERVER_AUTH]);
      expect(c.subjectAltNames.dns).to.deep.equal(['localhost', 'rxtls.test', '*.wild.rxtls.test']);
      expect(c.subjectAltNames.ip).to.deep.equal([
        new Uint8Array([127, 0, 0, 1]),
        new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
      ]);
      expect(c.signatureAlgorithm).to.equal('ecdsa-with-SHA256');
      const key = c.publicKey!;
      expect(key.kind).to.equal(kind);
      if (key.kind === 'ec') {
        expect(key.curve).to.equal(curve);
        expect(key.point.length).to.equal(length);
        expect(key.point[0]).to.equal(4);
      } else if (key.kind === 'ed25519') {
        expect(key.key.length).to.equal(length);
      }
      // The ECDSA signature is the DER Ecdsa-Sig-Value (a SEQUENCE).
      expect(c.signature[0]).to.equal(0x30);
    }
  });

  it('reads the intermediate chain and the other fixtures', () => {
    const [leaf, int] = fixtureCerts('server-chain.pem');
    expect(int!.basicConstraints).to.deep.equal({ ca: true, pathLen: 0 });
    expect(int!.publicKey).to.include({ kind: 'ec', curve: 'P-384' });
    expect(leaf!.signatureAlgorithm).to.equal('ecdsa-with-SHA384');
    expect(leaf!.issuerDer).to.deep.equal(int!.subjectDer);
    expect(fixtureCert('client-only.pem').extKeyUsage).to.deep.equal([OID_CLIENT_AUTH]);
    expect(fixtureCert('expired.pem').notAfter.toISOString()).to.equal('2021-01-01T00:00:00.000Z');
    expect(fixtureCert('other-ca.pem').publicKey?.kind).to.equal('ed25519');
    expect(fixtureCert('untrusted.pem').signatureAlgorithm).to.equal('ed25519');
    expect(fixtureCert('untrusted.pem').signature.length).to.equal(64);
  });

  it('parseCertificates takes PEM text, PEM bytes or DER', () => {
    const text = fixtureText('server-chain.pem');
    const fromText = parseCertificates(text);
    expect(fromText).to.have.length(2);
    expect(parseCertificates(new TextEncoder().encode(text)).map((c) => c.der)).to.deep.equal(fromText.map((c) => c.der));
    expect(parseCertificates(fromText[1]!.der)[0]!.subject).to.equal('CN=rxtls test intermediate CA');
  });

  it('leaves unsupported key types as undefined and lists unknown critical extensions', () => {
    const dsaSpki = new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10040.4.1', parameters: null }),
      subjectPublicKey: new Uint8Array([0x02, 0x01, 0x01]).buffer,
    });
    const { cert } = makeCert({
      cn: 'dsa',
      spki: dsaSpki,
      extraExtensions: [ext('1.2.3.4.5', true, new AlgorithmIdentifier({ algorithm: '1.2.3' }))],
    });
    expect(cert.publicKey).to.equal(undefined);
    expect(cert.publicKeyAlgorithm).to.equal('DSA');
    expect(cert.unhandledCriticalExtensions).to.deep.equal(['1.2.3.4.5']);
  });

  it('rejects trailing data, truncation and garbage with bad_certificate', () => {
    const der = fixtureCert('server-p256.pem').der;
    const withTrailer = new Uint8Array(der.length + 1);
    withTrailer.set(der);
    badCertificate(() => parseCertificate(withTrailer));
    badCertificate(() => parseCertificate(der.subarray(0, der.length - 1)));
    badCertificate(() => parseCertificate(der.subarray(0, 100)));
    badCertificate(() => parseCertificate(new Uint8Array(0)));
    badCertificate(() => parseCertificate(new Uint8Array([0x30, 0x00])));
    badCertificate(() => parseCertificate(decodePem(fixtureText('server-p256.key'))[0]!.der));
    badCertificate(() => parseCertificate('not bytes' as unknown as Uint8Array));
  });

  it('rejects a signature algorithm that differs from the signed one', () => {
    const der = makeCertDer({ cn: 'x', outerSignatureAlgorithm: '1.2.840.10045.4.3.3' });
    expect(badCertificate(() => parseCertificate(der)).message).to.match(/signatureAlgorithm/);
  });

  it('rejects duplicate extensions', () => {
    const dup = ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([OID_CLIENT_AUTH]));
    const der = makeCertDer({ cn: 'dup', eku: [OID_SERVER_AUTH], extraExtensions: [dup] });
    expect(badCertificate(() => parseCertificate(der)).message).to.match(/duplicate/);
  });
});
