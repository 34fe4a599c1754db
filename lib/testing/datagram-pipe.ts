import { Subject, type SchedulerLike } from 'rxjs';
import { AGAIN, EOF, type Again, type Eof } from '../session/contract.js';

/** The two ends of a virtual datagram link: 'a' (first, conventionally the client) and 'b'. */
export type LinkSide = 'a' | 'b';

/** What happened to the datagrams one side sent. Counters only grow. */
export interface DatagramLinkStats {
  /** Datagrams push() accepted (AGAIN does not count). */
  sent: number;
  /** Datagrams that reached the peer's queue, duplicates included. */
  delivered: number;
  /** Extra copies the link made. */
  duplicated: number;
  /** Datagrams the link lost, by cause. */
  dropped: { loss: number; script: number; mtu: number };
}

/** How one direction treats what one side sends; the link fills it from its options. */
export interface DatagramPipeOptions {
  latency: number;
  mtu: number;
  capacity: number;
  loss: number;
  duplicate: number;
  reorder: number;
  reorderDelay: number;
  /** Uniform [0, 1) source for this direction's random impairments. */
  random: () => number;
  /** Scripted fates by 1-based push index (checked before random loss). */
  scriptDrop: (index: number, datagram: Uint8Array) => boolean;
  scriptDuplicate: (index: number, datagram: Uint8Array) => boolean;
}

type Fate = { drop: keyof DatagramLinkStats['dropped'] } | { drop?: undefined; delay: number; duplicate: boolean };

/**
 * One direction of a virtual datagram link: whole datagrams that take
 * `latency` (plus any reorder delay) of scheduler time to cross, may be lost,
 * duplicated or reordered, and queue up to `capacity` before push() blocks.
 * Two of these make a virtualDatagramLink.
 */
export class DatagramPipe {
  /** Emits when a datagram or the EOF reaches the reading side. */
  readonly readable = new Subject<void>();
  /** Emits (on the scheduler, never inside pull()) when room frees after push() said AGAIN. */
  readonly writable = new Subject<void>();
  readonly stats: DatagramLinkStats = { sent: 0, delivered: 0, duplicated: 0, dropped: { loss: 0, script: 0, mtu: 0 } };

  private inFlight = 0;
  private readonly arrived: Uint8Array[] = [];
  private pushes = 0;
  /** Scheduler time at which the last datagram in flight arrives: the EOF must not overtake it. */
  private lastArrival = -Infinity;
  private closed = false;
  private eofArrived = false;
  private writerBlocked = false;

  constructor(
    private readonly options: DatagramPipeOptions,
    private readonly scheduler: SchedulerLike,
  ) {}

  push(datagram: Uint8Array): number | Again {
    if (this.closed) throw new Error('virtual datagram link: push() after close()');
    if (this.inFlight + this.arrived.length >= this.options.capacity) {
      this.writerBlocked = true;
      return AGAIN;
    }
    const index = ++this.pushes;
    this.stats.sent++;
    const fate = this.fate(index, datagram);
    // A lost datagram still "went out": the sender cannot tell, as on a real network.
    if (fate.drop) {
      this.stats.dropped[fate.drop]++;
      return datagram.length;
    }
    // Copies: the caller may reuse its buffer, and each delivery is the reader's own.
    this.deliver(datagram.slice(), fate.delay);
    if (fate.duplicate) {
      this.stats.duplicated++;
      this.deliver(datagram.slice(), fate.delay + 1);
    }
    return datagram.length;
  }

  /** The next whole datagram, AGAIN when none has arrived, EOF after close() once everything before it was read. */
  pull(): Uint8Array | Again | Eof {
    const next = this.arrived.shift();
    if (next === undefined) return this.eofArrived && this.inFlight === 0 ? EOF : AGAIN;
    if (this.writerBlocked) {
      this.writerBlocked = false;
      // Deferred so the writer's session never runs inside the reader's pull().
      this.scheduler.schedule(() => this.writable.next(), 0);
    }
    return next;
  }

  /** No more pushes; the reader sees EOF after every datagram sent before (that was not lost). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const delay = Math.max(this.options.latency, this.lastArrival - this.scheduler.now());
    this.scheduler.schedule(() => {
      this.eofArrived = true;
      this.readable.next();
    }, delay);
  }

  /**
   * The fate of the index-th datagram. Every datagram draws the same four
   * numbers whatever happens to it, so a scripted drop or an oversized
   * datagram never shifts the random pattern of the ones after it.
   */
  private fate(index: number, datagram: Uint8Array): Fate {
    const o = this.options;
    const [uLoss, uDuplicate, uReorder, uDelay] = [o.random(), o.random(), o.random(), o.random()];
    if (datagram.length > o.mtu) return { drop: 'mtu' };
    if (o.scriptDrop(index, datagram)) return { drop: 'script' };
    if (uLoss < o.loss) return { drop: 'loss' };
    const extra = uReorder < o.reorder ? 1 + Math.floor(uDelay * o.reorderDelay) : 0;
    return { delay: o.latency + extra, duplicate: o.scriptDuplicate(index, datagram) || uDuplicate < o.duplicate };
  }

  private deliver(datagram: Uint8Array, delay: number): void {
    this.inFlight++;
    this.lastArrival = Math.max(this.lastArrival, this.scheduler.now() + delay);
    // Each action delivers its own datagram: reordering is the point here.
    this.scheduler.schedule(() => {
      this.inFlight--;
      this.arrived.push(datagram);
      this.stats.delivered++;
      this.readable.next();
    }, delay);
  }
}
