/**
 * ALPN and SNI as the peer sees them (issue 2, part 3), on 127.0.0.1:
 *  - our client → node:tls server: the server's SNICallback and
 *    tlsSocket.servername see our SNI; its ALPN choice is ours too;
 *  - our client → openssl s_server: s_server logs the ALPN lists and the SNI,
 *    and switches to its second certificate for our SNI (-servername/-cert2);
 *  - node:tls and s_client → our server: they report our ALPN choice, and our
 *    info.serverName is the name they sent.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { caPem } from '../support/fixtures.js';
import { parseOpensslClientOutput, requirePeer, runOpensslClient, startNodeTlsServer, startOpensslServer, stopAll } from './peers.js';
import {
  CA_FILE,
  CERTS,
  closeGracefully,
  closeOurs,
  collect,
  connectOurs,
  listenOurs,
  nodeClient,
  text,
  token,
  utf8,
  waitFor,
} from './tls13-support.js';

describe('TLS 1.3 interop: ALPN and SNI', function () {
  this.timeout(20_000);

  after(async function () {
    await closeOurs();
    await stopAll();
  });

  it('our client → node:tls server: the server sees our SNI and the ALPN protocol both sides chose', async function () {
    const sniSeen: string[] = [];
    const srv = await startNodeTlsServer({
      ...CERTS.p256,
      echo: true,
      ALPNProtocols: ['h2', 'http/1.1'],
      SNICallback: (name, cb) => {
        sniSeen.push(name);
        cb(null, undefined);
      },
    });
    const end = await connectOurs(srv.port, { serverName: 'rxtls.test', alpn: ['x-unknown', 'http/1.1'] });
    const conn = await srv.waitForConnection(0);
    const peer = conn.socket as typeof conn.socket & { servername?: string | false };
    expect(sniSeen).to.deep.equal(['rxtls.test']);
    expect(peer.servername).to.equal('rxtls.test');
    expect(conn.socket.alpnProtocol).to.equal('http/1.1'); // the only protocol in common
    expect(end.session.info.alpn).to.equal(conn.socket.alpnProtocol);
    expect(end.session.info.serverName).to.equal(peer.servername);

    const msg = token('alpn');
    await end.driver.send(utf8(msg));
    expect(text(await end.driver.readBytes(msg.length))).to.equal(msg);
    await closeGracefully(end);
  });

  it('our client → node:tls server without ALPN: none negotiated on either side', async function () {
    const srv = await startNodeTlsServer({ ...CERTS.p256, echo: true, ALPNProtocols: ['h2', 'http/1.1'] });
    const end = await connectOurs(srv.port);
    const conn = await srv.waitForConnection(0);
    expect(conn.socket.alpnProtocol).to.equal(false);
    expect(end.session.info.alpn).to.equal(undefined);
    expect((conn.socket as typeof conn.socket & { servername?: string }).servername).to.equal('localhost');
    await closeGracefully(end);
  });

  it('our client → node:tls server with an IP address as serverName: no SNI sent, the certificate still verified', async function () {
    const srv = await startNodeTlsServer({ ...CERTS.p256, echo: true });
    const end = await connectOurs(srv.port, { serverName: '127.0.0.1' }); // the fixture has SAN IP:127.0.0.1
    const conn = await srv.waitForConnection(0);
    expect((conn.socket as typeof conn.socket & { servername?: string | false }).servername).to.equal(false);
    expect(end.sent.hellos()[0]!.serverName, 'no server_name extension on the wire').to.equal(undefined);
    expect(end.session.info.peerCertificates).to.have.length.greaterThan(0);
    await closeGracefully(end);
  });

  it('our client → openssl s_server -alpn: it logs the protocols we offered and the one it selected', async function () {
    requirePeer('openssl', this);
    const srv = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, args: ['-alpn', 'h2,http/1.1'] });
    const end = await connectOurs(srv.port, { alpn: ['x-unknown', 'http/1.1'] });
    const ping = token('ping');
    await end.driver.send(utf8(ping + '\n'));
    const out = await srv.waitForOutput(ping);
    expect(/^ALPN protocols advertised by the client: (.*)$/m.exec(out)?.[1]).to.equal('x-unknown, http/1.1');
    const selected = /^ALPN protocols selected: (.*)$/m.exec(out)?.[1];
    expect(selected).to.equal('http/1.1');
    expect(end.session.info.alpn).to.equal(selected);
    await closeGracefully(end);
  });

  for (const [sni, cert] of [
    ['rxtls.test', 'ed25519'],
    ['localhost', 'p256'],
  ] as const) {
    it(`our client → openssl s_server -servername rxtls.test -cert2 (Ed25519): SNI ${sni} gets the ${cert} certificate`, async function () {
      requirePeer('openssl', this);
      // (s_server does not carry -alpn over to its -cert2 context, hence a separate test.)
      const srv = await startOpensslServer({
        cert: CERTS.p256.certFile,
        key: CERTS.p256.keyFile,
        args: ['-servername', 'rxtls.test', '-cert2', CERTS.ed25519.certFile, '-key2', CERTS.ed25519.keyFile],
      });
      const end = await connectOurs(srv.port, { serverName: sni });
      const ping = token('ping');
      await end.driver.send(utf8(ping + '\n'));
      const out = await srv.waitForOutput(ping);
      expect(/^Hostname in TLS extension: "(.*)"$/m.exec(out)?.[1]).to.equal(sni);
      expect(/^Switching server context\.$/m.test(out)).to.equal(sni === 'rxtls.test');
      expect(end.session.info.signatureScheme, 'the certificate s_server chose by our SNI').to.equal(CERTS[cert].scheme);
      await closeGracefully(end);
    });
  }

  it('node:tls client → our server: node sees our ALPN choice; we see its SNI', async function () {
    const server = await listenOurs({ ...CERTS.p256, alpn: ['http/1.1', 'h2'] });
    const socket = await nodeClient({ port: server.port, servername: 'rxtls.test', ca: caPem(), ALPNProtocols: ['h2', 'http/1.1'] });
    const end = await server.accepted(0);
    await end.handshake;
    expect(socket.authorized, String(socket.authorizationError)).to.equal(true); // our cert checked for rxtls.test
    expect(socket.alpnProtocol).to.equal('http/1.1'); // our preference among the client's
    expect(end.session.info.alpn).to.equal(socket.alpnProtocol);
    expect(end.session.info.serverName).to.equal('rxtls.test');
    expect(end.tap.hellos()[0]!.serverName, 'the SNI node put on the wire').to.equal(end.session.info.serverName);

    const got = collect(socket);
    await end.driver.send(utf8('hello-alpn'));
    expect((await got.until(10)).toString()).to.equal('hello-alpn');
    socket.end();
    await end.driver.readAll();
    await end.driver.bye();
    await server.close();
  });

  it('node:tls client → our server with no ALPN protocol in common: no_application_protocol', async function () {
    const server = await listenOurs({ ...CERTS.p256, alpn: ['h2'] });
    const err = await nodeClient({ port: server.port, servername: 'localhost', ca: caPem(), ALPNProtocols: ['http/1.1'] }).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    const end = await server.accepted(0);
    const ours = await end.handshake.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ours).to.be.instanceOf(TlsError);
    expect((ours as TlsError).alert).to.equal('no_application_protocol');
    expect(err?.code).to.equal('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
    await server.close();
  });

  it('openssl s_client → our server: it reports our ALPN choice; we see its SNI', async function () {
    requirePeer('openssl', this);
    const server = await listenOurs({ ...CERTS.ed25519, alpn: ['http/1.1', 'h2'] });
    const served = (async () => {
      const end = await server.accepted(0);
      await end.handshake;
      await end.driver.send(utf8('pong-alpn\n'));
      await end.driver.readAll();
      await end.driver.bye();
      return end;
    })();
    const res = await runOpensslClient({
      port: server.port,
      args: ['-servername', 'rxtls.test', '-alpn', 'h2,http/1.1', '-CAfile', CA_FILE, '-verify_return_error', '-verify_hostname', 'rxtls.test'],
      closeWhen: 'pong-alpn',
      timeoutMs: 10_000,
    });
    const end = await served;
    expect(res.code, res.stderr).to.equal(0);
    expect(parseOpensslClientOutput(res.stdout).verifyCode).to.equal(0);
    const alpn = /^ALPN protocol: (.*)$/m.exec(res.stdout)?.[1];
    expect(alpn).to.equal('http/1.1');
    expect(end.session.info.alpn).to.equal(alpn);
    expect(end.session.info.serverName).to.equal('rxtls.test');
    await waitFor(() => end.socket.destroyed || end.socket.readableEnded, 'the connection to end');
    await server.close();
  });
});
