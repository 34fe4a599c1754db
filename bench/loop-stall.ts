/**
 * Item 6: the longest event-loop turn of a server during a burst of N
 * concurrent TLS 1.3 handshakes (X25519, ECDSA P-256, TLS_AES_128_GCM_SHA256).
 * Each server (node:tls, rxtls listenTls with the node provider, with the
 * noble provider) runs in a process of its own (loop-stall-server.ts) and
 * watches its loop with monitorEventLoopDelay; this process opens the N
 * node:tls client connections at once and waits for every handshake on both
 * sides. A long turn is time in which no other connection of that server is
 * served: one burst of new clients must not freeze established ones.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { ListenTlsOptions } from '../lib/node/options.js';
import { STALL_SUITE, type StallCommand, type StallImpl, type StallMessage } from './loop-stall-protocol.js';
import { type Line, pairSummary, summarize } from './stats.js';
import { CA } from './support.js';

interface Burst {
  maxMs: number;
  p99Ms: number;
  gcMaxMs: number;
  ms: number;
  failed: number;
}

class StallServer {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  static async start(impl: StallImpl, extra: Partial<ListenTlsOptions> = {}): Promise<StallServer> {
    const proc = fork(fileURLToPath(new URL('./loop-stall-server.ts', import.meta.url)), [impl, JSON.stringify(extra)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [m] = (await once(proc, 'message')) as [StallMessage];
    if (!('port' in m)) throw new Error('loop-stall server: no port');
    return new StallServer(proc, m.port);
  }

  /** N clients at once; resolves when the server finished N handshakes (or reports what failed). */
  async burst(n: number): Promise<Burst> {
    this.proc.send({ start: true, expect: n } satisfies StallCommand);
    await once(this.proc, 'message'); // ready
    const done = new Promise<StallMessage>((resolve) => this.proc.once('message', resolve));
    const sockets: tls.TLSSocket[] = [];
    let failed = 0;
    const clients = Array.from({ length: n }, () => {
      const s = tls.connect({ host: '127.0.0.1', port: this.port, servername: 'localhost', ca: CA, minVersion: 'TLSv1.3', ciphers: STALL_SUITE, ecdhCurve: 'X25519' });
      sockets.push(s);
      return new Promise<void>((resolve) => {
        s.once('secureConnect', resolve);
        s.once('error', () => {
          failed++;
          resolve();
        });
      });
    });
    await Promise.all(clients);
    // A client that failed never completes on the server: do not wait for it there.
    const m = failed ? undefined : ((await done) as Extract<StallMessage, { done: true }>);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 200)); // let the server see the closes before the next burst
    if (!m) return { maxMs: NaN, p99Ms: NaN, gcMaxMs: NaN, ms: NaN, failed };
    return { maxMs: m.maxMs, p99Ms: m.p99Ms, gcMaxMs: m.gcMaxMs, ms: m.ms, failed };
  }

  close(): void {
    this.proc.send({ exit: true } satisfies StallCommand);
  }
}

/**
 * One line per rxtls provider: its longest loop turn during the burst
 * against node:tls's, same burst size, bursts alternated round by round.
 */
export async function loopStallLines(
  impls: Array<{ impl: Exclude<StallImpl, 'node:tls'>; extra?: Partial<ListenTlsOptions>; label?: string }>,
  n: number,
  rounds: number,
): Promise<Line[]> {
  const node = await StallServer.start('node:tls');
  const servers = await Promise.all(impls.map((i) => StallServer.start(i.impl, i.extra)));
  const nodeRuns: Burst[] = [];
  const runs: Burst[][] = impls.map(() => []);
  try {
    // Warm-up (JIT, first-use set-up): not counted.
    for (const s of [node, ...servers]) await s.burst(Math.ceil(n / 10));
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) nodeRuns.push(await node.burst(n));
      for (let k = 0; k < servers.length; k++) {
        const i = r % 2 === 0 ? k : servers.length - 1 - k;
        runs[i]!.push(await servers[i]!.burst(n));
      }
      if (r % 2 === 1) nodeRuns.push(await node.burst(n));
    }
  } finally {
    node.close();
    for (const s of servers) s.close();
  }
  const describe = (bs: Burst[]) => {
    const ms = summarize(bs.map((b) => b.ms)).median;
    const p99 = summarize(bs.map((b) => b.p99Ms)).median;
    const gc = summarize(bs.map((b) => b.gcMaxMs)).median;
    const failed = bs.reduce((t, b) => t + b.failed, 0);
    return `burst ${ms.toFixed(0)} ms, p99 delay ${p99.toFixed(1)} ms, longest GC ${gc.toFixed(1)} ms${failed ? `, ${failed} clients FAILED` : ''}`;
  };
  return impls.map((impl, k) => {
    const p = pairSummary(
      runs[k]!.map((b) => b.maxMs),
      nodeRuns.map((b) => b.maxMs),
    );
    const name = impl.label ?? `${impl.impl.replace('rxtls-', '')} provider`;
    return {
      section: 'loop-stall',
      name: `${name} vs node:tls: longest loop turn, server, ${n} concurrent handshakes`,
      unit: 'ms',
      a: { label: impl.impl, ...p.a },
      b: { label: 'node:tls', ...p.b },
      ratio: p.ratio,
      better: 'lower',
      note: `${impl.impl}: ${describe(runs[k]!)}; node:tls: ${describe(nodeRuns)}`,
    } satisfies Line;
  });
}
