/**
 * Which DTLS 1.2 records are read, and how (RFC 6347 §4.1.2): one reader per
 * epoch, each protected epoch with its own 64-record replay window, updated
 * only once a record authenticated. A record of the next epoch that arrives
 * before the ChangeCipherSpec starting it (reordered) is kept, within a
 * bound, until that epoch is installed; records of older epochs are the
 * peer's repetitions and are ignored; everything else invalid is dropped.
 *
 * Epoch 0 has no replay window: nothing authenticates its records, so a
 * forged one with a high sequence number would push the peer's real records
 * out of the window. The handshake layer deduplicates instead (message_seq),
 * and the states take one ChangeCipherSpec.
 */
import { TlsError } from '../errors.js';
import type { RecordOpen } from '../record/protection.js';
import { DTLS10_VERSION, DTLS12_VERSION, type DtlsRecord } from '../record/dtls-record.js';
import { MAX_PLAINTEXT } from '../record/limits.js';
import { ReplayWindow } from './replay-window.js';

/** Next-epoch records kept while the ChangeCipherSpec is missing. */
const MAX_EARLY_RECORDS = 32;

/** What became of a record: its content to use, or why not. */
export type Intake = { type: number; content: Uint8Array } | 'dropped' | 'ignored' | 'kept';

interface EpochReader {
  /** undefined for epoch 0 (plaintext). */
  opener?: RecordOpen;
  window: ReplayWindow;
}

export class RecordIntake {
  private readonly readers = new Map<number, EpochReader>([[0, { window: new ReplayWindow() }]]);
  private current = 0;
  private early: DtlsRecord[] = [];

  /** The epoch records are read in. */
  get epoch(): number {
    return this.current;
  }

  take(rec: DtlsRecord): Intake {
    if (!versionAccepted(rec)) return 'dropped';
    if (rec.epoch < this.current) return 'ignored';
    const reader = this.readers.get(rec.epoch);
    if (!reader) return rec.epoch === this.current + 1 ? this.keepEarly(rec) : 'dropped';
    if (!reader.opener) return rec.fragment.length <= MAX_PLAINTEXT ? { type: rec.type, content: rec.fragment } : 'dropped';
    if (!reader.window.check(rec.seq)) return 'dropped';
    const opened = open(reader.opener, rec);
    if (!opened) return 'dropped';
    reader.window.accept(rec.seq);
    return opened;
  }

  /** Reads `epoch` (higher than the current one) from now on; returns the records kept for it, to take again. */
  install(opener: RecordOpen, epoch: number): DtlsRecord[] {
    if (!(epoch > this.current)) throw new TlsError('internal_error', `key epoch ${epoch} after epoch ${this.current}`);
    this.readers.set(epoch, { opener, window: new ReplayWindow() });
    this.current = epoch;
    const early = this.early;
    this.early = [];
    return early;
  }

  private keepEarly(rec: DtlsRecord): Intake {
    if (this.early.length >= MAX_EARLY_RECORDS) return 'dropped';
    this.early.push({ ...rec, header: rec.header.slice(), fragment: rec.fragment.slice() });
    return 'kept';
  }
}

/** DTLS 1.2 records; the first ClientHello may say DTLS 1.0 in its record (RFC 6347 §4.1). */
function versionAccepted(rec: DtlsRecord): boolean {
  return rec.version === DTLS12_VERSION || (rec.version === DTLS10_VERSION && rec.epoch === 0);
}

function open(opener: RecordOpen, rec: DtlsRecord): { type: number; content: Uint8Array } | undefined {
  try {
    return opener.open(rec.header, rec.fragment);
  } catch (e) {
    if (e instanceof TlsError) return undefined;
    throw e;
  }
}
