/**
 * TLS 1.3 0-RTT between our client and our server in memory (RFC 8446
 * §4.2.10, §8): early data accepted and kept apart on the server, declined
 * (and then sent again after the handshake, nothing lost), refused on a
 * replayed ClientHello, over the ticket's limit, and not sent when the
 * ticket or the options do not allow it.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { AGAIN, type Transport } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { type ServerConfig, type ServerOptions, resolveServerConfig } from '../../lib/tls13/config.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { serverIdentity } from '../support/fixtures.js';
import { type Pair, connect, defaultServer, exchangeAndClose, handshake, makePair, payload, transfer } from './pair-helpers.js';

const ticketKeys = [generateTicketKey((n) => new Uint8Array(n).fill(3))];
const text = (s: string) => new TextEncoder().encode(s);

function ticketFrom(server: Partial<ServerOptions> | ServerConfig): Tls13SessionTicket {
  const first = connect({}, server);
  transfer(first.server, first.client, payload(1));
  return first.client.info.tickets[0] as Tls13SessionTicket;
}

/** Every chunk of 0-RTT data the server has read so far. */
function earlyDataOf(server: Session): string {
  const chunks: Uint8Array[] = [];
  for (let c = server.recvEarlyData(); c; c = server.recvEarlyData()) chunks.push(c);
  return new TextDecoder().decode(concatBytes(...chunks));
}

/** A pair whose client queued `request` as early data before its handshake. */
function earlyPair(ticket: Tls13SessionTicket, server: Partial<ServerOptions> | ServerConfig, request: string): { p: Pair; taken: number } {
  const p = makePair({ session: ticket, earlyData: true }, server);
  const taken = p.client.sendEarlyData(text(request));
  return { p, taken };
}

describe('TLS 1.3 0-RTT early data, our client and server', () => {
  it('accepted: the server reads the request before the handshake ends, apart from 1-RTT data; info.earlyData on both', () => {
    const config = resolveServerConfig({ ...defaultServer(), ticketKeys, maxEarlyData: 1000 });
    const ticket = ticketFrom(config);
    expect(ticket.maxEarlyData).to.equal(1000);
    const { p, taken } = earlyPair(ticket, config, 'GET / HTTP/1.1\r\n\r\n');
    expect(taken).to.equal(18);
    // One step each: the client's flight (hello + early data) reaches the server, which answers and reads the data.
    expect(p.client.handshake()).to.equal(AGAIN);
    expect(p.server.handshake()).to.equal(AGAIN);
    expect(earlyDataOf(p.server)).to.equal('GET / HTTP/1.1\r\n\r\n');
    handshake(p);
    for (const info of [p.client.info, p.server.info]) expect(info).to.include({ resumed: true, earlyData: true });
    // Nothing is delivered twice: the 1-RTT stream starts empty.
    expect(p.server.pending()).to.equal(0);
    exchangeAndClose(p, [10, 3000], 1);
  });

  it('more than the ticket allows is cut: sendEarlyData takes up to max_early_data_size, the rest goes after the handshake', () => {
    const config = resolveServerConfig({ ...defaultServer(), ticketKeys, maxEarlyData: 5 });
    const { p, taken } = earlyPair(ticketFrom(config), config, 'abcdefgh');
    expect(taken).to.equal(5);
    expect(p.client.sendEarlyData(text('more'))).to.equal(0);
    handshake(p);
    expect(earlyDataOf(p.server)).to.equal('abcde');
    transfer(p.client, p.server, text('fgh'));
  });

  it('declined by a server that allows none now: the data arrives after the handshake instead, nothing lost', () => {
    const ticket = ticketFrom({ ticketKeys, maxEarlyData: 1000 });
    const { p } = earlyPair(ticket, { ticketKeys, maxEarlyData: 0 }, 'hello early');
    handshake(p);
    for (const info of [p.client.info, p.server.info]) expect(info).to.include({ resumed: true, earlyData: false });
    expect(earlyDataOf(p.server)).to.equal('');
    let got = '';
    while (got.length < 11) {
      const r = p.server.recv();
      if (r instanceof Uint8Array) got += new TextDecoder().decode(r);
      else p.client.send();
    }
    expect(got).to.equal('hello early');
  });

  it('declined after a HelloRetryRequest: sent again after the handshake', () => {
    const ticket = ticketFrom({ ticketKeys, maxEarlyData: 1000 });
    const { p } = earlyPair(ticket, { ticketKeys, maxEarlyData: 1000, helloRetry: 'always' }, 'retry me');
    handshake(p);
    expect(p.client.info).to.include({ helloRetry: true, earlyData: false, resumed: true });
    transferExpect(p, 'retry me');
  });

  it('a replayed ClientHello (the same bytes again) is refused early data: the second server reads none', () => {
    const config = resolveServerConfig({ ...defaultServer(), ticketKeys, maxEarlyData: 1000 });
    const { p } = earlyPair(ticketFrom(config), config, 'pay 100');
    expect(p.client.handshake()).to.equal(AGAIN);
    const flight = concatBytes(...p.tap.bytes.client);
    handshake(p);
    expect(earlyDataOf(p.server)).to.equal('pay 100');
    const replayed = Session.server(config);
    replayed.setTransport(replayTransport(flight));
    expect(replayed.handshake()).to.equal(AGAIN);
    expect(earlyDataOf(replayed)).to.equal('');
    expect(replayed.info).to.include({ resumed: true, earlyData: false });
    expect(config.earlyDataReplay.size).to.equal(1);
  });

  it('a ticket takes early data once: offered again in a new ClientHello it resumes with 1-RTT data only, and the data still arrives', () => {
    const config = resolveServerConfig({ ...defaultServer(), ticketKeys, maxEarlyData: 1000 });
    const ticket = ticketFrom(config);
    const first = earlyPair(ticket, config, 'once').p;
    handshake(first);
    expect(earlyDataOf(first.server)).to.equal('once');
    // A copy: our client offers one ticket object once (single-use), so a second use needs another object.
    const again = earlyPair({ ...ticket }, config, 'twice').p;
    handshake(again);
    for (const info of [again.client.info, again.server.info]) expect(info).to.include({ resumed: true, earlyData: false });
    transferExpect(again, 'twice');
  });

  it('the replay store is bounded: when full, early data is refused until tickets expire', () => {
    const config = resolveServerConfig({ ...defaultServer(), ticketKeys, maxEarlyData: 1000, earlyDataReplayCache: 1 });
    handshake(earlyPair(ticketFrom(config), config, 'a').p);
    const full = earlyPair(ticketFrom(config), config, 'b').p;
    handshake(full);
    expect(full.server.info.earlyData).to.equal(false);
  });

  it('the early exporter (RFC 8446 §7.5): the same bytes on both sides, apart from the 1-RTT exporter; without 0-RTT a usage error', () => {
    const serverKeylog: string[] = [];
    const config = resolveServerConfig({ ...defaultServer(), ticketKeys, maxEarlyData: 100, keylog: (l) => serverKeylog.push(l) });
    const { p } = earlyPair(ticketFrom(config), config, 'x');
    const clientEarly = p.client.exportEarlyKeyingMaterial('EXPERIMENTAL early', text('ctx'), 32);
    handshake(p);
    const serverEarly = p.server.exportEarlyKeyingMaterial('EXPERIMENTAL early', text('ctx'), 32);
    expect(Buffer.from(serverEarly).toString('hex')).to.equal(Buffer.from(clientEarly).toString('hex'));
    const late = p.client.exportKeyingMaterial('EXPERIMENTAL early', text('ctx'), 32);
    expect(Buffer.from(late).equals(Buffer.from(clientEarly))).to.equal(false);
    // Both sides logged the same EARLY_EXPORTER_SECRET line.
    const line = serverKeylog.find((l) => l.startsWith('EARLY_EXPORTER_SECRET'));
    expect(Buffer.from(p.tap.secrets.get('EARLY_EXPORTER_SECRET')!).toString('hex')).to.equal(line!.split(' ')[2]);
    const plain = connect({}, config);
    expect(() => plain.server.exportEarlyKeyingMaterial('EXPERIMENTAL x', undefined, 16)).to.throw(Error, /0-RTT/);
  });

  it('config: maxEarlyData is a uint32 of bytes, earlyDataReplayCache a count', () => {
    expect(() => resolveServerConfig({ ...defaultServer(), maxEarlyData: 2 ** 32 })).to.throw(/at most 4294967295/);
    expect(() => resolveServerConfig({ ...defaultServer(), maxEarlyData: -1 })).to.throw(/maxEarlyData/);
    expect(() => resolveServerConfig({ ...defaultServer(), earlyDataReplayCache: 1.5 })).to.throw(/earlyDataReplayCache/);
    expect(resolveServerConfig({ ...defaultServer(), maxEarlyData: 2 ** 32 - 1 }).maxEarlyData).to.equal(2 ** 32 - 1);
  });

  it('no early data without the option, with a ticket that allows none, or on a full handshake', () => {
    const ticket = ticketFrom({ ticketKeys, maxEarlyData: 100 });
    expect(makePair({ session: ticket }, { ticketKeys }).client.sendEarlyData(text('x'))).to.equal(0);
    const none = ticketFrom({ ticketKeys });
    expect(none.maxEarlyData).to.equal(0);
    expect(makePair({ session: none, earlyData: true }, { ticketKeys }).client.sendEarlyData(text('x'))).to.equal(0);
    expect(makePair({ earlyData: true }, { ticketKeys }).client.sendEarlyData(text('x'))).to.equal(0);
  });

  it('a client sending more early data than the server allows is unexpected_message', () => {
    const ticket = ticketFrom({ ticketKeys, maxEarlyData: 1000 });
    // The client believes the ticket's 1000; the server now takes 4.
    const { p } = earlyPair(ticket, { ticketKeys, maxEarlyData: 4 }, 'too much data');
    expect(p.client.handshake()).to.equal(AGAIN);
    expect(() => p.server.handshake()).to.throw(TlsError).with.property('alert', 'unexpected_message');
  });

  it('a server accepting tickets of another server config of the fleet checks the ALPN protocol: another one declines 0-RTT', () => {
    const ticket = ticketFrom({ ticketKeys, maxEarlyData: 100, alpn: ['h2'] });
    const p = makePair({ session: ticket, earlyData: true, alpn: ['h2', 'http/1.1'] }, { ...serverIdentity('p256'), ticketKeys, maxEarlyData: 100, alpn: ['http/1.1'] });
    expect(p.client.sendEarlyData(text('x'))).to.equal(1);
    handshake(p);
    expect(p.server.info).to.include({ alpn: 'http/1.1', earlyData: false });
  });
});

function transferExpect(p: Pair, expected: string): void {
  let got = '';
  for (let i = 0; i < 1000 && got.length < expected.length; i++) {
    const r = p.server.recv();
    if (r instanceof Uint8Array) got += new TextDecoder().decode(r);
    else p.client.send();
  }
  expect(got).to.equal(expected);
}

/** A transport that delivers `bytes` once and swallows what is written. */
function replayTransport(bytes: Uint8Array): Transport {
  let left: Uint8Array | undefined = bytes;
  return {
    push: (b) => b.length,
    pull: () => {
      const out = left ?? AGAIN;
      left = undefined;
      return out;
    },
  };
}
