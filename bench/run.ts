/**
 * `npm run bench`: every line is A measured against B side by side in this
 * run, median over rounds with min and max; the table is printed and written
 * to bench/results.json. BENCH_QUICK=1 scales sizes and durations down for a
 * smoke run; BENCH_ONLY=record,handshake,dtls,loop-stall,... runs only some sections.
 * The dtls section: DTLS 1.2 handshakes over UDP beside TLS 1.2 over TCP, 1 KiB
 * datagrams/s beside plain UDP, heap per idle DTLS peer beside a TLS connection.
 * The handshake and bulk sections measure TLS 1.3 and TLS 1.2 (protocols.ts);
 * BENCH_TLS=1.3 or BENCH_TLS=1.2 keeps one of them.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { nobleCrypto } from '../lib/crypto/noble/index.js';
import { nodeCrypto } from '../lib/crypto/node/index.js';
import { bulkLines } from './bulk.js';
import { channelLines } from './channel.js';
import { dtlsLines } from './dtls.js';
import { handshakeLines } from './handshake.js';
import { hybridLines } from './hybrid-handshake.js';
import { heapLines } from './heap.js';
import { loopStallLines } from './loop-stall.js';
import { TLS12, TLS13 } from './protocols.js';
import { recordLayerLines } from './record.js';
import { resumedLines } from './resumed-handshake.js';
import { MiB, QUICK, type Line } from './stats.js';
import { printTable, writeResults } from './table.js';

const only = process.env.BENCH_ONLY?.split(',');
const want = (section: string) => !only || only.includes(section);
const tls = process.env.BENCH_TLS?.split(',');
const wantTls = (version: '1.2' | '1.3') => !tls || tls.includes(version);

async function main(): Promise<void> {
  const started = Date.now();
  const lines: Line[] = [];
  const rounds = 5;
  const log = (s: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${s}\n`);

  if (want('record')) {
    log('record layer');
    lines.push(...recordLayerLines([nobleCrypto, nodeCrypto], [16 * 1024, 1024], QUICK ? { rounds, sliceMs: 5, slices: 4, warmMs: 100 } : { rounds, sliceMs: 6, slices: 24, warmMs: 250 }));
  }

  if (want('bulk')) {
    const scale = QUICK ? 16 : 1;
    if (wantTls('1.3')) {
      log('bulk, TLS 1.3');
      lines.push(
        ...(await bulkLines(
          TLS13,
          [
            { provider: nodeCrypto, bytes: (256 * MiB) / scale, target: { min: 0.8, text: '≥ 0.80' }, ceiling: true },
            { provider: nobleCrypto, bytes: (32 * MiB) / scale },
          ],
          rounds,
        )),
      );
    }
    if (wantTls('1.2')) {
      log('bulk, TLS 1.2');
      lines.push(...(await bulkLines(TLS12, [{ provider: nodeCrypto, bytes: (256 * MiB) / scale }], rounds)));
    }
  }

  if (want('channel')) {
    log('SecureChannel vs Session');
    const scale = QUICK ? 16 : 1;
    lines.push(
      ...(await channelLines(
        [
          { provider: nodeCrypto, bytes: (64 * MiB) / scale, write: 64 * 1024 },
          { provider: nodeCrypto, bytes: (16 * MiB) / scale, write: 1024 },
        ],
        rounds,
      )),
    );
  }

  if (want('handshake')) {
    const timing = QUICK ? { rounds, sliceMs: 150, slices: 2, warmMs: 150 } : { rounds, sliceMs: 300, slices: 3, warmMs: 300 };
    if (wantTls('1.3')) {
      log('handshakes, TLS 1.3');
      lines.push(...(await handshakeLines(TLS13, [nobleCrypto, nodeCrypto], timing, nobleCrypto, { min: 1.0, text: '≥ 1.00' })));
      log('handshakes, TLS 1.3: X25519MLKEM768 beside X25519');
      lines.push(...(await hybridLines([nobleCrypto, nodeCrypto], timing)));
      log('handshakes, TLS 1.3: resumed with a ticket');
      lines.push(...(await resumedLines([nobleCrypto, nodeCrypto], timing)));
    }
    if (wantTls('1.2')) {
      log('handshakes, TLS 1.2');
      lines.push(...(await handshakeLines(TLS12, [nobleCrypto, nodeCrypto], timing, undefined)));
    }
  }

  if (want('dtls')) {
    lines.push(
      ...(await dtlsLines({
        rounds,
        timing: QUICK ? { rounds, sliceMs: 150, slices: 2, warmMs: 150 } : { rounds, sliceMs: 300, slices: 3, warmMs: 300 },
        datagrams: QUICK ? 2000 : 20_000,
        peers: QUICK ? 100 : 1000,
        log,
      })),
    );
  }

  if (want('loop-stall')) {
    log('event-loop stall during a handshake burst');
    lines.push(...(await loopStallLines([{ impl: 'rxtls-node' }, { impl: 'rxtls-noble' }], QUICK ? 250 : 2000, rounds)));
  }

  if (want('memory')) {
    log('memory per idle session');
    const total = QUICK ? Math.round(10_000 / 16) : 10_000;
    lines.push(
      ...(await heapLines(
        [
          { impl: 'rxtls-node', total },
          { impl: 'rxtls-noble', total: Math.round(total / 10) },
        ],
        rounds,
        log,
      )),
    );
  }

  printTable(lines);
  writeResults(
    fileURLToPath(new URL('./results.json', import.meta.url)),
    {
      date: new Date().toISOString(),
      quick: QUICK,
      node: process.version,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      loadavg: os.loadavg(),
      seconds: (Date.now() - started) / 1000,
    },
    lines,
  );
  log('done');
}

await main();
