/**
 * In-memory TLS 1.2 pairs of our own client (maxVersion TLSv1.2) and server:
 * every suite × group × certificate over transports that say AGAIN at random
 * points and move one byte at a time (or a few thousand), data both ways
 * across record boundaries, close_notify; then resumption by ticket (and
 * by the renewed ticket), ALPN, the extended master secret, and refusals
 * seen from both sides. spec/session/pairs.spec.ts does the same for 1.3.
 */
import { expect } from 'chai';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import type { GroupName } from '../../lib/crypto/provider.js';
import { TlsError } from '../../lib/errors.js';
import type { Tls12SessionTicket } from '../../lib/handshake/session-info.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { type CertKind, serverIdentity } from '../support/fixtures.js';
import { prng } from '../support/memory-pipe.js';
import { type Pair, connect, exchangeAndClose, handshakeOutcome, makePair, stats } from './pair-helpers.js';

const SUITES: Tls12SuiteName[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
];
const GROUPS: GroupName[] = ['x25519', 'secp256r1', 'secp384r1'];
const CERTS: CertKind[] = ['p256', 'p384', 'ed25519'];
const SCHEME: Record<CertKind, string> = { p256: 'ecdsa_secp256r1_sha256', p384: 'ecdsa_secp384r1_sha384', ed25519: 'ed25519' };
/** TLS 1.2's supported_groups also names the curves a client takes in certificates (RFC 8422 §4). */
const CERT_CURVE: Record<CertKind, GroupName | undefined> = { p256: 'secp256r1', p384: 'secp384r1', ed25519: undefined };

const TLS12: Partial<ClientOptions> = { maxVersion: 'TLSv1.2' };

/** The client offers `group` and the certificate's curve; the server only `group`, so the key exchange uses it. */
function groupsFor(group: GroupName, cert: CertKind): { client: GroupName[]; server: GroupName[] } {
  const curve = CERT_CURVE[cert];
  return { client: curve && curve !== group ? [group, curve] : [group], server: [group] };
}

function expectAgreement(p: Pair, suite: Tls12SuiteName, group: GroupName, cert: CertKind): void {
  for (const info of [p.client.info, p.server.info]) {
    expect(info).to.include({ version: 'TLSv1.2', suite, group, signatureScheme: SCHEME[cert], extendedMasterSecret: true, resumed: false, serverName: 'localhost' });
  }
  // Both derived the same master secret: one CLIENT_RANDOM line each, equal.
  const serverLine = p.serverKeylog.find((l) => l.startsWith('CLIENT_RANDOM '));
  expect(serverLine).to.be.a('string');
  expect(Buffer.from(p.tap.secrets.get('CLIENT_RANDOM')!).toString('hex')).to.equal(serverLine!.split(' ')[2]);
}

describe('TLS 1.2 session pairs (our client and server)', function () {
  this.timeout(120_000);

  describe('every suite × group × certificate', () => {
    let combo = 0;
    for (const suite of SUITES) {
      for (const group of GROUPS) {
        for (const cert of CERTS) {
          const seed = ++combo;
          const groups = groupsFor(group, cert);
          const client = { ...TLS12, suites: [suite], groups: groups.client };
          const server = { ...serverIdentity(cert), groups: groups.server };

          it(`${suite} ${group} ${cert}: one byte at a time, AGAIN 30%`, () => {
            const p = connect(client, server, { againRate: 0.3, maxMove: 1, seed });
            expectAgreement(p, suite, group, cert);
            const before = { ...stats };
            exchangeAndClose(p, [0, 1, 300], seed);
            expect(stats.sendAgain).to.be.greaterThan(before.sendAgain);
            expect(stats.recvAgain).to.be.greaterThan(before.recvAgain);
          });

          it(`${suite} ${group} ${cert}: records of 0..100000 bytes, AGAIN 30%, partial moves`, () => {
            const p = connect(client, server, { againRate: 0.3, maxMove: 5000, seed: 1000 + seed });
            expectAgreement(p, suite, group, cert);
            exchangeAndClose(p, [0, 1, 16384, 16385, 100000], seed);
          });
        }
      }
    }
  });

  describe('the node:crypto provider on either side', () => {
    for (const suite of SUITES) {
      for (const side of ['server', 'client'] as const) {
        it(`${suite}: node:crypto ${side}, noble peer, and a resumption`, () => {
          const server: Partial<ServerOptions> = { ticketKeys: [generateTicketKey(nodeCrypto.random)], ...(side === 'server' ? { crypto: nodeCrypto } : {}) };
          const client: Partial<ClientOptions> = { ...TLS12, suites: [suite], ...(side === 'client' ? { crypto: nodeCrypto } : {}) };
          const p = connect(client, server, { againRate: 0.3, maxMove: 700, seed: 77 });
          expect(p.server.info).to.include({ version: 'TLSv1.2', suite });
          exchangeAndClose(p, [1, 17000], 5);
          const again = connect({ ...client, session: p.client.info.tickets[0] }, server, { againRate: 0.3, maxMove: 700, seed: 78 });
          expect(again.server.info.resumed).to.equal(true);
          exchangeAndClose(again, [300], 6);
        });
      }
    }
  });

  describe('resumption by session ticket', () => {
    const key = generateTicketKey((n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
    const server: Partial<ServerOptions> = { ticketKeys: [key] };

    /** The ticket our client kept from `p`. */
    const ticketOf = (p: Pair) => {
      expect(p.client.info.tickets).to.have.length(1);
      return p.client.info.tickets[0] as Tls12SessionTicket;
    };

    for (const suite of SUITES) {
      it(`${suite}: resumed with the ticket, then with the renewed one; data flows; AGAIN 30%, one byte at a time`, () => {
        const first = connect({ ...TLS12, suites: [suite] }, server, { againRate: 0.3, maxMove: 1, seed: 41 });
        const ticket = ticketOf(first);
        expect(ticket).to.include({ version: 'TLSv1.2', suite, extendedMasterSecret: true, lifetime: 7200, serverName: 'localhost' });
        let session = ticket;
        for (let round = 0; round < 2; round++) {
          const p = connect({ ...TLS12, suites: [suite], session }, server, { againRate: 0.3, maxMove: 1, seed: 42 + round });
          for (const info of [p.client.info, p.server.info]) expect(info).to.include({ version: 'TLSv1.2', suite, resumed: true, extendedMasterSecret: true });
          // No key exchange and no certificate on resumption.
          expect(p.server.info.group).to.equal(undefined);
          exchangeAndClose(p, [1, 20000], 7 + round);
          const renewed = ticketOf(p);
          expect(Buffer.from(renewed.ticket).equals(Buffer.from(session.ticket))).to.equal(false);
          expect(Buffer.from(renewed.masterSecret).equals(Buffer.from(ticket.masterSecret))).to.equal(true);
          session = renewed;
        }
      });
    }

    it('ALPN is kept across resumption', () => {
      const alpn = { client: { ...TLS12, alpn: ['h2', 'http/1.1'] }, server: { ...server, alpn: ['http/1.1'] } };
      const first = connect(alpn.client, alpn.server);
      expect(first.server.info.alpn).to.equal('http/1.1');
      const p = connect({ ...alpn.client, session: ticketOf(first) }, alpn.server, { againRate: 0.2, maxMove: 3, seed: 9 });
      expect(p.server.info).to.include({ resumed: true, alpn: 'http/1.1' });
      expect(p.client.info).to.include({ resumed: true, alpn: 'http/1.1' });
    });

    it('a server with other ticket keys gives a full handshake instead', () => {
      const first = connect(TLS12, server);
      const p = connect({ ...TLS12, session: ticketOf(first) }, { ticketKeys: [generateTicketKey((n) => new Uint8Array(n).fill(1))] });
      expect(p.server.info.resumed).to.equal(false);
      expect(p.client.info.resumed).to.equal(false);
      exchangeAndClose(p, [10], 3);
    });

    it('a server issuing no tickets (tickets: 0): the client keeps none, and a ticket still resumes', () => {
      const none = connect(TLS12, { ...server, tickets: 0 });
      expect(none.client.info.tickets).to.have.length(0);
      const withTicket = connect(TLS12, server);
      const p = connect({ ...TLS12, session: ticketOf(withTicket) }, { ...server, tickets: 0 });
      expect(p.server.info.resumed).to.equal(true);
      expect(p.client.info.tickets).to.have.length(0);
    });
  });

  describe('refusals, seen from both sides', () => {
    it('a TLS 1.2-only client and a TLS 1.3-only server: protocol_version', () => {
      const p = makePair(TLS12, { minVersion: 'TLSv1.3' });
      const r = handshakeOutcome(p);
      expect(r.server).to.be.instanceOf(TlsError).and.include({ alert: 'protocol_version', fromPeer: false });
      expect(r.client).to.be.instanceOf(TlsError).and.include({ alert: 'protocol_version', fromPeer: true });
    });

    it('no suite in common: handshake_failure', () => {
      const p = makePair({ ...TLS12, suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] }, { suites: ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] });
      const r = handshakeOutcome(p);
      expect(r.server).to.include({ alert: 'handshake_failure', fromPeer: false });
      expect(r.client).to.include({ alert: 'handshake_failure', fromPeer: true });
    });

    it("a client whose groups leave out our certificate's curve: handshake_failure", () => {
      const p = makePair({ ...TLS12, groups: ['x25519'] }, serverIdentity('p384'));
      const r = handshakeOutcome(p);
      expect(r.server).to.include({ alert: 'handshake_failure', fromPeer: false });
      expect((r.server as TlsError).message).to.match(/certificate's curve/);
    });

    it('both sides in a TLS 1.2 range, a server preferring 1.3 suites: still 1.2 (the client offered no 1.3)', () => {
      const p = connect(TLS12, {});
      expect(p.server.info.version).to.equal('TLSv1.2');
    });

    it('a client allowing 1.3 gets 1.3 from the default server; a 1.2-only server gives it 1.2 without the sentinel', () => {
      expect(connect({}, {}).client.info.version).to.equal('TLSv1.3');
      const p = connect({}, { maxVersion: 'TLSv1.2' });
      expect(p.client.info.version).to.equal('TLSv1.2');
    });
  });

  it('many pairs with random transports and random suites/groups (smoke)', () => {
    const rand = prng(2024);
    for (let i = 0; i < 12; i++) {
      const suite = SUITES[Math.floor(rand() * SUITES.length)]!;
      const cert = CERTS[Math.floor(rand() * CERTS.length)]!;
      const group = GROUPS[Math.floor(rand() * GROUPS.length)]!;
      const groups = groupsFor(group, cert);
      const p = connect({ ...TLS12, suites: [suite], groups: groups.client }, { ...serverIdentity(cert), groups: groups.server }, { againRate: rand() * 0.6, maxMove: 1 + Math.floor(rand() * 300), seed: 500 + i });
      expectAgreement(p, suite, group, cert);
      exchangeAndClose(p, [Math.floor(rand() * 40000)], i);
    }
  });
});
