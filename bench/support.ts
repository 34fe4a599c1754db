/** Shared bench plumbing: fixtures, an in-memory pipe, async interleaving. */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { AGAIN, EOF, type Again, type Transport } from '../lib/session/contract.js';
import { type Paired, pairSummary } from './stats.js';
import { nobleCrypto } from '../lib/crypto/noble/index.js';
import { setDefaultCryptoProvider } from '../lib/crypto/default-provider.js';

// Bench files import the core directly, not through the `rxtls` entry that sets this default.
setDefaultCryptoProvider(nobleCrypto);

const fixture = (name: string) => readFileSync(new URL(`../spec/fixtures/${name}`, import.meta.url), 'utf8');
export const CA = fixture('ca.pem');
export const CERT = fixture('server-p256.pem');
export const KEY = fixture('server-p256.key');

/** A lossless in-memory byte pipe: push() always takes everything, pull() returns what is there. */
export function memoryPipe(): [Transport, Transport] {
  const ab: Uint8Array[] = [];
  const ba: Uint8Array[] = [];
  const end = (out: Uint8Array[], inp: Uint8Array[]): Transport => ({
    push(bytes) {
      out.push(bytes.slice());
      return bytes.length;
    },
    pull(max) {
      const head = inp[0];
      if (!head) return AGAIN;
      if (head.length <= max) {
        inp.shift();
        return head;
      }
      inp[0] = head.subarray(max);
      return head.subarray(0, max);
    },
  });
  return [end(ab, ba), end(ba, ab)];
}

/** Runs two non-blocking calls in turn until both finish. */
export function driveBoth<A, B>(a: () => A | Again, b: () => B | Again): [A, B] {
  let ra: A | Again = AGAIN;
  let rb: B | Again = AGAIN;
  for (let i = 0; i < 1_000_000; i++) {
    if (ra === AGAIN) ra = a();
    if (rb === AGAIN) rb = b();
    if (ra !== AGAIN && rb !== AGAIN) return [ra, rb];
  }
  throw new Error('no progress');
}
export { AGAIN, EOF };

/** An async operation measured by count (one handshake, one transfer...). */
export type AsyncOp = () => Promise<void>;

/**
 * Operations per second of two async operations, in interleaved time slices
 * (like interleavedOps): each round runs `slices` slices of about `sliceMs`
 * of A and of B, alternating which goes first.
 */
export async function interleavedAsync(
  a: AsyncOp,
  b: AsyncOp,
  o: { rounds: number; sliceMs: number; slices: number; warmMs: number },
): Promise<Paired> {
  const slice = async (op: AsyncOp, ms: number) => {
    const t0 = performance.now();
    let n = 0;
    do {
      await op();
      n++;
    } while (performance.now() - t0 < ms);
    return { n, t: performance.now() - t0 };
  };
  await slice(a, o.warmMs);
  await slice(b, o.warmMs);
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const acc = { a: { n: 0, t: 0 }, b: { n: 0, t: 0 } };
    for (let s = 0; s < o.slices; s++) {
      const order = (r + s) % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
      for (const k of order) {
        const x = await slice(k === 'a' ? a : b, o.sliceMs);
        acc[k].n += x.n;
        acc[k].t += x.t;
      }
    }
    as.push((acc.a.n * 1000) / acc.a.t);
    bs.push((acc.b.n * 1000) / acc.b.t);
  }
  return pairSummary(as, bs);
}
