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
import type { GroupName } from '../../lib/crypto/provider.js';
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
import { CERTS, GROUPS, GROUP_NAMES, closeOurs, connectOurs, text, token, utf8, type OurEnd } from './tls13-support.js';

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
function expectFullHandshake(end: OurEnd, suite: Tls12SuiteName, group: GroupName, serverMessages: number[]): void {
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
          const server = await startGnutlsServer({ cert: P256.certFile, key: P256.keyFile, priority: gnutlsTls12Priority(suite, group) });
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
});
