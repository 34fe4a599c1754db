/**
 * Item 2: bulk transfer, rxtls client -> rxtls server (connectTls/listenTls,
 * SecureChannels) against node:tls -> node:tls, over loopback TCP in this
 * process, same suite (TLS_AES_128_GCM_SHA256) and X25519. Each transfer uses
 * a fresh connection; the clock runs from the first write until the server has
 * received the last byte.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { firstValueFrom, Subject } from 'rxjs';
import type { CryptoProvider } from '../lib/crypto/provider.js';
import { connectTls } from '../lib/node/connect-tls.js';
import { listenTls } from '../lib/node/listen-tls.js';
import { type Line, MiB, sideBySide } from './stats.js';
import { CA, CERT, KEY } from './support.js';

const SUITE = 'TLS_AES_128_GCM_SHA256' as const;
/** Bytes per write on both sides. */
const WRITE = 256 * 1024;

interface Receiver {
  /** Resolves once `bytes` more bytes arrived on the next connection. */
  expect(bytes: number): Promise<void>;
}

function counter(): Receiver & { add(n: number): void } {
  let want = 0;
  let got = 0;
  let done: (() => void) | undefined;
  return {
    expect(bytes) {
      want = bytes;
      got = 0;
      return new Promise<void>((resolve) => (done = resolve));
    },
    add(n) {
      got += n;
      if (got >= want && done) {
        const d = done;
        done = undefined;
        d();
      }
    },
  };
}

export async function nodeTlsBulk(): Promise<{ transfer: (bytes: number) => Promise<number>; close: () => void }> {
  const rx = counter();
  const server = tls.createServer({ cert: CERT, key: KEY, minVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' }, (s) => {
    s.on('data', (chunk: Buffer) => rx.add(chunk.length));
    s.on('error', () => {});
    s.on('end', () => s.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const chunk = Buffer.alloc(WRITE, 0x61);
  return {
    async transfer(bytes) {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, minVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' });
      socket.on('error', () => {});
      await once(socket, 'secureConnect');
      const arrived = rx.expect(bytes);
      const t0 = performance.now();
      for (let sent = 0; sent < bytes; sent += WRITE) {
        if (!socket.write(chunk)) await once(socket, 'drain');
      }
      await arrived;
      const dt = performance.now() - t0;
      socket.destroy();
      return (bytes * 1000) / dt;
    },
    close: () => server.close(),
  };
}

export async function rxtlsBulk(crypto: CryptoProvider): Promise<{ transfer: (bytes: number) => Promise<number>; close: () => void }> {
  const rx = counter();
  const port = new Subject<number>();
  const gotPort = firstValueFrom(port);
  const sub = listenTls({
    port: 0,
    host: '127.0.0.1',
    cert: CERT,
    key: KEY,
    session: { crypto, suites: [SUITE], groups: ['x25519'] },
    listeningObserver: { next: (a) => port.next(a.port) },
  }).subscribe((channel) => channel.subscribe({ next: (c) => rx.add(c.length), error: () => {} }));
  const p = await gotPort;
  const chunk = new Uint8Array(WRITE).fill(0x61);
  return {
    async transfer(bytes) {
      const channel = await firstValueFrom(
        connectTls({ host: '127.0.0.1', port: p, servername: 'localhost', ca: CA, session: { crypto, suites: [SUITE], groups: ['x25519'] } }),
      );
      channel.subscribe({ error: () => {} });
      await firstValueFrom(channel.handshake$);
      const arrived = rx.expect(bytes);
      const t0 = performance.now();
      for (let sent = 0; sent < bytes; sent += WRITE) {
        channel.next(chunk);
        if (channel.bufferedAmount > 0) await firstValueFrom(channel.drain$);
      }
      await arrived;
      const dt = performance.now() - t0;
      channel.error(new Error('bench: done'));
      return (bytes * 1000) / dt;
    },
    close: () => sub.unsubscribe(),
  };
}

export async function bulkLines(runs: { provider: CryptoProvider; bytes: number }[], rounds: number): Promise<Line[]> {
  const lines: Line[] = [];
  const node = await nodeTlsBulk();
  for (const { provider, bytes } of runs) {
    const rx = await rxtlsBulk(provider);
    // Warm-up: a sixteenth of the size each.
    await rx.transfer(Math.max(WRITE, bytes / 16));
    await node.transfer(Math.max(WRITE, bytes / 16));
    const r = await sideBySide(rounds, () => rx.transfer(bytes), () => node.transfer(bytes));
    rx.close();
    lines.push({
      section: 'bulk',
      name: `${provider.name} provider, ${bytes / MiB} MiB one way (TCP, ${SUITE})`,
      unit: 'MB/s',
      a: { label: `rxtls ${provider.name}`, ...r.a },
      b: { label: 'node:tls', ...r.b },
      ratio: r.ratio,
      better: 'higher',
      target: provider.name === 'node' ? { min: 0.8, text: '≥ 0.80' } : undefined,
    });
  }
  node.close();
  return lines;
}
