/**
 * SecureChannel.session$: each session ticket the server sends, as it
 * arrives (TLS 1.3 NewSessionTickets come after the handshake), completing
 * when the channel closes. Virtual time over virtualStreamLink; the same
 * against node:tls is in spec/node-interop/session-tickets-node.spec.ts.
 */
import { expect } from 'chai';
import { map, merge, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { SessionTicket, Tls13SessionTicket } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { openChannel } from '../../lib/rx/index.js';
import { virtualStreamLink, type VirtualEndpoint } from '../../lib/testing/index.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { text } from '../node-interop/helpers.js';

const L = 10;
const KEYS = [{ name: new Uint8Array(16).fill(7), key: new Uint8Array(32).fill(9) }];
const bytes = (s: string) => new TextEncoder().encode(s);
const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
const tcpLike = (e: VirtualEndpoint) => ({ ...e, destroy: () => e.close() });

function pair(ts: TestScheduler, client: Partial<ClientOptions> = {}, server: Partial<ServerOptions> = {}) {
  const [c, s] = virtualStreamLink({ latency: L, chunkSize: 1000 }, ts);
  const clock = () => ts.now();
  return {
    client: openChannel(Session.client({ serverName: 'localhost', ca: caPem(), clock, ...client }), tcpLike(c)),
    server: openChannel(Session.server({ ...serverIdentity('p256'), ticketKeys: KEYS, clock, ...server }), tcpLike(s)),
  };
}

/** A ticket as a short string: which server key sealed it, and its nonce. */
const label = (t: SessionTicket) => (t.version === 'TLSv1.3' ? `${t.ticket[0]}/${Buffer.from(t.nonce).toString('hex')}` : 'tls12');

describe('SecureChannel.session$ (new session tickets)', () => {
  it('emits the server\'s tickets when they arrive after the handshake (4L), in order, and completes on close', () => {
    const ts = newScheduler();
    let seen: SessionTicket[] = [];
    let kept: SessionTicket[] = [];
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, {}, { tickets: 3 });
      client.subscribe();
      server.subscribe();
      client.session$.pipe(toArray()).subscribe((all) => (seen = all));
      ts.schedule(() => client.complete(), 60);
      // The server sends its tickets with its first flight after the client's Finished (3L): they land at 4L.
      // close_notify leaves at 60, the server answers at 70, the client closes at 80.
      expectObservable(client.session$.pipe(map(label))).toBe('40ms (abc) 35ms |', { a: '7/00', b: '7/01', c: '7/02' });
      expectObservable(server.session$).toBe('70ms |');
      ts.schedule(() => (kept = [...client.info.tickets]), 79);
    });
    expect(seen).to.have.length(3);
    expect(seen).to.deep.equal(kept); // the very objects info.tickets holds
  });

  it('a ticket read ahead of data is told before that data; late subscribers get the tickets replayed', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts);
      server.subscribe();
      server.handshake$.subscribe(() => server.next(bytes('after-tickets')));
      const order = merge(client.session$.pipe(map(() => 't')), client.pipe(map(text)));
      expectObservable(order).toBe('40ms (tt d)', { t: 't', d: 'after-tickets' });
      ts.schedule(() => {
        // Subscribed long after they arrived: both come at once.
        expectObservable(client.session$.pipe(map(() => 't'))).toBe('50ms (tt)');
      }, 50);
    });
  });

  it('TLS 1.2: the NewSessionTicket of the handshake is emitted when the handshake completes', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, { maxVersion: 'TLSv1.2' }, { maxVersion: 'TLSv1.2' });
      client.subscribe();
      server.subscribe();
      ts.schedule(() => client.complete(), 50);
      // ClientHello at 0, server flight at 10, client Finished at 20, NewSessionTicket + server Finished at 30, read at 40.
      expectObservable(client.handshake$.pipe(map((i) => i.version))).toBe('40ms (v|)', { v: 'TLSv1.2' });
      expectObservable(client.session$.pipe(map((t) => t.version))).toBe('40ms v 29ms |', { v: 'TLSv1.2' });
    });
  });

  it('no tickets (server tickets: 0): session$ completes empty when the channel closes', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const { client, server } = pair(ts, {}, { tickets: 0 });
      client.subscribe();
      server.subscribe();
      ts.schedule(() => client.complete(), 50);
      expectObservable(client.session$).toBe('70ms |');
    });
  });

  it('a ticket from session$ resumes: the next server says resumed', () => {
    const ts = newScheduler();
    let resumed: boolean[] = [];
    ts.run(() => {
      const first = pair(ts);
      first.client.subscribe();
      first.server.subscribe();
      first.client.session$.pipe(toArray()).subscribe((tickets) => {
        const second = pair(ts, { session: tickets[0] as Tls13SessionTicket });
        second.client.subscribe();
        second.server.subscribe();
        second.server.handshake$.subscribe((info) => resumed.push(info.resumed));
        second.client.handshake$.subscribe((info) => resumed.push(info.resumed));
      });
      ts.schedule(() => first.client.complete(), 50);
    });
    expect(resumed).to.deep.equal([true, true]);
  });

});
