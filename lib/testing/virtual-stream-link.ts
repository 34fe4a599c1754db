import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import type { Transport } from '../session/contract.js';
import { BytePipe } from './byte-pipe.js';

/** One side of a virtual link. */
export interface VirtualEndpoint {
  /** Hand this to `session.setTransport()`. */
  transport: Transport;
  /**
   * Readiness events for this side. Structurally the `Readiness` of rxtls/rx
   * (repeated here because lib/testing does not import lib/rx).
   */
  readiness: { readable$: Observable<void>; writable$: Observable<void> };
  /**
   * Half-close, like a TCP FIN: this side can no longer push, the peer pulls
   * EOF once everything sent before arrived and was read; this side can still
   * pull what the peer sends.
   */
  close(): void;
}

export interface VirtualStreamLinkOptions {
  /** Scheduler time (ms) for bytes (and the EOF) to cross. Default 0: next action on the scheduler. */
  latency?: number;
  /** Most bytes one pull() returns, whatever `max` is (models short reads). Default Infinity. */
  chunkSize?: number;
  /** Per direction: bytes in flight plus unread before push() returns AGAIN. Default 64 KiB. */
  capacity?: number;
}

/**
 * Two connected in-memory byte-stream endpoints driven entirely by
 * `scheduler`: deterministic, no real timers, so two sessions can run a whole
 * TLS conversation in TestScheduler virtual time.
 *
 * - Bytes pushed on one side become pullable on the other `latency` ms later;
 *   the peer's `readable$` emits at that moment (and when the EOF arrives).
 * - `pull(max)` returns at most min(max, chunkSize) bytes, coalescing across
 *   pushes; AGAIN when nothing has arrived; EOF after the peer's close() once
 *   everything was read.
 * - Back-pressure per direction: push() accepts only what fits in `capacity`
 *   minus in-flight and unread bytes (possibly partially), returns AGAIN when
 *   nothing fits, and then `writable$` emits once the reader frees room.
 *   That event is scheduled (delay 0), never emitted inside the reader's
 *   pull(), so one session's step never runs nested in another's.
 * - An arrival is a scheduler action created at push time, so within its
 *   frame it runs after actions scheduled earlier for that frame: react to
 *   `readable$` instead of polling at the exact arrival frame.
 *
 * @example
 * testScheduler.run(() => {
 *   const [c, s] = virtualStreamLink({ latency: 5, chunkSize: 100 }, testScheduler);
 *   client.setTransport(c.transport);
 *   server.setTransport(s.transport);
 *   retryOnAgain(() => client.handshake(), client, c.readiness).subscribe();
 *   retryOnAgain(() => server.handshake(), server, s.readiness).subscribe();
 * });
 */
export function virtualStreamLink(
  { latency = 0, chunkSize = Infinity, capacity = 64 * 1024 }: VirtualStreamLinkOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): [VirtualEndpoint, VirtualEndpoint] {
  if (!(latency >= 0) || latency === Infinity) throw new RangeError(`virtualStreamLink: bad latency ${latency}`);
  if (!(chunkSize >= 1)) throw new RangeError(`virtualStreamLink: bad chunkSize ${chunkSize}`);
  if (!(capacity >= 1)) throw new RangeError(`virtualStreamLink: bad capacity ${capacity}`);

  const options = { latency, chunkSize, capacity };
  const aToB = new BytePipe(options, scheduler);
  const bToA = new BytePipe(options, scheduler);
  return [endpoint(aToB, bToA), endpoint(bToA, aToB)];
}

function endpoint(out: BytePipe, inbound: BytePipe): VirtualEndpoint {
  return {
    transport: {
      push: (bytes) => out.push(bytes),
      pull: (max) => inbound.pull(max),
    },
    readiness: {
      readable$: inbound.readable.asObservable(),
      writable$: out.writable.asObservable(),
    },
    close: () => out.close(),
  };
}
