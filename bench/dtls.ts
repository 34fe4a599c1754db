/**
 * DTLS 1.2 over UDP loopback (listenDtls/connectDtls, node crypto provider,
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with X25519 as the TLS 1.2 lines):
 *
 * - handshakes/s, sequential, each with the listener's cookie round, against
 *   rxtls TLS 1.2 over TCP (listenTls/connectTls, same provider and suite);
 * - bulk datagrams/s with 1 KiB payloads, client to listener, in windows of
 *   64 (a window is sent, then the next once the listener has most of it:
 *   UDP drops what overflows a socket buffer), against plain UDP datagrams
 *   of the same size and windowing;
 * - heap per idle DTLS peer on a listener (heap + external after GC in a
 *   child process holding only the listener) against an idle TLS 1.2
 *   connection on listenTls measured the same way.
 */
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, Subject, type Subscription } from 'rxjs';
import { nodeCrypto } from '../lib/crypto/node/index.js';
import { connectDtls } from '../lib/node/connect-dtls.js';
import { connectTls } from '../lib/node/connect-tls.js';
import type { DtlsListening } from '../lib/node/dtls-options.js';
import { listenDtls } from '../lib/node/listen-dtls.js';
import type { DatagramChannel } from '../lib/rx/datagram-channel.js';
import type { SecureChannel } from '../lib/rx/secure-channel.js';
import { rxtlsHandshaker } from './handshake.js';
import { TLS12 } from './protocols.js';
import type { DtlsHeapCommand } from './dtls-heap-child.js';
import { type Line, pairSummary, payload, sideBySide } from './stats.js';
import { CA, CERT, KEY, interleavedAsync } from './support.js';

/** The TLS 1.2 bench suite and groups, as DTLS session options. */
export const DTLS_SESSION = { crypto: nodeCrypto, suites: TLS12.rxtls.suites, groups: TLS12.rxtls.groups } as const;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A listenDtls on 127.0.0.1 whose channels are kept subscribed; `onDatagram` sees each datagram. */
async function dtlsListener(onDatagram: () => void = () => {}): Promise<{ port: number; stats: DtlsListening['stats']; handshakes: Subject<void>; close: () => void }> {
  const listening = new Subject<DtlsListening>();
  const got = firstValueFrom(listening);
  const handshakes = new Subject<void>();
  const sub: Subscription = listenDtls({ host: '127.0.0.1', cert: CERT, key: KEY, session: DTLS_SESSION, listeningObserver: listening }).subscribe((channel) => {
    channel.handshake$.subscribe({ next: () => handshakes.next(), error: () => {} });
    channel.subscribe({ next: onDatagram, error: () => {} });
  });
  const l = await got;
  return { port: l.port, stats: l.stats, handshakes, close: () => sub.unsubscribe() };
}

const dtlsClient = (port: number) => firstValueFrom(connectDtls({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, session: DTLS_SESSION }));

async function handshakeLine(timing: { rounds: number; sliceMs: number; slices: number; warmMs: number }): Promise<Line> {
  const server = await dtlsListener();
  const dtls = async () => {
    const both = firstValueFrom(server.handshakes);
    const channel = await dtlsClient(server.port);
    const info = await firstValueFrom(channel.handshake$);
    if (info.suite !== TLS12.suite || info.group !== 'x25519') throw new Error(`bench: DTLS negotiated ${info.suite} ${info.group}`);
    await both;
    // close_notify (one datagram, no wait): the listener forgets the peer at once, as a TCP server sees the
    // connection drop. An aborted DTLS client would hold a listener slot until idleTimeout (maxPeers fills up).
    channel.complete();
  };
  const tcp = await rxtlsHandshaker(nodeCrypto, TLS12);
  const r = await interleavedAsync(dtls, tcp.handshake, timing);
  tcp.close();
  server.close();
  return {
    section: 'dtls',
    name: 'DTLS 1.2 over UDP vs TLS 1.2 over TCP, rxtls node provider (sequential)',
    unit: 'hs/s',
    a: { label: 'DTLS 1.2 (cookie round)', ...r.a },
    b: { label: 'TLS 1.2', ...r.b },
    ratio: r.ratio,
    better: 'higher',
  };
}

/** Sends `count` datagrams with `send`, `window` at a time, each window once `received()` is within `window` of what was sent (or 20 ms passed). */
async function windowed(count: number, send: () => void, received: () => number, window = 64): Promise<number> {
  const start = received();
  const t0 = performance.now();
  for (let sent = 0; sent < count; ) {
    for (let i = 0; i < window && sent < count; i++, sent++) send();
    const waitFrom = performance.now();
    while (received() - start < sent - window && performance.now() - waitFrom < 20) await tick();
  }
  for (const waitFrom = performance.now(); received() - start < count && performance.now() - waitFrom < 50; ) await tick();
  return ((received() - start) * 1000) / (performance.now() - t0);
}

async function bulkLine(rounds: number, count: number): Promise<Line> {
  const data = payload(1024);
  let dtlsReceived = 0;
  const server = await dtlsListener(() => dtlsReceived++);
  const channel: DatagramChannel = await dtlsClient(server.port);
  channel.subscribe({ error: () => {} });
  await firstValueFrom(channel.handshake$);

  let udpReceived = 0;
  const sink = dgram.createSocket('udp4');
  const source = dgram.createSocket('udp4');
  sink.on('message', () => udpReceived++);
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => source.connect(sink.address().port, '127.0.0.1', resolve));
  const buf = Buffer.from(data);

  const r = await sideBySide(
    rounds,
    () => windowed(count, () => channel.next(data), () => dtlsReceived),
    () => windowed(count, () => source.send(buf), () => udpReceived),
  );
  channel.complete();
  server.close();
  sink.close();
  source.close();
  return {
    section: 'dtls',
    name: 'DTLS 1.2 datagrams vs plain UDP, 1 KiB payloads (windows of 64)',
    unit: 'dgram/s',
    a: { label: 'DTLS 1.2', ...r.a },
    b: { label: 'plain UDP', ...r.b },
    ratio: r.ratio,
    better: 'higher',
  };
}

/** The listener child's retained memory (heap + external) per idle peer, for `peers` peers opened from here. */
async function heapPerPeer(kind: 'dtls' | 'tls', peers: number): Promise<number> {
  const child = fork(fileURLToPath(new URL('./dtls-heap-child.ts', import.meta.url)), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: Array<(m: unknown) => void> = [];
  child.on('message', (m) => replies.shift()?.(m));
  const ask = <T>(cmd: DtlsHeapCommand) =>
    new Promise<T>((resolve) => {
      replies.push(resolve as (m: unknown) => void);
      child.send(cmd);
    });
  const kept: Array<DatagramChannel | SecureChannel> = [];
  try {
    const { port } = await ask<{ port: number }>({ cmd: 'listen', kind });
    const before = await ask<{ retained: number }>({ cmd: 'measure' });
    for (let i = 0; i < peers; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, peers - i) }, async () => {
          const c =
            kind === 'dtls'
              ? await dtlsClient(port)
              : await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, session: { crypto: nodeCrypto, ...TLS12.rxtls } }));
          c.subscribe({ error: () => {} });
          await firstValueFrom(c.handshake$);
          return c;
        }),
      );
      kept.push(...batch);
    }
    const after = await ask<{ retained: number; established: number }>({ cmd: 'measure' });
    if (after.established !== peers) throw new Error(`bench: ${after.established} of ${peers} ${kind} peers established on the listener`);
    return (after.retained - before.retained) / peers;
  } finally {
    for (const c of kept) c.error(new Error('bench: done'));
    child.send({ cmd: 'exit' } satisfies DtlsHeapCommand);
  }
}

async function heapLine(rounds: number, peers: number): Promise<Line> {
  const r = await sideBySide(
    rounds,
    () => heapPerPeer('dtls', peers),
    () => heapPerPeer('tls', peers),
  );
  return {
    section: 'dtls',
    name: `heap per idle peer on a listener, ${peers} peers (DTLS 1.2 listenDtls vs TLS 1.2 listenTls)`,
    unit: 'B',
    a: { label: 'DTLS peer', ...r.a },
    b: { label: 'TLS connection', ...r.b },
    ratio: r.ratio,
    better: 'lower',
  };
}

export async function dtlsLines(o: {
  rounds: number;
  timing: { rounds: number; sliceMs: number; slices: number; warmMs: number };
  datagrams: number;
  peers: number;
  log: (s: string) => void;
}): Promise<Line[]> {
  o.log('DTLS: handshakes');
  const lines = [await handshakeLine(o.timing)];
  o.log('DTLS: bulk datagrams');
  lines.push(await bulkLine(o.rounds, o.datagrams));
  o.log('DTLS: heap per idle peer');
  lines.push(await heapLine(Math.min(o.rounds, 3), o.peers));
  return lines;
}

export { pairSummary };
