/**
 * Raw public keys (RFC 7250) against a server that has never heard of them:
 * node:tls (OpenSSL 3.0, which has no RPK support) ignores our
 * server_certificate_type and sends its chain. With `ca` too our client
 * verifies that chain; with the raw key alone it stops at the server's first
 * flight with unsupported_certificate, saying why.
 */
import { createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { fixture } from '../support/fixtures.js';
import { startNodeTlsServer, stopAll } from './peers.js';
import { CERTS, closeOurs, connectOurs, text, token, utf8 } from './tls13-support.js';

const SPKI_PEM = createPublicKey(fixture('server-p256.pem')).export({ type: 'spki', format: 'pem' }) as string;

describe('RFC 7250 raw public keys: fallback against node:tls (no RPK support)', function () {
  this.timeout(15_000);
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: with \`ca\` too, the certificate is verified instead`, async () => {
      const server = await startNodeTlsServer({ cert: CERTS.p256.cert, key: CERTS.p256.key, minVersion: version, maxVersion: version, echo: true });
      const end = await connectOurs(server.port, { serverRawPublicKey: SPKI_PEM, minVersion: version, maxVersion: version });
      expect(end.session.info).to.include({ version, peerCertificateType: 'X509' });
      expect(end.session.info.peerRawPublicKey).to.equal(undefined);
      const msg = token('fallback');
      await end.driver.send(utf8(msg));
      expect(text(await end.driver.readBytes(msg.length))).to.equal(msg);
      await end.driver.bye();
      await server.stop();
    });

    it(`${version}: with the raw key alone, the handshake fails cleanly (unsupported_certificate)`, async () => {
      const server = await startNodeTlsServer({ cert: CERTS.p256.cert, key: CERTS.p256.key, minVersion: version, maxVersion: version });
      const err = await connectOurs(server.port, { ca: undefined, serverName: undefined, serverRawPublicKey: SPKI_PEM, minVersion: version, maxVersion: version }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(TlsError);
      expect(err).to.include({ alert: 'unsupported_certificate', code: 'ERR_TLS_ALERT_UNSUPPORTED_CERTIFICATE' });
      expect((err as TlsError).message).to.include('does not support raw public keys (RFC 7250)');
      await server.stop();
    });
  }
});
