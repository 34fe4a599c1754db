/**
 * Key-exchange groups against OpenSSL 3.0 (no ML-KEM): our default client and
 * server offer X25519MLKEM768 first and still connect without a
 * HelloRetryRequest (OpenSSL takes the X25519 share beside the hybrid; it
 * offers X25519 itself), and x448 / secp521r1 work both ways when named.
 */
import { expect } from 'chai';
import type { GroupName } from '../../lib/crypto/provider.js';
import { type OpensslServer, parseOpensslClientOutput, requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import { CA_FILE, CERTS, closeGracefully, closeOurs, connectOurs, listenOurs, text, token, traceHellos, utf8, type OurServer } from './tls13-support.js';

const HYBRID = 0x11ec;
const verifyArgs = ['-CAfile', CA_FILE, '-verify_return_error', '-servername', 'localhost'];

describe('Key-exchange groups: interop with openssl', function () {
  this.timeout(20_000);
  before(function () {
    requirePeer('openssl', this);
  });
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  /** Our client against s_server with `args`: a ping answered, and the hellos openssl traced. */
  async function ourClient(args: string[], options: Parameters<typeof connectOurs>[1]) {
    const srv: OpensslServer = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, args: [...args, '-trace'] });
    const end = await connectOurs(srv.port, options);
    const ping = token('ping');
    await end.driver.send(utf8(ping + '\n'));
    await srv.waitForOutput(ping);
    const pong = token('pong');
    srv.send(pong + '\n');
    expect(text(await end.driver.readBytes(pong.length + 1))).to.equal(pong + '\n');
    await closeGracefully(end);
    return { end, hellos: traceHellos(srv.output()) };
  }

  /** s_client with `args` against one of our servers; returns its summary and our session's info. */
  async function ourServer(server: OurServer, args: string[]) {
    const ping = token('ping');
    const served = (async () => {
      const conn = await server.accepted(0);
      await conn.handshake;
      const got = await conn.driver.readBytes(ping.length + 1);
      await conn.driver.send(got);
      await conn.driver.readAll();
      return conn;
    })();
    const res = await runOpensslClient({ port: server.port, args: [...args, ...verifyArgs], input: ping + '\n', closeWhen: ping + '\n', timeoutMs: 10_000 });
    expect(res.code, res.stderr).to.equal(0);
    const conn = await served;
    await server.close();
    return { summary: parseOpensslClientOutput(res.stdout), info: conn.session.info };
  }

  it('our default client -> s_server (defaults): the hybrid and X25519 shares offered, X25519 taken, no HelloRetryRequest', async () => {
    const { end, hellos } = await ourClient([], {});
    expect(hellos.map((h) => `${h.dir} ${h.kind}`)).to.deep.equal(['Received ClientHello', 'Sent ServerHello']);
    expect(hellos[0]!.shareGroups).to.deep.equal([HYBRID, 0x1d]);
    expect(hellos[1]!.shareGroups).to.deep.equal([0x1d]);
    expect(end.session.info).to.include({ version: 'TLSv1.3', group: 'x25519', helloRetry: false });
  });

  it('s_client (defaults) -> our default server: X25519, no HelloRetryRequest', async () => {
    const server = await listenOurs({ cert: CERTS.p256.cert, key: CERTS.p256.key });
    const { summary, info } = await ourServer(server, []);
    expect(summary).to.include({ protocol: 'TLSv1.3', group: 'x25519', verifyCode: 0 });
    expect(info).to.include({ group: 'x25519', helloRetry: false });
  });

  for (const [group, openssl] of [['x448', 'X448'], ['secp521r1', 'P-521']] as Array<[GroupName, string]>) {
    it(`${group}: our client -> s_server -groups ${openssl} (HelloRetryRequest from our default shares)`, async () => {
      const { end, hellos } = await ourClient(['-groups', openssl], {});
      expect(hellos.map((h) => `${h.dir} ${h.kind}`)).to.deep.equal(['Received ClientHello', 'Sent HelloRetryRequest', 'Received ClientHello', 'Sent ServerHello']);
      expect(end.session.info).to.include({ group, helloRetry: true });
    });

    it(`${group}: s_client -groups ${openssl} -> our default server`, async () => {
      const server = await listenOurs({ cert: CERTS.p256.cert, key: CERTS.p256.key });
      const { summary, info } = await ourServer(server, ['-groups', openssl]);
      expect(summary).to.include({ protocol: 'TLSv1.3', group, verifyCode: 0 });
      expect(info).to.include({ group, helloRetry: false });
    });

    it(`${group}: TLS 1.2 ECDHE, s_client -tls1_2 -groups ${openssl} -> our server (Ed25519 certificate)`, async () => {
      const server = await listenOurs({ cert: CERTS.ed25519.cert, key: CERTS.ed25519.key });
      const ping = token('ping');
      const served = (async () => {
        const conn = await server.accepted(0);
        await conn.handshake;
        await conn.driver.send(await conn.driver.readBytes(ping.length + 1));
        return conn;
      })();
      const res = await runOpensslClient({ port: server.port, version: 'tls1_2', args: ['-groups', openssl, ...verifyArgs], input: ping + '\n', closeWhen: ping + '\n', timeoutMs: 10_000 });
      expect(res.code, res.stderr).to.equal(0);
      const conn = await served;
      expect(conn.session.info).to.include({ version: 'TLSv1.2', group });
      await server.close();
    });
  }
});
