/**
 * The record sizes a stream connection keeps to once record_size_limit is
 * negotiated (RFC 8449 §4). Only protected records are bound: the
 * connection asks sendContent only when it seals, and check() sees only
 * records it opened. Before negotiation both sides are the protocol's.
 */
import { TlsError } from '../errors.js';
import type { OpenedRecord } from '../record/protection.js';
import { MAX_PLAINTEXT } from '../record/limits.js';

export class RecordSizeLimits {
  /** Content bytes per protected record we send (the peer's limit, less TLS 1.3's type byte). */
  sendContent = MAX_PLAINTEXT;
  /** The plaintext length we advertised; the record layer already refuses anything over the protocol's. */
  private receive = Infinity;

  set(sendContent: number, receivePlaintext: number): void {
    if (!(sendContent >= 1 && sendContent <= MAX_PLAINTEXT)) throw new RangeError(`record content limit ${sendContent}`);
    this.sendContent = sendContent;
    this.receive = receivePlaintext;
  }

  /** A record we opened, refused with record_overflow when its plaintext exceeds the limit we advertised. */
  check<T extends OpenedRecord | undefined>(opened: T): T {
    if (!opened) return opened;
    const length = opened.plaintextLength ?? opened.content.length;
    if (length > this.receive) throw new TlsError('record_overflow', `record plaintext of ${length} bytes, over our record_size_limit of ${this.receive}`);
    return opened;
  }
}
