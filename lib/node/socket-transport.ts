/**
 * A node:net Socket as a non-blocking Transport with readiness events.
 * Incoming data waits in a bounded inbox: past `highWaterMark` the socket is
 * paused (TCP back-pressure) until the session has pulled enough.
 * Writes in one turn of the event loop are corked into one gather write
 * (writev); once `writeHighWaterMark` bytes wait in the socket, push() says
 * AGAIN until 'drain'.
 */
import type { Socket } from 'node:net';
import { Subject } from 'rxjs';
import { AGAIN, EOF, type Transport } from '../session/contract.js';
import type { Readiness } from '../rx/readiness.js';

export interface SocketTransport {
  transport: Transport;
  readiness: Readiness;
  /** The socket error that ended the stream, if any. */
  readonly error: Error | undefined;
}

export function socketTransport(socket: Socket, highWaterMark = 256 * 1024, writeHighWaterMark = 256 * 1024): SocketTransport {
  // Records leave already coalesced (OutputQueue); Nagle would only add a delayed-ACK wait per reply.
  socket.setNoDelay(true);
  const readable = new Subject<void>();
  const writable = new Subject<void>();
  const inbox: Buffer[] = [];
  let buffered = 0;
  let ended = false;
  let writeBlocked = false;
  let error: Error | undefined;

  socket.on('data', (chunk: Buffer) => {
    inbox.push(chunk);
    buffered += chunk.length;
    if (buffered >= highWaterMark) socket.pause();
    readable.next();
  });
  const end = () => {
    if (ended) return;
    ended = true;
    readable.next();
    writable.next();
  };
  socket.on('end', end);
  socket.on('close', end);
  socket.on('error', (e) => {
    error = e;
    end();
  });
  socket.on('drain', () => {
    writeBlocked = false;
    writable.next();
  });
  // A 256 KiB send() is 16 records of 3 pieces each (Aead.sealRecord): written
  // one by one they cost a syscall each (about 8 µs at 16 KiB, measured); corked
  // until the next tick they leave in one writev, as node:tls writes its records.
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };

  const transport: Transport = {
    push(bytes) {
      // Checked first: a socket that closed while blocked never emits 'drain'.
      if (socket.destroyed || !socket.writable) return bytes.length; // nowhere to go; the read side reports the end
      if (writeBlocked) return AGAIN;
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      // write() says false past node's writableHighWaterMark (16 KiB: one record);
      // we block only at our own, larger mark. 'drain' follows only a false write().
      if (!socket.write(bytes) && socket.writableLength >= writeHighWaterMark) writeBlocked = true;
      return bytes.length;
    },
    get error() {
      return error;
    },
    pull(max) {
      const head = inbox[0];
      if (!head) return ended ? EOF : AGAIN;
      let out: Uint8Array;
      if (head.length <= max) {
        inbox.shift();
        out = head;
      } else {
        out = head.subarray(0, max);
        inbox[0] = head.subarray(max);
      }
      buffered -= out.length;
      if (socket.isPaused() && buffered < highWaterMark / 2) socket.resume();
      return out;
    },
  };
  return {
    transport,
    readiness: { readable$: readable.asObservable(), writable$: writable.asObservable() },
    get error() {
      return error;
    },
  };
}
