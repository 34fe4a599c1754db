/**
 * DatagramChannel over virtualDatagramLink in TestScheduler virtual time:
 * the DTLS 1.2 handshake completes exactly when latency and the RFC 6347
 * retransmission timers say it must, whatever flight is lost, and the
 * channel's data, close and failure paths.
 */
import { expect } from 'chai';
import { catchError, map, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TlsError } from '../../lib/errors.js';
import { Session } from '../../lib/session/session.js';
import type { DatagramSession } from '../../lib/session/datagram-session.js';
import { openDatagramChannel, type DatagramChannel, type DatagramChannelEvent } from '../../lib/rx/index.js';
import { virtualDatagramLink, type LinkSide, type VirtualDatagramLinkOptions } from '../../lib/testing/index.js';
import { caPem, fixture, serverIdentity } from '../support/fixtures.js';
import { flightOf, loseFlight, type FlightNumber } from './support/dtls-flights.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const L = 10;
/** RFC 6347 §4.2.4.1: the first wait is 1 s, and it doubles after each retransmission. */
const INITIAL = 1000;
/** How much later a handshake ends when one flight is lost `k` times in a row: 1 s + 2 s + ... */
const retransmissionDelay = (k: number) => INITIAL * (2 ** k - 1);

const errorName = (e: unknown) => (e instanceof TlsError ? e.code : (e as Error).message);
const errorsAs = <T>(o: Observable<T>) => o.pipe(catchError((e: unknown) => of(`#${errorName(e)}`)));
const describeEvent = (e: DatagramChannelEvent) =>
  e.type === 'alert' ? `${e.alert}:${e.fromPeer ? 'peer' : 'us'}` : e.type === 'closed' ? (e.error ? `closed:${errorName(e.error)}` : 'closed') : e.type;
const events = (ch: DatagramChannel) => ch.events$.pipe(map(describeEvent));
const handshakes = (ch: DatagramChannel) => errorsAs(ch.handshake$.pipe(map((i) => i.version)));
const texts = (ch: Observable<Uint8Array>) => errorsAs(ch.pipe(map(text)));

interface Sent {
  at: number;
  side: LinkSide;
  flight: FlightNumber | undefined;
  lost: boolean;
}

function pair(
  ts: TestScheduler,
  o: { link?: VirtualDatagramLinkOptions; client?: Record<string, unknown>; server?: Record<string, unknown> } = {},
) {
  const [c, s] = virtualDatagramLink({ latency: L, ...o.link }, ts);
  // What each side sends, and whether the link lost it (from the live drop counters).
  const sent: Sent[] = [];
  for (const [side, end] of [['a', c], ['b', s]] as const) {
    const push = end.transport.push;
    end.transport.push = (d) => {
      const before = end.stats.dropped.script + end.stats.dropped.loss;
      const r = push(d);
      sent.push({ at: ts.now(), side, flight: flightOf(side, d), lost: end.stats.dropped.script + end.stats.dropped.loss > before });
      return r;
    };
  }
  const clock = () => ts.now();
  const clientSession = Session.client({ protocol: 'dtls', serverName: 'localhost', ca: caPem(), clock, ...o.client } as any) as DatagramSession;
  const serverSession = Session.server({ protocol: 'dtls', ...serverIdentity('p256'), clock, ...o.server } as any) as DatagramSession;
  const client = openDatagramChannel(clientSession, c, { scheduler: ts });
  const server = openDatagramChannel(serverSession, s, { scheduler: ts });
  return { client, server, clientSession, serverSession, sent, c, s };
}

/** When each transmission of `flight` left, one entry per instant. */
const transmissions = (sent: Sent[], flight: FlightNumber) => [...new Set(sent.filter((e) => e.flight === flight).map((e) => e.at))];

describe('DatagramChannel (virtual time)', () => {
  // Warm the crypto library once so the first test is not the slow one.
  before(() => {
    const ts = newScheduler();
    ts.run(() => pair(ts));
  });

  it(`no loss: the server is done at 3L (it sends the last flight), the client at 4L, an echo takes one round trip`, () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server, sent } = pair(ts);
      client.next(bytes('ping')); // queued until the client's handshake is done
      server.subscribe((m) => server.next(m)); // echo
      expectObservable(handshakes(server)).toBe(`${3 * L}ms (v|)`, { v: 'DTLSv1.2' });
      expectObservable(handshakes(client)).toBe(`${4 * L}ms (v|)`, { v: 'DTLSv1.2' });
      expectObservable(texts(client)).toBe(`${6 * L}ms p`, { p: 'ping' });
      ts.schedule(() => {
        // One transmission of each flight, one latency apart.
        expect(sent.filter((e) => e.flight).map((e) => [e.at, e.flight])).to.deep.equal([[0, 1], [L, 2], [2 * L, 3], [3 * L, 4]]);
      }, 1000);
    });
  });

  // Flight n lost k times: the side that waits retransmits at 1 s, then 2 s later, ...; the lost
  // flight gets through on its (k+1)-th transmission, retransmissionDelay(k) late. A side that
  // sent the last flight (the server, flight 4) is done at 3L whatever happens after.
  for (const flight of [1, 2, 3, 4] as const) {
    for (const k of [1, 2]) {
      const delay = retransmissionDelay(k);
      const serverDone = 3 * L + (flight === 4 ? 0 : delay);
      const clientDone = 4 * L + delay;
      it(`flight ${flight} lost ${k === 1 ? 'once' : 'twice'}: the server is done at ${serverDone} ms, the client at ${clientDone} ms`, () => {
        const ts = newScheduler();
        ts.run(({ expectObservable }) => {
          const { client, server, sent } = pair(ts, { link: { script: { drop: loseFlight(ts, flight, k) } } });
          expectObservable(handshakes(server)).toBe(`${serverDone}ms (v|)`, { v: 'DTLSv1.2' });
          expectObservable(handshakes(client)).toBe(`${clientDone}ms (v|)`, { v: 'DTLSv1.2' });
          ts.schedule(() => {
            // The lost flight went out k + 1 times: at the first send, then 1 s, 3 s (, ...) later.
            const first = [0, L, 2 * L, 3 * L][flight - 1]!;
            const expected = Array.from({ length: k + 1 }, (_, i) => first + retransmissionDelay(i));
            expect(transmissions(sent, flight)).to.deep.equal(expected);
            expect(sent.filter((e) => e.lost).every((e) => e.flight === flight)).to.equal(true);
          }, clientDone + 100);
        });
      });
    }
  }

  it('everything from the server lost: the handshake fails with ERR_TLS_HANDSHAKE_TIMEOUT at exactly handshakeTimeout (10 s)', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server, sent } = pair(ts, {
        link: { script: { drop: (side) => side === 'b' } },
        client: { handshakeTimeout: 10_000 },
        server: { handshakeTimeout: 10_000 },
      });
      expectObservable(handshakes(client)).toBe('10000ms (e|)', { e: '#ERR_TLS_HANDSHAKE_TIMEOUT' });
      expectObservable(texts(client)).toBe('10000ms (e|)', { e: '#ERR_TLS_HANDSHAKE_TIMEOUT' });
      expectObservable(events(client)).toBe('10000ms (ab|)', { a: 'user_canceled:us', b: 'closed:ERR_TLS_HANDSHAKE_TIMEOUT' });
      // The server's own deadline counts from its first flight, one latency later.
      expectObservable(handshakes(server)).toBe(`${10_000 + L}ms (e|)`, { e: '#ERR_TLS_HANDSHAKE_TIMEOUT' });
      ts.schedule(() => expect(transmissions(sent, 1)).to.deep.equal([0, 1000, 3000, 7000]), 20_000);
    });
  });

  it('one next() is one datagram; large_packet is reported and skipped, the channel goes on', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server, sent } = pair(ts);
      const messages: string[] = [];
      server.subscribe((m) => messages.push(text(m)));
      ts.schedule(() => {
        client.next(bytes('one'));
        client.next(new Uint8Array(client.dataMtu + 1));
        client.next(bytes('two'));
        client.next(new Uint8Array(client.dataMtu).fill(0x61));
      }, 100);
      expectObservable(events(client)).toBe(`${4 * L}ms h 59ms l`, { h: 'handshake', l: 'large_packet' });
      ts.schedule(() => {
        expect(messages).to.deep.equal(['one', 'two', 'a'.repeat(client.dataMtu)]);
        expect(sent.filter((e) => e.side === 'a' && e.at === 100)).to.have.length(3);
        expect(client.closed).to.equal(false);
      }, 200);
    });
  });

  it('large_packet carries the size and the room', () => {
    const ts = newScheduler();
    ts.run(() => {
      const { client } = pair(ts);
      const seen: DatagramChannelEvent[] = [];
      client.events$.subscribe((e) => seen.push(e));
      ts.schedule(() => client.next(new Uint8Array(5000)), 100);
      ts.schedule(() => expect(seen.at(-1)).to.deep.equal({ type: 'large_packet', size: 5000, room: client.dataMtu }), 101);
    });
  });

  it('complete() sends close_notify and ends the channel; the peer answers with its own and ends too', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      client.next(bytes('last words'));
      client.complete(); // after the queued message, once the handshake is done
      expectObservable(texts(server)).toBe(`${5 * L}ms (m|)`, { m: 'last words' });
      expectObservable(texts(client)).toBe(`${4 * L}ms |`);
      expectObservable(events(client)).toBe(`${4 * L}ms (hac|)`, { h: 'handshake', a: 'close_notify:us', c: 'closed' });
      expectObservable(events(server)).toBe(`${3 * L}ms h ${2 * L - 1}ms (abc|)`, {
        h: 'handshake',
        a: 'close_notify:peer',
        b: 'close_notify:us',
        c: 'closed',
      });
    });
  });

  it("the peer's fatal alert errors the channel: an untrusted certificate", () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, { client: { ca: fixture('other-ca.pem') } });
      // The client rejects the server's chain when flight 2 arrives (2L) and tells it.
      expectObservable(events(client)).toBe(`${2 * L}ms (ac|)`, { a: 'unknown_ca:us', c: 'closed:UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      expectObservable(events(server)).toBe(`${3 * L}ms (ac|)`, { a: 'unknown_ca:peer', c: 'closed:ERR_TLS_PEER_ALERT_UNKNOWN_CA' });
      expectObservable(handshakes(server)).toBe(`${3 * L}ms (e|)`, { e: '#ERR_TLS_PEER_ALERT_UNKNOWN_CA' });
    });
  });

  it('a finished server answers the client repeating flight 3 (its flight 4 lost) by reading, with no timer of its own', () => {
    const ts = newScheduler();
    ts.run(() => {
      const { serverSession, sent } = pair(ts, { link: { script: { drop: loseFlight(ts, 4, 1) } } });
      ts.schedule(() => expect(serverSession.timeout()).to.equal(undefined), 3 * L + 1);
      ts.schedule(() => {
        expect(transmissions(sent, 3)).to.deep.equal([2 * L, 2 * L + 1000]);
        expect(transmissions(sent, 4)).to.deep.equal([3 * L, 3 * L + 1000]);
      }, 2000);
    });
  });

  it('unsubscribing the last subscriber tears the channel down with a close_notify', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      expectObservable(client, `^ ${100 - 1}ms !`).toBe('');
      expectObservable(events(client)).toBe(`${4 * L}ms h 59ms (ac|)`, { h: 'handshake', a: 'close_notify:us', c: 'closed' });
      expectObservable(texts(server)).toBe(`${100 + L}ms |`);
    });
  });
});
