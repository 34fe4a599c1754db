/**
 * Session.exportKeyingMaterial between our own client and server, TLS 1.3
 * and TLS 1.2 (every suite, so both PRF / HKDF hashes), full and resumed:
 * both ends export the same bytes, different connections different ones,
 * and misuse is a usage error that leaves the session working.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { TlsError } from '../../lib/errors.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import type { SuiteName } from '../../lib/tls13/suites.js';
import { type Pair, connect, makePair, payload, transfer } from './pair-helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const CONTEXT = Uint8Array.of(1, 2, 3, 4);

function expectSameOnBothEnds(p: Pair, label: string, context: Uint8Array | undefined, length: number): string {
  const c = hex(p.client.exportKeyingMaterial(label, context, length));
  expect(hex(p.server.exportKeyingMaterial(label, context, length))).to.equal(c);
  expect(c).to.have.length(2 * length);
  return c;
}

describe('exportKeyingMaterial between our client and server', () => {
  const TLS13: SuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
  for (const suite of TLS13) {
    it(`TLS 1.3 ${suite}: both ends agree; no context equals empty context`, () => {
      const p = connect({ suites: [suite] }, { suites: [suite] });
      expect(p.client.info.version).to.equal('TLSv1.3');
      const none = expectSameOnBothEnds(p, 'EXPORTER-rxtls-test', undefined, 32);
      expect(expectSameOnBothEnds(p, 'EXPORTER-rxtls-test', new Uint8Array(0), 32)).to.equal(none);
      expect(expectSameOnBothEnds(p, 'EXPORTER-rxtls-test', CONTEXT, 32)).to.not.equal(none);
      expect(expectSameOnBothEnds(p, 'EXPORTER-other', undefined, 32)).to.not.equal(none);
    });
  }

  const TLS12: Tls12SuiteName[] = ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'];
  for (const suite of TLS12) {
    it(`TLS 1.2 ${suite}: both ends agree; no context differs from empty context`, () => {
      const p = connect({ maxVersion: 'TLSv1.2', suites: [suite] }, { suites: [suite] });
      expect(p.client.info).to.include({ version: 'TLSv1.2', suite });
      const none = expectSameOnBothEnds(p, 'EXPORTER-rxtls-test', undefined, 32);
      const empty = expectSameOnBothEnds(p, 'EXPORTER-rxtls-test', new Uint8Array(0), 32);
      expect(empty).to.not.equal(none);
      expect(expectSameOnBothEnds(p, 'EXPORTER-rxtls-test', CONTEXT, 32)).to.not.equal(empty);
    });
  }

  it('TLS 1.2 resumption exports with the new randoms: the same master secret, other material', () => {
    const ticketKeys = [generateTicketKey((n) => new Uint8Array(randomBytes(n)))];
    const first = connect({ maxVersion: 'TLSv1.2' }, { ticketKeys });
    const ticket = first.client.info.tickets[0]!;
    expect(ticket).to.be.an('object');
    const again = connect({ maxVersion: 'TLSv1.2', session: ticket }, { ticketKeys });
    expect(again.client.info.resumed).to.equal(true);
    expect(again.server.info.resumed).to.equal(true);
    const a = expectSameOnBothEnds(first, 'EXPORTER-resume', undefined, 32);
    const b = expectSameOnBothEnds(again, 'EXPORTER-resume', undefined, 32);
    expect(b).to.not.equal(a);
  });

  it('two connections export different material', () => {
    expect(expectSameOnBothEnds(connect(), 'EXPORTER-x', undefined, 16)).to.not.equal(expectSameOnBothEnds(connect(), 'EXPORTER-x', undefined, 16));
  });

  it('before the handshake it is a usage error (an Error, not a TlsError), and the handshake still runs', () => {
    const p = makePair();
    expect(() => p.client.exportKeyingMaterial('EXPORTER-x', undefined, 16)).to.throw(Error, /handshake/).and.not.be.instanceOf(TlsError);
    expect(() => p.server.exportKeyingMaterial('EXPORTER-x', undefined, 16)).to.throw(Error, /handshake/);
    p.client.handshake();
    expect(() => p.client.exportKeyingMaterial('EXPORTER-x', undefined, 16)).to.throw(Error, /handshake/);
    p.server.handshake();
    p.client.handshake();
    p.server.handshake();
    expectSameOnBothEnds(p, 'EXPORTER-x', undefined, 16);
  });

  it('a reserved TLS 1.2 label is a TypeError that leaves the session working', () => {
    const p = connect({ maxVersion: 'TLSv1.2' });
    expect(() => p.client.exportKeyingMaterial('key expansion', undefined, 16)).to.throw(TypeError);
    expect(() => p.server.exportKeyingMaterial('master secret', undefined, 48)).to.throw(TypeError);
    transfer(p.client, p.server, payload(1000));
    transfer(p.server, p.client, payload(1000, 1));
    expectSameOnBothEnds(p, 'EXPORTER-after', undefined, 16);
  });

  it('after KeyUpdates (TLS 1.3) the material is unchanged: it comes from the exporter master secret', () => {
    const p = connect();
    const before = expectSameOnBothEnds(p, 'EXPORTER-ku', CONTEXT, 24);
    expect(p.client.keyUpdate(true)).to.equal('done');
    transfer(p.client, p.server, payload(100));
    transfer(p.server, p.client, payload(100, 2));
    expect(expectSameOnBothEnds(p, 'EXPORTER-ku', CONTEXT, 24)).to.equal(before);
  });
});
