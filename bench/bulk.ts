/**
 * Item 2: bulk transfer over loopback TCP, rxtls client -> rxtls server
 * (connectTls/listenTls, SecureChannels) against node:tls -> node:tls, same
 * protocol version and suite (protocols.ts: TLS 1.3 with
 * TLS_AES_128_GCM_SHA256, TLS 1.2 with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
 * and X25519. The sender runs in this process,
 * each receiver in a process of its own (bulk-server.ts), so each side has a
 * core as a real client and server would, for both implementations alike.
 * Each transfer uses a fresh connection; the clock runs from the first write
 * until the receiver reports the last byte.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import type { CryptoProvider } from '../lib/crypto/provider.js';
import { connectTls } from '../lib/node/connect-tls.js';
import { nodeCrypto } from '../lib/crypto/node/index.js';
import { MAX_PLAINTEXT } from '../lib/record/limits.js';
import { RecordSealer } from '../lib/record/record-protection.js';
import { type BulkCommand, type BulkImpl, type BulkMessage, RECORDS_IV, RECORDS_KEY } from './bulk-protocol.js';
import { type Protocol, checkNodeTls, checkRxtls } from './protocols.js';
import { type Line, MiB, type Paired, sideBySide } from './stats.js';
import { CA } from './support.js';

const APPLICATION_DATA = 23;
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

  /** `version`: the protocol the TLS receivers speak (records-node has none). */
  static async start(impl: BulkImpl, version?: Protocol['version']): Promise<Receiver> {
    const proc = fork(fileURLToPath(new URL('./bulk-server.ts', import.meta.url)), version ? [impl, version] : [impl], {
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

async function nodeTlsBulk(protocol: Protocol): Promise<Bulk> {
  const receiver = await Receiver.start('node:tls', protocol.version);
  const chunk = Buffer.alloc(WRITE, 0x61);
  return {
    async transfer(bytes) {
      const socket = tls.connect({ host: '127.0.0.1', port: receiver.port, servername: 'localhost', ca: CA, ...protocol.node });
      socket.on('error', () => {});
      await once(socket, 'secureConnect');
      checkNodeTls(protocol, socket);
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

/** The record layer alone over TCP: seal 16 KiB records, one gather write per 256 KiB, as the socket transport does. */
async function recordsBulk(): Promise<Bulk> {
  const receiver = await Receiver.start('records-node');
  const chunk = new Uint8Array(WRITE).fill(0x61);
  return {
    async transfer(bytes) {
      const socket = net.connect({ host: '127.0.0.1', port: receiver.port, noDelay: true });
      socket.on('error', () => {});
      await once(socket, 'connect');
      const sealer = new RecordSealer(nodeCrypto.aead('aes-128-gcm', RECORDS_KEY), RECORDS_IV, Number.MAX_SAFE_INTEGER);
      const arrived = receiver.expect(bytes);
      const t0 = performance.now();
      for (let sent = 0; sent < bytes; sent += WRITE) {
        socket.cork();
        for (let o = 0; o < WRITE; o += MAX_PLAINTEXT) {
          for (const piece of sealer.sealPieces(APPLICATION_DATA, chunk.subarray(o, o + MAX_PLAINTEXT))) socket.write(piece);
        }
        socket.uncork();
        if (socket.writableLength > 0) await once(socket, 'drain');
      }
      await arrived;
      const dt = performance.now() - t0;
      socket.destroy();
      return (bytes * 1000) / dt;
    },
    close: () => receiver.close(),
  };
}

async function rxtlsBulk(crypto: CryptoProvider, protocol: Protocol): Promise<Bulk> {
  const receiver = await Receiver.start(crypto.name === 'noble' ? 'rxtls-noble' : 'rxtls-node', protocol.version);
  const chunk = new Uint8Array(WRITE).fill(0x61);
  return {
    async transfer(bytes) {
      const channel = await firstValueFrom(
        connectTls({ host: '127.0.0.1', port: receiver.port, servername: 'localhost', ca: CA, session: { crypto, ...protocol.rxtls } }),
      );
      channel.subscribe({ error: () => {} });
      checkRxtls(protocol, await firstValueFrom(channel.handshake$));
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

/** A against B after a warm-up of twice the measured size each. */
async function bulkPair(a: Bulk, b: Bulk, bytes: number, rounds: number) {
  // rxtls's sender and receiver reach their steady rate only after ~0.5-1 GB
  // through the process (JIT tiers; measured 280 -> 700 MB/s over the first
  // eight 128 MiB transfers).
  for (let i = 0; i < 2; i++) {
    await a.transfer(bytes);
    await b.transfer(bytes);
  }
  return sideBySide(rounds, () => a.transfer(bytes), () => b.transfer(bytes));
}

/**
 * Per run, rxtls with that provider against node:tls, both speaking
 * `protocol`; `target` is the run's goal, if any. `ceiling` (TLS 1.3 record
 * framing: only meaningful with the TLS 1.3 protocol and the node provider)
 * adds the record-layer-alone lines.
 */
export async function bulkLines(
  protocol: Protocol,
  runs: { provider: CryptoProvider; bytes: number; target?: Line['target']; ceiling?: boolean }[],
  rounds: number,
): Promise<Line[]> {
  const lines: Line[] = [];
  const node = await nodeTlsBulk(protocol);
  const line = (name: string, a: string, b: string, r: Paired, target?: Line['target']): Line => ({
    section: 'bulk',
    name: `${protocol.prefix}${name} (TCP, ${protocol.suite}, receiver in its own process)`,
    unit: 'MB/s',
    a: { label: a, ...r.a },
    b: { label: b, ...r.b },
    ratio: r.ratio,
    better: 'higher',
    target,
  });
  for (const { provider, bytes, target, ceiling } of runs) {
    const rx = await rxtlsBulk(provider, protocol);
    const r = await bulkPair(rx, node, bytes, rounds);
    const size = `${bytes / MiB} MiB one way`;
    lines.push(line(`${provider.name} provider, ${size}`, `rxtls ${provider.name}`, 'node:tls', r, target));
    if (ceiling) {
      // What node:crypto allows at all: the record layer alone, against node:tls and against rxtls.
      const records = await recordsBulk();
      lines.push(line(`node:crypto ceiling, ${size}: record layer alone`, 'records alone', 'node:tls', await bulkPair(records, node, bytes, rounds)));
      lines.push(line(`node provider, ${size}: full pipeline vs record layer alone`, 'rxtls node', 'records alone', await bulkPair(rx, records, bytes, rounds)));
      records.close();
    }
    rx.close();
  }
  node.close();
  return lines;
}
