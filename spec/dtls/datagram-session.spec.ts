/**
 * The DTLS 1.2 session end to end between two of our sessions on an
 * in-memory datagram wire with a manual clock: flights, retransmission
 * times (RFC 6347 §4.2.4.1: 1 s, doubling), the handshake deadline, replay
 * and bad records dropped and counted, datagram-sized sends.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { splitDatagram } from '../../lib/record/dtls-record.js';
import { ContentType } from '../../lib/wire/enums.js';
import { dtlsPair, runHandshake, type DtlsPair, type Side } from './support/datagram-pair.js';

const text = (s: string) => new TextEncoder().encode(s);

/** When each datagram `side` sent went out. */
const sendTimes = (p: DtlsPair, side: Side) => p.wire.log.filter((e) => e.from === side).map((e) => e.at);

function exchange(p: DtlsPair): void {
  expect(p.client.send(text('ping'))).to.equal(4);
  expect(new TextDecoder().decode(p.server.recv() as Uint8Array)).to.equal('ping');
  expect(p.server.send(text('pong'))).to.equal(4);
  expect(new TextDecoder().decode(p.client.recv() as Uint8Array)).to.equal('pong');
}

describe('DTLS 1.2 session (two rxtls peers, manual clock)', () => {
  it('completes a full handshake in four flights and carries data', () => {
    const p = dtlsPair();
    expect(runHandshake(p)).to.deep.equal({ client: 0, server: 0 });
    expect(p.wire.log.map((e) => e.from)).to.deep.equal(['client', 'server', 'client', 'server']);
    expect(p.client.info.version).to.equal('DTLSv1.2');
    expect(p.server.info.suite).to.equal(p.client.info.suite);
    exchange(p);
    expect(p.client.discarded + p.server.discarded).to.equal(0);
  });

  // One flight lost: the sender's timer (1 s after it sent) or the peer's repeated flight brings it back at 1000 ms.
  for (const [side, index, what] of [
    ['client', 1, 'ClientHello'],
    ['server', 1, 'ServerHello..ServerHelloDone'],
    ['client', 2, 'ClientKeyExchange, ChangeCipherSpec, Finished'],
    ['server', 2, 'NewSessionTicket, ChangeCipherSpec, Finished'],
  ] as const) {
    it(`recovers when the flight ${what} (${side} datagram ${index}) is lost once, at 1000 ms`, () => {
      const p = dtlsPair({ drop: (from, i) => from === side && i === index });
      const done = runHandshake(p);
      expect(done.client).to.equal(1000);
      // A server that sent the last flight finished before it was lost; it resends it when the client repeats its own.
      expect(done.server).to.equal(side === 'server' && index === 2 ? 0 : 1000);
      exchange(p);
    });
  }

  it('backs off 1 s, 2 s, 4 s, 8 s, 16 s, then fails at the 60 s handshake deadline', () => {
    const p = dtlsPair({ drop: (from) => from === 'client' });
    let error: unknown;
    try {
      runHandshake(p, 200_000);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(TlsError);
    expect((error as TlsError).code).to.equal('ERR_TLS_HANDSHAKE_TIMEOUT');
    // The ClientHellos (the last datagrams are the user_canceled and close_notify alerts).
    const hellos = p.wire.log.filter((e) => e.from === 'client' && splitDatagram(e.bytes).records[0]!.type === ContentType.handshake);
    expect(hellos.map((e) => e.at)).to.deep.equal([0, 1000, 3000, 7000, 15000, 31000]);
    expect(p.wire.now).to.equal(60_000);
    const alerts = p.wire.log.filter((e) => e.from === 'client' && splitDatagram(e.bytes).records[0]!.type === ContentType.alert);
    expect(alerts.map((e) => [...splitDatagram(e.bytes).records[0]!.fragment])).to.deep.equal([[1, 90], [1, 0]]);
  });

  it('honours handshakeTimeout and the retransmit option', () => {
    const p = dtlsPair({ drop: (from) => from === 'client', client: { handshakeTimeout: 5000, retransmit: { initialMs: 500, maxMs: 1000 } } });
    expect(() => runHandshake(p)).to.throw(TlsError, /5000 ms/);
    const hellos = sendTimes(p, 'client').slice(0, -2);
    expect(hellos).to.deep.equal([0, 500, 1500, 2500, 3500, 4500]);
  });

  it('cuts a flight into smaller datagrams after two unanswered retransmissions', () => {
    // The client hears the server's flight but its answers never arrive: the server retransmits at 1, 3, 7 s.
    const p = dtlsPair({ drop: (from, i) => from === 'client' && i > 1 });
    expect(() => runHandshake(p, 10_000)).to.throw(/no handshake/);
    const byTime = new Map<number, number[]>();
    for (const e of p.wire.log.filter((e) => e.from === 'server')) byTime.set(e.at, [...(byTime.get(e.at) ?? []), e.bytes.length]);
    const [first, second, third, fourth] = [...byTime.values()];
    for (const t of [first, second, third]) expect(t).to.have.length(1);
    expect(fourth!.length).to.be.greaterThan(1);
    for (const size of fourth!) expect(size).to.be.at.most(600);
    expect(fourth!.reduce((a, b) => a + b)).to.be.greaterThan(first![0]!);
  });

  it('fragments every flight to a small MTU and reassembles it', () => {
    const p = dtlsPair({ client: { mtu: 200 }, server: { mtu: 200 } });
    runHandshake(p);
    for (const e of p.wire.log) expect(e.bytes.length).to.be.at.most(200);
    expect(p.wire.log.filter((e) => e.from === 'server').length).to.be.greaterThan(4);
    exchange(p);
  });

  it('never delivers a replayed record, and counts it', () => {
    const p = dtlsPair();
    runHandshake(p);
    const before = p.wire.log.length;
    p.client.send(text('once'));
    const datagram = p.wire.log[before]!.bytes;
    expect(new TextDecoder().decode(p.server.recv() as Uint8Array)).to.equal('once');
    p.wire.inject('client', datagram);
    expect(p.server.recv()).to.equal(AGAIN);
    expect(p.server.discarded).to.equal(1);
  });

  it('drops records that do not authenticate, of unknown epochs or versions, and cut short', () => {
    const p = dtlsPair();
    runHandshake(p);
    const before = p.wire.log.length;
    p.client.send(text('real'));
    const good = p.wire.log[before]!.bytes;
    expect(new TextDecoder().decode(p.server.recv() as Uint8Array)).to.equal('real');
    const flipped = good.slice();
    flipped[flipped.length - 1]! ^= 1;
    const epoch7 = good.slice();
    epoch7[4] = 7;
    const badVersion = good.slice();
    badVersion[2] = 0xfc;
    for (const d of [flipped, epoch7, badVersion, good.subarray(0, 20)]) p.wire.inject('client', d);
    expect(p.server.recv()).to.equal(AGAIN);
    expect(p.server.discarded).to.equal(4);
    p.client.send(text('next'));
    expect(new TextDecoder().decode(p.server.recv() as Uint8Array)).to.equal('next');
  });

  it("refuses a send() larger than dataMtu() with the non-fatal 'large_packet', and sends one that fits", () => {
    const p = dtlsPair({ client: { mtu: 300 } });
    runHandshake(p);
    const room = p.client.dataMtu();
    expect(room).to.equal(300 - 13 - (p.client.info.suite!.includes('CHACHA') ? 16 : 24));
    expect(() => p.client.send(new Uint8Array(room + 1))).to.throw(TlsError).with.property('code', 'large_packet');
    expect(p.client.send(new Uint8Array(room).fill(7))).to.equal(room);
    const got = p.server.recv() as Uint8Array;
    expect(got.length).to.equal(room);
    expect(p.wire.log.at(-1)!.bytes.length).to.equal(300);
  });

  it('keeps datagram boundaries: one recv() per send()', () => {
    const p = dtlsPair();
    runHandshake(p);
    for (const s of ['a', 'bb', 'ccc']) p.client.send(text(s));
    expect([1, 2, 3].map(() => new TextDecoder().decode(p.server.recv() as Uint8Array))).to.deep.equal(['a', 'bb', 'ccc']);
    expect(p.server.pending()).to.equal(0);
  });

  it('ends with close_notify: the peer reads EOF', () => {
    const p = dtlsPair();
    runHandshake(p);
    expect(p.client.bye()).to.equal('done');
    expect(p.server.recv()).to.equal('EOF');
  });

  it('answers a ClientHello that names a later message_seq (after a stateless cookie exchange) in step with it', () => {
    // listenDtls answers the first ClientHello statelessly; the session first hears the second (message_seq 1).
    const p = dtlsPair({ drop: (from, i) => from === 'client' && i === 1 });
    expect(p.client.handshake()).to.equal(AGAIN);
    const hello = p.wire.log[0]!.bytes.slice();
    // Rewrite message_seq 0 -> 1 in the dropped first ClientHello and deliver that instead.
    hello[13 + 5] = 1;
    p.wire.inject('client', hello);
    p.server.handshake();
    const reply = p.wire.log.at(-1)!;
    expect(reply.from).to.equal('server');
    const firstMessageSeq = (reply.bytes[13 + 4]! << 8) | reply.bytes[13 + 5]!;
    expect(firstMessageSeq).to.equal(1);
  });

  describe('behind the stateless cookie exchange (HelloVerifyRequest)', () => {
    it('answers the HelloVerifyRequest with the cookie and completes (Finished proves both transcripts skip the first hello)', () => {
      const p = dtlsPair({ cookie: true });
      expect(runHandshake(p)).to.deep.equal({ client: 0, server: 0 });
      // ClientHello, HelloVerifyRequest, ClientHello + cookie, then the usual three flights.
      expect(p.wire.log.map((e) => e.from)).to.deep.equal(['client', 'server', 'client', 'server', 'client', 'server']);
      const verify = p.wire.log[1]!.bytes;
      expect(verify[13]).to.equal(3); // hello_verify_request
      expect([...verify.subarray(3, 11)]).to.deep.equal([...p.wire.log[0]!.bytes.subarray(3, 11)]); // the ClientHello's record number
      // The session numbers its records from the second ClientHello's: the HelloVerifyRequest took the first's (a peer drops a number seen twice).
      const seqOf = (d: Uint8Array) => splitDatagram(d).records[0]!.seq;
      expect(seqOf(p.wire.log[2]!.bytes)).to.equal(1);
      expect(seqOf(p.wire.log[3]!.bytes)).to.equal(1);
      exchange(p);
    });

    it('recovers from a lost HelloVerifyRequest and from a lost second ClientHello at 1000 ms', () => {
      for (const [side, index] of [['server', 1], ['client', 2]] as const) {
        const p = dtlsPair({ cookie: true, drop: (from, i) => from === side && i === index });
        expect(runHandshake(p).client).to.equal(1000);
        exchange(p);
      }
    });
  });

  // Both servers seal and open tickets with the same key, as the servers of one deployment do.
  const ticketKeys = [{ name: new Uint8Array(16).fill(1), key: new Uint8Array(32).fill(2) }];

  it('resumes a session from its ticket in an abbreviated handshake', () => {
    const first = dtlsPair({ server: { ticketKeys } });
    runHandshake(first);
    exchange(first);
    const ticket = first.client.info.tickets.at(-1);
    expect(ticket?.version).to.equal('TLSv1.2');
    const p = dtlsPair({ client: { session: ticket }, server: { ticketKeys } });
    runHandshake(p);
    expect(p.client.info.resumed).to.equal(true);
    expect(p.server.info.resumed).to.equal(true);
    // ClientHello; ServerHello, [NewSessionTicket,] ChangeCipherSpec, Finished; ChangeCipherSpec, Finished.
    expect(p.wire.log.map((e) => e.from)).to.deep.equal(['client', 'server', 'client']);
    exchange(p);
  });

  it("resends the client's last flight of a resumed handshake when the server repeats its own", () => {
    const first = dtlsPair({ server: { ticketKeys } });
    runHandshake(first);
    const p = dtlsPair({ client: { session: first.client.info.tickets.at(-1) }, server: { ticketKeys }, drop: (from, i) => from === 'client' && i === 2 });
    const done = runHandshake(p);
    expect(done).to.deep.equal({ client: 0, server: 1000 });
    exchange(p);
  });

  describe('pre-shared keys (RFC 4279, RFC 5489; the CoAP suites of RFC 7252)', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i);
    const lookup = (identity: Uint8Array) => (new TextDecoder().decode(identity) === 'Client_identity' ? key : undefined);
    for (const suite of ['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256']) {
      it(`${suite}: handshake, identity, data, and the datagram room of the suite`, () => {
        const p = dtlsPair({
          client: { psk: { identity: 'Client_identity', key }, ca: undefined, suites: [suite] },
          server: { psk: lookup, cert: undefined, key: undefined, suites: [suite] },
        });
        runHandshake(p);
        expect(p.client.info.suite).to.equal(suite);
        expect(p.server.info.pskIdentity).to.equal('Client_identity');
        // Record expansion: CCM_8, explicit nonce 8 + tag 8; GCM, 8 + 16; ChaCha20-Poly1305, tag 16 only.
        const expansion = suite.includes('CCM_8') ? 16 : suite.includes('GCM') ? 24 : 16;
        expect(p.client.dataMtu()).to.equal(1200 - 13 - expansion);
        exchange(p);
      });
    }

    it('an unknown identity fails with unknown_psk_identity, read by the client', () => {
      const p = dtlsPair({
        client: { psk: { identity: 'stranger', key }, ca: undefined, suites: ['TLS_PSK_WITH_AES_128_CCM_8'] },
        server: { psk: lookup, cert: undefined, key: undefined, suites: ['TLS_PSK_WITH_AES_128_CCM_8'] },
      });
      expect(() => runHandshake(p)).to.throw(TlsError);
      expect(() => p.client.handshake()).to.throw(TlsError).with.property('code', 'ERR_TLS_PEER_ALERT_UNKNOWN_PSK_IDENTITY');
    });
  });
});
