/**
 * Interop matrix, our TLS 1.3 client against real servers on 127.0.0.1
 * (issue 2, part 1): node:tls and `openssl s_server`, for every suite × group
 * × certificate, plus a forced HelloRetryRequest.
 *
 * The group is forced on both ends (the server's ecdhCurve / -groups, our
 * `groups`), the suite by our `suites`. Each case checks what WE negotiated
 * (session.info) against what the PEER says it did: node's getCipher() and
 * the ServerHello node put on the wire (node has no server-side group API),
 * openssl's own `-trace` of the ServerHello it sent and its "CIPHER is" line.
 */
import { expect } from 'chai';
import type { SuiteName } from '../../lib/tls13/suites.js';
import {
  parseOpensslServerOutput,
  requirePeer,
  startNodeTlsServer,
  startOpensslServer,
  stopAll,
  type NodeTlsServer,
  type OpensslServer,
} from './peers.js';
import {
  MATRIX,
  CERTS,
  closeGracefully,
  closeOurs,
  connectOurs,
  GROUPS,
  groupByCode,
  suiteByCode,
  text,
  token,
  traceHellos,
  utf8,
  waitFor,
  type MatrixCert,
  type OurEnd,
} from './tls13-support.js';
import type { ClassicalGroup } from './tls13-support.js';

/** The server's NewSessionTickets (decrypted off the wire) all landed in info.tickets. */
function expectTicketsKept(end: OurEnd, suite: SuiteName): void {
  const sent = end.tap.decrypt('server', suite, end.keylog).filter((e) => e.kind === 'handshake' && e.type === 4).length;
  expect(sent, 'the server sent session tickets').to.be.greaterThan(0);
  expect(end.session.info.tickets).to.have.length(sent);
  expect(end.session.info.tickets.every((t) => t.suite === suite)).to.equal(true);
}

describe('TLS 1.3 interop: our client', function () {
  this.timeout(20_000);

  after(async function () {
    await closeOurs();
    await stopAll();
  });

  describe('↔ node:tls server', function () {
    const servers = new Map<string, Promise<NodeTlsServer>>();
    /** One echo server per (certificate, group), its ecdhCurve restricted to that group. */
    const serverFor = (cert: MatrixCert, group: ClassicalGroup) => {
      const k = `${cert}/${group}`;
      if (!servers.has(k)) servers.set(k, startNodeTlsServer({ cert: CERTS[cert].cert, key: CERTS[cert].key, ecdhCurve: GROUPS[group].node, echo: true }));
      return servers.get(k)!;
    };

    for (const [cert, group, suite] of MATRIX) {
      it(`${suite} × ${group} × ${cert}`, async function () {
        const srv = await serverFor(cert, group);
        const index = srv.connections.length;
        const end = await connectOurs(srv.port, { suites: [suite], groups: [group] });
        const conn = await srv.waitForConnection(index);

        // Peer side: node's view, and the ServerHello it sent.
        expect(conn.protocol).to.equal('TLSv1.3');
        const hellos = end.tap.hellos();
        expect(hellos.map((h) => h.kind)).to.deep.equal(['ServerHello']);
        const peerSuite = suiteByCode(hellos[0]!.suites[0]!);
        const peerGroup = groupByCode(hellos[0]!.shareGroups[0]!);
        expect(conn.cipher.standardName).to.equal(peerSuite);
        expect([peerSuite, peerGroup]).to.deep.equal([suite, group]);

        // Our side agrees with the peer.
        expect(end.session.info).to.include({
          version: conn.protocol,
          suite: peerSuite,
          group: peerGroup,
          signatureScheme: CERTS[cert].scheme,
          helloRetry: false,
        });

        const msg = token('ping');
        await end.driver.send(utf8(msg));
        expect(text(await end.driver.readBytes(msg.length))).to.equal(msg);
        await waitFor(() => conn.data.toString() === msg, 'node to receive our message');
        expectTicketsKept(end, suite);
        await closeGracefully(end);
      });
    }

    it('HelloRetryRequest: we send an x25519 share only, the server accepts P-256 only', async function () {
      const srv = await serverFor('p256', 'secp256r1');
      const index = srv.connections.length;
      const end = await connectOurs(srv.port, { keyShareGroups: ['x25519'] });
      const conn = await srv.waitForConnection(index);
      const hellos = end.tap.hellos();
      expect(hellos.map((h) => h.kind)).to.deep.equal(['HelloRetryRequest', 'ServerHello']);
      expect(hellos.map((h) => groupByCode(h.shareGroups[0]!))).to.deep.equal(['secp256r1', 'secp256r1']);
      expect(end.session.info).to.include({ helloRetry: true, group: groupByCode(hellos[1]!.shareGroups[0]!), suite: conn.cipher.standardName });

      const msg = token('after-hrr');
      await end.driver.send(utf8(msg));
      expect(text(await end.driver.readBytes(msg.length))).to.equal(msg);
      await closeGracefully(end);
    });
  });

  describe('↔ openssl s_server -tls1_3', function () {
    before(function () {
      requirePeer('openssl', this);
    });

    const servers = new Map<string, Promise<OpensslServer>>();
    /** One s_server per (certificate, group), restricted with -groups, serving the suites one after another. */
    const serverFor = (cert: MatrixCert, group: ClassicalGroup) => {
      const k = `${cert}/${group}`;
      if (!servers.has(k)) {
        servers.set(k, startOpensslServer({ cert: CERTS[cert].certFile, key: CERTS[cert].keyFile, args: ['-groups', GROUPS[group].openssl, '-trace'] }));
      }
      return servers.get(k)!;
    };

    /** Handshake with `srv`, ping it and have it answer (typed on its stdin); returns the server's output for this connection. */
    async function exchange(srv: OpensslServer, options: Parameters<typeof connectOurs>[1]) {
      const from = srv.output().length;
      const end = await connectOurs(srv.port, options);
      const ping = token('ping');
      await end.driver.send(utf8(ping + '\n'));
      await srv.waitForOutput(ping);
      const pong = token('pong'); // lower case: s_server treats some upper-case line starts as commands
      srv.send(pong + '\n');
      expect(text(await end.driver.readBytes(pong.length + 1))).to.equal(pong + '\n');
      await closeGracefully(end);
      return { end, out: srv.output().slice(from) };
    }

    for (const [cert, group, suite] of MATRIX) {
      it(`${suite} × ${group} × ${cert}`, async function () {
        const srv = await serverFor(cert, group);
        const { end, out } = await exchange(srv, { suites: [suite], groups: [group] });

        // Peer side: the ServerHello openssl says it sent, and its summary line.
        const hellos = traceHellos(out);
        expect(hellos.map((h) => `${h.dir} ${h.kind}`)).to.deep.equal(['Received ClientHello', 'Sent ServerHello']);
        const sh = hellos[1]!;
        expect(parseOpensslServerOutput(out).cipher).to.equal(sh.suite);
        expect([sh.suite, groupByCode(sh.shareGroups[0]!)]).to.deep.equal([suite, group]);

        expect(end.session.info).to.include({
          version: 'TLSv1.3',
          suite: sh.suite as SuiteName,
          group: groupByCode(sh.shareGroups[0]!),
          signatureScheme: CERTS[cert].scheme,
          helloRetry: false,
        });
        expectTicketsKept(end, suite);
      });
    }

    it('HelloRetryRequest: we send an x25519 share only, s_server -groups P-256', async function () {
      const srv = await serverFor('p256', 'secp256r1');
      const { end, out } = await exchange(srv, { keyShareGroups: ['x25519'] });
      const hellos = traceHellos(out);
      expect(hellos.map((h) => `${h.dir} ${h.kind} ${h.shareGroups.map(groupByCode).join(',')}`)).to.deep.equal([
        'Received ClientHello x25519',
        'Sent HelloRetryRequest secp256r1',
        'Received ClientHello secp256r1',
        'Sent ServerHello secp256r1',
      ]);
      expect(end.session.info).to.include({ helloRetry: true, group: groupByCode(hellos[3]!.shareGroups[0]!), suite: hellos[3]!.suite as SuiteName });
    });
  });
});
