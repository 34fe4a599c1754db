/**
 * TLS 1.3 external PSKs between our client and our server in memory (RFC 8446
 * §4.2.11, "ext binder"): the same `psk` options as TLS 1.2's PSK suites,
 * PSK-only on both sides or beside certificates, SHA-384 PSKs, psk_ke, a
 * wrong key, an unknown identity, and a HelloRetryRequest on the way.
 */
import { expect } from 'chai';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { connect, exchangeAndClose, handshakeOutcome, makePair, payload, transfer } from './pair-helpers.js';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const lookup = (id: Uint8Array) => (new TextDecoder().decode(id) === 'client1' ? KEY : undefined);
const pskClient = (o: Partial<ClientOptions> = {}): Partial<ClientOptions> => ({ ca: undefined, psk: { identity: 'client1', key: KEY }, ...o });
const pskServer = (o: Partial<ServerOptions> = {}): Partial<ServerOptions> => ({ cert: undefined, key: undefined, psk: lookup, ...o });

describe('TLS 1.3 external PSK, our client and server', () => {
  it('PSK-only on both sides: TLS 1.3 with psk_dhe_ke, no certificate, the identity on both sides', () => {
    const p = connect(pskClient(), pskServer(), { againRate: 0.3, maxMove: 3, seed: 2 });
    for (const info of [p.client.info, p.server.info]) {
      expect(info).to.include({ version: 'TLSv1.3', pskIdentity: 'client1', resumed: false, group: 'X25519MLKEM768' });
      expect(info.suite).to.match(/_SHA256$/);
      expect(info.peerCertificates).to.deep.equal([]);
    }
    // The binder was the external one: the client's ClientHello carries one identity with obfuscated_ticket_age 0.
    exchangeAndClose(p, [1, 20000], 1);
  });

  it('a server with a certificate and a psk callback takes the PSK of a client that offers one; without one, its certificate', () => {
    const both = connect(pskClient({ serverName: 'localhost' }), { psk: lookup });
    expect(both.server.info).to.include({ version: 'TLSv1.3', pskIdentity: 'client1', signatureScheme: undefined });
    const plain = connect({}, { psk: lookup });
    expect(plain.client.info.peerCertificates).to.have.length(1);
    expect(plain.server.info.pskIdentity).to.equal(undefined);
  });

  it('a SHA-384 PSK runs TLS_AES_256_GCM_SHA384 (the server reads the hash from the binder size)', () => {
    const p = connect(pskClient({ psk: { identity: 'client1', key: KEY, hash: 'sha384' } }), pskServer());
    expect(p.server.info).to.include({ suite: 'TLS_AES_256_GCM_SHA384', pskIdentity: 'client1' });
    exchangeAndClose(p, [100], 2);
  });

  it('psk_ke when both sides list it: no key_share in the ServerHello, no group; psk_dhe_ke wins when both have both', () => {
    const ke = connect(pskClient({ pskModes: ['psk_ke'] }), pskServer({ pskModes: ['psk_ke', 'psk_dhe_ke'] }));
    for (const info of [ke.client.info, ke.server.info]) expect(info).to.include({ pskIdentity: 'client1', group: undefined });
    exchangeAndClose(ke, [10], 3);
    const dhe = connect(pskClient({ pskModes: ['psk_dhe_ke', 'psk_ke'] }), pskServer({ pskModes: ['psk_dhe_ke', 'psk_ke'] }));
    expect(dhe.server.info.group).to.be.a('string');
  });

  it('a client offering psk_ke only meets a server allowing psk_dhe_ke only: no PSK in common, handshake_failure at the PSK-only server', () => {
    const r = handshakeOutcome(makePair(pskClient({ pskModes: ['psk_ke'] }), pskServer()));
    expect(r.server).to.include({ alert: 'handshake_failure', fromPeer: false });
    expect(r.client).to.include({ alert: 'handshake_failure', fromPeer: true });
  });

  it('a wrong key fails the binder: decrypt_error, read by the client', () => {
    const r = handshakeOutcome(makePair(pskClient({ psk: { identity: 'client1', key: new Uint8Array(32).fill(7) } }), pskServer()));
    expect(r.server).to.include({ alert: 'decrypt_error', fromPeer: false });
    expect(r.client).to.include({ alert: 'decrypt_error', fromPeer: true });
  });

  it('an unknown identity at a PSK-only server: handshake_failure; at a server with a certificate: a full handshake the PSK-only client refuses', () => {
    const unknown = handshakeOutcome(makePair(pskClient({ psk: { identity: 'stranger', key: KEY } }), pskServer()));
    expect(unknown.client).to.include({ alert: 'handshake_failure', fromPeer: true });
    const withCert = handshakeOutcome(makePair(pskClient({ psk: { identity: 'stranger', key: KEY } }), { psk: lookup }));
    expect(withCert.client).to.include({ alert: 'handshake_failure', fromPeer: false });
  });

  it('across a HelloRetryRequest (the server asks for another group): the PSK is offered again and taken', () => {
    const p = connect(pskClient({ keyShareGroups: ['secp256r1'] }), pskServer({ groups: ['x25519', 'secp256r1'], retryForGroups: ['x25519'] }));
    for (const info of [p.client.info, p.server.info]) expect(info).to.include({ helloRetry: true, pskIdentity: 'client1', group: 'x25519' });
    exchangeAndClose(p, [10], 4);
  });

  it('the PSK server issues tickets, and a ticket resumes on a server of the fleet whose callback knows nobody', () => {
    const ticketKeys = [generateTicketKey((n) => new Uint8Array(n).fill(9))];
    const first = connect(pskClient(), pskServer({ ticketKeys }));
    transfer(first.server, first.client, payload(1));
    const session = first.client.info.tickets[0];
    expect(session?.version).to.equal('TLSv1.3');
    const resumed = connect(pskClient({ session }), pskServer({ ticketKeys, psk: () => undefined }));
    for (const info of [resumed.client.info, resumed.server.info]) {
      expect(info.resumed).to.equal(true);
      expect(info.pskIdentity).to.equal(undefined);
    }
    exchangeAndClose(resumed, [10], 5);
  });
});
