/** Timing helpers: calibrated loops, medians over rounds, side-by-side ratios. */
import { performance } from 'node:perf_hooks';

export const QUICK = process.env.BENCH_QUICK === '1';

/** Median, min and max of a list of samples. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, samples };
}

/** One line of the table: A measured against B in the same rounds. */
export interface Line {
  section: string;
  name: string;
  unit: string;
  a: { label: string } & Summary;
  b: { label: string } & Summary;
  /** median(a) / median(b), and the per-round ratios' spread. */
  ratio: Summary;
  /** "higher is better" (throughput) or lower (memory). */
  better: 'higher' | 'lower';
  target?: { min?: number; max?: number; text: string };
  note?: string;
}

export interface Paired {
  a: Summary;
  b: Summary;
  ratio: Summary;
}

/** Summaries of paired samples; the headline ratio is median(a) / median(b). */
export function pairSummary(as: number[], bs: number[]): Paired {
  const sa = summarize(as);
  const sb = summarize(bs);
  const ratio = summarize(as.map((x, i) => x / bs[i]!));
  ratio.median = sa.median / sb.median;
  return { a: sa, b: sb, ratio };
}

/**
 * Runs `a` and `b` alternately for `rounds` rounds (order swapped every
 * round so drift and warm-up hit both), each call returning one sample.
 */
export async function sideBySide(rounds: number, a: () => number | Promise<number>, b: () => number | Promise<number>): Promise<Paired> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return pairSummary(as, bs);
}

/** sideBySide for synchronous samplers (no event-loop turns between samples). */
export function sideBySideSync(rounds: number, a: () => number, b: () => number): Paired {
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      as.push(a());
      bs.push(b());
    } else {
      bs.push(b());
      as.push(a());
    }
  }
  return pairSummary(as, bs);
}

/** A loop body measured by count: `op` does one operation. */
export type Op = () => void;

/** Runs `op` for at least `ms` milliseconds (JIT warm-up); returns ops per ms seen. */
function warm(op: Op, ms: number): number {
  let n = 1;
  let done = 0;
  const t0 = performance.now();
  for (;;) {
    for (let i = 0; i < n; i++) op();
    done += n;
    const dt = performance.now() - t0;
    if (dt >= ms) return done / dt;
    n = Math.min(n * 2, 1 << 20);
  }
}

/**
 * Operations per second of `a` and `b`, measured in interleaved slices: each
 * round runs `slices` slices of about `sliceMs` of A then B (B then A on odd
 * slices), so load from other processes on a shared machine falls on both
 * alike. Iteration counts are fixed after warm-up. A round's rates are its
 * median slices; its ratio is the median over the slice pairs (an A slice and
 * the B slice next to it in time) of A's rate over B's. On a shared 2-core
 * machine single slices run up to 2x slower when another tenant takes the
 * core; neighbours see the same conditions, so pairing cancels that, and the
 * medians keep the pauses most slices see (GC) in both figures.
 */
export function interleavedOps(
  a: Op,
  b: Op,
  o: { rounds: number; sliceMs: number; slices: number; warmMs: number },
): Paired {
  const na = Math.max(1, Math.round(warm(a, o.warmMs) * o.sliceMs));
  const nb = Math.max(1, Math.round(warm(b, o.warmMs) * o.sliceMs));
  const run = (op: Op, n: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) op();
    return performance.now() - t0;
  };
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const ta: number[] = [];
    const tb: number[] = [];
    for (let s = 0; s < o.slices; s++) {
      if (s % 2 === 0) {
        ta.push(run(a, na));
        tb.push(run(b, nb));
      } else {
        tb.push(run(b, nb));
        ta.push(run(a, na));
      }
    }
    as.push((na * 1000) / summarize(ta).median);
    bs.push((nb * 1000) / summarize(tb).median);
    ratios.push(summarize(ta.map((t, i) => (na / t) / (nb / tb[i]!))).median);
  }
  return { a: summarize(as), b: summarize(bs), ratio: summarize(ratios) };
}

/** Multiplies every figure (e.g. operations/s -> bytes/s); ratios are unchanged. */
export function scale(p: Paired, factor: number): Paired {
  const m = (x: Summary): Summary => ({ median: x.median * factor, min: x.min * factor, max: x.max * factor, samples: x.samples.map((v) => v * factor) });
  return { a: m(p.a), b: m(p.b), ratio: p.ratio };
}

/** Seconds since `t0` (a performance.now() value). */
export const since = (t0: number) => (performance.now() - t0) / 1000;

export const MiB = 1024 * 1024;

export function fmt(x: number, unit: string): string {
  if (unit === 'MB/s') return `${(x / 1e6).toFixed(1)}`;
  if (unit === 'B') return x >= 10_000 ? `${(x / 1024).toFixed(1)}Ki` : x.toFixed(0);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** A deterministic payload (content does not matter to the ciphers). */
export function payload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + 7) & 0xff;
  return out;
}
