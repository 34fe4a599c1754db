/**
 * Raw public keys (RFC 7250) between our own client and server: TLS 1.3,
 * TLS 1.2 and DTLS 1.2 handshakes where the server sends its bare
 * SubjectPublicKeyInfo and the client accepts it because it is the configured
 * key; a different key refused with bad_certificate; the X.509 fallback when
 * the client also has `ca`, and a clean failure when it has not.
 */
import { createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { type CertKind, fixture, serverIdentity } from '../support/fixtures.js';
import { dtlsPair, runHandshake } from '../dtls/support/datagram-pair.js';
import { connect, exchangeAndClose, handshakeOutcome, makePair } from './pair-helpers.js';

/** What `openssl pkey -pubout` prints for a fixture's key. */
const publicKeyPem = (kind: CertKind | 'untrusted') => createPublicKey(fixture(kind === 'untrusted' ? 'untrusted.pem' : `server-${kind}.pem`)).export({ type: 'spki', format: 'pem' }) as string;
const spkiDer = (kind: CertKind) => new Uint8Array(createPublicKey(fixture(`server-${kind}.pem`)).export({ type: 'spki', format: 'der' }));

/** A client that knows the server by its raw key alone: no `ca`, no name. */
const rawClient = (o: Partial<ClientOptions> = {}): Partial<ClientOptions> => ({ ca: undefined, serverName: undefined, serverRawPublicKey: publicKeyPem('p256'), ...o });
const rawServer = (o: Partial<ServerOptions> = {}): Partial<ServerOptions> => ({ rawPublicKey: true, ...o });

const VERSIONS = [
  { name: 'TLS 1.3', version: 'TLSv1.3' as const },
  { name: 'TLS 1.2', version: 'TLSv1.2' as const },
];

describe('raw public keys (RFC 7250), our client and server', () => {
  for (const { name, version } of VERSIONS) {
    describe(name, () => {
      const only = { minVersion: version, maxVersion: version };

      for (const kind of ['p256', 'p384', 'ed25519'] as CertKind[]) {
        it(`authenticates the server by its ${kind} raw public key, and data flows`, () => {
          const p = connect(rawClient({ ...only, serverRawPublicKey: publicKeyPem(kind) }), rawServer(serverIdentity(kind)));
          expect(p.client.info.version).to.equal(version);
          expect(p.client.info.peerCertificateType).to.equal('RawPublicKey');
          expect(p.client.info.peerRawPublicKey).to.deep.equal(spkiDer(kind));
          expect(p.client.info.peerCertificates).to.deep.equal([]);
          exchangeAndClose(p, [1, 5000], 7);
        });
      }

      it('takes the key as DER, and among several configured keys', () => {
        const p = connect(rawClient({ ...only, serverRawPublicKey: [publicKeyPem('p384'), spkiDer('p256')] }), rawServer());
        expect(p.client.info.peerRawPublicKey).to.deep.equal(spkiDer('p256'));
      });

      it('refuses a server whose raw key is not the configured one: bad_certificate, ERR_TLS_RAW_PUBLIC_KEY_MISMATCH', () => {
        const out = handshakeOutcome(makePair(rawClient({ ...only, serverRawPublicKey: publicKeyPem('untrusted') }), rawServer()));
        expect(out.client).to.be.instanceOf(TlsError);
        const err = out.client as TlsError;
        expect(err.alert).to.equal('bad_certificate');
        expect(err.code).to.equal('ERR_TLS_RAW_PUBLIC_KEY_MISMATCH');
        expect(err.message).to.match(/raw public key \(sha256\/[A-Za-z0-9+/]{43}=\) is not one of the configured keys/);
        expect((out.server as TlsError).code).to.equal('ERR_TLS_PEER_ALERT_BAD_CERTIFICATE');
      });

      it('with `ca` too, prefers the raw key from a server that has one', () => {
        const p = connect({ ...only, serverRawPublicKey: publicKeyPem('p256') }, rawServer());
        expect(p.client.info.peerCertificateType).to.equal('RawPublicKey');
      });

      it('with `ca` too, verifies the certificate of a server without raw keys (it answers X509)', () => {
        const p = connect({ ...only, serverRawPublicKey: publicKeyPem('p256') }, {});
        expect(p.client.info.peerCertificateType).to.equal('X509');
        expect(p.client.info.peerRawPublicKey).to.equal(undefined);
        expect(p.client.info.peerCertificates).to.have.length(1);
      });

      it('without `ca`, a server without raw keys refuses the handshake: unsupported_certificate on both sides', () => {
        const out = handshakeOutcome(makePair(rawClient(only), {}));
        expect((out.server as TlsError).alert).to.equal('unsupported_certificate');
        expect((out.server as TlsError).message).to.include('`rawPublicKey` option');
        expect((out.client as TlsError).code).to.equal('ERR_TLS_PEER_ALERT_UNSUPPORTED_CERTIFICATE');
      });

      it('a server with raw keys still sends its chain to clients that do not ask', () => {
        const p = connect(only, rawServer());
        expect(p.client.info.peerCertificateType).to.equal('X509');
        expect(p.client.info.peerCertificates).to.have.length(1);
      });
    });
  }

  describe('DTLS 1.2', () => {
    it('authenticates the server by its raw public key, through the cookie exchange', () => {
      const p = dtlsPair({ client: rawClient(), server: rawServer(), cookie: true });
      runHandshake(p);
      expect(p.client.info.version).to.equal('DTLSv1.2');
      expect(p.client.info.peerCertificateType).to.equal('RawPublicKey');
      expect(p.client.info.peerRawPublicKey).to.deep.equal(spkiDer('p256'));
    });

    it('refuses a mismatching key with bad_certificate', () => {
      const p = dtlsPair({ client: rawClient({ serverRawPublicKey: publicKeyPem('untrusted') }), server: rawServer() });
      expect(() => runHandshake(p)).to.throw(TlsError).with.property('code', 'ERR_TLS_RAW_PUBLIC_KEY_MISMATCH');
    });
  });

  describe('configuration', () => {
    it('refuses contradictions and keys it cannot use, saying why', () => {
      const base = rawClient();
      expect(() => makePair({ ...base, dangerouslySkipCertificateVerification: true })).to.throw(/drop dangerouslySkipCertificateVerification/);
      expect(() => makePair({ ...base, pins: ['sha256/' + 'A'.repeat(43) + '='] })).to.throw(/`pins` check a verified certificate chain/);
      expect(() => makePair({ ...base, serverRawPublicKey: fixture('server-p256.key') })).to.throw(/"PUBLIC KEY" block/);
      expect(() => makePair({ ...base, serverRawPublicKey: Uint8Array.of(0x30, 0x00) })).to.throw(/not a SubjectPublicKeyInfo/);
      expect(() => makePair({}, { rawPublicKey: true, cert: undefined, key: undefined, psk: () => undefined })).to.throw(/needs|`rawPublicKey` serves/);
    });

    it('takes a certificate PEM as the key it holds', () => {
      const p = connect(rawClient({ serverRawPublicKey: fixture('server-p256.pem') }), rawServer());
      expect(p.client.info.peerRawPublicKey).to.deep.equal(spkiDer('p256'));
    });
  });
});
