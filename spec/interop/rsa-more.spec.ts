/**
 * RSA with the peers and paths rsa.spec.ts does not cover (issue 11, "Done
 * means"), on a PKI made here with the openssl CLI (rsa-certs.ts):
 *  - `rxtls server --http` with an RSA-2048 certificate answering
 *    `openssl s_client -tls1_3` and `-tls1_2`, curl --cacert and node's https.get;
 *  - our client against gnutls-serv (private network namespace) with an
 *    RSA-2048 certificate, TLS 1.3 and 1.2;
 *  - DTLS 1.2 with ECDHE_RSA: our client against `openssl s_server -dtls1_2`;
 *  - our server with an RSASSA-PSS key (rsa_pss_pss_*) against openssl s_client
 *    and node:tls.
 */
import { expect } from 'chai';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { EOF } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { httpsGet, rxtlsServer } from './cli-run.js';
import { startOpensslDtlsServer } from './dtls-peers.js';
import { parseGnutlsDescription, parseOpensslClientOutput, requireNetns, requirePeer, runOpensslClient, startGnutlsServer, stopAll, which } from './peers.js';
import { execTracked } from './proc.js';
import { type RsaPki, makeRsaPki } from './rsa-certs.js';
import { runOpensslClientAt } from './tls12-client-peers.js';
import { TLS12_SUITES } from './tls12-peers.js';
import { closeOurs, connectOurs, listenOurs, nodeClient, text, token, utf8 } from './tls13-support.js';

const GET = 'GET / HTTP/1.0\r\n\r\n';

describe('RSA interop: the CLI server, gnutls-serv, DTLS ECDHE_RSA, an RSA-PSS server key', function () {
  this.timeout(30_000);
  let pki: RsaPki;
  before(function () {
    requirePeer('openssl', this);
    this.timeout(120_000);
    pki = makeRsaPki();
  });
  after(async () => {
    await closeOurs();
    await stopAll();
    pki?.remove();
  });

  describe('rxtls server --http with an RSA-2048 certificate', () => {
    let server: Awaited<ReturnType<typeof rxtlsServer>>;
    before(async function () {
      this.timeout(30_000);
      server = await rxtlsServer(['--cert', pki.leaves.rsa2048.certFile, '--key', pki.leaves.rsa2048.keyFile, '--http']);
    });
    after(() => server?.proc.kill());

    for (const [flag, version, cipher] of [['tls1_3', 'TLSv1.3', /^TLS_/], ['tls1_2', 'TLSv1.2', /^ECDHE-RSA-/]] as const) {
      it(`answers openssl s_client -${flag}, verified against the RSA root`, async () => {
        const r = await runOpensslClient({ port: server.port, version: flag, args: ['-CAfile', pki.caFile, '-servername', 'localhost', '-verify_return_error'], input: GET, timeoutMs: 15_000 });
        expect(r.stdout).to.include('HTTP/1.0 200 OK');
        const peer = parseOpensslClientOutput(r.stdout + r.stderr);
        expect(peer).to.include({ protocol: version, verifyCode: 0 });
        expect(peer.cipher).to.match(cipher);
        expect(r.stdout + r.stderr).to.match(/Peer signature type: RSA-PSS/);
        expect(r.stdout).to.include(`Protocol: ${version}`); // our page
      });
    }

    it('answers curl --cacert', async function () {
      if (!which('curl')) this.skip();
      const r = await execTracked(['curl', '--silent', '--show-error', '--cacert', pki.caFile, '--resolve', `localhost:${server.port}:127.0.0.1`, `https://localhost:${server.port}/`], { timeoutMs: 15_000 });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include('Protocol: TLSv1.3');
    });

    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      it(`answers node's https.get (${version}), verified against the RSA root`, async () => {
        const res = await httpsGet(server.port, { ca: pki.ca, minVersion: version, maxVersion: version });
        expect(res.status).to.equal(200);
        expect(res.body).to.include(`Protocol: ${version}`);
      });
    }
  });

  describe('our client against gnutls-serv with an RSA-2048 certificate (private netns)', () => {
    before(async function () {
      requirePeer('gnutls-serv', this);
      await requireNetns(this);
    });

    for (const [version, gnutls] of [['TLSv1.3', 'TLS1.3'], ['TLSv1.2', 'TLS1.2']] as const) {
      it(`${version}: chain verified, data echoed`, async () => {
        const server = await startGnutlsServer({ cert: pki.leaves.rsa2048.certFile, key: pki.leaves.rsa2048.keyFile, priority: `NORMAL:-VERS-ALL:+VERS-${gnutls}` });
        try {
          const end = await connectOurs(server.port, { ca: pki.ca, minVersion: version, maxVersion: version });
          expect(end.session.info).to.include({ version, signatureScheme: 'rsa_pss_rsae_sha256' });
          if (version === 'TLSv1.2') expect(end.session.info.suite).to.match(/^TLS_ECDHE_RSA_WITH_/);
          const msg = token('gnutls-rsa');
          await end.driver.send(utf8(`${msg}\n`));
          expect(text(await end.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
          await server.waitForOutput(/- Description: /);
          expect(parseGnutlsDescription(server.output()).protocol).to.equal(gnutls);
          await end.driver.bye();
        } finally {
          await server.stop();
        }
      });
    }
  });

  describe('DTLS 1.2 ECDHE_RSA: our client against openssl s_server -dtls1_2', () => {
    const suites: Tls12SuiteName[] = ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'];
    for (const suite of suites) {
      it(suite, async () => {
        const server = await startOpensslDtlsServer({ cert: pki.leaves.rsa2048.certFile, key: pki.leaves.rsa2048.keyFile, args: ['-cipher', TLS12_SUITES[suite].openssl] });
        const u = new UdpSession(Session.client({ protocol: 'dtls', serverName: 'localhost', ca: pki.ca, suites: [suite], clock: () => performance.now() }));
        try {
          await u.open(server.port);
          await u.handshake();
          expect(u.session.info).to.include({ version: 'DTLSv1.2', suite });
          expect(u.session.info.signatureScheme).to.match(/^rsa_/);
          const ours = token('dtls-rsa');
          u.session.send(utf8(`${ours}\n`));
          await server.waitForOutput(ours);
          const theirs = token('from-openssl');
          server.send(`${theirs}\n`);
          let got = '';
          while (!got.includes(theirs)) {
            const r = await u.recv(5000);
            if (r === EOF) throw new Error('EOF before the line from s_server');
            got += text(r);
          }
          expect(server.output()).to.include(`CIPHER is ${TLS12_SUITES[suite].openssl}`);
        } finally {
          u.close();
          await server.stop();
        }
      });
    }
  });

  describe('our server with an RSASSA-PSS key', () => {
    const identity = () => ({ cert: pki.leaves.rsaPss.cert, key: pki.leaves.rsaPss.key, crypto: nobleCrypto });

    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      it(`openssl s_client ${version} verifies us: rsa_pss_pss_sha256`, async () => {
        const server = await listenOurs(identity());
        const msg = token('pss');
        const run = runOpensslClientAt(version, { port: server.port, args: ['-CAfile', pki.caFile, '-verify_return_error', '-servername', 'localhost'], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
        const conn = await server.accepted(0);
        await conn.handshake;
        await conn.driver.send(await conn.driver.readBytes(msg.length + 1));
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        expect(parseOpensslClientOutput(r.stdout + r.stderr)).to.deep.include({ protocol: version, verifyCode: 0 });
        expect(r.stdout + r.stderr).to.match(/Peer signature type: RSA-PSS/);
        expect(conn.session.info).to.include({ version, signatureScheme: 'rsa_pss_pss_sha256' });
        await server.close();
      });

      it(`node:tls ${version} verifies us`, async () => {
        const server = await listenOurs(identity());
        const socket = await nodeClient({ port: server.port, ca: pki.ca, servername: 'localhost', minVersion: version, maxVersion: version });
        const conn = await server.accepted(0);
        await conn.handshake;
        expect(socket.authorized).to.equal(true);
        expect(conn.session.info.signatureScheme).to.equal('rsa_pss_pss_sha256');
        socket.destroy();
        await server.close();
      });
    }
  });
});
