/**
 * DTLS handshake reassembly (RFC 6347 §4.2.3, RFC 9147 §5.5): fragments
 * arrive out of order, overlapping, duplicated, or as a retransmission cut
 * at other boundaries; messages come out whole, in message_seq order, each
 * once. Everything is bounded: the size of one message, the bytes buffered
 * in all, and how far ahead of the next expected message we buffer. What
 * does not fit is dropped (the peer retransmits), never an error: DTLS drops
 * bad input silently.
 */
import { concatBytes } from '../wire/codec.js';
import { encodeHandshakeHeader, type DtlsHandshakeHeader } from '../wire/handshake-header.js';

export interface ReassemblyLimits {
  /** Largest message body accepted. */
  maxMessage: number;
  /** Body bytes buffered for all incomplete messages together. */
  maxBuffered: number;
  /** Messages buffered beyond the next expected one (a future flight). */
  maxAhead: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = { maxMessage: 256 * 1024, maxBuffered: 512 * 1024, maxAhead: 16 };

/** A whole handshake message. */
export interface ReassembledMessage {
  type: number;
  messageSeq: number;
  body: Uint8Array;
  /** The message as if sent in one fragment (offset 0, fragment_length = length): what the transcript hashes (RFC 6347 §4.2.6). */
  raw: Uint8Array;
}

/** What became of a fragment. */
export type FragmentFate = 'buffered' | 'old' | 'dropped';

/** One message being filled in: its bytes and the ranges received, sorted and merged. */
class Assembly {
  readonly body: Uint8Array;
  private ranges: Array<[number, number]> = [];

  constructor(readonly type: number, readonly length: number) {
    this.body = new Uint8Array(length);
  }

  get complete(): boolean {
    return this.length === 0 || (this.ranges.length === 1 && this.ranges[0]![0] === 0 && this.ranges[0]![1] === this.length);
  }

  add(offset: number, bytes: Uint8Array): void {
    this.body.set(bytes, offset);
    this.ranges = merge(this.ranges, [offset, offset + bytes.length]);
  }
}

/** Inserts [start, end) into sorted disjoint ranges, merging what touches or overlaps. */
function merge(ranges: Array<[number, number]>, [start, end]: [number, number]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let s = start;
  let e = end;
  for (const r of ranges) {
    if (r[1] < s || r[0] > e) out.push(r);
    else [s, e] = [Math.min(s, r[0]), Math.max(e, r[1])];
  }
  out.push([s, e]);
  return out.sort((a, b) => a[0] - b[0]);
}

export class Reassembler {
  /** The message_seq of the next message to hand out. */
  private expected = 0;
  private readonly pending = new Map<number, Assembly>();
  private buffered = 0;

  constructor(private readonly limits: ReassemblyLimits = DEFAULT_REASSEMBLY_LIMITS) {}

  /** The next message_seq expected from the peer. */
  get nextSeq(): number {
    return this.expected;
  }

  /**
   * Starts the count at `seq` instead of 0: a server behind a stateless
   * cookie exchange first hears the ClientHello that carries the cookie
   * (message_seq 1). Only before anything was buffered or handed out.
   */
  startAt(seq: number): void {
    if (this.expected !== 0 || this.pending.size) throw new Error('reassembler already started');
    this.expected = seq;
  }

  /** True when nothing is buffered. */
  get idle(): boolean {
    return this.pending.size === 0;
  }

  /**
   * Takes one fragment (its header already read and checked: offset + length
   * within the message). 'old': a message already handed out (the peer
   * retransmits its last flight, which tells the flight engine to resend ours).
   */
  add(header: DtlsHandshakeHeader, fragment: Uint8Array): FragmentFate {
    const { messageSeq: seq, type, length, fragmentOffset: offset } = header;
    if (seq < this.expected) return 'old';
    if (seq >= this.expected + this.limits.maxAhead || length > this.limits.maxMessage) return 'dropped';
    if (fragment.length !== header.fragmentLength || offset + fragment.length > length) return 'dropped';
    let assembly = this.pending.get(seq);
    if (!assembly) {
      if (this.buffered + length > this.limits.maxBuffered) return 'dropped';
      assembly = new Assembly(type, length);
      this.pending.set(seq, assembly);
      this.buffered += length;
    } else if (assembly.type !== type || assembly.length !== length) {
      return 'dropped'; // a fragment that contradicts the ones before it
    }
    assembly.add(offset, fragment);
    return 'buffered';
  }

  /** The next message in order once it is whole, or undefined. */
  next(): ReassembledMessage | undefined {
    const assembly = this.pending.get(this.expected);
    if (!assembly?.complete) return undefined;
    this.pending.delete(this.expected);
    this.buffered -= assembly.length;
    const messageSeq = this.expected++;
    const header = encodeHandshakeHeader({ type: assembly.type, length: assembly.length, messageSeq }, 'dtls');
    return { type: assembly.type, messageSeq, body: assembly.body, raw: concatBytes(header, assembly.body) };
  }
}
