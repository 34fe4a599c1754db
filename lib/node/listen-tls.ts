import { createServer, type AddressInfo } from 'node:net';
import { Observable } from 'rxjs';
import { Session } from '../session/session.js';
import { type ServerConfig, resolveServerConfig } from '../tls13/config.js';
import { openChannel, type SecureChannel } from '../rx/secure-channel.js';
import { registerChannelSocket } from './channel-socket.js';
import { checkOptions } from './check-options.js';
import { HandshakeLimiter } from './handshake-limiter.js';
import { abortError } from './node-errors.js';
import { MAX_CONCURRENT_HANDSHAKES, serverChannelOptions, serverSessionOptions, type ListenTlsOptions } from './options.js';
import { socketLink } from './socket-link.js';

/**
 * A TLS 1.3 server as a cold Observable: each subscription listens on
 * `host:port` and emits one SecureChannel per accepted connection, its
 * handshake already running (see SecureChannel). The bound address (useful
 * with the default `port: 0`) goes to `listeningObserver.next()` once
 * listening. Unsubscribing closes the listener; channels already emitted
 * live on until they close, as with node's server.close(). Listen errors
 * (EADDRINUSE, bad certificate or key, refused options) are errors of this
 * Observable; a failing connection only fails its channel.
 *
 * Options use node:tls names (`cert`, `key`, `ALPNProtocols`, `port`,
 * `host`, `maxConnections`); `keylog` receives the NSS key-log lines of every
 * connection. Options rxtls does not support are refused, never ignored
 * (see check-options.ts).
 *
 * Limits: `maxConnections` (default unlimited, as node), `maxConcurrentHandshakes`
 * (default 128; more wait their turn), `handshakeTimeout` (default 120 s).
 * However many clients arrive at once, handshake work is spread over
 * event-loop turns (a few ms of it per turn) so established connections and
 * timers keep running (see handshake-limiter.ts). `signal` aborts the
 * listener and every channel it accepted.
 *
 * @example
 * listenTls({ port: 8443, cert, key, listeningObserver: { next: (a) => console.log('on', a.port) } })
 *   .pipe(mergeMap((channel) => channel.pipe(tap((chunk) => channel.next(chunk))))) // echo
 *   .subscribe();
 */
export function listenTls(options: ListenTlsOptions): Observable<SecureChannel> {
  return new Observable<SecureChannel>((subscriber) => {
    const { signal } = options;
    let config: ServerConfig;
    try {
      checkOptions('listenTls', options);
      signal?.throwIfAborted();
      // Once per listener: a bad certificate or key fails now, and connections share the parsed result.
      config = resolveServerConfig(serverSessionOptions(options));
    } catch (err) {
      subscriber.error(signal?.aborted ? abortError(signal) : err);
      return;
    }
    const channelOptions = serverChannelOptions(options);
    const limiter = new HandshakeLimiter(options.maxConcurrentHandshakes ?? MAX_CONCURRENT_HANDSHAKES);
    /** Channels to abort with the signal. */
    const open = signal ? new Set<SecureChannel>() : undefined;
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      let channel: SecureChannel;
      try {
        const gated = limiter.gate(socket, socketLink(socket, options.highWaterMark));
        channel = openChannel(Session.server(config), gated.link, channelOptions);
        gated.attach(channel);
      } catch {
        socket.destroy();
        return;
      }
      registerChannelSocket(channel, { socket, role: 'server', verifiesPeer: false });
      if (open) {
        open.add(channel);
        channel.events$.subscribe({ complete: () => open.delete(channel) });
      }
      subscriber.next(channel);
    });
    if (options.maxConnections !== undefined && options.maxConnections !== Infinity) server.maxConnections = options.maxConnections;
    server.on('error', (err) => subscriber.error(err));
    const onAbort = () => {
      const err = abortError(signal!);
      for (const channel of [...open!]) channel.error(err);
      subscriber.error(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    server.listen({ port: options.port ?? 0, host: options.host, backlog: options.backlog }, () => {
      options.listeningObserver?.next(server.address() as AddressInfo);
    });
    return () => {
      signal?.removeEventListener('abort', onAbort);
      server.close();
    };
  });
}
