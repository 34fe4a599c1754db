/**
 * The server side of the loop-stall bench (loop-stall.ts), forked: a node:tls
 * or rxtls (listenTls) server on 127.0.0.1 that counts finished handshakes and
 * watches its own event loop with perf_hooks.monitorEventLoopDelay (1 ms
 * resolution). The parent sends `start` before each burst (the histogram is
 * reset) and gets `done` with the longest stall once `expect` handshakes
 * finished on the server side.
 */
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import tls from 'node:tls';
import { nobleCrypto } from '../lib/crypto/noble/index.js';
import { nodeCrypto } from '../lib/crypto/node/index.js';
import { listenTls } from '../lib/node/listen-tls.js';
import type { ListenTlsOptions } from '../lib/node/options.js';
import { STALL_SUITE, type StallCommand, type StallImpl, type StallMessage } from './loop-stall-protocol.js';
import { CERT, KEY } from './support.js';


const impl = process.argv[2] as StallImpl;
/** Extra listenTls options (JSON), e.g. limits under test. */
const extra = JSON.parse(process.argv[3] ?? '{}') as Partial<ListenTlsOptions>;
const send = (m: StallMessage) => process.send!(m);

const histogram = monitorEventLoopDelay({ resolution: 1 });
let handshakes = 0;
let expect = Infinity;
let started = 0;
/** Longest garbage-collection pause during the burst (part of any long turn). */
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
}).observe({ entryTypes: ['gc'] });

function finished(): void {
  handshakes++;
  if (handshakes !== expect) return;
  histogram.disable();
  send({ done: true, maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, gcMaxMs, ms: performance.now() - started, handshakes });
}

process.on('message', (m: StallCommand) => {
  if ('exit' in m) process.exit(0);
  handshakes = 0;
  expect = m.expect;
  gcMaxMs = 0;
  histogram.reset();
  histogram.enable();
  started = performance.now();
  send({ ready: true });
});

if (impl === 'node:tls') {
  const server = tls.createServer({ cert: CERT, key: KEY, minVersion: 'TLSv1.3', ciphers: STALL_SUITE, ecdhCurve: 'X25519' }, (s) => {
    s.on('error', () => {});
    s.on('end', () => s.end());
    finished();
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => send({ port: (server.address() as AddressInfo).port }));
} else {
  listenTls({
    port: 0,
    host: '127.0.0.1',
    backlog: 4096,
    cert: CERT,
    key: KEY,
    session: { crypto: impl === 'rxtls-noble' ? nobleCrypto : nodeCrypto, suites: [STALL_SUITE], groups: ['x25519'] },
    listeningObserver: { next: (a: AddressInfo) => send({ port: a.port }) },
    ...extra,
  }).subscribe((channel) => {
    channel.handshake$.subscribe({ next: finished, error: () => {} });
    channel.subscribe({ error: () => {} });
  });
}
