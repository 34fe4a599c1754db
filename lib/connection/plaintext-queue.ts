/**
 * Decrypted application data waiting for recv(), in the chunks it arrived
 * in (a record's content; over DTLS, one datagram's), with its byte count for pending().
 */
export class PlaintextQueue {
  private chunks: Uint8Array[] = [];
  private count = 0;

  /** Bytes waiting. */
  get bytes(): number {
    return this.count;
  }

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.count += chunk.length;
  }

  /** The oldest chunk, if any. */
  take(): Uint8Array | undefined {
    const chunk = this.chunks.shift();
    if (chunk) this.count -= chunk.length;
    return chunk;
  }
}
