/**
 * Keeps a burst of new connections from freezing a server: handshake work is
 * spread over event-loop turns, and at most `max` handshakes of a listener
 * run at once.
 *
 * Without this, every socket that becomes readable in one poll phase runs its
 * handshake step (a ClientHello: key exchange and a signature, ~0.4 ms on the
 * node provider, ~2.6 ms on noble) inside that same turn: a burst of 2,000
 * ClientHellos is seconds in which no timer fires and no established
 * connection is served. Here a handshaking connection's readable events go
 * through a process-wide turn budget: a step runs at once while less than
 * TURN_BUDGET_MS of handshake work ran in this turn, otherwise it waits for a
 * later turn (setImmediate), in arrival order, so I/O and timers run between.
 * Once a connection's handshake is over its events pass straight through.
 */
import type { Socket } from 'node:net';
import { Observable, Subject, type Subscription } from 'rxjs';
import type { ChannelLink } from '../rx/channel-link.js';
import type { SecureChannel } from '../rx/secure-channel.js';

/** ms of handshake work after which further handshake steps wait for a later event-loop turn. */
export const TURN_BUDGET_MS = 4;

/** Runs tasks at once while this turn's budget lasts, later turns otherwise, first in first out. */
export class TurnBudget {
  private readonly queue: Array<() => void> = [];
  private head = 0;
  private spent = 0;
  private scheduled = false;

  constructor(private readonly budgetMs: number) {}

  run(task: () => void): void {
    if (this.head === this.queue.length && this.spent < this.budgetMs) {
      this.exec(task);
    } else {
      this.queue.push(task);
    }
    this.schedule();
  }

  private exec(task: () => void): void {
    const t0 = performance.now();
    try {
      task();
    } finally {
      this.spent += performance.now() - t0;
    }
  }

  /** The next turn starts a fresh budget (and runs what waits). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private readonly turn = () => {
    this.scheduled = false;
    this.spent = 0;
    while (this.head < this.queue.length && this.spent < this.budgetMs) {
      const task = this.queue[this.head]!;
      this.queue[this.head++] = undefined!;
      this.exec(task);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    // Still work waiting, or budget spent this turn: come back next turn.
    if (this.queue.length || this.spent > 0) this.schedule();
  };
}

/** Shared by every listener of the process: they share one event loop. */
const handshakeTurns = new TurnBudget(TURN_BUDGET_MS);

type State = 'idle' | 'waiting' | 'slot' | 'done';

/** One connection's gate: holds back its readable events while it waits for a slot or for the turn budget. */
class Gate {
  state: State = 'idle';
  private queued = false;
  private readonly out = new Subject<void>();
  private readonly inner: Subscription;
  readonly link: ChannelLink;

  constructor(
    private readonly limiter: HandshakeLimiter,
    private readonly socket: Socket,
    base: ChannelLink,
  ) {
    const direct = base.readiness.readable$;
    this.inner = direct.subscribe({ next: () => this.onReadable(), complete: () => this.out.complete() });
    const gated = this.out.asObservable();
    this.link = {
      transport: base.transport,
      readiness: {
        // Subscriptions made after the handshake read the socket's events directly.
        readable$: new Observable<void>((subscriber) => (this.state === 'done' ? direct : gated).subscribe(subscriber)),
        writable$: base.readiness.writable$,
      },
      close: base.close && (() => base.close!()),
      destroy: () => {
        this.inner.unsubscribe();
        this.finish();
        base.destroy?.();
      },
    };
  }

  /** The channel's handshake settled (or the channel ended): free the slot. */
  finish(): void {
    const held = this.state === 'slot';
    this.state = 'done';
    if (held) this.limiter.release();
  }

  /** Given a slot: deliver what arrived meanwhile. */
  grant(): void {
    this.state = 'slot';
    this.schedule();
  }

  private onReadable(): void {
    switch (this.state) {
      case 'done':
        return this.out.next();
      case 'waiting':
        // A peer that left while waiting needs no slot: let its channel see the end now.
        if (this.peerGone) this.schedule();
        return;
      case 'idle':
        if (this.peerGone) return this.schedule();
        if (!this.limiter.acquire(this)) {
          this.state = 'waiting';
          return;
        }
        this.state = 'slot';
        return this.schedule();
      case 'slot':
        return this.schedule();
    }
  }

  private get peerGone(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }

  private schedule(): void {
    if (this.queued) return; // one pending delivery covers every event before it
    this.queued = true;
    handshakeTurns.run(this.deliver);
  }

  private readonly deliver = () => {
    this.queued = false;
    this.out.next();
  };
}

/** A listener's handshake slots and the connections waiting for one. */
export class HandshakeLimiter {
  private inFlight = 0;
  private readonly waiting: Gate[] = [];
  private head = 0;

  constructor(readonly max: number) {}

  /**
   * Wraps a server connection's link; call `attach(channel)` with the channel
   * opened on the returned link.
   */
  gate(socket: Socket, link: ChannelLink): { link: ChannelLink; attach(channel: SecureChannel): void } {
    const gate = new Gate(this, socket, link);
    return {
      link: gate.link,
      attach: (channel) => {
        const done = () => gate.finish();
        channel.handshake$.subscribe({ next: done, error: done });
      },
    };
  }

  /** @internal */
  acquire(gate: Gate): boolean {
    if (this.inFlight < this.max) {
      this.inFlight++;
      return true;
    }
    this.waiting.push(gate);
    return false;
  }

  /** @internal */
  release(): void {
    this.inFlight--;
    while (this.inFlight < this.max && this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined!;
      if (next.state !== 'waiting') continue; // it ended while waiting
      this.inFlight++;
      next.grant();
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }
}
