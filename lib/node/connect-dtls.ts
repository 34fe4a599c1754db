import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Observable, asyncScheduler } from 'rxjs';
import { Session } from '../session/session.js';
import type { DatagramSession } from '../session/datagram-session.js';
import { type DatagramChannel, openDatagramChannel } from '../rx/datagram-channel.js';
import { checkOptions } from './check-options.js';
import { type ConnectDtlsOptions, dtlsClientChannelOptions, dtlsClientSessionOptions } from './dtls-options.js';
import { abortError } from './node-errors.js';
import { udpLink } from './udp-link.js';

/**
 * A DTLS 1.2 client as a cold Observable, the datagram sibling of
 * connectTls: each subscription binds a node:dgram socket (udp6 for an IPv6
 * `host`, udp4 otherwise), connect()s it to `host:port` and emits one
 * DatagramChannel (its handshake already running) and completes. The
 * channel then lives on its own: subscribe to receive each datagram's
 * plaintext, `next()` sends one datagram, `complete()` sends close_notify
 * (see DatagramChannel). The socket closes when the channel finishes,
 * however it ends.
 *
 * Errors of this Observable: refused options, a name that does not
 * resolve, an abort before the socket is connected. UDP has no connection
 * to refuse: a server that is not there shows as an ICMP "port
 * unreachable", which fails the channel (a TlsError carrying the
 * ECONNREFUSED cause), or as silence until `handshakeTimeout`.
 *
 * The session's clock is `scheduler.now()` (default asyncScheduler), so
 * retransmissions and the handshake timeout run on the same scheduler.
 *
 * @example
 * connectDtls({ host: 'coap.example', port: 5684, ca })
 *   .pipe(switchMap((channel) => {
 *     channel.next(new TextEncoder().encode('ping')); // one datagram, sent once the handshake is done
 *     return channel;                                  // each datagram the server sends
 *   }))
 *   .subscribe((datagram) => console.log(new TextDecoder().decode(datagram)));
 */
export function connectDtls(options: ConnectDtlsOptions): Observable<DatagramChannel> {
  return new Observable<DatagramChannel>((subscriber) => {
    const { signal } = options;
    const scheduler = options.scheduler ?? asyncScheduler;
    let session: DatagramSession;
    try {
      checkOptions('connectDtls', options);
      signal?.throwIfAborted();
      session = Session.client(dtlsClientSessionOptions(options, () => scheduler.now()));
    } catch (err) {
      subscriber.error(signal?.aborted ? abortError(signal) : err);
      return;
    }
    const host = options.host ?? 'localhost';
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    let handedOver = false;
    const onError = (err: Error) => {
      socket.close();
      subscriber.error(err);
    };
    const onAbort = () => {
      socket.close();
      subscriber.error(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.connect(options.port, host, () => {
      handedOver = true;
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      let channel: DatagramChannel;
      try {
        channel = openDatagramChannel(session, udpLink(socket), dtlsClientChannelOptions(options));
      } catch (err) {
        socket.close();
        subscriber.error(err);
        return;
      }
      if (signal) abortWith(signal, channel);
      subscriber.next(channel);
      subscriber.complete();
    });
    return () => {
      signal?.removeEventListener('abort', onAbort);
      if (!handedOver) {
        socket.off('error', onError);
        try {
          socket.close();
        } catch {
          // Already closed by onError/onAbort.
        }
      }
    };
  });
}

/** Aborts `channel` (no close_notify) with an AbortError when `signal` aborts, until the channel closes. */
export function abortWith(signal: AbortSignal, channel: DatagramChannel): void {
  const onAbort = () => channel.error(abortError(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  channel.events$.subscribe({ complete: () => signal.removeEventListener('abort', onAbort) });
}
