/**
 * Item 2: bulk transfer over loopback TCP, rxtls client -> rxtls server
 * (connectTls/listenTls, SecureChannels) against node:tls -> node:tls, same
 * suite (TLS_AES_128_GCM_SHA256) and X25519. The sender runs in this process,
 * each receiver in a process of its own (bulk-server.ts), so each side has a
 * core as a real client and server would, for both implementations alike.
 * Each transfer uses a fresh connection; the clock runs from the first write
 * until the receiver reports the last byte.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import type { CryptoProvider } from '../lib/crypto/provider.js';
import { connectTls } from '../lib/node/connect-tls.js';
import { BULK_SUITE as SUITE, type BulkCommand, type BulkImpl, type BulkMessage } from './bulk-protocol.js';
import { type Line, MiB, sideBySide } from './stats.js';
import { CA } from './support.js';

/** Bytes per write on the sending side. */
const WRITE = 256 * 1024;

interface Bulk {
  /** MB/s of one transfer of `bytes` on a fresh connection. */
  transfer(bytes: number): Promise<number>;
  close(): void;
}

/** A forked receiver: its port, and a promise per transfer for the last byte. */
class Receiver {
  private readonly proc: ChildProcess;
  private waiting?: () => void;
  private total = 0;

  private constructor(proc: ChildProcess, readonly port: number) {
    this.proc = proc;
    proc.on('message', (m: BulkMessage) => {
      if ('received' in m) this.waiting?.();
    });
  }

  static async start(impl: BulkImpl): Promise<Receiver> {
    const proc = fork(fileURLToPath(new URL('./bulk-server.ts', import.meta.url)), [impl], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [m] = (await once(proc, 'message')) as [BulkMessage];
    if (!('port' in m)) throw new Error('bulk receiver: no port');
    return new Receiver(proc, m.port);
  }

  /** Resolves once `bytes` more bytes arrived. */
  expect(bytes: number): Promise<void> {
    const arrived = new Promise<void>((resolve) => (this.waiting = resolve));
    this.total += bytes;
    this.proc.send({ until: this.total } satisfies BulkCommand);
    return arrived;
  }

  close(): void {
    this.proc.send({ exit: true } satisfies BulkCommand);
  }
}

async function nodeTlsBulk(): Promise<Bulk> {
  const receiver = await Receiver.start('node:tls');
  const chunk = Buffer.alloc(WRITE, 0x61);
  return {
    async transfer(bytes) {
      const socket = tls.connect({ host: '127.0.0.1', port: receiver.port, servername: 'localhost', ca: CA, minVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' });
      socket.on('error', () => {});
      await once(socket, 'secureConnect');
      const arrived = receiver.expect(bytes);
      const t0 = performance.now();
      for (let sent = 0; sent < bytes; sent += WRITE) {
        if (!socket.write(chunk)) await once(socket, 'drain');
      }
      await arrived;
      const dt = performance.now() - t0;
      socket.destroy();
      return (bytes * 1000) / dt;
    },
    close: () => receiver.close(),
  };
}

async function rxtlsBulk(crypto: CryptoProvider): Promise<Bulk> {
  const receiver = await Receiver.start(crypto.name === 'noble' ? 'rxtls-noble' : 'rxtls-node');
  const chunk = new Uint8Array(WRITE).fill(0x61);
  return {
    async transfer(bytes) {
      const channel = await firstValueFrom(
        connectTls({ host: '127.0.0.1', port: receiver.port, servername: 'localhost', ca: CA, session: { crypto, suites: [SUITE], groups: ['x25519'] } }),
      );
      channel.subscribe({ error: () => {} });
      await firstValueFrom(channel.handshake$);
      const arrived = receiver.expect(bytes);
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
    close: () => receiver.close(),
  };
}

export async function bulkLines(runs: { provider: CryptoProvider; bytes: number }[], rounds: number): Promise<Line[]> {
  const lines: Line[] = [];
  const node = await nodeTlsBulk();
  for (const { provider, bytes } of runs) {
    const rx = await rxtlsBulk(provider);
    // Warm-up, twice the measured size each: rxtls's sender and receiver
    // reach their steady rate only after ~0.5-1 GB through the process (JIT
    // tiers; measured 280 -> 700 MB/s over the first eight 128 MiB transfers).
    for (let i = 0; i < 2; i++) {
      await rx.transfer(bytes);
      await node.transfer(bytes);
    }
    const r = await sideBySide(rounds, () => rx.transfer(bytes), () => node.transfer(bytes));
    rx.close();
    lines.push({
      section: 'bulk',
      name: `${provider.name} provider, ${bytes / MiB} MiB one way (TCP, ${SUITE}, receiver in its own process)`,
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
