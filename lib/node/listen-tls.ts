import { createServer, type AddressInfo } from 'node:net';
import { Observable } from 'rxjs';
import { Session } from '../session/session.js';
import { type ServerConfig, resolveServerConfig } from '../tls13/config.js';
import { openChannel, type SecureChannel } from '../rx/secure-channel.js';
import { registerChannelSocket } from './channel-socket.js';
import { serverChannelOptions, serverSessionOptions, type ListenTlsOptions } from './options.js';
import { socketLink } from './socket-link.js';

/**
 * A TLS 1.3 server as a cold Observable: each subscription listens on
 * `host:port` and emits one SecureChannel per accepted connection, its
 * handshake already running (see SecureChannel). The bound address (useful
 * with the default `port: 0`) goes to `listeningObserver.next()` once
 * listening. Unsubscribing closes the listener; channels already emitted
 * live on until they close, as with node's server.close(). Listen errors
 * (EADDRINUSE, bad certificate or key) are errors of this Observable; a
 * failing connection only fails its channel.
 *
 * Options use node:tls names (`cert`, `key`, `ALPNProtocols`, `port`,
 * `host`); `keylog` receives the NSS key-log lines of every connection.
 *
 * @example
 * listenTls({ port: 8443, cert, key, listeningObserver: { next: (a) => console.log('on', a.port) } })
 *   .pipe(mergeMap((channel) => channel.pipe(tap((chunk) => channel.next(chunk))))) // echo
 *   .subscribe();
 */
export function listenTls(options: ListenTlsOptions): Observable<SecureChannel> {
  return new Observable<SecureChannel>((subscriber) => {
    const channelOptions = serverChannelOptions(options);
    let config: ServerConfig;
    try {
      // Once per listener: a bad certificate or key fails now, and connections share the parsed result.
      config = resolveServerConfig(serverSessionOptions(options));
    } catch (err) {
      subscriber.error(err);
      return;
    }
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      let channel: SecureChannel;
      try {
        channel = openChannel(Session.server(config), socketLink(socket, options.highWaterMark), channelOptions);
      } catch {
        socket.destroy();
        return;
      }
      registerChannelSocket(channel, { socket, role: 'server', verifiesPeer: false });
      subscriber.next(channel);
    });
    server.on('error', (err) => subscriber.error(err));
    server.listen({ port: options.port ?? 0, host: options.host, backlog: options.backlog }, () => {
      options.listeningObserver?.next(server.address() as AddressInfo);
    });
    return () => {
      server.close();
    };
  });
}
