/** Mutual TLS between our own client and server, TLS 1.3 and 1.2, in memory. */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { decodePemLabel } from '../../lib/x509/pem.js';
import { certificateFields } from '../../lib/x509/der-fields.js';
import { caPem, fixture } from '../support/fixtures.js';
import { makePki, type Pki } from '../support/openssl-pki.js';
import { AGAIN } from '../../lib/session/contract.js';
import { type Pair, connect, handshakeOutcome, makePair, payload, transfer } from './pair-helpers.js';

export const CLIENT_EXT = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];

/**
 * The alert the client ends with. A TLS 1.3 client has finished when it sent
 * its Finished: the server's refusal arrives as it reads (RFC 8446 §4.4.2.4).
 */
function clientAlert(p: Pair, outcome: 'done' | TlsError): string | undefined {
  if (outcome !== 'done') return outcome.alert;
  for (let i = 0; i < 1000; i++) {
    try {
      if (p.client.recv() === AGAIN) continue;
    } catch (e) {
      return (e as TlsError).alert;
    }
  }
  return undefined;
}

let pki: Pki;
before(() => {
  pki = makePki();
  pki.root('other', 'untrusted client CA');
  pki.issue('stranger', 'stranger', 'other', CLIENT_EXT);
});
after(() => pki.cleanup());
const stranger = () => ({ cert: pki.pem('stranger'), key: pki.keyPem('stranger') });

const clientCert = () => ({ cert: fixture('client-only.pem'), key: fixture('client-only.key') });
const requireCert = { requestCert: true, ca: caPem() };
const caSubject = () => certificateFields(decodePemLabel(caPem(), 'CERTIFICATE')[0]!).subjectDer;

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  const v = { maxVersion: version, minVersion: version };
  describe(`mutual TLS between our client and server (${version})`, () => {
    it('a client with cert/key is verified and its chain reaches info.peerCertificates', () => {
      const p = connect({ ...v, ...clientCert() }, requireCert);
      expect(p.server.info.authorized).to.equal(true);
      expect(p.server.info.peerCertificates).to.have.length(1);
      expect(Buffer.from(p.server.info.peerCertificates[0]!)).to.deep.equal(Buffer.from(decodePemLabel(fixture('client-only.pem'), 'CERTIFICATE')[0]!));
      transfer(p.client, p.server, payload(3000));
      transfer(p.server, p.client, payload(3000, 1));
    });

    it('the clientCertificate callback sees the CA list and the schemes', () => {
      const seen: Array<{ authorities: Uint8Array[]; signatureSchemes: string[] }> = [];
      const p = connect({ ...v, clientCertificate: (r) => (seen.push(r), clientCert()) }, requireCert);
      expect(seen).to.have.length(1);
      expect(seen[0]!.authorities.map((a) => Buffer.from(a))).to.deep.equal([Buffer.from(caSubject())]);
      expect(seen[0]!.signatureSchemes).to.include('ecdsa_secp256r1_sha256');
      expect(p.server.info.authorized).to.equal(true);
    });

    it('a client without a certificate fails with certificate_required (1.3) / handshake_failure (1.2)', () => {
      const p = makePair(v, requireCert);
      const r = handshakeOutcome(p);
      expect(r.server).to.be.instanceOf(TlsError);
      const alert = version === 'TLSv1.3' ? 'certificate_required' : 'handshake_failure';
      expect((r.server as TlsError).alert).to.equal(alert);
      expect(clientAlert(p, r.client)).to.equal(alert);
    });

    it('a client certificate from an unknown CA is unknown_ca', () => {
      const p = makePair({ ...v, ...stranger() }, requireCert);
      const r = handshakeOutcome(p);
      expect((r.server as TlsError).alert).to.equal('unknown_ca');
      expect(clientAlert(p, r.client)).to.equal('unknown_ca');
    });

    it('a certificate without clientAuth in its extendedKeyUsage is refused', () => {
      const r = handshakeOutcome(makePair({ ...v, cert: fixture('server-p256.pem'), key: fixture('server-p256.key') }, requireCert));
      expect((r.server as TlsError).code).to.equal('INVALID_PURPOSE');
    });

    it('rejectUnauthorized: false lets unverified clients in and says why', () => {
      const none = connect(v, { ...requireCert, rejectUnauthorized: false });
      expect(none.server.info.authorized).to.equal(false);
      expect(none.server.info.authorizationError).to.equal('ERR_TLS_NO_CLIENT_CERTIFICATE');
      const untrusted = connect({ ...v, ...stranger() }, { ...requireCert, rejectUnauthorized: false });
      expect(untrusted.server.info.authorized).to.equal(false);
      expect(untrusted.server.info.authorizationError).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect(untrusted.server.info.peerCertificates).to.have.length(1);
    });

    it('a client CertificateVerify that does not verify is decrypt_error', () => {
      // A provider whose signatures are corrupted: only the client's CertificateVerify is signed by the client.
      const flip = (sig: Uint8Array) => (sig.slice().fill(sig[0]! ^ 1, 0, 1));
      const crypto = { ...nobleCrypto, sign: (...a: Parameters<typeof nobleCrypto.sign>) => flip(nobleCrypto.sign(...a)), ecdsaSign: (...a: Parameters<typeof nobleCrypto.ecdsaSign>) => flip(nobleCrypto.ecdsaSign(...a)) };
      const p = makePair({ ...v, ...clientCert(), crypto }, requireCert);
      const r = handshakeOutcome(p);
      expect((r.server as TlsError).alert).to.equal('decrypt_error');
      expect(clientAlert(p, r.client)).to.equal('decrypt_error');
    });

    it('a server that does not ask gets no certificate from a client that has one', () => {
      const p = connect({ ...v, ...clientCert() }, {});
      expect(p.server.info.peerCertificates).to.deep.equal([]);
      expect(p.server.info.authorized).to.equal(undefined);
    });
  });
}

describe('mutual TLS options', () => {
  it('requestCert without ca (rejecting) is a configuration error', () => {
    expect(() => makePair({}, { requestCert: true })).to.throw(/requestCert.*ca/);
  });
  it('a client key that does not match its certificate is a configuration error', () => {
    expect(() => makePair({ cert: fixture('client-only.pem'), key: fixture('server-p256.key') })).to.throw(/does not match/);
  });
});

describe('TLS 1.3 post-handshake client authentication between our client and server', () => {
  const v13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;
  const later = { requestCert: 'post-handshake', ca: caPem() } as const;

  /** The server asks; data flows both ways while the request and its answer travel. */
  function askAndExchange(p: Pair): void {
    expect(p.server.requestClientCertificate()).to.equal('done');
    // The client answers as it reads; the server takes the answer as it reads the data sent after it.
    transfer(p.server, p.client, payload(500, 2));
    transfer(p.client, p.server, payload(500));
  }

  it('the server asks after the handshake; the client answers with its certificate', () => {
    const p = connect({ ...v13, ...clientCert() }, later);
    expect(p.server.info.authorized).to.equal(undefined);
    expect(p.server.info.peerCertificates).to.deep.equal([]);
    askAndExchange(p);
    expect(p.server.info.authorized).to.equal(true);
    expect(p.server.info.peerCertificates).to.have.length(1);
    // A second request on the same connection, with a fresh context.
    askAndExchange(p);
    expect(p.server.info.authorized).to.equal(true);
  });

  it('a client whose callback gives nothing answers with an empty Certificate: certificate_required', () => {
    const p = connect({ ...v13, clientCertificate: () => undefined }, later);
    p.server.requestClientCertificate();
    p.client.send(payload(10));
    let failure: unknown;
    for (let i = 0; i < 1000 && !failure; i++) {
      try {
        p.client.recv();
        p.server.recv();
      } catch (e) {
        failure = e;
      }
    }
    expect((failure as TlsError).alert).to.equal('certificate_required');
  });

  it('a client without a certificate does not offer it, and asking is a usage error that leaves the session usable', () => {
    const p = connect(v13, later);
    expect(() => p.server.requestClientCertificate()).to.throw(/post_handshake_auth/);
    transfer(p.client, p.server, payload(100));
  });

  it('TLS 1.2 has no post-handshake authentication', () => {
    const p = connect({ maxVersion: 'TLSv1.2', ...clientCert() }, later);
    expect(() => p.server.requestClientCertificate()).to.throw(/TLS 1.3/);
  });

  it("requestCert: 'post-handshake' sends no CertificateRequest in the handshake", () => {
    const seen: unknown[] = [];
    connect({ ...v13, clientCertificate: (r) => (seen.push(r), undefined) }, later);
    expect(seen).to.deep.equal([]);
  });
});
