/**
 * SecureChannel over virtualStreamLink in TestScheduler virtual time: exact
 * frames for the handshake, data, back-pressure and every way a channel ends.
 */
import { expect } from 'chai';
import { catchError, map, merge, of, Subject, take, tap, timer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { openChannel, pacedRead, type ChannelEvent, type ChannelOptions, type SecureChannel } from '../../lib/rx/index.js';
import { virtualStreamLink, type VirtualEndpoint, type VirtualStreamLinkOptions } from '../../lib/testing/index.js';
import { driveBoth } from '../support/drive.js';
import { caPem, fixture, serverIdentity } from '../support/fixtures.js';
import { memoryPipe } from '../support/memory-pipe.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const L = 10;

/** Events as short strings: h(andshake), the alert name with who sent it, closed(+error code/message). */
const describeEvent = (e: ChannelEvent) =>
  e.type === 'handshake'
    ? 'handshake'
    : e.type === 'alert'
      ? `${e.alert}:${e.fromPeer ? 'peer' : 'us'}`
      : e.error === undefined
        ? 'closed'
        : `closed:${errorName(e.error)}`;
/** An alert as its name (`:peer` when received), other TlsErrors as their code. */
const errorName = (e: unknown) =>
  e instanceof TlsError ? (e.sendsAlert || e.fromPeer ? `${e.alert}${e.fromPeer ? ':peer' : ''}` : e.code) : (e as Error).message;
const events = (ch: SecureChannel) => ch.events$.pipe(map(describeEvent));
const texts = (ch: Observable<Uint8Array>) => ch.pipe(map(text));
const errorsAs = <T>(o: Observable<T>) => o.pipe(catchError((e: unknown) => of(`#${errorName(e)}`)));

/** A link endpoint whose destroy() is a TCP FIN, as a socket's would be. */
const tcpLike = (e: VirtualEndpoint) => ({ ...e, destroy: () => e.close() });

interface PairOptions {
  link?: VirtualStreamLinkOptions;
  client?: ChannelOptions;
  server?: ChannelOptions;
  ca?: string;
}

function pair(ts: TestScheduler, o: PairOptions = {}) {
  const [c, s] = virtualStreamLink({ latency: L, chunkSize: 1000, ...o.link }, ts);
  const clock = () => ts.now();
  const client = openChannel(Session.client({ serverName: 'localhost', ca: o.ca ?? caPem(), clock }), tcpLike(c), o.client);
  const server = openChannel(Session.server({ ...serverIdentity('p256'), clock }), tcpLike(s), o.server);
  return { client, server, c, s };
}

describe('SecureChannel (virtual time)', () => {
  // Warm the crypto library once (JIT, precomputed tables) so the first test is not the slow one.
  before(() => {
    const [a, b] = memoryPipe();
    const client = Session.client({ serverName: 'localhost', ca: caPem() });
    const server = Session.server(serverIdentity('p256'));
    client.setTransport(a);
    server.setTransport(b);
    driveBoth(() => client.handshake(), () => server.handshake());
  });

  it('handshakes at 2L (client) / 3L (server), moves data in one latency, closes both ways', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      client.next(bytes('ping')); // queued: leaves with the client Finished at 2L
      ts.schedule(() => client.complete(), 50);

      expectObservable(client.handshake$.pipe(map((i) => i.version))).toBe('20ms (v|)', { v: 'TLSv1.3' });
      expectObservable(server.handshake$.pipe(map((i) => i.version))).toBe('30ms (v|)', { v: 'TLSv1.3' });
      // The server echoes; the client's close_notify (50) completes it at 60,
      // and, half-open not allowed, it closes too: the client completes at 70.
      expectObservable(texts(server.pipe(tap((chunk) => server.next(chunk))))).toBe('30ms p 29ms |', { p: 'ping' });
      expectObservable(texts(client)).toBe('40ms p 29ms |', { p: 'ping' });
      expectObservable(events(client)).toBe('20ms a 29ms b 19ms (cd|)', {
        a: 'handshake',
        b: 'close_notify:us',
        c: 'close_notify:peer',
        d: 'closed',
      });
      expectObservable(events(server)).toBe('30ms a 29ms (bcd|)', {
        a: 'handshake',
        b: 'close_notify:peer',
        c: 'close_notify:us',
        d: 'closed',
      });
    });
  });

  for (const latency of [1, 7, 250]) {
    it(`latency ${latency}: handshake done at ${2 * latency} / ${3 * latency}, echo back at ${4 * latency}`, () => {
      const ts = newScheduler();
      ts.run(({ expectObservable }) => {
        const { client, server } = pair(ts, { link: { latency } });
        client.next(bytes('x'));
        const at = (n: number, marble: string) => `${n * latency}ms ${marble}`;
        expectObservable(client.handshake$.pipe(map(() => 'h'))).toBe(at(2, '(h|)'));
        expectObservable(server.handshake$.pipe(map(() => 'h'))).toBe(at(3, '(h|)'));
        expectObservable(texts(server.pipe(tap((c) => server.next(c))))).toBe(at(3, 'x'));
        expectObservable(texts(client)).toBe(at(4, 'x'));
      });
    });
  }

  it('streams through a small link at one capacity per latency, one chunk per record', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, { link: { capacity: 4096 } });
      // 50000 bytes = records of 16384,16384,16384,848 (+22 bytes each), after
      // CCS+Finished (64): 50152 bytes, 4096 per 10 frames from frame 20.
      const payload = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 31) & 0xff);
      client.next(payload);
      expectObservable(server.pipe(map((c) => c.length))).toBe('70ms a 39ms a 39ms (ab)', { a: 16384, b: 848 });
      const got: number[] = [];
      server.subscribe((c) => got.push(...c));
      ts.schedule(() => expect(Uint8Array.from(got)).to.deep.equal(payload), 200);
    });
  });

  it('a paced (slow) consumer stops reading: the sender blocks, nothing buffers without bound, nothing is lost', () => {
    const ts = newScheduler();
    ts.run(() => {
      const capacity = 4096;
      const [c, s] = virtualStreamLink({ latency: L, chunkSize: 1000, capacity }, ts);
      let pulled = 0;
      const counted = {
        ...s,
        transport: {
          push: s.transport.push,
          pull: (max: number) => {
            const r = s.transport.pull(max);
            if (typeof r !== 'string') pulled += r.length;
            return r;
          },
        },
      };
      const clock = () => ts.now();
      const client = openChannel(Session.client({ serverName: 'localhost', ca: caPem(), clock }), c);
      const server = openChannel(Session.server({ ...serverIdentity('p256'), clock }), counted);
      const sent: number[] = [];
      for (let i = 0; i < 40; i++) {
        const chunk = Uint8Array.from({ length: 1000 }, (_, j) => (i * 7 + j) & 0xff);
        sent.push(...chunk);
        client.next(chunk);
      }
      client.complete();
      client.subscribe(); // reads the server's close_notify, so the client can finish too

      const got: number[] = [];
      const deliveries: number[] = [];
      let maxHeld = 0;
      let blockedSeen = false;
      pacedRead(server, (chunk) => {
        got.push(...chunk);
        deliveries.push(ts.now());
        // Bytes taken from the link but not yet delivered: one pull's worth at most.
        maxHeld = Math.max(maxHeld, pulled - got.length);
        if (client.bufferedAmount > 20_000) blockedSeen = true;
        return timer(50, ts); // a slow consumer
      }).subscribe({ complete: () => deliveries.push(-1) });

      ts.flush();
      expect(Uint8Array.from(got)).to.deep.equal(Uint8Array.from(sent));
      expect(deliveries.at(-1)).to.equal(-1); // the close_notify completed it
      for (let i = 1; i < deliveries.length - 1; i++) expect(deliveries[i]! - deliveries[i - 1]!).to.be.at.least(50);
      expect(blockedSeen, 'back-pressure reached the sender').to.equal(true);
      expect(maxHeld).to.be.at.most(capacity + 2000);
      expect(client.closed && server.closed).to.equal(true);
    });
  });

  it('allowHalfOpen keeps the write side open after the peer closed', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, { server: { allowHalfOpen: true } });
      client.complete(); // close_notify right after the client Finished, at 20
      ts.schedule(() => server.next(bytes('late reply')), 40);
      ts.schedule(() => server.complete(), 60);
      expectObservable(texts(server)).toBe('30ms |');
      expectObservable(texts(client)).toBe('50ms r 19ms |', { r: 'late reply' });
      expectObservable(events(server)).toBe('30ms (ab) 26ms (cd|)', {
        a: 'handshake',
        b: 'close_notify:peer',
        c: 'close_notify:us',
        d: 'closed',
      });
    });
  });

  it('a transport end without close_notify errors the stream as truncation', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { server, c } = pair(ts);
      ts.schedule(() => c.close(), 50); // a bare FIN
      expectObservable(errorsAs(texts(server))).toBe('60ms (e|)', { e: '#ERR_TLS_PREMATURE_TERMINATION' });
      expectObservable(events(server)).toBe('30ms a 29ms (b|)', { a: 'handshake', b: 'closed:ERR_TLS_PREMATURE_TERMINATION' });
    });
  });

  it('unsubscribing the last reader tears down with a best-effort close_notify', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      expectObservable(texts(client), '^ 39ms !').toBe('');
      expectObservable(texts(client), '^ 49ms !').toBe(''); // the last one leaves at 50
      expectObservable(events(client)).toBe('20ms a 29ms (bc|)', { a: 'handshake', b: 'close_notify:us', c: 'closed' });
      expectObservable(texts(server)).toBe('60ms |');
      ts.schedule(() => expect(client.closed).to.equal(false), 45);
      ts.schedule(() => expect(client.closed).to.equal(true), 51);
    });
  });

  it('error() aborts: no close_notify, subscribers get the error, the peer sees truncation', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      ts.schedule(() => client.error(new Error('aborted')), 50);
      ts.schedule(() => client.next(bytes('ignored')), 55);
      expectObservable(errorsAs(texts(client))).toBe('50ms (e|)', { e: '#aborted' });
      expectObservable(events(client)).toBe('20ms a 29ms (b|)', { a: 'handshake', b: 'closed:aborted' });
      expectObservable(errorsAs(texts(server))).toBe('60ms (e|)', { e: '#ERR_TLS_PREMATURE_TERMINATION' });
    });
  });

  it('reports a fatal alert on both sides, at the frames it is sent and received', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, { ca: fixture('other-ca.pem') });
      client.next(bytes('never sent'));
      expectObservable(errorsAs(client.handshake$.pipe(map(() => 'ok')))).toBe('20ms (e|)', { e: '#unknown_ca' });
      expectObservable(events(client)).toBe('20ms (ab|)', { a: 'unknown_ca:us', b: 'closed:unknown_ca' });
      expectObservable(events(server)).toBe('30ms (ab|)', { a: 'unknown_ca:peer', b: 'closed:unknown_ca:peer' });
      expectObservable(errorsAs(texts(server))).toBe('30ms (e|)', { e: '#unknown_ca:peer' });
    });
  });

  it('times the handshake out on the given scheduler, telling the peer user_canceled then close_notify', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [c, s] = virtualStreamLink({ latency: L }, ts); // nobody answers
      const client = openChannel(
        Session.client({ serverName: 'localhost', ca: caPem(), clock: () => ts.now() }),
        c,
        { handshakeTimeout: 100, scheduler: ts },
      );
      expectObservable(client.handshake$.pipe(catchError((e: TlsError) => of(`${e.name} ${e.code}`)))).toBe('100ms (e|)', {
        e: 'TlsError ERR_TLS_HANDSHAKE_TIMEOUT',
      });
      expectObservable(events(client)).toBe('100ms (ab|)', { a: 'user_canceled:us', b: 'closed:user_canceled' });
      // What the silent peer read: the ClientHello record, then two plaintext warning alerts.
      const received: number[][] = [];
      s.readiness.readable$.subscribe(() => {
        for (let r = s.transport.pull(1 << 16); r instanceof Uint8Array; r = s.transport.pull(1 << 16)) received.push([...r]);
      });
      ts.schedule(() => {
        const all = received.flat();
        expect(all[0]).to.equal(22);
        expect(all.slice(-14)).to.deep.equal([21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0]);
      }, 200);
    });
  });

  it('a verify hook can veto the finished handshake', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const verify = () => new Error('vetoed');
      const { client, server } = pair(ts, { client: { verify } });
      expectObservable(events(client)).toBe('20ms (a|)', { a: 'closed:vetoed' });
      // The server reads why, right after the client Finished.
      expectObservable(errorsAs(texts(server))).toBe('30ms (e|)', { e: '#bad_certificate:peer' });
    });
  });

  it('a record the session made while reading (a KeyUpdate reply) leaves when the transport drains, the peer silent', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [c, s] = virtualStreamLink({ latency: L }, ts);
      // The server's transport refuses writes from 105 to 150, then says it is writable again.
      let blocked = false;
      const drained = new Subject<void>();
      const gated = {
        ...tcpLike(s),
        transport: { push: (b: Uint8Array) => (blocked ? AGAIN : s.transport.push(b)), pull: (max: number) => s.transport.pull(max) },
        readiness: { readable$: s.readiness.readable$, writable$: merge(s.readiness.writable$, drained) },
      };
      const clock = () => ts.now();
      const serverSession = Session.server({ ...serverIdentity('p256'), clock });
      const client = openChannel(Session.client({ serverName: 'localhost', ca: caPem(), clock }), tcpLike(c));
      const server = openChannel(serverSession, gated);
      client.subscribe();
      server.subscribe();
      ts.schedule(() => client.keyUpdate(true), 100); // the client's last word
      ts.schedule(() => (blocked = true), 105);
      ts.schedule(() => ((blocked = false), drained.next()), 150);
      const unsent: Record<string, number> = {};
      for (const t of [120, 151]) ts.schedule(() => (unsent[t] = serverSession.unsent()), t);
      ts.schedule(() => {
        expect(unsent[120]).to.be.greaterThan(0); // the reply waits for the transport
        expect(unsent[151]).to.equal(0); // and left as soon as it drained
      }, 200);
      expectObservable(events(server).pipe(take(1))).toBe('30ms (a|)', { a: 'handshake' });
    });
  });

  it('copies queued chunks, shares one read side, and settles late subscribers', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      const buf = bytes('original');
      client.next(buf);
      buf.fill(0x21); // the caller reuses its buffer
      ts.schedule(() => client.complete(), 40);
      ts.schedule(() => client.next(bytes('after complete')), 41);
      expectObservable(texts(server)).toBe('30ms o 19ms |', { o: 'original' });
      expectObservable(texts(server)).toBe('30ms o 19ms |', { o: 'original' });
      expectObservable(texts(client)).toBe('60ms |');
      const late: string[] = [];
      ts.schedule(() => server.subscribe({ next: () => late.push('next'), complete: () => late.push('complete') }), 100);
      ts.schedule(() => expect(late).to.deep.equal(['complete']), 101);
    });
  });

  it('keyUpdate() goes out between the chunks around it; traffic flows on under the new keys both ways', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      ts.schedule(() => {
        client.next(bytes('a'));
        client.keyUpdate(true); // the server answers with its own KeyUpdate
        client.next(bytes('b'));
      }, 40);
      ts.schedule(() => client.next(bytes('c')), 70);
      expectObservable(texts(server.pipe(tap((chunk) => server.next(chunk))))).toBe('50ms (ab) 26ms c', { a: 'a', b: 'b', c: 'c' });
      expectObservable(texts(client)).toBe('60ms (ab) 26ms c', { a: 'a', b: 'b', c: 'c' });
    });
  });

  it('bufferedAmount and drain$ follow the send queue', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, { link: { capacity: 2000 } });
      server.subscribe();
      client.next(new Uint8Array(3000));
      client.next(new Uint8Array(3000));
      const amounts: Array<[number, number]> = [];
      for (const t of [0, 20, 30, 40, 60]) ts.schedule(() => amounts.push([t, client.bufferedAmount]), t);
      // 6000 bytes + 2×22 record overhead + 64 handshake bytes at 2000 per 10 frames from 20.
      expectObservable(client.drain$.pipe(map(() => 'd'))).toBe('50ms d');
      ts.schedule(() => expect(amounts).to.deep.equal([[0, 6000], [20, 6000], [30, 6000], [40, 3000], [60, 0]]), 70);
    });
  });
});
