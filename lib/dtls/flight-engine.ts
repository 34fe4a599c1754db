/**
 * The flights of one DTLS handshake over time (RFC 6347 §4.2.4): what the
 * states queue in one step is the next flight; it goes out cut to the MTU
 * and is kept. It goes out again when its deadline passes (1 s, doubling)
 * and when the peer repeats its own previous flight; after two unanswered
 * retransmissions in smaller datagrams, for a path whose MTU is lower than
 * assumed (NSS does this). The side whose flight ends the handshake keeps
 * it, without a timer, for the peer's repetitions. Deadlines are arithmetic
 * on the caller's clock (retransmit-timer.ts): nothing here waits.
 */
import { handshakeTimeout } from '../errors.js';
import { type EpochWriter, Flight, type FlightEntry } from './flight.js';
import { RetransmitTimer, type RetransmitPolicy } from './retransmit-timer.js';

/** The smallest datagram a flight is cut to when retransmissions go unanswered. */
const MIN_RETRANSMIT_MTU = 256;

export class FlightEngine {
  private building = new Flight();
  /** The last flight sent: resent when due or when the peer repeats its own. */
  private current?: Flight;
  private timer?: RetransmitTimer;
  /** The handshake's end was handled (endHandshake). */
  private ended = false;
  /** When the current flight last went out: a second trigger at the same moment sends nothing more. */
  private lastSentAt = -Infinity;

  constructor(
    /** Largest datagram sent (headers included). */
    public mtu: number,
    private readonly policy: RetransmitPolicy,
    private readonly writerFor: (epoch: number) => EpochWriter,
    private readonly send: (datagrams: Uint8Array[]) => void,
  ) {}

  /** Adds a message or ChangeCipherSpec to the flight being built in this step. */
  add(entry: FlightEntry): void {
    this.building.add(entry);
  }

  /** After each step: what was queued goes out as the next flight and its deadline starts. */
  endStep(now: number, handshakeDone: boolean): void {
    const sent = !this.building.empty;
    if (sent) {
      this.current = this.building;
      this.building = new Flight();
      this.transmit(this.current, now);
      this.timer ??= new RetransmitTimer(now, this.policy);
      this.timer.flightSent(now);
    }
    if (handshakeDone && !this.ended) this.endHandshake(sent);
  }

  /**
   * The step that completed the handshake. A side that sent the last flight
   * in it keeps that flight, without a timer, to resend when the peer
   * repeats its own (RFC 6347 §4.2.4); a side that received the last flight
   * has nothing left to resend (resending would only bounce flights back
   * and forth with a peer that repeats its last one).
   */
  private endHandshake(sentLastFlight: boolean): void {
    this.ended = true;
    this.timer?.stop();
    if (!sentLastFlight) this.current = undefined;
  }

  /**
   * The peer sent its previous flight again: ours did not arrive. Resent
   * unless it just went out (the peer's copies and our timer often meet at
   * the same moment: one transmission answers them all).
   */
  peerRepeated(now: number): void {
    if (!this.current || !this.building.empty || this.lastSentAt === now) return;
    this.transmit(this.current, now);
  }

  /** The peer showed it has our last flight (it sent data under the new keys): nothing to keep. */
  lastFlightReceived(): void {
    this.current = undefined;
  }

  /** Retransmits when the deadline passed; throws the timeout error once the handshake took too long. */
  check(now: number): void {
    if (this.ended || !this.timer) return;
    if (this.timer.expired(now)) throw handshakeTimeout(this.policy.handshakeTimeoutMs);
    if (this.timer.due(now) && this.current && this.lastSentAt !== now) this.transmit(this.current, now);
  }

  /** ms until check() has something to do, or undefined when no deadline runs. */
  timeout(now: number): number | undefined {
    if (this.ended || !this.timer) return undefined;
    return this.timer.timeout(now);
  }

  private transmit(flight: Flight, now: number): void {
    this.lastSentAt = now;
    // Transmissions 4 and later (two retransmissions unanswered) go in smaller datagrams.
    const shrink = Math.max(0, flight.transmissions - 2);
    const mtu = shrink ? Math.min(this.mtu, Math.max(MIN_RETRANSMIT_MTU, this.mtu >> shrink)) : this.mtu;
    this.send(flight.datagrams(mtu, this.writerFor));
  }
}
