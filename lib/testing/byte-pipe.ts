import { Subject, type SchedulerLike } from 'rxjs';
import { AGAIN, EOF, type Again, type Eof } from '../session/contract.js';

export interface BytePipeOptions {
  /** Scheduler time between push() and the bytes becoming pullable. */
  latency: number;
  /** Most bytes one pull() returns. */
  chunkSize: number;
  /** Most bytes in flight plus arrived-but-unread before push() blocks. */
  capacity: number;
}

/**
 * One direction of a virtual byte stream: a FIFO of bytes that takes
 * `latency` of scheduler time to cross, with bounded capacity. Two of these
 * make a virtualStreamLink.
 */
export class BytePipe {
  /** Emits when bytes or the EOF reach the reading side. */
  readonly readable = new Subject<void>();
  /** Emits (on the scheduler, never inside pull()) when room frees after push() said AGAIN. */
  readonly writable = new Subject<void>();

  private readonly inFlight: Array<Uint8Array | Eof> = [];
  private inFlightBytes = 0;
  private readonly arrived: Uint8Array[] = [];
  /** Bytes of arrived[0] already pulled. */
  private headOffset = 0;
  private unreadBytes = 0;
  private eofArrived = false;
  private closed = false;
  private writerBlocked = false;

  constructor(
    private readonly options: BytePipeOptions,
    private readonly scheduler: SchedulerLike,
  ) {}

  push(bytes: Uint8Array): number | Again {
    if (this.closed) throw new Error('virtual link: push() after close()');
    if (bytes.length === 0) return 0;
    const room = this.options.capacity - this.inFlightBytes - this.unreadBytes;
    if (room <= 0) {
      this.writerBlocked = true;
      return AGAIN;
    }
    const n = Math.min(bytes.length, room);
    // Copy: the caller owns its buffer and may reuse it once push() returns.
    this.send(bytes.slice(0, n));
    this.inFlightBytes += n;
    return n;
  }

  /** Half-close (a TCP FIN): the reader sees EOF after everything sent before it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.send(EOF);
  }

  pull(max: number): Uint8Array | Again | Eof {
    if (!(max >= 1)) throw new RangeError(`virtual link: pull(max) needs max >= 1, got ${max}`);
    if (this.unreadBytes === 0) return this.eofArrived ? EOF : AGAIN;

    const n = Math.min(Math.floor(max), this.options.chunkSize, this.unreadBytes);
    const out = new Uint8Array(n);
    // Reads coalesce across pushes, as TCP does: record parsers must cope
    // with records split over pulls and with several records in one pull.
    for (let filled = 0; filled < n; ) {
      const head = this.arrived[0]!;
      const take = Math.min(n - filled, head.length - this.headOffset);
      out.set(head.subarray(this.headOffset, this.headOffset + take), filled);
      filled += take;
      this.headOffset += take;
      if (this.headOffset === head.length) {
        this.arrived.shift();
        this.headOffset = 0;
      }
    }
    this.unreadBytes -= n;

    if (this.writerBlocked) {
      this.writerBlocked = false;
      // Deferred so the writer's session never runs inside the reader's pull().
      this.scheduler.schedule(() => this.writable.next(), 0);
    }
    return out;
  }

  private send(item: Uint8Array | Eof): void {
    this.inFlight.push(item);
    // Each action delivers the oldest item rather than "its own", so order
    // holds even if a scheduler ran equal-delay actions out of order.
    this.scheduler.schedule(() => this.arrive(), this.options.latency);
  }

  private arrive(): void {
    const item = this.inFlight.shift()!;
    if (item === EOF) {
      this.eofArrived = true;
    } else {
      this.inFlightBytes -= item.length;
      this.arrived.push(item);
      this.unreadBytes += item.length;
    }
    this.readable.next();
  }
}
