/**
 * 0-RTT through SecureChannel in TestScheduler virtual time (RFC 8446 §2.3):
 * a resumed client that writes its request before the handshake ends gets
 * the answer one round trip earlier than without early data: the request
 * rides with the ClientHello, the server reads it on `earlyData$` at L and
 * answers at once (0.5-RTT data behind its Finished), the client reads it
 * at 2L instead of 4L.
 */
import { expect } from 'chai';
import { map, take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { openChannel } from '../../lib/rx/index.js';
import { Session } from '../../lib/session/session.js';
import { virtualStreamLink, type VirtualEndpoint } from '../../lib/testing/index.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { resolveServerConfig } from '../../lib/tls13/config.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { connect, payload, transfer } from '../session/pair-helpers.js';

const L = 10;
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const tcpLike = (e: VirtualEndpoint) => ({ ...e, destroy: () => e.close() });
const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

// Virtual time starts at 0: the ticket is issued at 0 on both clocks, so its age agrees within the freshness window.
const server = resolveServerConfig({ ...serverIdentity('p256'), ticketKeys: [generateTicketKey((n) => new Uint8Array(n).fill(5))], maxEarlyData: 4096, date: () => new Date(0) });

function ticket(): Tls13SessionTicket {
  const first = connect({ clock: () => 0 }, server);
  transfer(first.server, first.client, payload(1));
  return first.client.info.tickets[0] as Tls13SessionTicket;
}

/** Marbles for a client that writes `GET /` right after connecting with the ticket, with or without 0-RTT. */
function run(earlyData: boolean, marbles: { answer: string; early: string }): void {
  const ts = newScheduler();
  const session = ticket();
  ts.run(({ expectObservable }) => {
    const [c, s] = virtualStreamLink({ latency: L, chunkSize: 4000 }, ts);
    const srv = openChannel(Session.server(server), tcpLike(s));
    // The request arrives as 0-RTT data or as the first 1-RTT chunk: answer it either way.
    srv.earlyData$.subscribe((chunk) => srv.next(bytes(`answer to ${text(chunk)}`)));
    srv.subscribe((chunk) => srv.next(bytes(`answer to ${text(chunk)}`)));
    const cli = openChannel(Session.client({ serverName: 'localhost', ca: caPem(), clock: () => ts.now(), session, earlyData }), tcpLike(c));
    cli.next(bytes('GET /'));
    expectObservable(cli.pipe(take(1), map(text))).toBe(marbles.answer, { a: 'answer to GET /' });
    expectObservable(srv.earlyData$.pipe(map(text))).toBe(marbles.early, { e: 'GET /' });
    expectObservable(cli.handshake$.pipe(map((i) => `${i.resumed}/${i.earlyData ?? '-'}`))).toBe(`${2 * L}ms (h|)`, { h: `true/${earlyData ? 'true' : '-'}` });
    expectObservable(srv.handshake$.pipe(map(() => 'h'))).toBe(`${3 * L}ms (h|)`);
  });
}

describe('0-RTT early data over SecureChannel (virtual time)', () => {
  it('a resumed 0-RTT request: read by the server at L on earlyData$, answered at once, read by the client at 2L', () => {
    run(true, { answer: `${2 * L}ms (a|)`, early: `${L}ms e ${2 * L - 1}ms |` });
  });

  it('the same request without 0-RTT waits for the handshake: answered at 4L, one round trip later', () => {
    run(false, { answer: `${4 * L}ms (a|)`, early: `${3 * L}ms |` });
  });
});
