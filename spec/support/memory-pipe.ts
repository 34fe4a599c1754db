/**
 * An in-memory byte pipe between two sessions whose transports misbehave on
 * purpose: AGAIN at random points, partial writes, reads of one byte.
 */
import { AGAIN, EOF, type Transport } from '../../lib/session/contract.js';

export interface PipeOptions {
  /** Probability that a push or pull says AGAIN although it could proceed. */
  againRate?: number;
  /** Largest number of bytes moved by one push or pull. */
  maxMove?: number;
  seed?: number;
}

/** A small deterministic PRNG (mulberry32), so failures can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Direction {
  chunks: Uint8Array[] = [];
  closed = false;
}

export interface PipeEnd extends Transport {
  close(): void;
}

export function memoryPipe(opts: PipeOptions = {}): [PipeEnd, PipeEnd] {
  const rand = prng(opts.seed ?? 1);
  const againRate = opts.againRate ?? 0;
  const maxMove = opts.maxMove ?? Infinity;
  const ab = new Direction();
  const ba = new Direction();
  const moveSize = (n: number) => Math.max(1, Math.min(n, maxMove === Infinity ? n : 1 + Math.floor(rand() * maxMove)));
  const end = (out: Direction, inp: Direction): PipeEnd => ({
    push(bytes) {
      if (againRate && rand() < againRate) return AGAIN;
      const n = moveSize(bytes.length);
      out.chunks.push(bytes.slice(0, n));
      return n;
    },
    pull(max) {
      if (inp.chunks.length === 0) return inp.closed ? EOF : AGAIN;
      if (againRate && rand() < againRate) return AGAIN;
      const head = inp.chunks[0]!;
      const n = Math.min(moveSize(head.length), max);
      if (n >= head.length) inp.chunks.shift();
      else inp.chunks[0] = head.subarray(n);
      return head.subarray(0, n);
    },
    close() {
      out.closed = true;
    },
  });
  return [end(ab, ba), end(ba, ab)];
}
