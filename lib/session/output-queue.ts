/**
 * Bytes waiting for the transport. Partial writes are remembered so the
 * next flush resumes mid-record; small records are coalesced into one push.
 */
import { AGAIN, type Again, type Transport } from './contract.js';

const COALESCE_LIMIT = 64 * 1024;

export class OutputQueue {
  private queue: Uint8Array[] = [];
  private offset = 0;

  get empty(): boolean {
    return this.queue.length === 0;
  }

  add(records: Uint8Array[]): void {
    for (const r of records) if (r.length) this.queue.push(r);
  }

  flushTo(transport: Transport): 'done' | Again {
    while (this.queue.length) {
      if (this.offset === 0) this.coalesce();
      const head = this.queue[0]!;
      const n = transport.push(this.offset ? head.subarray(this.offset) : head);
      if (n === AGAIN) return AGAIN;
      this.offset += n;
      if (this.offset >= head.length) {
        this.queue.shift();
        this.offset = 0;
      }
    }
    return 'done';
  }

  /** Joins the head with following records up to COALESCE_LIMIT: fewer, larger writes. */
  private coalesce(): void {
    let count = 0;
    let size = 0;
    while (count < this.queue.length && size + this.queue[count]!.length <= COALESCE_LIMIT) size += this.queue[count++]!.length;
    if (count < 2) return;
    const joined = new Uint8Array(size);
    let o = 0;
    for (let i = 0; i < count; i++) (joined.set(this.queue[i]!, o), (o += this.queue[i]!.length));
    this.queue.splice(0, count, joined);
  }
}
