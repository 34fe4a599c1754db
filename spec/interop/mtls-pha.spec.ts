/**
 * TLS 1.3 post-handshake client authentication (RFC 8446 §4.6.2) with
 * openssl on 127.0.0.1, both roles:
 *  - openssl s_client -enable_pha -cert -key against our server, which asks
 *    after the handshake (requestCert: 'post-handshake', requestClientCertificate());
 *  - our client (cert/key, so it offers post_handshake_auth) against openssl
 *    s_server, asked by s_server's `c` command (SSL_verify_client_post_handshake)
 *    and verified there with -CAfile -verify_return_error.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { TlsError } from '../../lib/errors.js';
import { AGAIN, EOF } from '../../lib/session/contract.js';
import type { ServerOptions } from '../../lib/tls13/config.js';
import { fixturePath, serverIdentity } from '../support/fixtures.js';
import type { SocketDriver } from '../support/run-over-socket.js';
import { type ClientPki, makeClientPki } from './mtls-pki.js';
import { type OpensslServer, requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import { closeGracefully, closeOurs, connectOurs, listenOurs, text, token, utf8 } from './tls13-support.js';

const leafCn = (der: Uint8Array) => /CN=([^\n,]+)/.exec(new X509Certificate(der).subject)?.[1];

/**
 * Reads until `done(received)` holds after a read, `received` being the text
 * so far: the answer to a request is handshake records alone, so a plain
 * read for data would wait past it.
 */
async function readUntil(driver: SocketDriver, done: (received: string) => boolean): Promise<string> {
  let received = '';
  await driver.until(() => {
    // Read until AGAIN, as a channel does: the recv() that queued our answer returns before sending it.
    for (let r = driver.session.recv(); r !== AGAIN; r = driver.session.recv()) {
      if (r === EOF) throw new Error(`EOF before the condition held (received ${JSON.stringify(received)})`);
      received += text(r);
    }
    return done(received) ? true : AGAIN;
  });
  return received;
}

/**
 * s_server's `c` command: a CertificateRequest now. s_server takes a command
 * only when it is alone in one read of stdin ("c\n"): wait before the next
 * line, or both arrive together and the line after it is lost.
 */
async function askViaSServer(srv: OpensslServer): Promise<void> {
  srv.send('c\n');
  await new Promise((r) => setTimeout(r, 300));
}

describe('TLS 1.3 post-handshake client authentication with openssl', function () {
  this.timeout(30_000);
  let pki: ClientPki;

  before(function () {
    this.timeout(60_000);
    requirePeer('openssl', this);
    pki = makeClientPki();
  });
  after(async () => {
    await closeOurs();
    await stopAll();
    pki?.cleanup();
  });

  for (const kind of ['ecdsa', 'rsa'] as const) {
    it(`openssl s_client -enable_pha (${kind}) answers our server's request after the handshake`, async () => {
      const client = pki.clients[kind];
      const server = await listenOurs({ ...serverIdentity('p256'), minVersion: 'TLSv1.3', requestCert: 'post-handshake', ca: pki.root } as ServerOptions);
      const pong = token('pong');
      const run = runOpensslClient({
        port: server.port,
        args: ['-enable_pha', '-cert', client.leafFile, '-cert_chain', client.intermediateFile, '-key', client.keyFile, '-CAfile', fixturePath('ca.pem'), '-servername', 'localhost'],
        closeWhen: pong,
        timeoutMs: 15_000,
      });
      const conn = await server.accepted(0);
      await conn.handshake;
      expect(conn.session.info.peerCertificates).to.deep.equal([]);
      await conn.driver.until(() => conn.session.requestClientCertificate());
      // s_client answers as it reads: give it something to read.
      await conn.driver.send(utf8(`${token('hello')}\n`));
      await readUntil(conn.driver, () => conn.session.info.authorized !== undefined);
      expect(conn.session.info.authorized).to.equal(true);
      expect(leafCn(conn.session.info.peerCertificates[0]!)).to.equal(client.cn);
      await conn.driver.send(utf8(`${pong}\n`));
      await conn.driver.readAll();
      const r = await run;
      expect(r.code, r.stderr).to.equal(0);
      await server.close();
    });
  }

  it('openssl s_client without -enable_pha: our server cannot ask (the session stays usable)', async () => {
    const server = await listenOurs({ ...serverIdentity('p256'), minVersion: 'TLSv1.3', requestCert: 'post-handshake', ca: pki.root } as ServerOptions);
    const pong = token('pong');
    const run = runOpensslClient({ port: server.port, args: ['-CAfile', fixturePath('ca.pem'), '-servername', 'localhost'], closeWhen: pong, timeoutMs: 15_000 });
    const conn = await server.accepted(0);
    await conn.handshake;
    expect(() => conn.session.requestClientCertificate()).to.throw(/post_handshake_auth/);
    await conn.driver.send(utf8(`${pong}\n`));
    await conn.driver.readAll();
    expect((await run).code).to.equal(0);
    await server.close();
  });

  for (const kind of ['ecdsa', 'rsa'] as const) {
    it(`our client (${kind}) answers openssl s_server's post-handshake request (the c command)`, async () => {
      const client = pki.clients[kind];
      const srv = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), args: ['-CAfile', pki.rootFile, '-verify_return_error'] });
      const end = await connectOurs(srv.port, { minVersion: 'TLSv1.3', cert: client.chain, key: client.key });
      const ping = token('ping');
      await end.driver.send(utf8(`${ping}\n`));
      await srv.waitForOutput(ping);
      expect(srv.output()).to.not.match(new RegExp(`CN ?= ?${client.cn}`));
      await askViaSServer(srv);
      // s_server asks, then writes; we answer as we read.
      const pong = token('pong');
      srv.send(`${pong}\n`);
      await readUntil(end.driver, (received) => received.includes(pong));
      // Still up after s_server verified our answer (-verify_return_error would have ended it).
      const again = token('again');
      await end.driver.send(utf8(`${again}\n`));
      await srv.waitForOutput(again);
      // The request went out (s_server prints the result of SSL_verify_client_post_handshake's handshake step).
      expect(srv.output()).to.match(/SSL_do_handshake -> 1/);
      await closeGracefully(end);
      await srv.stop();
    });
  }

  it("our client's untrusted certificate, sent after the handshake, is refused by s_server with unknown_ca", async () => {
    const srv = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), args: ['-CAfile', pki.rootFile, '-verify_return_error'] });
    const end = await connectOurs(srv.port, { minVersion: 'TLSv1.3', cert: pki.stranger.chain, key: pki.stranger.key });
    const ping = token('ping');
    await end.driver.send(utf8(`${ping}\n`));
    await srv.waitForOutput(ping);
    await askViaSServer(srv);
    srv.send(`${token('pong')}\n`);
    const failure = await readUntil(end.driver, () => false).then(() => undefined, (e: unknown) => e);
    expect((failure as TlsError).alert, String(failure)).to.equal('unknown_ca');
    expect((failure as TlsError).fromPeer).to.equal(true);
    await srv.stop();
  });
});
