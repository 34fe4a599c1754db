/**
 * One side of the idle-session memory bench (item 5), run as a child process
 * with --expose-gc: a server (node:tls or rxtls listenTls) that keeps every
 * connection it accepts, or a client that opens and keeps connections. The
 * parent (heap.ts) sends commands over IPC and reads memory after full GCs.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { firstValueFrom, Subject } from 'rxjs';
import { nobleCrypto } from '../lib/crypto/noble/index.js';
import { nodeCrypto } from '../lib/crypto/node/index.js';
import { connectTls } from '../lib/node/connect-tls.js';
import { listenTls } from '../lib/node/listen-tls.js';
import type { SecureChannel } from '../lib/rx/secure-channel.js';
import { CA, CERT, KEY } from './support.js';

export type Impl = 'node:tls' | 'rxtls-node' | 'rxtls-noble';
export type Command =
  | { cmd: 'listen'; impl: Impl; host: string }
  | { cmd: 'connect'; impl: Impl; host: string; port: number; count: number; concurrency: number }
  | { cmd: 'measure'; established: number }
  | { cmd: 'exit' };

const SUITE = 'TLS_AES_128_GCM_SHA256' as const;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('heap-child needs --expose-gc');

const keep: unknown[] = [];
let established = 0;
const progress = new Subject<void>();
const providerOf = (impl: Impl) => (impl === 'rxtls-noble' ? nobleCrypto : nodeCrypto);

async function listen(impl: Impl, host: string): Promise<number> {
  if (impl === 'node:tls') {
    const server = tls.createServer({ cert: CERT, key: KEY, minVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' }, (s) => {
      keep.push(s);
      s.on('error', () => {});
      established++;
      progress.next();
    });
    keep.push(server);
    await new Promise<void>((r) => server.listen({ port: 0, host, backlog: 4096 }, r));
    return (server.address() as AddressInfo).port;
  }
  const port = new Subject<number>();
  const got = firstValueFrom(port);
  const sub = listenTls({
    port: 0,
    host,
    backlog: 4096,
    cert: CERT,
    key: KEY,
    session: { crypto: providerOf(impl), suites: [SUITE], groups: ['x25519'] },
    listeningObserver: { next: (a) => port.next(a.port) },
  }).subscribe((channel) => {
    keep.push(channel);
    channel.subscribe({ error: () => {} }); // a reading server, idle
    channel.handshake$.subscribe({
      next: () => {
        established++;
        progress.next();
      },
      error: () => {},
    });
  });
  keep.push(sub);
  return got;
}

async function connectOne(impl: Impl, host: string, port: number): Promise<void> {
  if (impl === 'node:tls') {
    const socket = tls.connect({ host, port, servername: 'localhost', ca: CA, minVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' });
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    keep.push(socket);
    return;
  }
  const channel: SecureChannel = await firstValueFrom(
    connectTls({ host, port, servername: 'localhost', ca: CA, session: { crypto: providerOf(impl), suites: [SUITE], groups: ['x25519'] } }),
  );
  channel.subscribe({ error: () => {} }); // a reading client, idle
  await firstValueFrom(channel.handshake$);
  keep.push(channel);
}

async function connectMany(impl: Impl, host: string, port: number, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await connectOne(impl, host, port);
      established++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function measure(expected: number) {
  while (established < expected) await firstValueFrom(progress);
  // Let in-flight callbacks (tickets, timers) settle, then collect everything collectable.
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 20));
    gc!();
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, established };
}

process.on('message', (msg: Command) => {
  const reply = (x: unknown) => process.send!(x);
  const fail = (e: unknown) => reply({ error: String((e as Error)?.stack ?? e) });
  switch (msg.cmd) {
    case 'listen':
      listen(msg.impl, msg.host).then((port) => reply({ port }), fail);
      break;
    case 'connect':
      connectMany(msg.impl, msg.host, msg.port, msg.count, msg.concurrency).then(() => reply({ established }), fail);
      break;
    case 'measure':
      measure(msg.established).then(reply, fail);
      break;
    case 'exit':
      process.exit(0);
  }
});
process.send!({ ready: true });
