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

/** One direction's queue; a moving head index keeps one-byte pulls O(1). */
class Direction {
  private queue: Uint8Array[] = [];
  private head = 0;
  closed = false;
  get empty(): boolean {
    return this.head === this.queue.length;
  }
  push(b: Uint8Array): void {
    this.queue.push(b);
  }
  peek(): Uint8Array {
    return this.queue[this.head]!;
  }
  /** Consumes n bytes of the head chunk. */
  consume(n: number): void {
    const h = this.queue[this.head]!;
    if (n < h.length) this.queue[this.head] = h.subarray(n);
    else if (++this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
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
      if (bytes.length === 0) return 0;
      if (againRate && rand() < againRate) return AGAIN;
      const n = moveSize(bytes.length);
      out.push(bytes.slice(0, n));
      return n;
    },
    pull(max) {
      if (inp.empty) return inp.closed ? EOF : AGAIN;
      if (againRate && rand() < againRate) return AGAIN;
      const head = inp.peek();
      const n = Math.min(moveSize(head.length), max);
      inp.consume(n);
      return head.subarray(0, n);
    },
    close() {
      out.closed = true;
    },
  });
  return [end(ab, ba), end(ba, ab)];
}
