/**
 * TLS 1.3 interop with GnuTLS, both roles, on loopback: our client against
 * `gnutls-serv` (in a private network namespace, reached through the
 * harness's relay) and `gnutls-cli` (verifying with our CA) against our
 * server. Each suite and each group; the peer's own "- Description:" line
 * says what it negotiated.
 */
import { expect } from 'chai';
import type { GroupName } from '../../lib/crypto/provider.js';
import type { SuiteName } from '../../lib/tls13/suites.js';
import { parseGnutlsDescription, requirePeer, runGnutlsClient, startGnutlsServer, stopAll, type GnutlsServer } from './peers.js';
import { CA_FILE, CERTS, closeGracefully, closeOurs, connectOurs, listenOurs, text, token, utf8, type ClassicalGroup, type OurServer } from './tls13-support.js';

const GNUTLS_CIPHER: Record<SuiteName, string> = {
  TLS_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
};
const GNUTLS_GROUP: Record<ClassicalGroup, string> = { x25519: 'X25519', secp256r1: 'SECP256R1', secp384r1: 'SECP384R1', secp521r1: 'SECP521R1', x448: 'X448' };

const CASES: Array<[SuiteName, ClassicalGroup]> = [
  ['TLS_AES_128_GCM_SHA256', 'x25519'],
  ['TLS_AES_256_GCM_SHA384', 'secp384r1'],
  ['TLS_CHACHA20_POLY1305_SHA256', 'secp256r1'],
  // GnuTLS lists these last, as we do: negotiated only when named.
  ['TLS_AES_128_GCM_SHA256', 'secp521r1'],
  ['TLS_AES_256_GCM_SHA384', 'x448'],
];

function priority(suite: SuiteName, group: ClassicalGroup): string {
  return `NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+${GNUTLS_CIPHER[suite]}:-GROUP-ALL:+GROUP-${GNUTLS_GROUP[group]}`;
}

describe('TLS 1.3 interop: GnuTLS', function () {
  this.timeout(30_000);
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  describe('our client -> gnutls-serv --echo', () => {
    let server: GnutlsServer;
    before(async function () {
      requirePeer('gnutls-serv', this);
      server = await startGnutlsServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, priority: 'NORMAL:-VERS-ALL:+VERS-TLS1.3' });
    });

    for (const [suite, group] of CASES) {
      it(`${suite} x ${group}`, async () => {
        const end = await connectOurs(server.port, { suites: [suite], groups: [group] });
        expect(end.session.info).to.include({ version: 'TLSv1.3', suite, group, signatureScheme: 'ecdsa_secp256r1_sha256' });
        const msg = token('gnutls-echo');
        await end.driver.send(utf8(`${msg}\n`));
        expect(text(await end.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
        // The server's log holds every connection so far: read the newest description.
        await server.waitForOutput(new RegExp(`- Description: .*\\(${GNUTLS_CIPHER[suite]}\\)`));
        const lines = server.output().split('\n').filter((l) => l.startsWith('- Description:'));
        expect(parseGnutlsDescription(lines.at(-1)!)).to.deep.include({ protocol: 'TLS1.3', group, cipher: GNUTLS_CIPHER[suite] });
        await end.driver.bye();
      });
    }

    it('our default client (the hybrid and X25519 shares): GnuTLS 3.7, without ML-KEM, takes a classical group without a HelloRetryRequest', async () => {
      const end = await connectOurs(server.port, {});
      expect(end.session.info.group).to.be.oneOf(['x25519', 'secp256r1']);
      expect(end.session.info.helloRetry).to.equal(false);
      await end.driver.send(utf8('pq\n'));
      expect(text(await end.driver.readBytes(3))).to.equal('pq\n');
      await end.driver.bye();
    });

    it('a HelloRetryRequest from gnutls-serv (P-384 only) is answered', async () => {
      const only384 = await startGnutlsServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, priority: priority('TLS_AES_128_GCM_SHA256', 'secp384r1') });
      const end = await connectOurs(only384.port, { keyShareGroups: ['x25519'] });
      expect(end.session.info).to.include({ group: 'secp384r1', helloRetry: true });
      await end.driver.send(utf8('hrr\n'));
      expect(text(await end.driver.readBytes(4))).to.equal('hrr\n');
      await only384.stop();
    });
  });

  describe('gnutls-cli -> our server', () => {
    let ours: OurServer;
    before(async function () {
      requirePeer('gnutls-cli', this);
      ours = await listenOurs({ cert: CERTS.ed25519.cert, key: CERTS.ed25519.key, alpn: ['coap', 'h2'] });
    });
    after(() => ours?.close());

    CASES.forEach(([suite, group], i) => {
      it(`${suite} x ${group}, certificate verified with our CA, ALPN and SNI`, async () => {
        const msg = token('gnutls-cli');
        const run = runGnutlsClient({
          port: ours.port,
          insecure: false,
          priority: priority(suite, group),
          args: [`--x509cafile=${CA_FILE}`, '--sni-hostname=localhost', '--verify-hostname=localhost', '--alpn=h2'],
          input: `${msg}\n`,
          closeWhen: msg,
          timeoutMs: 10_000,
        });
        const conn = await ours.accepted(i);
        await conn.handshake;
        const got = await conn.driver.readBytes(msg.length + 1);
        await conn.driver.send(got);
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        expect(parseGnutlsDescription(r.stdout)).to.deep.include({ protocol: 'TLS1.3', group, cipher: GNUTLS_CIPHER[suite] });
        expect(r.stdout).to.include(msg);
        expect(r.stdout).to.match(/Application protocol: h2/i);
        expect(conn.session.info).to.include({ suite, group, alpn: 'h2', serverName: 'localhost', signatureScheme: 'ed25519' });
        await closeGracefully(conn).catch(() => {});
      });
    });
  });
});
