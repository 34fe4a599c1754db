/**
 * The second demo (`npm run demo:virtual`): the same TLS 1.3 handshake and
 * exchange as the main demo, over a `virtualStreamLink` with 50 ms latency,
 * run in RxJS virtual time. It prints the timeline in virtual milliseconds
 * (what a 50 ms network would show) and the real time it took.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VirtualTimeScheduler } from 'rxjs';
import { openChannel } from '../lib/rx/index.js';
import { Session } from '../lib/index.js';
import { virtualStreamLink } from '../lib/testing/index.js';

const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');
const fixturePath = (name: string) => fileURLToPath(new URL(`../spec/fixtures/${name}`, import.meta.url));
const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const LATENCY = 50;

const scheduler = new VirtualTimeScheduler();
const at = (who: string, what: string) => console.log(`t=${String(scheduler.now()).padStart(4)} ms  ${who.padEnd(6)} ${what}`);

console.log(`rxtls virtual-time demo: TLS 1.3 over a virtualStreamLink with ${LATENCY} ms latency\n`);
const [clientEnd, serverEnd] = virtualStreamLink({ latency: LATENCY, chunkSize: 1460 }, scheduler);
const clock = () => scheduler.now();
const client = openChannel(Session.client({ serverName: 'localhost', ca: fixture('ca.pem'), clock }), clientEnd);
const server = openChannel(Session.server({ cert: fixture('server-p256.pem'), key: fixture('server-p256.key'), clock }), serverEnd);

at('client', 'ClientHello sent');
client.handshake$.subscribe((i) => at('client', `handshake done (${i.suite}, ${i.group}): one round trip`));
server.handshake$.subscribe(() => at('server', "handshake done: the client's Finished arrived"));
server.subscribe((chunk) => {
  at('server', `got "${decode(chunk)}", echoing`);
  server.next(chunk);
});
client.subscribe({
  next: (chunk) => {
    at('client', `got the echo "${decode(chunk)}", closing`);
    client.complete();
  },
  complete: () => at('client', "peer's close_notify: closed"),
});
server.events$.subscribe((e) => e.type === 'closed' && at('server', 'closed'));
client.next(encode('ping over a 50 ms link')); // queued until the handshake is done

const real = performance.now();
scheduler.flush();
console.log(`\n${scheduler.now()} virtual ms of network time ran in ${(performance.now() - real).toFixed(0)} real ms`);
