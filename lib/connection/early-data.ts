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
import type { EarlyDataSkip } from '../tls13/context.js';
import type { KeyingMaterialExporter } from '../handshake/keying-material-exporter.js';
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

/**
 * Everything about 0-RTT one connection keeps, in either role: the client's
 * writer and what to send again after a decline; the server's reader of
 * accepted data, whether the early key is the read key now, whether it may
 * answer before the handshake ends (0.5-RTT); and which declined records it
 * skips (RFC 8446 §4.2.10), up to `maxSkipped` content bytes.
 */
/** Bytes of a protected record that are not content: the inner type byte and the 16-byte tag of every TLS 1.3 AEAD we implement. */
const PROTECTED_OVERHEAD = 1 + 16;

export class EarlyDataState {
  writer?: EarlyDataWriter;
  reader?: EarlyDataReader;
  /** The early key is the read key: application data read now is 0-RTT data. */
  reading = false;
  /** Server that took 0-RTT data: its Finished is out, so it may answer at once (0.5-RTT data, RFC 8446 §2.3). */
  halfRtt = false;
  /** Which records are dropped as declined 0-RTT data, if any. */
  skip?: EarlyDataSkip;
  /** The early exporter (RFC 8446 §7.5), once 0-RTT data was sent or accepted. */
  exporter?: KeyingMaterialExporter;
  private skipped = 0;
  private resend: Uint8Array[] = [];

  constructor(private readonly maxSkipped: number) {}

  /** Client: the server answered; declined data waits for the handshake's end. */
  end(accepted: boolean): void {
    if (!accepted && this.writer) this.resend = this.writer.written();
    this.writer = undefined;
  }

  /** Server: take up to `maxBytes` of 0-RTT data under the read key just installed. */
  accept(maxBytes: number): void {
    this.reader = new EarlyDataReader(maxBytes);
    this.reading = true;
    this.halfRtt = true;
  }

  /** A new read key: early data (accepted or skipped) is over; a state that still skips says so again. */
  readKeyChanged(): void {
    this.skip = undefined;
    this.reading = false;
  }

  /** Client: what was declined, once, to send as ordinary data. */
  takeResend(): Uint8Array[] {
    const resend = this.resend;
    this.resend = [];
    return resend;
  }

  /** A declined record of `recordBytes` is dropped, up to the bound on its content; then unexpected_message. */
  drop(recordBytes: number): undefined {
    this.skipped += Math.max(0, recordBytes - PROTECTED_OVERHEAD);
    if (this.skipped > this.maxSkipped) throw new TlsError('unexpected_message', `more than ${this.maxSkipped} bytes of early data (declined) or records that do not decrypt`);
    return undefined;
  }
}
