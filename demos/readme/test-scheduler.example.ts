import { deepStrictEqual } from 'node:assert/strict';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Session } from 'rxtls';
import { openChannel } from 'rxtls/rx';
import { virtualStreamLink } from 'rxtls/testing';

declare const ca: string, cert: string, key: string;

// A whole TLS 1.3 handshake over a 10 ms link, in virtual time: exact, and fast in real time.
// A wrong expectation throws (an AssertionError showing both marble timelines).
new TestScheduler((actual, expected) => deepStrictEqual(actual, expected)).run(({ expectObservable }) => {
  const [a, b] = virtualStreamLink({ latency: 10 }); // inside run(), the default scheduler is virtual
  const client = openChannel(Session.client({ serverName: 'localhost', ca }), a);
  const server = openChannel(Session.server({ cert, key }), b);
  expectObservable(client.handshake$.pipe(map((i) => i.version))).toBe('20ms (v|)', { v: 'TLSv1.3' }); // 1 RTT
  expectObservable(server.handshake$.pipe(map((i) => i.version))).toBe('30ms (v|)', { v: 'TLSv1.3' });
});
