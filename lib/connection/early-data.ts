/**
 * 0-RTT early data (RFC 8446 §4.2.10) as the connection carries it.
 *
 * Client: data written before the server's answer is sealed under the early
 * traffic key, within the ticket's max_early_data_size, and kept: a server
 * that declines it never reads it, so it goes out again as ordinary data
 * once the handshake is done. Nothing written is lost either way.
 *
 * Server: application data read under the early key is kept apart from the
 * 1-RTT data, since it may be a replay; more than max_early_data_size is
 * unexpected_message (RFC 8446 §4.2.10).
 */
import { TlsError } from '../errors.js';
import type { RecordSeal } from '../record/protection.js';
import { MAX_PLAINTEXT } from '../record/limits.js';
import { ContentType } from '../wire/enums.js';
import { PlaintextQueue } from './plaintext-queue.js';

export class EarlyDataWriter {
  private readonly sent: Uint8Array[] = [];
  private room: number;

  constructor(private readonly sealer: RecordSeal, maxBytes: number) {
    this.room = maxBytes;
  }

  /** Seals as much of `data` as the ticket allows; returns the records and the bytes taken. */
  write(data: Uint8Array): { records: Uint8Array[]; taken: number } {
    const taken = Math.min(data.length, this.room);
    const records: Uint8Array[] = [];
    for (let o = 0; o < taken; o += MAX_PLAINTEXT) {
      records.push(...this.sealer.sealPieces(ContentType.application_data, data.subarray(o, Math.min(taken, o + MAX_PLAINTEXT))));
    }
    if (taken > 0) this.sent.push(data.slice(0, taken));
    this.room -= taken;
    return { records, taken };
  }

  /** A record of another type under the early key: EndOfEarlyData. */
  seal(type: number, content: Uint8Array): Uint8Array[] {
    return this.sealer.sealPieces(type, content);
  }

  /** What was written, to send again after a declined 0-RTT. */
  written(): Uint8Array[] {
    return this.sent;
  }
}

export class EarlyDataReader {
  readonly queue = new PlaintextQueue();
  private received = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.received += chunk.length;
    if (this.received > this.maxBytes) throw new TlsError('unexpected_message', `more than max_early_data_size (${this.maxBytes} bytes) of early data`);
    this.queue.push(chunk);
  }
}
