import { asyncScheduler, type Observable, type SchedulerLike } from 'rxjs';
import type { DatagramTransport } from '../session/contract.js';
import { DatagramPipe, type DatagramLinkStats, type LinkSide } from './datagram-pipe.js';
import { mulberry32 } from './mulberry32.js';

export type { DatagramLinkStats, LinkSide } from './datagram-pipe.js';

/** One side of a virtual datagram link. */
export interface VirtualDatagramEndpoint {
  /** Hand this to a DTLS session's `setTransport()`. */
  transport: DatagramTransport;
  /**
   * Readiness events for this side. Structurally the `Readiness` of rxtls/rx
   * (repeated here because lib/testing does not import lib/rx).
   */
  readiness: { readable$: Observable<void>; writable$: Observable<void> };
  /**
   * Half-close: this side can no longer push (push() throws); the peer pulls
   * EOF once every datagram this side sent before arrived (or was lost) and
   * was read; this side can still pull what the peer sends. UDP itself has no
   * such signal: it stands for "the socket was closed" in tests.
   */
  close(): void;
  /** What happened to the datagrams this side sent (live counters). */
  stats: DatagramLinkStats;
}

/**
 * Which datagrams to drop or duplicate, exactly: per sending side, lists of
 * 1-based push counts (`{ b: [1, 4] }`: the 1st and 4th datagram b sends), or
 * a predicate over (sending side, 1-based index, datagram) — e.g. to drop
 * everything in a time window, read `scheduler.now()` inside it.
 */
export type DatagramSelector =
  | Partial<Record<LinkSide, readonly number[]>>
  | ((side: LinkSide, index: number, datagram: Uint8Array) => boolean);

export interface DatagramScript {
  drop?: DatagramSelector;
  duplicate?: DatagramSelector;
}

export interface VirtualDatagramLinkOptions {
  /** Scheduler time (ms) for a datagram to cross. Default 0: the next action on the scheduler. */
  latency?: number;
  /** Datagrams longer than this are dropped (counted as `dropped.mtu`), as a network would. Default Infinity. */
  mtu?: number;
  /** Per direction: datagrams in flight plus unread before push() returns AGAIN. Default 256. */
  capacity?: number;
  /** Probability (0..1) that a datagram is lost. Default 0. */
  loss?: number;
  /** Probability (0..1) that a datagram also arrives a second time, 1 ms after the first. Default 0. */
  duplicate?: number;
  /** Probability (0..1) that a datagram is held back an extra 1..reorderDelay ms. Default 0. */
  reorder?: number;
  /** Longest extra delay of a reordered datagram, ms. Default 2 × latency + 1. */
  reorderDelay?: number;
  /** Seed of the random impairments: the same seed gives the same pattern on every run. Default 1. */
  seed?: number;
  /** Exact drops and duplicates, applied before the random ones. */
  script?: DatagramScript;
}

/**
 * Two connected in-memory datagram endpoints driven entirely by `scheduler`:
 * deterministic, no real timers, so a DTLS client and server can run a whole
 * handshake over a lossy, reordering network in TestScheduler virtual time.
 *
 * - Datagrams pushed on one side become pullable on the other `latency` ms
 *   later (plus any reorder delay); the peer's `readable$` emits at each arrival.
 * - `pull()` returns exactly one whole datagram (a copy: never joined, never
 *   split), AGAIN when none is waiting, EOF after the peer's close() once
 *   everything it sent before was read.
 * - Impairments per direction, decided at push time in this order: longer
 *   than `mtu` → dropped; `script.drop` → dropped; random `loss` → dropped;
 *   then random `reorder` delay, and `script.duplicate` or random
 *   `duplicate` → a second copy 1 ms after the first. Dropped datagrams still
 *   count as sent (push returns their length): the sender cannot tell.
 * - Randomness comes from mulberry32, one stream per direction derived from
 *   `seed`, and every datagram draws the same amount whatever its fate: the
 *   n-th datagram a side sends meets the same luck on every run, whatever the
 *   script does to the others.
 * - Back-pressure per direction: push() returns AGAIN while `capacity`
 *   datagrams are in flight or unread, then `writable$` emits once the reader
 *   frees room. That event is scheduled (delay 0), never emitted inside the
 *   reader's pull(), so one session's step never runs nested in another's.
 * - `stats` on each endpoint counts what happened to the datagrams it sent.
 *
 * @example
 * testScheduler.run(() => {
 *   const [c, s] = virtualDatagramLink({ latency: 20, loss: 0.1, seed: 7, script: { drop: { b: [1] } } }, testScheduler);
 *   client.setTransport(c.transport); // DTLS sessions
 *   server.setTransport(s.transport);
 *   retryOnAgain(() => client.handshake(), client, c.readiness).subscribe();
 *   retryOnAgain(() => server.handshake(), server, s.readiness).subscribe();
 *   // the server's first flight is lost: the client retransmits after its 1 s timer
 *   testScheduler.schedule(() => expect(s.stats.dropped.script).to.equal(1), 5000);
 * });
 */
export function virtualDatagramLink(
  options: VirtualDatagramLinkOptions = {},
  scheduler: SchedulerLike = asyncScheduler,
): [VirtualDatagramEndpoint, VirtualDatagramEndpoint] {
  const { latency = 0, mtu = Infinity, capacity = 256, loss = 0, duplicate = 0, reorder = 0, seed = 1, script = {} } = options;
  const reorderDelay = options.reorderDelay ?? 2 * latency + 1;
  if (!(latency >= 0) || latency === Infinity) throw new RangeError(`virtualDatagramLink: bad latency ${latency}`);
  if (!(mtu >= 0)) throw new RangeError(`virtualDatagramLink: bad mtu ${mtu}`);
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`virtualDatagramLink: bad capacity ${capacity}`);
  if (!Number.isInteger(reorderDelay) || reorderDelay < 1) throw new RangeError(`virtualDatagramLink: bad reorderDelay ${reorderDelay}`);
  for (const [name, p] of Object.entries({ loss, duplicate, reorder })) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`virtualDatagramLink: ${name} must be a probability in [0, 1], got ${p}`);
  }

  const pipe = (side: LinkSide) =>
    new DatagramPipe(
      {
        latency, mtu, capacity, loss, duplicate, reorder, reorderDelay,
        // Two streams from one seed: what a sends never changes the luck of what b sends.
        random: mulberry32(side === 'a' ? seed : seed ^ 0x9e3779b9),
        scriptDrop: selects(script.drop, side),
        scriptDuplicate: selects(script.duplicate, side),
      },
      scheduler,
    );
  const aToB = pipe('a');
  const bToA = pipe('b');
  return [endpoint(aToB, bToA), endpoint(bToA, aToB)];
}

/** A selector as a test of (1-based index, datagram) for datagrams sent by `side`. */
function selects(selector: DatagramSelector | undefined, side: LinkSide): (index: number, datagram: Uint8Array) => boolean {
  if (selector === undefined) return () => false;
  if (typeof selector === 'function') return (index, datagram) => selector(side, index, datagram);
  const chosen = new Set(selector[side] ?? []);
  return (index) => chosen.has(index);
}

function endpoint(out: DatagramPipe, inbound: DatagramPipe): VirtualDatagramEndpoint {
  return {
    transport: {
      push: (datagram) => out.push(datagram),
      pull: () => inbound.pull(),
    },
    readiness: {
      readable$: inbound.readable.asObservable(),
      writable$: out.writable.asObservable(),
    },
    close: () => out.close(),
    stats: out.stats,
  };
}
