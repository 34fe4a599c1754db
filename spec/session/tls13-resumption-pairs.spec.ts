/**
 * TLS 1.3 resumption between our client and our server in memory (RFC 8446
 * §4.2.11, §4.6.1): stateless tickets sealed under the server's ticket keys,
 * offered by the client with the `session` option; rotation, expiry, a
 * wrong binder, and resumption across a HelloRetryRequest.
 */
import { expect } from 'chai';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { type Pair, connect, exchangeAndClose, handshakeOutcome, makePair, payload, transfer } from './pair-helpers.js';

const key = (seed: number) => generateTicketKey((n) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
const KEY = key(1);

/** Reads the tickets the server sent after its handshake and returns the first. */
function ticketOf(p: Pair): Tls13SessionTicket {
  transfer(p.server, p.client, payload(1));
  expect(p.client.info.tickets.length).to.be.greaterThan(0);
  const t = p.client.info.tickets[0]!;
  expect(t.version).to.equal('TLSv1.3');
  return t as Tls13SessionTicket;
}

/** A shared fake time: `clock` for the client, `date` for the server. */
function fakeTime() {
  let now = 1_700_000_000_000;
  return {
    advance: (ms: number) => (now += ms),
    client: { clock: () => now } as Partial<ClientOptions>,
    server: { date: () => new Date(now) } as Partial<ServerOptions>,
  };
}

describe('TLS 1.3 resumption, our client and server', () => {
  it('resumes with a ticket: no certificate, PSK with (EC)DHE, info.resumed on both sides; the new ticket resumes too', () => {
    const server = { ticketKeys: [KEY], alpn: ['h2'] };
    const client = { alpn: ['h2'] };
    const first = connect(client, server);
    expect(first.client.info.resumed).to.equal(false);
    let session = ticketOf(first);
    for (let round = 0; round < 2; round++) {
      const p = connect({ ...client, session }, server, { againRate: 0.3, maxMove: 3, seed: 5 + round });
      for (const info of [p.client.info, p.server.info]) expect(info).to.include({ version: 'TLSv1.3', resumed: true, alpn: 'h2' });
      expect(p.client.info.peerCertificates).to.have.length(0);
      expect(p.server.info.signatureScheme).to.equal(undefined);
      expect(p.server.info.group).to.be.a('string');
      const next = ticketOf(p);
      expect(Buffer.from(next.ticket).equals(Buffer.from(session.ticket))).to.equal(false);
      exchangeAndClose(p, [1, 5000], 3);
      session = next;
    }
  });

  it('a server of the fleet holding the key resumes; after rotation drops the key: a full handshake', () => {
    const first = connect({}, { ticketKeys: [KEY] });
    const session = ticketOf(first);
    const rotated = connect({ session }, { ticketKeys: [key(2), KEY] });
    expect(rotated.server.info.resumed).to.equal(true);
    // A copy: the client offers one ticket object once (single-use, below), and this one must reach the server.
    const dropped = connect({ session: { ...session } }, { ticketKeys: [key(3), key(2)] });
    expect(dropped.server.info.resumed).to.equal(false);
    expect(dropped.client.info.resumed).to.equal(false);
    expect(dropped.client.info.peerCertificates).to.have.length(1);
    exchangeAndClose(dropped, [10], 1);
  });

  it('an expired ticket: a full handshake (the server refuses it; so does the client when it knows)', () => {
    const t = fakeTime();
    const first = connect(t.client, { ...t.server, ticketKeys: [KEY], ticketLifetime: 60 });
    const session = ticketOf(first);
    expect(session.lifetime).to.equal(60);
    t.advance(61_000);
    // The client thinks the ticket is fresh (its clock lags): the server's own check refuses it.
    const serverSide = connect({ session: { ...session, receivedAt: session.receivedAt + 61_000 } }, { ...t.server, ticketKeys: [KEY] });
    expect(serverSide.server.info.resumed).to.equal(false);
    expect(serverSide.client.info.resumed).to.equal(false);
    const clientSide = connect({ ...t.client, session }, { ...t.server, ticketKeys: [KEY] });
    expect(clientSide.server.info.resumed).to.equal(false);
  });

  it('a ticket age outside the freshness window: a full handshake', () => {
    const t = fakeTime();
    const first = connect(t.client, { ...t.server, ticketKeys: [KEY] });
    const session = ticketOf(first);
    t.advance(5_000);
    const p = connect({ session: { ...session, receivedAt: session.receivedAt - 60_000 }, ...t.client }, { ...t.server, ticketKeys: [KEY] });
    expect(p.server.info.resumed).to.equal(false);
    t.advance(1_000);
    const ok = connect({ session, ...t.client }, { ...t.server, ticketKeys: [KEY] });
    expect(ok.server.info.resumed).to.equal(true);
  });

  it('a wrong binder (a wrong PSK for the ticket): decrypt_error', () => {
    const session = ticketOf(connect({}, { ticketKeys: [KEY] }));
    const p = makePair({ session: { ...session, psk: session.psk.map((b) => b ^ 1) } }, { ticketKeys: [KEY] });
    const out = handshakeOutcome(p);
    expect(out.server).to.be.instanceOf(Error).with.property('alert', 'decrypt_error');
  });

  it('resumes across a HelloRetryRequest (binder over message_hash and the retry)', () => {
    const server = { ticketKeys: [KEY], groups: ['secp256r1' as const] };
    const session = ticketOf(connect({ groups: ['x25519', 'secp256r1'] }, server));
    const p = connect({ session, groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'] }, server);
    for (const info of [p.client.info, p.server.info]) expect(info).to.include({ resumed: true, helloRetry: true, group: 'secp256r1' });
    exchangeAndClose(p, [100], 2);
  });

  it('forced HelloRetryRequest (helloRetry: always) still resumes', () => {
    const server = { ticketKeys: [KEY], helloRetry: 'always' as const };
    const session = ticketOf(connect({}, server));
    const p = connect({ session }, server);
    for (const info of [p.client.info, p.server.info]) expect(info).to.include({ resumed: true, helloRetry: true });
  });

  it('a ticket for another server name is not offered', () => {
    const session = ticketOf(connect({}, { ticketKeys: [KEY] }));
    const p = makePair({ session: { ...session, serverName: 'other.example' } }, { ticketKeys: [KEY] });
    const out = handshakeOutcome(p);
    expect(out.client).to.equal('done');
    expect(p.client.info.resumed).to.equal(false);
  });

  it('a ticket of a SHA-384 suite against a server choosing a SHA-256 one: a full handshake', () => {
    const session = ticketOf(connect({ suites: ['TLS_AES_256_GCM_SHA384'] }, { ticketKeys: [KEY] }));
    const p = connect({ session }, { ticketKeys: [KEY], suites: ['TLS_AES_128_GCM_SHA256'] });
    expect(p.server.info.resumed).to.equal(false);
  });
});

describe('TLS 1.3 tickets are single-use on our client (RFC 8446 §C.4)', () => {
  it('the same ticket object given to a second connection is not offered again (a full handshake); a copy is', () => {
    const server = { ticketKeys: [KEY] };
    const session = ticketOf(connect({}, server));
    expect(connect({ session }, server).server.info.resumed).to.equal(true);
    const again = connect({ session }, server);
    expect(again.server.info.resumed).to.equal(false);
    expect(again.client.info.peerCertificates).to.have.length(1);
    expect(connect({ session: { ...session } }, server).server.info.resumed).to.equal(true);
  });
});
