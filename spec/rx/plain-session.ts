/**
 * A NonBlockingSession without cryptography, for fast property tests of the
 * RxJS layer: the same AGAIN / resume / pending / direction / EOF contract as
 * Session over a byte transport, with a trivial framing — records of a
 * 2-byte length and up to 1000 bytes of data; length 0 is close_notify.
 * The handshake is one empty-bodied "hello" record each way (length 0xffff);
 * keyUpdate() sends a marker record (0xfffe) the peer skips.
 */
import { prematureTermination } from '../../lib/errors.js';
import { AGAIN, EOF, type Again, type Direction, type Eof, type SessionInfo, type Transport } from '../../lib/session/contract.js';

const HELLO = 0xffff;
/** A stand-in for KeyUpdate: a marker record the receiver skips. */
const KEY_UPDATE = 0xfffe;
const MAX_RECORD = 1000;

export class PlainSession {
  readonly info: SessionInfo = { peerCertificates: [], resumed: false, helloRetry: false, tickets: [] };
  private transport!: Transport;
  private out: Uint8Array[] = [];
  private outOffset = 0;
  private inBuf = new Uint8Array(4096);
  private inStart = 0;
  private inEnd = 0;
  private app: Uint8Array[] = [];
  private appBytes = 0;
  private dir: Direction = 'read';
  private helloSent = false;
  private helloReceived = false;
  private peerClosed = false;
  private closeSent = false;
  private unsentCount?: number;

  setTransport(t: Transport): void {
    this.transport = t;
  }

  handshake(): 'done' | Again {
    if (!this.helloSent) {
      this.helloSent = true;
      this.out.push(Uint8Array.of(HELLO >> 8, HELLO & 0xff));
    }
    for (;;) {
      if (this.flush() === AGAIN) return AGAIN;
      if (this.helloReceived) return 'done';
      if (this.read() === AGAIN) return AGAIN;
    }
  }

  recv(): Uint8Array | Again | Eof {
    for (;;) {
      const chunk = this.app.shift();
      if (chunk) {
        this.appBytes -= chunk.length;
        return chunk;
      }
      if (this.peerClosed) return EOF;
      if (this.read() === AGAIN) return AGAIN;
    }
  }

  send(data?: Uint8Array): number | Again {
    if (data && this.unsentCount !== undefined) throw new Error('send(data) while a send is pending');
    if (data) {
      if (this.closeSent) throw new Error('send after close');
      for (let o = 0; o < data.length; o += MAX_RECORD) this.frame(data.subarray(o, o + MAX_RECORD));
      this.unsentCount = data.length;
    }
    if (this.flush() === AGAIN) return AGAIN;
    const n = this.unsentCount ?? 0;
    this.unsentCount = undefined;
    return n;
  }

  keyUpdate(): 'done' | Again {
    if (this.closeSent) throw new Error('keyUpdate after close');
    this.out.push(Uint8Array.of(KEY_UPDATE >> 8, KEY_UPDATE & 0xff));
    return this.flush() === AGAIN ? AGAIN : 'done';
  }

  bye(): 'done' | Again {
    if (!this.closeSent) {
      this.closeSent = true;
      this.out.push(Uint8Array.of(0, 0));
    }
    return this.flush() === AGAIN ? AGAIN : 'done';
  }

  pending(): number {
    return this.appBytes;
  }

  direction(): Direction {
    return this.dir;
  }

  timeout(): undefined {
    return undefined;
  }

  private frame(piece: Uint8Array): void {
    const r = new Uint8Array(2 + piece.length);
    r.set([piece.length >> 8, piece.length & 0xff]);
    r.set(piece, 2);
    this.out.push(r);
  }

  private flush(): 'done' | Again {
    while (this.out.length) {
      const head = this.out[0]!;
      const n = this.transport.push(head.subarray(this.outOffset));
      if (n === AGAIN) {
        this.dir = 'write';
        return AGAIN;
      }
      this.outOffset += n;
      if (this.outOffset === head.length) {
        this.out.shift();
        this.outOffset = 0;
      }
    }
    return 'done';
  }

  /** One pull, then every whole record in the buffer. */
  private read(): 'done' | Again {
    const bytes = this.transport.pull(4 * MAX_RECORD);
    if (bytes === AGAIN) {
      this.dir = 'read';
      return AGAIN;
    }
    if (bytes === EOF) throw prematureTermination('(plain session)');
    if (this.inEnd + bytes.length > this.inBuf.length) {
      const live = this.inBuf.subarray(this.inStart, this.inEnd);
      const next = new Uint8Array(Math.max(2 * live.length + bytes.length, 4096));
      next.set(live);
      this.inBuf = next;
      this.inStart = 0;
      this.inEnd = live.length;
    }
    this.inBuf.set(bytes, this.inEnd);
    this.inEnd += bytes.length;
    const b = this.inBuf;
    while (!this.peerClosed && this.inEnd - this.inStart >= 2) {
      const o = this.inStart;
      const len = (b[o]! << 8) | b[o + 1]!;
      if (len === KEY_UPDATE) {
        this.inStart += 2;
        continue;
      }
      if (len === HELLO || len === 0) {
        if (len === HELLO) this.helloReceived = true;
        else this.peerClosed = true;
        this.inStart += 2;
        continue;
      }
      if (this.inEnd - o < 2 + len) break;
      this.app.push(b.slice(o + 2, o + 2 + len));
      this.appBytes += len;
      this.inStart += 2 + len;
    }
    return 'done';
  }
}
