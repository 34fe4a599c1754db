/**
 * Our TLS 1.2 client against real servers on loopback: `openssl s_server
 * -tls1_2`, node:tls with maxVersion TLSv1.2, and gnutls-serv (in a private
 * network namespace) with TLS 1.2 only. Every suite × group with the P-256
 * fixture certificate, data both ways; resumption with the server's ticket
 * (RFC 5077), a server without the extended master secret (RFC 7627), a
 * HelloRequest after the handshake, and a scripted server that downgrades.
 *
 * What the peer did is read from the peer (its own log, node's socket API)
 * or from the raw bytes it sent (readServerFlight), not from our session alone.
 *
 * Groups: in TLS 1.2 supported_groups also lists the curves a client accepts
 * in the server's ECDSA certificate (RFC 8422 §5.1.1), and OpenSSL and GnuTLS
 * refuse a P-256 certificate to a client that lists only x25519. So our
 * client offers its default groups and the server is held to the group
 * under test.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import net from 'node:net';
import { TlsError } from '../../lib/errors.js';
import type { Tls12SessionTicket } from '../../lib/handshake/session-info.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { parseGnutlsDescription, requirePeer, startGnutlsServer, startNodeTlsServer, stopAll } from './peers.js';
import {
  GNUTLS_TLS12_PRIORITY,
  TLS12_SUITE_NAMES,
  TLS12_SUITES,
  gnutlsTls12Priority,
  readServerFlight,
  startOpensslTls12Server,
} from './tls12-peers.js';
import { fixturePath } from '../support/fixtures.js';
import { CERTS, GROUPS, GROUP_NAMES, closeOurs, connectOurs, text, token, utf8, type OurEnd } from './tls13-support.js';
import type { ClassicalGroup } from './tls13-support.js';

const P256 = CERTS.p256;
const TLS12 = { maxVersion: 'TLSv1.2' } as const;
const HT = { server_hello: 2, new_session_ticket: 4, certificate: 11, server_key_exchange: 12, certificate_request: 13, server_hello_done: 14 };
/** A full handshake's server messages before its ChangeCipherSpec, with a ticket. */
const FULL = [HT.server_hello, HT.certificate, HT.server_key_exchange, HT.server_hello_done, HT.new_session_ticket];
/** The same with a CertificateRequest (we answer it with an empty Certificate). */
const FULL_WITH_REQUEST = [HT.server_hello, HT.certificate, HT.server_key_exchange, HT.certificate_request, HT.server_hello_done, HT.new_session_ticket];

/**
 * Our session's view of a full ECDHE_ECDSA handshake with the P-256
 * certificate, and the server's messages before its ChangeCipherSpec (a
 * CertificateRequest from gnutls-serv, which asks for an optional client
 * certificate; a NewSessionTicket from every peer here).
 */
function expectFullHandshake(end: OurEnd, suite: Tls12SuiteName, group: ClassicalGroup, serverMessages: number[]): void {
  expect(end.session.info).to.include({
    version: 'TLSv1.2',
    suite,
    group,
    signatureScheme: 'ecdsa_secp256r1_sha256',
    extendedMasterSecret: true,
    resumed: false,
  });
  expect(end.session.info.peerCertificates).to.have.length.of.at.least(1);
  // The server's own bytes: the suite it chose and the group of its ServerKeyExchange.
  const flight = readServerFlight(end.tap);
  expect(flight.types).to.deep.equal(serverMessages);
  expect(flight).to.include({ suite: TLS12_SUITES[suite].code, group: GROUPS[group].code, scheme: 0x0403 });
}

/** We send a line, the peer echoes it (gnutls-serv, node) or prints it (s_server). */
async function roundTrip(end: OurEnd, label: string): Promise<string> {
  const msg = token(label);
  await end.driver.send(utf8(`${msg}\n`));
  return msg;
}

/** The ticket a handshake left in info.tickets. */
function ticketOf(end: OurEnd): Tls12SessionTicket {
  const t = end.session.info.tickets[0];
  expect(t, 'a session ticket').to.not.equal(undefined);
  expect(t!.version).to.equal('TLSv1.2');
  return t as Tls12SessionTicket;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('TLS 1.2 interop: our client', function () {
  this.timeout(30_000);
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  describe('-> openssl s_server -tls1_2', () => {
    before(function () {
      requirePeer('openssl', this);
    });

    for (const suite of TLS12_SUITE_NAMES) {
      for (const group of GROUP_NAMES) {
        it(`${suite} x ${group}: data both ways`, async () => {
          const server = await startOpensslTls12Server({
            cert: P256.certFile,
            key: P256.keyFile,
            args: ['-cipher', TLS12_SUITES[suite].openssl, '-groups', GROUPS[group].openssl],
          });
          const end = await connectOurs(server.port, { ...TLS12, suites: [suite] });
          expectFullHandshake(end, suite, group, FULL);
          const ours = await roundTrip(end, 's_server-in');
          await server.waitForOutput(ours);
          const theirs = token('s_server-out');
          server.send(`${theirs}\n`);
          expect(text(await end.driver.readBytes(theirs.length + 1))).to.equal(`${theirs}\n`);
          expect(server.output()).to.include(`CIPHER is ${TLS12_SUITES[suite].openssl}`);
          expect(server.output()).to.include('Secure Renegotiation IS supported');
          await end.driver.bye();
          await server.stop();
        });
      }
    }
  });

  describe('-> node:tls server (maxVersion TLSv1.2)', () => {
    for (const suite of TLS12_SUITE_NAMES) {
      for (const group of GROUP_NAMES) {
        it(`${suite} x ${group}: data both ways`, async () => {
          const server = await startNodeTlsServer({
            cert: P256.cert,
            key: P256.key,
            minVersion: 'TLSv1.2',
            maxVersion: 'TLSv1.2',
            ciphers: TLS12_SUITES[suite].openssl,
            ecdhCurve: GROUPS[group].node,
            echo: true,
          });
          const end = await connectOurs(server.port, { ...TLS12, suites: [suite] });
          expectFullHandshake(end, suite, group, FULL);
          const msg = await roundTrip(end, 'node');
          expect(text(await end.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
          const conn = await server.waitForConnection(0);
          expect(conn.protocol).to.equal('TLSv1.2');
          expect(conn.cipher.name).to.equal(TLS12_SUITES[suite].openssl);
          await end.driver.bye();
          await server.stop();
        });
      }
    }
  });

  describe('-> gnutls-serv (TLS 1.2 only)', () => {
    before(function () {
      requirePeer('gnutls-serv', this);
    });

    for (const suite of TLS12_SUITE_NAMES) {
      for (const group of GROUP_NAMES) {
        it(`${suite} x ${group}: data both ways`, async () => {
          const server = await startGnutlsServer({ cert: P256.certFile, key: P256.keyFile, priority: gnutlsTls12Priority(suite, [group]) });
          const end = await connectOurs(server.port, { ...TLS12, suites: [suite] });
          expectFullHandshake(end, suite, group, FULL_WITH_REQUEST);
          const msg = await roundTrip(end, 'gnutls');
          expect(text(await end.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
          await server.waitForOutput(/- Description: /);
          expect(parseGnutlsDescription(server.output())).to.deep.include({ protocol: 'TLS1.2', group, cipher: TLS12_SUITES[suite].gnutls });
          await end.driver.bye();
          await server.stop();
        });
      }
    }
  });

  describe('certificates, ALPN and SNI', () => {
    before(function () {
      requirePeer('openssl', this);
    });

    it('an Ed25519 certificate (RFC 8422 §2.1): ServerKeyExchange signed with ed25519', async () => {
      const server = await startOpensslTls12Server({ cert: CERTS.ed25519.certFile, key: CERTS.ed25519.keyFile });
      const end = await connectOurs(server.port, TLS12);
      expect(end.session.info).to.include({ version: 'TLSv1.2', signatureScheme: 'ed25519' });
      expect(readServerFlight(end.tap).scheme).to.equal(0x0807);
      const msg = await roundTrip(end, 'ed25519');
      await server.waitForOutput(msg);
      await end.driver.bye();
      await server.stop();
    });

    /**
     * TLS 1.2 does not bind an ECDSA hash to a curve, and OpenSSL's server
     * signs with the first ECDSA algorithm of our list whatever its curve:
     * with our default order a P-384 key signs with SHA-256 (0x0403).
     */
    it('a P-384 certificate with our default schemes: openssl signs ECDSA+SHA256 with it, and we verify that', async () => {
      const server = await startOpensslTls12Server({ cert: CERTS.p384.certFile, key: CERTS.p384.keyFile });
      const end = await connectOurs(server.port, TLS12);
      expect(end.session.info).to.include({ version: 'TLSv1.2', signatureScheme: 'ecdsa_secp256r1_sha256' });
      expect(readServerFlight(end.tap).scheme).to.equal(0x0403);
      await end.driver.bye();
      await server.stop();
    });

    it('a P-384 certificate with ecdsa_secp384r1_sha384 first in signatureSchemes: verified', async () => {
      const server = await startOpensslTls12Server({ cert: CERTS.p384.certFile, key: CERTS.p384.keyFile });
      const end = await connectOurs(server.port, { ...TLS12, signatureSchemes: ['ecdsa_secp384r1_sha384', 'ecdsa_secp256r1_sha256', 'ed25519'] });
      expect(end.session.info).to.include({ version: 'TLSv1.2', signatureScheme: 'ecdsa_secp384r1_sha384' });
      expect(readServerFlight(end.tap).scheme).to.equal(0x0503);
      await end.driver.bye();
      await server.stop();
    });

    const failures = [
      { what: 'a certificate from a root we do not trust', file: 'untrusted', serverName: 'localhost', alert: 'unknown_ca' },
      { what: 'an expired certificate', file: 'expired', serverName: 'localhost', alert: 'certificate_expired' },
      { what: 'a certificate for another name', file: 'server-p256', serverName: 'example.com', alert: 'certificate_unknown' },
    ];
    for (const f of failures) {
      it(`${f.what}: ${f.alert}, which the server receives`, async () => {
        const server = await startOpensslTls12Server({ cert: fixturePath(`${f.file}.pem`), key: fixturePath(`${f.file}.key`) });
        const err = await connectOurs(server.port, { ...TLS12, serverName: f.serverName }).then(() => undefined, (e: unknown) => e);
        expect(err).to.include({ alert: f.alert, fromPeer: false });
        await server.waitForOutput(new RegExp(`alert ${f.alert.replace('_', ' ')}`, 'i'));
        await server.stop();
      });
    }

    it('dangerouslySkipCertificateVerification: a chain from an untrusted root is accepted', async () => {
      const server = await startOpensslTls12Server({ cert: fixturePath('untrusted.pem'), key: fixturePath('untrusted.key') });
      const end = await connectOurs(server.port, { ...TLS12, dangerouslySkipCertificateVerification: true, ca: undefined });
      expect(end.session.info).to.include({ version: 'TLSv1.2', signatureScheme: 'ecdsa_secp256r1_sha256' });
      await end.driver.bye();
      await server.stop();
    });

    it('openssl s_server -alpn: the one protocol it chose (its own preference)', async () => {
      const server = await startOpensslTls12Server({ cert: P256.certFile, key: P256.keyFile, args: ['-alpn', 'http/1.1,h2'] });
      const end = await connectOurs(server.port, { ...TLS12, alpn: ['h2', 'http/1.1'] });
      expect(end.session.info.alpn).to.equal('http/1.1');
      expect(readServerFlight(end.tap).extensions).to.include(16);
      await server.waitForOutput('ALPN protocols advertised by the client: h2, http/1.1');
      await end.driver.bye();
      await server.stop();
    });

    it('node:tls: SNI and ALPN as the server saw them, and the ALPN in the ticket', async () => {
      const server = await startNodeTlsServer({
        cert: P256.cert,
        key: P256.key,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        ALPNProtocols: ['coap', 'h2'],
      });
      const end = await connectOurs(server.port, { ...TLS12, alpn: ['h2'] });
      const conn = await server.waitForConnection(0);
      expect([conn.socket.servername, conn.socket.alpnProtocol]).to.deep.equal(['localhost', 'h2']);
      expect(end.session.info).to.include({ alpn: 'h2', serverName: 'localhost' });
      expect(ticketOf(end)).to.include({ alpn: 'h2', serverName: 'localhost', suite: end.session.info.suite });
      await end.driver.bye();
      await server.stop();
    });
  });

  describe('resumption with the server ticket (RFC 5077)', () => {
    /** A full handshake that leaves a ticket, then a second connection resuming it. */
    async function fullThenResumed(port: number, options: Parameters<typeof connectOurs>[1] = {}): Promise<{ first: OurEnd; second: OurEnd }> {
      const first = await connectOurs(port, { ...TLS12, ...options });
      const ticket = ticketOf(first);
      await first.driver.bye();
      first.socket.destroy();
      const second = await connectOurs(port, { ...TLS12, ...options, session: ticket });
      return { first, second };
    }

    /** The second connection was abbreviated: no certificate, no key exchange, the ticket's suite. */
    function expectResumed(first: OurEnd, second: OurEnd): void {
      expect(second.session.info).to.include({ version: 'TLSv1.2', resumed: true, suite: first.session.info.suite, extendedMasterSecret: true });
      expect(second.session.info.peerCertificates).to.deep.equal([]);
      const flight = readServerFlight(second.tap);
      expect(flight.types).to.not.include(HT.certificate);
      expect(flight.types[0]).to.equal(HT.server_hello);
    }

    for (const suite of TLS12_SUITE_NAMES) {
      it(`openssl s_server: ${suite}, "Reused session-id" on its side`, async function () {
        requirePeer('openssl', this);
        const server = await startOpensslTls12Server({ cert: P256.certFile, key: P256.keyFile, args: ['-cipher', TLS12_SUITES[suite].openssl] });
        const { first, second } = await fullThenResumed(server.port, { suites: [suite] });
        expectResumed(first, second);
        const msg = await roundTrip(second, 'resumed');
        await server.waitForOutput(msg);
        expect(count(server.output(), 'Reused session-id')).to.equal(1);
        await second.driver.bye();
        await server.stop();
      });
    }

    it('node:tls: socket.isSessionReused() on its side', async () => {
      const reused: boolean[] = [];
      const server = await startNodeTlsServer({
        cert: P256.cert,
        key: P256.key,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        echo: true,
        onConnection: (socket) => reused.push(socket.isSessionReused()),
      });
      const { first, second } = await fullThenResumed(server.port);
      expectResumed(first, second);
      const msg = await roundTrip(second, 'node-resumed');
      expect(text(await second.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
      expect(reused).to.deep.equal([false, true]);
      await second.driver.bye();
      await server.stop();
    });

    it('gnutls-serv: resumed on its side', async function () {
      requirePeer('gnutls-serv', this);
      const server = await startGnutlsServer({ cert: P256.certFile, key: P256.keyFile, priority: GNUTLS_TLS12_PRIORITY });
      const { first, second } = await fullThenResumed(server.port);
      expectResumed(first, second);
      const msg = await roundTrip(second, 'gnutls-resumed');
      expect(text(await second.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
      await server.waitForOutput('*** This is a resumed session');
      expect(count(server.output(), '*** This is a resumed session')).to.equal(1);
      await second.driver.bye();
      await server.stop();
    });

    it('a ticket another server cannot open: a full handshake and a new ticket', async function () {
      requirePeer('openssl', this);
      const a = await startOpensslTls12Server({ cert: P256.certFile, key: P256.keyFile });
      const b = await startOpensslTls12Server({ cert: P256.certFile, key: P256.keyFile });
      const first = await connectOurs(a.port, TLS12);
      const ticket = ticketOf(first);
      await first.driver.bye();
      const second = await connectOurs(b.port, { ...TLS12, session: ticket });
      expect(second.session.info).to.include({ resumed: false, extendedMasterSecret: true });
      expect(readServerFlight(second.tap).types).to.deep.equal(FULL);
      expect(ticketOf(second).ticket).to.not.deep.equal(ticket.ticket);
      await second.driver.bye();
      await a.stop();
      await b.stop();
    });
  });

  describe('a server without the extended master secret (gnutls %NO_SESSION_HASH)', () => {
    const priority = `${GNUTLS_TLS12_PRIORITY}:%NO_SESSION_HASH`;
    before(function () {
      requirePeer('gnutls-serv', this);
    });

    it('is refused by default with handshake_failure', async () => {
      const server = await startGnutlsServer({ cert: P256.certFile, key: P256.keyFile, priority });
      const err = await connectOurs(server.port, TLS12).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(TlsError);
      expect(err).to.include({ alert: 'handshake_failure', fromPeer: false });
      expect((err as Error).message).to.include('extended master secret');
      await server.stop();
    });

    it('is accepted with allowLegacyNoExtendedMasterSecret, and its session resumes without EMS', async () => {
      const server = await startGnutlsServer({ cert: P256.certFile, key: P256.keyFile, priority });
      const options = { ...TLS12, allowLegacyNoExtendedMasterSecret: true };
      const first = await connectOurs(server.port, options);
      expect(first.session.info).to.include({ version: 'TLSv1.2', extendedMasterSecret: false, resumed: false });
      // The server's ServerHello carries no extended_master_secret (23).
      expect(readServerFlight(first.tap).extensions).to.not.include(0x17);
      const ticket = ticketOf(first);
      expect(ticket.extendedMasterSecret).to.equal(false);
      const msg = await roundTrip(first, 'no-ems');
      expect(text(await first.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
      await first.driver.bye();
      const second = await connectOurs(server.port, { ...options, session: ticket });
      expect(second.session.info).to.include({ resumed: true, extendedMasterSecret: false });
      const again = await roundTrip(second, 'no-ems-resumed');
      expect(text(await second.driver.readBytes(again.length + 1))).to.equal(`${again}\n`);
      await server.waitForOutput('*** This is a resumed session');
      await second.driver.bye();
      await server.stop();
    });
  });

  /**
   * RFC 5746 §4.5 / RFC 5246 §7.4.1.1: we never renegotiate and answer a
   * HelloRequest with a no_renegotiation warning. OpenSSL servers (s_server,
   * node) then end the connection with a fatal handshake_failure, their own
   * choice ("the application asked for a renegotiation and expects it"); the
   * reason they log, "no renegotiation", is our warning arriving.
   */
  describe('renegotiation: a HelloRequest after the handshake is answered with no_renegotiation', () => {
    it('openssl s_server "R"', async function () {
      requirePeer('openssl', this);
      const server = await startOpensslTls12Server({ cert: P256.certFile, key: P256.keyFile });
      const end = await connectOurs(server.port, TLS12);
      await server.waitForOutput('CIPHER is');
      server.send('R\n');
      const err = await end.driver.readAll().then(() => undefined, (e: unknown) => e);
      await server.waitForOutput(/no renegotiation/);
      expect(err).to.include({ alert: 'handshake_failure', fromPeer: true });
      await server.stop();
    });

    it('node:tls socket.renegotiate(): ERR_SSL_NO_RENEGOTIATION on its side', async () => {
      let refused!: Promise<Error>;
      const server = await startNodeTlsServer({
        cert: P256.cert,
        key: P256.key,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        onConnection: (socket) => {
          refused = new Promise((resolve) => socket.once('error', resolve));
          socket.renegotiate({}, () => {});
        },
      });
      const end = await connectOurs(server.port, TLS12);
      await server.waitForConnection(0);
      const err = await end.driver.readAll().then(() => undefined, (e: unknown) => e);
      expect(await refused).to.include({ code: 'ERR_SSL_NO_RENEGOTIATION' });
      expect(err).to.include({ alert: 'handshake_failure', fromPeer: true });
      await server.stop();
    });
  });

  describe('downgrade protection (RFC 8446 §4.1.3)', () => {
    for (const last of [1, 0]) {
      it(`a TLS 1.2 ServerHello ending in DOWNGRD\\x0${last} to our default (1.3 and 1.2) hello: illegal_parameter`, async () => {
        const { port, alertBytes, close } = await scriptedDowngrade(last);
        const err = await connectOurs(port).then(() => undefined, (e: unknown) => e);
        expect(err).to.be.instanceOf(TlsError);
        expect(err).to.include({ alert: 'illegal_parameter', fromPeer: false });
        // A plaintext fatal alert: level 2, illegal_parameter (47).
        expect(Buffer.from(await alertBytes).toString('hex')).to.equal('1503030002022f');
        await close();
      });
    }

    it('the same ServerHello to a TLS 1.2-only hello is no downgrade: the client waits for the Certificate', async () => {
      const { port, close } = await scriptedDowngrade(1, { endAfterHello: true });
      const err = await connectOurs(port, TLS12).then(() => undefined, (e: unknown) => e);
      // It got past the ServerHello and found the connection closed before the server's Certificate.
      expect(err).to.include({ code: 'ERR_TLS_PREMATURE_TERMINATION' });
      await close();
    });
  });
});

/**
 * A raw TCP server that answers any ClientHello with a TLS 1.2 ServerHello
 * whose random ends in the downgrade sentinel DOWNGRD\x01 (a TLS 1.3 server
 * brought down to 1.2) or DOWNGRD\x00 (to 1.1 or below), otherwise well formed
 * (our 1.2 suite, renegotiation_info, extended_master_secret, a session id
 * of its own). `alertBytes` resolves with the first record the client sends
 * after its hello; `endAfterHello` closes the connection after the ServerHello.
 */
async function scriptedDowngrade(last: number, opts: { endAfterHello?: boolean } = {}): Promise<{ port: number; alertBytes: Promise<Buffer>; close(): Promise<void> }> {
  let resolveAlert!: (b: Buffer) => void;
  const alertBytes = new Promise<Buffer>((r) => (resolveAlert = r));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buf = Buffer.alloc(0);
    let answered = false;
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const helloEnd = buf.length >= 5 ? 5 + buf.readUInt16BE(3) : Infinity;
      if (!answered && buf.length >= helloEnd) {
        answered = true;
        socket.write(downgradedServerHello(last));
        if (opts.endAfterHello) socket.end();
      }
      const rest = buf.subarray(helloEnd);
      if (rest.length >= 5 && rest.length >= 5 + rest.readUInt16BE(3)) resolveAlert(rest.subarray(0, 5 + rest.readUInt16BE(3)));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    alertBytes,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The ServerHello record, built by hand. */
function downgradedServerHello(last: number): Buffer {
  // A session id of its own, as a TLS 1.2 server that starts a new session (an echo of ours would mean resumption).
  const sessionId = Buffer.alloc(32, 0x11);
  const random = Buffer.concat([Buffer.alloc(24, 0x5a), Buffer.from('DOWNGRD', 'latin1'), Buffer.of(last)]);
  const extensions = Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00]); // renegotiation_info(empty), extended_master_secret
  const body = Buffer.concat([
    Buffer.of(0x03, 0x03), random, Buffer.of(sessionId.length), sessionId, Buffer.of(0xc0, 0x2b, 0x00),
    Buffer.of(extensions.length >> 8, extensions.length & 0xff), extensions,
  ]);
  const msg = Buffer.concat([Buffer.of(2, 0, body.length >> 8, body.length & 0xff), body]);
  return Buffer.concat([Buffer.of(22, 3, 3, msg.length >> 8, msg.length & 0xff), msg]);
}
