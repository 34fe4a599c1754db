/**
 * Item 5: memory retained per idle established session, rxtls against
 * node:tls, with `total` sessions (client and server in two child processes,
 * so each side's memory is measured alone and 10,000 connections fit the fd
 * limit). Sessions are opened in `batches` equal steps; each step's growth
 * after full GCs, divided by the sessions added, is one sample.
 * Reported per session = (client growth + server growth) / 2 / sessions.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Impl } from './heap-child.js';
import { type Line, pairSummary } from './stats.js';

interface Memory {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

class Child {
  private readonly proc: ChildProcess;
  private readonly replies: ((x: unknown) => void)[] = [];
  readonly ready: Promise<unknown>;

  constructor() {
    this.proc = fork(fileURLToPath(new URL('./heap-child.ts', import.meta.url)), [], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = this.next();
    this.proc.on('message', (m) => this.replies.shift()?.(m));
  }

  private next(): Promise<unknown> {
    return new Promise((resolve) => this.replies.push(resolve));
  }

  async ask<T>(cmd: Command): Promise<T> {
    const reply = this.next();
    this.proc.send(cmd);
    const r = (await reply) as T & { error?: string };
    if (r.error) throw new Error(`heap child: ${r.error}`);
    return r;
  }

  exit(): void {
    this.proc.send({ cmd: 'exit' } satisfies Command);
  }
}

const retained = (m: Memory) => m.heapUsed + m.external;

/** Per-session growth samples (heap+external and RSS) for one implementation. */
async function samplesFor(impl: Impl, host: string, total: number, batches: number): Promise<{ heap: number[]; rss: number[]; client: number[]; server: number[] }> {
  const server = new Child();
  const client = new Child();
  await Promise.all([server.ready, client.ready]);
  try {
    const { port } = await server.ask<{ port: number }>({ cmd: 'listen', impl, host });
    // Warm-up: one connection, so lazily loaded code and caches are in the baseline.
    await client.ask({ cmd: 'connect', impl, host, port, count: 1, concurrency: 1 });
    let established = 1;
    let before = await Promise.all([client.ask<Memory>({ cmd: 'measure', established }), server.ask<Memory>({ cmd: 'measure', established })]);
    const step = Math.round(total / batches);
    const out = { heap: [] as number[], rss: [] as number[], client: [] as number[], server: [] as number[] };
    for (let b = 0; b < batches; b++) {
      await client.ask({ cmd: 'connect', impl, host, port, count: step, concurrency: 16 });
      established += step;
      const after = await Promise.all([client.ask<Memory>({ cmd: 'measure', established }), server.ask<Memory>({ cmd: 'measure', established })]);
      const dc = retained(after[0]) - retained(before[0]);
      const ds = retained(after[1]) - retained(before[1]);
      out.heap.push((dc + ds) / 2 / step);
      out.client.push(dc / step);
      out.server.push(ds / step);
      out.rss.push((after[0].rss - before[0].rss + after[1].rss - before[1].rss) / 2 / step);
      before = after;
    }
    return out;
  } finally {
    client.exit();
    server.exit();
  }
}

export async function heapLines(runs: { impl: Impl; total: number }[], batches: number, log: (s: string) => void): Promise<Line[]> {
  const lines: Line[] = [];
  const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  let h = 0;
  const cache = new Map<string, Awaited<ReturnType<typeof samplesFor>>>();
  const get = async (impl: Impl, total: number) => {
    const key = `${impl} ${total}`;
    if (!cache.has(key)) {
      log(`  ${impl}: ${total} sessions`);
      cache.set(key, await samplesFor(impl, hosts[h++ % hosts.length]!, total, batches));
    }
    return cache.get(key)!;
  };
  // node:tls once, at the largest count (its per-session figure does not depend on the count).
  const nodeTotal = Math.max(...runs.map((r) => r.total));
  for (const { impl, total } of runs) {
    const a = await get(impl, total);
    const b = await get('node:tls', nodeTotal);
    const kib = (xs: number[]) => xs.map((x) => (x / 1024).toFixed(1)).join('/');
    const heap = pairSummary(a.heap, b.heap);
    const rss = pairSummary(a.rss, b.rss);
    lines.push({
      section: 'memory',
      name: `${impl} vs node:tls, V8 heap+external per idle session (${total} vs ${nodeTotal} sessions)`,
      unit: 'B',
      a: { label: impl, ...heap.a },
      b: { label: 'node:tls', ...heap.b },
      ratio: heap.ratio,
      better: 'lower',
      note: `per-batch KiB, client side ${impl} ${kib(a.client)} vs node:tls ${kib(b.client)}; server side ${impl} ${kib(a.server)} vs node:tls ${kib(b.server)}`,
    });
    lines.push({
      section: 'memory',
      name: `${impl} vs node:tls, RSS per idle session (${total} vs ${nodeTotal} sessions)`,
      unit: 'B',
      a: { label: impl, ...rss.a },
      b: { label: 'node:tls', ...rss.b },
      ratio: rss.ratio,
      better: 'lower',
      note: 'RSS includes OpenSSL memory, which V8 heap+external does not see for node:tls',
    });
  }
  return lines;
}
