import { connect } from 'node:net';
import { Observable } from 'rxjs';
import { Session } from '../session/session.js';
import { openChannel, type SecureChannel } from '../rx/secure-channel.js';
import { registerChannelSocket } from './channel-socket.js';
import { checkOptions } from './check-options.js';
import { abortError } from './node-errors.js';
import { clientChannelOptions, clientSessionOptions, type ConnectTlsOptions } from './options.js';
import { socketLink } from './socket-link.js';

/**
 * A TLS 1.3 client connection as a cold Observable: each subscription
 * connects a TCP socket to `host:port` and, once connected, emits one
 * SecureChannel (its handshake already running) and completes. The channel
 * then lives on its own: subscribe to it to read, `next()` to write,
 * `complete()` to close (see SecureChannel). Unsubscribing before the TCP
 * connection is up aborts the connect; connection failures (ECONNREFUSED,
 * refused options) are errors of this Observable, TLS failures errors of the
 * channel.
 *
 * Options use node:tls names (`host`, `port`, `servername`, `ca`,
 * `ALPNProtocols`, `rejectUnauthorized`, `checkServerIdentity`,
 * `minVersion`/`maxVersion`, `signal`); `keylog` receives NSS key-log lines
 * (see ConnectTlsOptions). Options rxtls does not support are refused, never
 * ignored (see check-options.ts). The handshake times out after 60 s by
 * default (`handshakeTimeout`): the channel errors with a TlsError of code
 * 'ERR_TLS_HANDSHAKE_TIMEOUT'.
 *
 * @example
 * connectTls({ host: 'example.com', port: 443, ca, ALPNProtocols: ['http/1.1'] })
 *   .pipe(
 *     switchMap((channel) => {
 *       channel.next(new TextEncoder().encode('GET / HTTP/1.0\r\nHost: example.com\r\n\r\n'));
 *       return channel; // plaintext chunks until the server's close_notify
 *     }),
 *   )
 *   .subscribe((chunk) => process.stdout.write(chunk));
 */
export function connectTls(options: ConnectTlsOptions): Observable<SecureChannel> {
  return new Observable<SecureChannel>((subscriber) => {
    const { signal } = options;
    let session: Session;
    try {
      checkOptions('connectTls', options);
      signal?.throwIfAborted();
      session = Session.client(clientSessionOptions(options));
    } catch (err) {
      subscriber.error(signal?.aborted ? abortError(signal) : err);
      return;
    }
    const socket = connect({ host: options.host ?? 'localhost', port: options.port, allowHalfOpen: true });
    let connected = false;
    const onError = (err: Error) => subscriber.error(err);
    const onAbort = () => {
      socket.destroy();
      subscriber.error(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      connected = true;
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      let channel: SecureChannel;
      try {
        channel = openChannel(session, socketLink(socket, options.highWaterMark), clientChannelOptions(options));
      } catch (err) {
        socket.destroy();
        subscriber.error(err);
        return;
      }
      registerChannelSocket(channel, { socket, role: 'client', verifiesPeer: options.rejectUnauthorized !== false });
      if (signal) abortWith(signal, channel);
      subscriber.next(channel);
      subscriber.complete();
    });
    return () => {
      signal?.removeEventListener('abort', onAbort);
      if (!connected) socket.destroy();
    };
  });
}

/** Aborts `channel` (no close_notify) with an AbortError when `signal` aborts, until the channel closes. */
function abortWith(signal: AbortSignal, channel: SecureChannel): void {
  const onAbort = () => channel.error(abortError(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  channel.events$.subscribe({ complete: () => signal.removeEventListener('abort', onAbort) });
}
