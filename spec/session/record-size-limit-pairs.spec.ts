/**
 * record_size_limit (RFC 8449) between our own client and server: offered
 * and answered by default, and a small limit on either side really shapes
 * the protected records the other sends (read off the wire, not from the
 * sessions), in TLS 1.3 and TLS 1.2; a record over our limit is record_overflow.
 */
import { expect } from 'chai';
import { RecordReader } from '../../lib/record/record-reader.js';
import { Session } from '../../lib/session/session.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { AGAIN } from '../../lib/session/contract.js';
import { caPem } from '../support/fixtures.js';
import { connect, defaultClient, payload, tlsErrorOf, transfer } from './pair-helpers.js';
import { NOBLE_DEFAULT_SUITE, type Role, type WireTap } from './wire-tap.js';

/** The fragment length of every record `role` sent, with its outer content type. */
function records(tap: WireTap, role: Role): { type: number; length: number }[] {
  const reader = new RecordReader();
  reader.feed(concatBytes(...tap.bytes[role]));
  const out: { type: number; length: number }[] = [];
  for (let r = reader.next(); r; r = reader.next()) out.push({ type: r.type, length: r.fragment.length });
  return out;
}

/** The protected records: TLS 1.3 hides every type under application_data; TLS 1.2's follow the ChangeCipherSpec. */
function protectedRecords(tap: WireTap, role: Role, version: 'TLSv1.3' | 'TLSv1.2'): number[] {
  const all = records(tap, role);
  if (version === 'TLSv1.3') return all.filter((r) => r.type === 23).map((r) => r.length);
  return all.slice(all.findIndex((r) => r.type === 20) + 1).map((r) => r.length);
}

const conn = (s: Session) => (s as unknown as { conn: { sizes: { sendContent: number } } }).conn;

describe('record_size_limit (RFC 8449) pairs', function () {
  this.timeout(60_000);

  it('is offered and answered by default with 16385, both ways (TLS 1.3)', () => {
    const p = connect();
    expect(p.client.info.peerRecordSizeLimit).to.equal(16385);
    expect(p.server.info.peerRecordSizeLimit).to.equal(16385);
    transfer(p.server, p.client, payload(40_000));
    // Full-size records still flow: 2^14 content + type byte + 16-byte tag.
    expect(Math.max(...protectedRecords(p.tap, 'server', 'TLSv1.3'))).to.equal(16384 + 1 + 16);
  });

  it('TLS 1.2: the ServerHello answers with 2^14 (1.2 counts no type byte); a 1.2-only client offers 2^14', () => {
    const p = connect({}, { maxVersion: 'TLSv1.2' });
    expect(p.client.info.version).to.equal('TLSv1.2');
    expect(p.client.info.peerRecordSizeLimit).to.equal(16384);
    // The client offered 1.3 too, so 2^14+1; the 1.2 server reads it as 2^14 and does not refuse it (RFC 8449 §4).
    expect(p.server.info.peerRecordSizeLimit).to.equal(16385);
    expect(connect({ maxVersion: 'TLSv1.2' }).server.info.peerRecordSizeLimit).to.equal(16384);
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    // The AEAD's expansion: a 16-byte tag, plus TLS 1.2 GCM's 8-byte explicit nonce.
    const overhead = version === 'TLSv1.3' ? 16 : 24;

    it(`${version}: a client limit of 256 bounds every protected record of the server (handshake, tickets, data)`, () => {
      const p = connect({ recordSizeLimit: 256, maxVersion: version, suites: version === 'TLSv1.3' ? ['TLS_AES_128_GCM_SHA256'] : ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] });
      expect(p.server.info.peerRecordSizeLimit).to.equal(256);
      transfer(p.server, p.client, payload(5000, 1));
      transfer(p.client, p.server, payload(5000, 2));
      const sizes = protectedRecords(p.tap, 'server', version);
      expect(Math.max(...sizes)).to.equal(256 + overhead);
      // The certificate flight alone is over 256 bytes: it was split, not sent whole.
      expect(sizes.length).to.be.greaterThan(5000 / 255);
      // The client was not asked for small records: its 5000 bytes went in one.
      expect(Math.max(...protectedRecords(p.tap, 'client', version))).to.be.greaterThan(5000);
    });

    it(`${version}: a server limit of 64 bounds the client's protected records (its Finished and data)`, () => {
      const p = connect({ maxVersion: version }, { recordSizeLimit: 64 });
      expect(p.client.info.peerRecordSizeLimit).to.equal(64);
      transfer(p.client, p.server, payload(1000, 3));
      const sizes = protectedRecords(p.tap, 'client', version);
      expect(Math.max(...sizes)).to.be.at.most(64 + overhead);
      expect(sizes.length).to.be.greaterThan(1000 / 64);
    });
  }

  it('TLS 1.3: the 255 content bytes of a 256 limit are the whole TLSInnerPlaintext with the type byte (RFC 8449 §4)', () => {
    const p = connect({ recordSizeLimit: 256, suites: [NOBLE_DEFAULT_SUITE] });
    transfer(p.server, p.client, payload(1000, 4));
    const data = p.tap.events('server', NOBLE_DEFAULT_SUITE).filter((e) => e.kind === 'data');
    expect(data.map((e) => (e.kind === 'data' ? e.length : 0))).to.deep.equal([255, 255, 255, 235]);
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: a protected record over our limit is record_overflow`, () => {
      const p = connect({ recordSizeLimit: 256, maxVersion: version });
      // A server that ignores the limit it agreed to: lift its bound behind its back.
      conn(p.server).sizes.sendContent = 16384;
      p.server.send(payload(300, 5));
      const err = tlsErrorOf(() => {
        for (let i = 0; i < 100; i++) p.client.recv();
      });
      expect(err.alert).to.equal('record_overflow');
    });
  }

  it('recordSizeLimit: false on either side: not negotiated, no limit either way', () => {
    for (const [client, server] of [[false, undefined], [undefined, false]] as const) {
      const p = connect({ recordSizeLimit: client }, { recordSizeLimit: server });
      expect(p.client.info.peerRecordSizeLimit).to.equal(undefined);
      expect(p.server.info.peerRecordSizeLimit).to.equal(undefined);
    }
  });

  it('DTLS: a datagram session does not enforce limits, so its ClientHello offers none', () => {
    const c = Session.client({ serverName: 'localhost', ca: caPem(), protocol: 'dtls', recordSizeLimit: 256 });
    const out: Uint8Array[] = [];
    c.setTransport({ push: (d) => (out.push(d.slice()), d.length), pull: () => AGAIN });
    c.handshake();
    // The extension's type and length, 00 1c 00 02, appear nowhere in the first flight.
    expect(Buffer.concat(out).includes(Buffer.from('001c0002', 'hex'))).to.equal(false);
    const tls = Session.client({ ...defaultClient(), recordSizeLimit: 256 });
    const tlsOut: Uint8Array[] = [];
    tls.setTransport({ push: (d) => (tlsOut.push(d.slice()), d.length), pull: () => AGAIN });
    tls.handshake();
    expect(Buffer.concat(tlsOut).includes(Buffer.from('001c00020100', 'hex'))).to.equal(true);
  });

  it('recordSizeLimit outside 64..16385 is refused when options are resolved', () => {
    expect(() => Session.client({ serverName: 'x', dangerouslySkipCertificateVerification: true, recordSizeLimit: 63 })).to.throw(/recordSizeLimit/);
    expect(() => Session.client({ serverName: 'x', dangerouslySkipCertificateVerification: true, recordSizeLimit: 16386 })).to.throw(/recordSizeLimit/);
  });
});
