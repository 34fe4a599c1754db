/**
 * Ed448 (RFC 8446 scheme 0x0808) against real peers, with an Ed448 root and
 * Ed448 leaves made by `openssl req/x509` at test time: OpenSSL and GnuTLS
 * servers whose CertificateVerify and certificate chain our client checks
 * (each crypto provider), their clients checking ours, and our Ed448 client
 * certificate checked by `openssl s_server -Verify`. The peers' own output
 * ("Peer signature type: Ed448", GnuTLS's "(EdDSA-Ed448)") says what was used.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { CA_EXT, leafExt, makePki, type Pki } from '../support/openssl-pki.js';
import {
  parseGnutlsDescription,
  parseOpensslClientOutput,
  requirePeer,
  runGnutlsClient,
  runOpensslClient,
  startGnutlsServer,
  startOpensslServer,
  stopAll,
} from './peers.js';
import { closeGracefully, closeOurs, connectOurs, listenOurs, text, token, utf8 } from './tls13-support.js';

const CLIENT_EXT = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];
const PROVIDERS: Array<[string, CryptoProvider]> = [['noble', nobleCrypto], ['node', nodeCrypto]];

describe('Ed448 interop', function () {
  this.timeout(30_000);
  let pki: Pki;
  const file = (name: string, ext: 'pem' | 'key') => join(pki.dir, `${name}.${ext}`);
  before(function () {
    requirePeer('openssl', this);
    pki = makePki('ED448');
    pki.root('ca', 'rxtls Ed448 interop root', { ext: CA_EXT });
    pki.issue('server', 'localhost', 'ca', leafExt('DNS:localhost', 'IP:127.0.0.1'));
    pki.issue('client', 'rxtls ed448 client', 'ca', CLIENT_EXT);
  });
  after(async () => {
    await closeOurs();
    await stopAll();
    pki?.cleanup();
  });

  describe('our client -> openssl s_server with an Ed448 certificate', () => {
    for (const version of ['tls1_3', 'tls1_2'] as const) {
      for (const [name, crypto] of PROVIDERS) {
        it(`${version}, ${name} provider: the chain and the server's Ed448 signature verify`, async () => {
          const srv = await startOpensslServer({ cert: file('server', 'pem'), key: file('server', 'key'), version });
          const end = await connectOurs(srv.port, { ca: pki.pem('ca'), crypto });
          expect(end.session.info.version).to.equal(version === 'tls1_3' ? 'TLSv1.3' : 'TLSv1.2');
          // TLS 1.3 CertificateVerify, or TLS 1.2 ServerKeyExchange (RFC 8422 §5.4 with RFC 8446's scheme).
          expect(end.session.info.signatureScheme).to.equal('ed448');
          const msg = token('ed448');
          await end.driver.send(utf8(`${msg}\n`));
          await srv.waitForOutput(msg);
          await end.driver.bye();
          await srv.stop();
        });
      }
    }

    it('TLS 1.3 mutual: openssl s_server -Verify checks our Ed448 client certificate and CertificateVerify', async () => {
      const srv = await startOpensslServer({ cert: file('server', 'pem'), key: file('server', 'key'), args: ['-Verify', '1', '-verify_return_error', '-CAfile', file('ca', 'pem')] });
      for (const [, crypto] of PROVIDERS) {
        const end = await connectOurs(srv.port, { ca: pki.pem('ca'), crypto, cert: pki.pem('client'), key: pki.keyPem('client') });
        const msg = token('ed448-mtls');
        await end.driver.send(utf8(`${msg}\n`));
        await srv.waitForOutput(msg);
        await end.driver.bye();
      }
      // OpenSSL 3.0 names the client it verified (-verify_return_error: a bad chain or signature ends the handshake)...
      expect(srv.output()).to.match(/subject=.*rxtls ed448 client/i);
      // One per connection (one per provider): the client CertificateVerify it checked was Ed448.
      expect(srv.output().match(/^Peer signature type: ed448$/gm)).to.have.length(PROVIDERS.length);
      await srv.stop();
    });
  });

  describe('openssl s_client -> our server with an Ed448 certificate', () => {
    for (const version of ['tls1_3', 'tls1_2'] as const) {
      for (const [name, crypto] of PROVIDERS) {
        it(`${version}, ${name} provider: s_client verifies our chain and sees an Ed448 signature`, async () => {
          const ours = await listenOurs({ cert: pki.pem('server'), key: pki.keyPem('server'), crypto });
          const msg = token('s_client-ed448');
          const run = runOpensslClient({
            port: ours.port,
            version,
            args: ['-servername', 'localhost', '-CAfile', file('ca', 'pem'), '-verify_return_error', '-verify_hostname', 'localhost'],
            input: `${msg}\n`,
            closeWhen: msg,
            timeoutMs: 10_000,
          });
          const conn = await ours.accepted(0);
          await conn.handshake;
          await conn.driver.send(await conn.driver.readBytes(msg.length + 1));
          const r = await run;
          expect(r.code, r.stderr).to.equal(0);
          const s = parseOpensslClientOutput(r.stdout + r.stderr);
          expect(s.verifyCode).to.equal(0);
          expect(s.peerSignatureType).to.equal('ed448'); // openssl 3.0's "Peer signature type", as for ed25519
          expect(conn.session.info.signatureScheme).to.equal('ed448');
          await closeGracefully(conn).catch(() => {});
          await ours.close();
        });
      }
    }
  });

  describe('GnuTLS', () => {
    it('gnutls-cli verifies our Ed448 chain and signature: (EdDSA-Ed448)', async function () {
      requirePeer('gnutls-cli', this);
      const ours = await listenOurs({ cert: pki.pem('server'), key: pki.keyPem('server') });
      const msg = token('gnutls-ed448');
      const run = runGnutlsClient({
        port: ours.port,
        insecure: false,
        args: [`--x509cafile=${file('ca', 'pem')}`, '--sni-hostname=localhost', '--verify-hostname=localhost'],
        input: `${msg}\n`,
        closeWhen: msg,
        timeoutMs: 10_000,
      });
      const conn = await ours.accepted(0);
      await conn.handshake;
      await conn.driver.send(await conn.driver.readBytes(msg.length + 1));
      const r = await run;
      expect(r.code, r.stderr).to.equal(0);
      expect(parseGnutlsDescription(r.stdout)).to.deep.include({ protocol: 'TLS1.3', signature: 'EdDSA-Ed448' });
      expect(conn.session.info.signatureScheme).to.equal('ed448');
      await closeGracefully(conn).catch(() => {});
      await ours.close();
    });

    it('our client verifies gnutls-serv\'s Ed448 chain and signature, and it takes our Ed448 client certificate', async function () {
      requirePeer('gnutls-serv', this);
      const server = await startGnutlsServer({
        cert: file('server', 'pem'),
        key: file('server', 'key'),
        args: ['--require-client-cert', '--verify-client-cert', `--x509cafile=${file('ca', 'pem')}`],
      });
      for (const [, crypto] of PROVIDERS) {
        const end = await connectOurs(server.port, { ca: pki.pem('ca'), crypto, cert: pki.pem('client'), key: pki.keyPem('client') });
        expect(end.session.info.signatureScheme).to.equal('ed448');
        const msg = token('gnutls-serv-ed448');
        await end.driver.send(utf8(`${msg}\n`));
        expect(text(await end.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
        await end.driver.bye();
      }
      await server.waitForOutput(/EdDSA-Ed448/);
      await server.stop();
    });
  });
});
