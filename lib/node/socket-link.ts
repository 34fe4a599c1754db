/**
 * A connected net.Socket as a ChannelLink: the socketTransport (bounded
 * inbox, pause/resume, 'drain'), plus the two ways a channel lets go of it.
 */
import type { Socket } from 'node:net';
import type { ChannelLink } from '../rx/secure-channel.js';
import { socketTransport } from './socket-transport.js';

/** Longest wait for our last bytes (an alert, close_notify, the FIN) to leave and the peer to close before the socket is destroyed anyway. */
const LINGER_MS = 5000;

/**
 * - `close()`: half-close (FIN) once everything written has been flushed.
 * - `destroy()`: however the channel ended (close_notify, a fatal alert, an
 *   abort, a timeout), what the session already wrote is still corked in
 *   this tick; destroying the socket now would throw it away and the peer
 *   would see a bare TCP close instead of our alert. So destroy() ends the
 *   socket gracefully: it flushes, sends the FIN, reads and drops whatever
 *   the peer still sends (unread bytes at close would make the kernel send a
 *   RST, which can cost the peer our last record), and destroys the socket
 *   once the peer closed too, at most LINGER_MS later.
 *
 * Set `allowHalfOpen: true` on the socket (connectTls/listenTls do): the TLS
 * layer decides when to close, and the peer's FIN must not end our writes.
 *
 * @example
 * const channel = openChannel(Session.client(options), socketLink(socket));
 */
export function socketLink(socket: Socket, highWaterMark?: number): ChannelLink {
  const { transport, readiness } = socketTransport(socket, highWaterMark);
  return {
    transport,
    readiness,
    close() {
      socket.end();
    },
    destroy() {
      linger(socket);
    },
  };
}

/** Flushes and half-closes `socket`, discards what still arrives, and destroys it once both sides are done (or LINGER_MS passed). */
function linger(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  const done = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.once('close', () => clearTimeout(timer));
  socket.once('error', done);
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  let finished = socket.writableFinished;
  let ended = socket.readableEnded;
  const check = () => finished && ended && done();
  if (!finished) socket.once('finish', () => ((finished = true), check()));
  if (!ended) socket.once('end', () => ((ended = true), check()));
  socket.end();
  check();
}
