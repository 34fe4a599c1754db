/**
 * A connected net.Socket as a ChannelLink: the socketTransport (bounded
 * inbox, pause/resume, 'drain'), plus the two ways a channel lets go of it.
 */
import type { Socket } from 'node:net';
import type { ChannelLink } from '../rx/secure-channel.js';
import { socketTransport } from './socket-transport.js';

/** Longest wait for our last bytes (close_notify, FIN) to leave before the socket is destroyed anyway. */
const LINGER_MS = 5000;

/**
 * - `close()`: half-close (FIN) once everything written has been flushed.
 * - `destroy()`: after close(), destroys the socket once the FIN is out (so
 *   the close_notify is not cut off), at most LINGER_MS later; without a
 *   close() (an abort), destroys it at once.
 *
 * Set `allowHalfOpen: true` on the socket (connectTls/listenTls do): the TLS
 * layer decides when to close, and the peer's FIN must not end our writes.
 *
 * @example
 * const channel = openChannel(Session.client(options), socketLink(socket));
 */
export function socketLink(socket: Socket, highWaterMark?: number): ChannelLink {
  const { transport, readiness } = socketTransport(socket, highWaterMark);
  let ended = false;
  return {
    transport,
    readiness,
    close() {
      ended = true;
      socket.end();
    },
    destroy() {
      if (!ended || socket.destroyed || socket.writableFinished) {
        socket.destroy();
        return;
      }
      const timer = setTimeout(() => socket.destroy(), LINGER_MS);
      timer.unref();
      socket.once('finish', () => {
        clearTimeout(timer);
        socket.destroy();
      });
      socket.once('close', () => clearTimeout(timer));
    },
  };
}
