/**
 * Run by dtls-load.spec.ts in a child process with --expose-gc: a listener
 * on 127.0.0.1 gets `count` copies of one real cookie-less ClientHello from
 * a few sockets, in batches, each batch waiting until the listener has
 * answered most of it (a flood that outruns the socket buffer only measures
 * the kernel dropping datagrams). Prints one JSON line: sent, answered
 * (HelloVerifyRequests), peers created, heap growth after GC, ms.
 */
import '../../support/default-crypto.js';
import dgram from 'node:dgram';
import { captureClientHello, echoListener } from '../dtls-support.js';

const count = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const hello = await captureClientHello();
const server = await echoListener();
const senders = await Promise.all(
  Array.from({ length: 4 }, async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    s.on('message', () => {}); // the HelloVerifyRequests, ignored
    return s;
  }),
);

let sent = 0;
async function flood(n: number): Promise<void> {
  const batch = 256;
  for (let done = 0; done < n; done += batch) {
    const k = Math.min(batch, n - done);
    for (let i = 0; i < k; i++) senders[(sent + i) % senders.length]!.send(hello, server.port, '127.0.0.1');
    sent += k;
    // Let the listener catch up (a few datagrams may be lost by the kernel: do not wait for those).
    for (let spins = 0; server.stats.helloVerifyRequests < sent - batch && spins < 200; spins++) await tick();
  }
  for (let spins = 0; server.stats.helloVerifyRequests < sent && spins < 200; spins++) await tick();
}

await flood(2000); // warm-up: JIT, buffers, the jar
const before = heap();
const t0 = Date.now();
await flood(count);
const ms = Date.now() - t0;
const after = heap();
const result = { sent: count, answered: server.stats.helloVerifyRequests - 2000, peers: server.stats.peers, admitted: server.stats.admitted, growth: after - before, ms };
server.close();
for (const s of senders) s.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
