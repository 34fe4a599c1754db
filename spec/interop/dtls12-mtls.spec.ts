/**
 * Mutual TLS over DTLS 1.2 with openssl on 127.0.0.1 (UDP): our client with
 * an ECDSA or RSA client chain against s_server -dtls1_2 -Verify 1
 * -verify_return_error -CAfile, and s_client -dtls1_2 -cert -key against our
 * server with requestCert (plus the refusal of a client without one).
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { TlsError } from '../../lib/errors.js';
import { EOF } from '../../lib/session/contract.js';
import type { DatagramSession } from '../../lib/session/datagram-session.js';
import { Session } from '../../lib/session/session.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { caPem, fixturePath, serverIdentity } from '../support/fixtures.js';
import { runOpensslDtlsClient, startOpensslDtlsServer, stopAll } from './dtls-peers.js';
import { type ClientPki, makeClientPki } from './mtls-pki.js';
import { requirePeer } from './peers.js';
import { text, token, utf8 } from './tls13-support.js';

const clock = () => performance.now();
const leafCn = (der: Uint8Array) => /CN=([^\n,]+)/.exec(new X509Certificate(der).subject)?.[1];

describe('interop: DTLS 1.2 mutual authentication with openssl', function () {
  this.timeout(20_000);
  let pki: ClientPki;
  const sessions: UdpSession[] = [];

  before(function () {
    this.timeout(60_000);
    requirePeer('openssl', this);
    pki = makeClientPki();
  });
  afterEach(() => sessions.splice(0).forEach((u) => u.close()));
  after(async () => {
    await stopAll();
    pki?.cleanup();
  });

  for (const kind of ['ecdsa', 'rsa'] as const) {
    it(`our client (${kind} chain) against s_server -dtls1_2 -Verify 1 -verify_return_error`, async () => {
      const client = pki.clients[kind];
      const server = await startOpensslDtlsServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), args: ['-Verify', '1', '-verify_return_error', '-CAfile', pki.rootFile] });
      try {
        const u = new UdpSession(Session.client({ protocol: 'dtls', serverName: 'localhost', ca: caPem(), clock, cert: client.chain, key: client.key }) as DatagramSession);
        sessions.push(u);
        await u.open(server.port);
        await u.handshake();
        const ours = token('from-rxtls');
        u.session.send(utf8(`${ours}\n`));
        await server.waitForOutput(ours);
        expect(server.output()).to.match(new RegExp(`depth=0 CN ?= ?${client.cn}`));
        expect(server.output()).to.not.match(/verify error/);
        const theirs = token('from-openssl');
        server.send(`${theirs}\n`);
        let got = '';
        while (!got.includes(theirs)) {
          const r = await u.recv(5000);
          if (r === EOF) throw new Error('EOF');
          got += text(r);
        }
        expect(u.session.bye()).to.equal('done');
      } finally {
        await server.stop();
      }
    });

    it(`s_client -dtls1_2 -cert -key (${kind}) against our server with requestCert`, async () => {
      const client = pki.clients[kind];
      const u = new UdpSession(Session.server({ protocol: 'dtls', ...serverIdentity('p256'), clock, requestCert: true, ca: pki.root }) as DatagramSession);
      sessions.push(u);
      const port = await u.open();
      const msg = token('hello');
      const run = runOpensslDtlsClient({
        port,
        args: ['-cert', client.leafFile, '-cert_chain', client.intermediateFile, '-key', client.keyFile, '-CAfile', fixturePath('ca.pem')],
        input: `${msg}\n`,
        closeWhen: /closed/,
        timeoutMs: 15_000,
      });
      await u.handshake();
      let got = '';
      while (!got.includes(msg)) {
        const r = await u.recv(5000);
        if (r === EOF) throw new Error('EOF');
        got += text(r);
      }
      expect(u.session.info.authorized).to.equal(true);
      expect(leafCn(u.session.info.peerCertificates[0]!)).to.equal(client.cn);
      expect(u.session.bye()).to.equal('done');
      const r = await run;
      expect(r.stdout + r.stderr).to.match(/DTLSv1\.2/);
    });
  }

  it('s_client -dtls1_2 without a certificate is refused with handshake_failure', async () => {
    const u = new UdpSession(Session.server({ protocol: 'dtls', ...serverIdentity('p256'), clock, requestCert: true, ca: pki.root }) as DatagramSession);
    sessions.push(u);
    const port = await u.open();
    const run = runOpensslDtlsClient({ port, args: ['-CAfile', fixturePath('ca.pem')], input: 'x\n', timeoutMs: 15_000 });
    const failure = await u.handshake().then(() => undefined, (e: unknown) => e);
    expect((failure as TlsError).alert).to.equal('handshake_failure');
    const r = await run;
    expect(r.stdout + r.stderr).to.match(/handshake failure/i);
  });
});
