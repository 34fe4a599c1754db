/**
 * In-memory TLS 1.2 pairs of our own client and server over the PSK key
 * exchanges (RFC 4279, RFC 5489) and the CCM_8 suites: every PSK suite, with
 * and without an identity hint, PSK-only and certificate+PSK servers, a
 * wrong key (the Finished record fails: bad_record_mac) and an unknown identity
 * (unknown_psk_identity), each alert seen on both sides.
 */
import { expect } from 'chai';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { TlsError } from '../../lib/errors.js';
import type { Tls12SessionTicket } from '../../lib/handshake/session-info.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { Tls12HandshakeType } from '../../lib/wire/tls12-enums.js';
import { HandshakeType } from '../../lib/wire/enums.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { resolveClientConfig, resolveServerConfig } from '../../lib/tls13/config.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { fromHex as hex } from '../support/hex.js';
import { connect, exchangeAndClose, handshakeOutcome, makePair } from './pair-helpers.js';

const PSK_SUITES: Tls12SuiteName[] = ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'];
const KEY = hex('00112233445566778899aabbccddeeff');
const KEYS = new Map([['client1', KEY]]);
const lookup = (identity: Uint8Array) => KEYS.get(new TextDecoder().decode(identity));

/** A client holding only a PSK (no `ca`): it offers the PSK suites alone. */
/** TLS 1.2 only: with TLS 1.3 on, a PSK client and server use the PSK in TLS 1.3 (spec/session/tls13-psk-pairs.spec.ts). */
const pskClient = (o: Partial<ClientOptions> = {}): Partial<ClientOptions> => ({ ca: undefined, psk: { identity: 'client1', key: KEY }, maxVersion: 'TLSv1.2', ...o });
/** A server holding only PSKs (no certificate). */
const pskServer = (o: Partial<ServerOptions> = {}): Partial<ServerOptions> => ({ cert: undefined, key: undefined, psk: lookup, ...o });

/** The handshake message types of the server's first flight, read from the wire. */
function serverFlightTypes(p: ReturnType<typeof makePair>): number[] {
  const wire = Buffer.concat(p.tap.bytes.server);
  const fragments: Buffer[] = [];
  for (let o = 0; o + 5 <= wire.length && wire[o] !== 20; o += 5 + wire.readUInt16BE(o + 3)) {
    if (wire[o] === 22) fragments.push(wire.subarray(o + 5, o + 5 + wire.readUInt16BE(o + 3)));
  }
  const hs = Buffer.concat(fragments);
  const types: number[] = [];
  for (let o = 0; o + 4 <= hs.length; o += 4 + hs.readUIntBE(o + 1, 3)) types.push(hs[o]!);
  return types.slice(0, types.indexOf(Tls12HandshakeType.server_hello_done) + 1); // its first flight
}

describe('TLS 1.2 PSK session pairs (our client and server)', function () {
  this.timeout(60_000);

  for (const suite of PSK_SUITES) {
    for (const crypto of [nobleCrypto, nodeCrypto]) {
      for (const hint of [undefined, 'our hint']) {
        it(`${suite} (${crypto.name}, ${hint ? 'with' : 'without'} an identity hint): data both ways, one byte at a time, AGAIN 30%`, () => {
          const p = connect(pskClient({ suites: [suite], crypto }), pskServer({ pskIdentityHint: hint, crypto, suites: [suite] }), { againRate: 0.3, maxMove: 1, seed: 7 });
          for (const info of [p.client.info, p.server.info]) {
            expect(info).to.include({ version: 'TLSv1.2', suite, pskIdentity: 'client1', extendedMasterSecret: true, resumed: false });
            expect(info.peerCertificates).to.deep.equal([]);
            expect(info.signatureScheme).to.equal(undefined);
            expect(info.group).to.equal(suite.includes('ECDHE') ? 'x25519' : undefined);
          }
          // Both derived the same master secret.
          const serverLine = p.serverKeylog.find((l) => l.startsWith('CLIENT_RANDOM '));
          expect(Buffer.from(p.tap.secrets.get('CLIENT_RANDOM')!).toString('hex')).to.equal(serverLine!.split(' ')[2]);
          // RFC 4279 §2: no Certificate; a plain-PSK ServerKeyExchange only with a hint.
          const ske = hint !== undefined || suite.includes('ECDHE');
          const expected = [HandshakeType.server_hello, ...(ske ? [Tls12HandshakeType.server_key_exchange] : []), Tls12HandshakeType.server_hello_done];
          expect(serverFlightTypes(p)).to.deep.equal(expected);
          exchangeAndClose(p, [0, 1, 16385, 40000], 3);
        });
      }
    }
  }

  it('without `suites` a PSK client offers the PSK suites (CCM_8 only when named) and a PSK server picks ECDHE_PSK first', () => {
    const p = connect(pskClient(), pskServer());
    expect(p.server.info.suite).to.equal('TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256');
    const c = resolveClientConfig({ psk: { identity: 'a', key: KEY }, crypto: nodeCrypto });
    // TLS 1.3 runs the suites of the PSK's hash (SHA-256 by default).
    expect(c.suites.map((s) => s.name)).to.deep.equal(['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256']);
    expect(c.tls12Suites.map((s) => s.name)).to.deep.equal(['TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256']);
  });

  it('the default certificate suites (ECDSA and RSA, by AEAD); with psk and a ca the PSK suites come after them', () => {
    const plain = resolveClientConfig({ serverName: 'localhost', ca: caPem(), crypto: nodeCrypto });
    expect(plain.tls12Suites.map((s) => s.name)).to.deep.equal([
      'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    ]);
    const both = resolveClientConfig({ serverName: 'localhost', ca: caPem(), crypto: nobleCrypto, psk: { identity: 'a', key: KEY } });
    expect(both.tls12Suites.map((s) => s.name)).to.deep.equal([
      'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256',
      'TLS_PSK_WITH_AES_128_GCM_SHA256',
    ]);
    expect(both.suites.length).to.be.greaterThan(0);
  });

  it('a server with a certificate and a psk callback serves certificate clients (TLS 1.3 and 1.2) and PSK clients', () => {
    const server = { psk: lookup };
    const tls13 = connect({}, server);
    expect(tls13.client.info.version).to.equal('TLSv1.3');
    const tls12 = connect({ maxVersion: 'TLSv1.2' }, server);
    expect(tls12.client.info.version).to.equal('TLSv1.2');
    expect(tls12.client.info.suite).to.match(/^TLS_ECDHE_ECDSA_/);
    expect(tls12.server.info.pskIdentity).to.equal(undefined);
    const psk = connect(pskClient(), server);
    expect(psk.server.info).to.include({ suite: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', pskIdentity: 'client1' });
    exchangeAndClose(psk, [100], 1);
  });

  it('a client with a ca and a psk takes the certificate suite the server prefers, or the PSK suite of a PSK-only server', () => {
    const both = { psk: { identity: 'client1', key: KEY }, maxVersion: 'TLSv1.2' as const };
    const cert = connect(both, { psk: lookup });
    expect(cert.client.info.suite).to.match(/^TLS_ECDHE_ECDSA_/);
    const psk = connect(both, pskServer());
    expect(psk.client.info.suite).to.equal('TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256');
  });

  for (const suite of PSK_SUITES) {
    // The keys differ, so the client's Finished record does not even decrypt: bad_record_mac, as OpenSSL's server answers.
    it(`${suite}: a wrong key fails at the client's Finished record (bad_record_mac), seen by both`, () => {
      const p = makePair(pskClient({ suites: [suite], psk: { identity: 'client1', key: hex('ff'.repeat(16)) } }), pskServer({ suites: [suite] }));
      const r = handshakeOutcome(p);
      expect(r.server).to.be.instanceOf(TlsError).and.include({ alert: 'bad_record_mac', fromPeer: false });
      expect(r.client).to.be.instanceOf(TlsError).and.include({ alert: 'bad_record_mac', fromPeer: true });
    });

    it(`${suite}: an unknown identity is unknown_psk_identity, seen by both`, () => {
      const p = makePair(pskClient({ suites: [suite], psk: { identity: 'stranger', key: KEY } }), pskServer({ suites: [suite] }));
      const r = handshakeOutcome(p);
      expect(r.server).to.be.instanceOf(TlsError).and.include({ alert: 'unknown_psk_identity', fromPeer: false });
      expect(r.client).to.be.instanceOf(TlsError).and.include({ alert: 'unknown_psk_identity', fromPeer: true });
    });
  }

  it('the callback sees the identity bytes as sent; a callback returning an empty key is internal_error', () => {
    const seen: string[] = [];
    const p = connect(pskClient({ psk: { identity: hex('c3a9'), key: KEY } }), pskServer({ psk: (id) => (seen.push(Buffer.from(id).toString('hex')), KEY) }));
    expect(seen).to.deep.equal(['c3a9']);
    expect(p.server.info.pskIdentity).to.equal('é');
    const bad = makePair(pskClient(), pskServer({ psk: () => new Uint8Array(0) }));
    expect(handshakeOutcome(bad).server).to.include({ alert: 'internal_error' });
  });

  it('a PSK client meets a certificate-only server: handshake_failure (no suite in common)', () => {
    const p = makePair(pskClient(), {});
    const r = handshakeOutcome(p);
    expect(r.server).to.include({ alert: 'handshake_failure', fromPeer: false });
    expect(r.client).to.include({ alert: 'handshake_failure', fromPeer: true });
  });

  it('ECDHE_PSK with no group in common is handshake_failure; plain PSK needs none', () => {
    const p = makePair(pskClient({ suites: ['TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256'], groups: ['secp384r1'] }), pskServer({ groups: ['x25519'] }));
    expect(handshakeOutcome(p).server).to.include({ alert: 'handshake_failure' });
    const plain = connect(pskClient({ suites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'], groups: ['secp384r1'] }), pskServer({ groups: ['x25519'] }));
    expect(plain.server.info.suite).to.equal('TLS_PSK_WITH_AES_128_GCM_SHA256');
  });

  it('a PSK session resumes by ticket', () => {
    const suites: Tls12SuiteName[] = ['TLS_PSK_WITH_AES_128_CCM_8'];
    // Both connections share the server's ticket key.
    const server = pskServer({ suites, ticketKeys: [generateTicketKey(nodeCrypto.random)] });
    const first = connect(pskClient({ suites }), server);
    const ticket = first.client.info.tickets[0] as Tls12SessionTicket;
    expect(ticket).to.include({ version: 'TLSv1.2', suite: 'TLS_PSK_WITH_AES_128_CCM_8' });
    exchangeAndClose(first, [10], 1);
    const resumed = connect(pskClient({ suites, session: ticket }), server);
    for (const info of [resumed.client.info, resumed.server.info]) expect(info).to.include({ resumed: true, suite: 'TLS_PSK_WITH_AES_128_CCM_8' });
    exchangeAndClose(resumed, [10], 2);
  });

  it('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 when named on both sides (it is never a default)', () => {
    for (const crypto of [nobleCrypto, nodeCrypto]) {
      const p = connect({ maxVersion: 'TLSv1.2', suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'], crypto }, { suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'], crypto });
      expect(p.server.info).to.include({ suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', signatureScheme: 'ecdsa_secp256r1_sha256' });
      exchangeAndClose(p, [0, 1, 16384, 20000], 5);
    }
    expect(resolveServerConfig({ ...serverIdentity('p256'), crypto: nodeCrypto }).tls12Suites.map((s) => s.name)).to.not.include('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
  });

  it('config: a PSK suite named without psk, a certificate suite named without a certificate, a bad key or identity are refused', () => {
    expect(() => resolveClientConfig({ serverName: 'x', ca: caPem(), suites: ['TLS_PSK_WITH_AES_128_GCM_SHA256'] })).to.throw(/psk/);
    expect(() => resolveServerConfig({ psk: lookup, suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] })).to.throw(/certificate/);

    expect(() => resolveClientConfig({ psk: { identity: 'a', key: KEY }, suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] })).to.throw(/ca/);
    expect(() => resolveClientConfig({ psk: { identity: 'a', key: new Uint8Array(0) } })).to.throw(RangeError);
    expect(() => resolveClientConfig({ psk: { identity: '', key: KEY } })).to.throw(/identity/);
    expect(() => resolveServerConfig({})).to.throw(/certificate/);
    expect(() => resolveServerConfig({ ...serverIdentity('p256'), pskIdentityHint: 'x' })).to.throw(/psk/);
    // A PSK-only server runs TLS 1.3 with external PSKs too.
    expect(resolveServerConfig({ psk: lookup, suites: ['TLS_AES_128_GCM_SHA256'] }).suites.map((s) => s.name)).to.deep.equal(['TLS_AES_128_GCM_SHA256']);
    const onlyPsk = resolveServerConfig({ psk: lookup, pskIdentityHint: 'hint' });
    expect(onlyPsk.suites.length).to.equal(3);
    expect(onlyPsk.chain).to.deep.equal([]);
    expect(Buffer.from(onlyPsk.pskIdentityHint!).toString()).to.equal('hint');
  });
});
