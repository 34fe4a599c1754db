import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Observable, asyncScheduler } from 'rxjs';
import { cookieGate } from '../dtls/cookie-gate.js';
import { CookieJar } from '../dtls/cookie.js';
import { type DatagramOptions, checkMtu, dtlsServerWithConfig, retransmitPolicy } from '../session/datagram-session.js';
import { type ServerConfig, resolveServerConfig } from '../tls13/config.js';
import { type DatagramChannel, openDatagramChannel } from '../rx/datagram-channel.js';
import { checkOptions } from './check-options.js';
import {
  DTLS_IDLE_TIMEOUT,
  MAX_DTLS_PEERS,
  type DtlsListenerStats,
  type ListenDtlsOptions,
  dtlsServerConfigOptions,
  dtlsServerDatagramOptions,
} from './dtls-options.js';
import { abortError } from './node-errors.js';
import { UdpDemux, type UdpPeer } from './udp-demux.js';

/** A datagram whose first record is a plaintext (epoch 0) handshake record holding a ClientHello. */
function isEpoch0ClientHello(d: Uint8Array): boolean {
  return d.length > 13 && d[0] === 22 && d[3] === 0 && d[4] === 0 && d[13] === 1;
}

/** The longest timer delay node honours (larger ones fire at once): an "Infinity" idle timeout re-arms at this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A DTLS 1.2 server as a cold Observable, the datagram sibling of
 * listenTls: each subscription binds one node:dgram socket on `host:port`
 * and emits one DatagramChannel per peer (remote address), its handshake
 * already running. The bound address and the listener's live counters
 * (`stats`: peers now, admitted, HelloVerifyRequests sent, drops) go to
 * `listeningObserver.next()` once bound.
 *
 * What a datagram from an unknown address meets, in order, before anything
 * is kept for it (UdpDemux):
 * 1. the `maxPeers` cap (default 1024): beyond it, new addresses are ignored;
 * 2. the stateless cookie gate (`cookie`, default on, as OpenSSL's
 *    DTLSv1_listen): only a ClientHello carrying a cookie this listener made
 *    for that address and hello creates a peer; a cookie-less one is
 *    answered with a HelloVerifyRequest, anything else dropped. One
 *    CookieJar per listener (its secret rotates on `scheduler`'s clock);
 * 3. then one DatagramSession, fed that ClientHello, over the one server
 *    config resolved when the listener starts (certificate and key parsed
 *    once; a bad one is an error of this Observable, as with listenTls).
 *
 * A peer with no datagram in or out for `idleTimeout` (default 120 s, on
 * `scheduler`) is forgotten: its channel errors (the transport ended, no
 * close_notify). A channel that ends, however, frees its address: the next
 * ClientHello from there starts over at the cookie gate. So does a new
 * ClientHello on an established association (RFC 6347 §4.2.8: a client that
 * lost its state, or a new client on a reused port): once its cookie checks
 * out, the old channel ends (its transport closes) and a new one is emitted.
 *
 * Unsubscribing closes the socket. Unlike listenTls's channels, which keep
 * their own TCP sockets, DTLS channels share the listener's socket and
 * cannot outlive it: each open channel is complete()d (an established one
 * sends close_notify and completes), then the socket closes on the next
 * turn of the event loop; a channel still handshaking then errors (its
 * transport ended). `signal` aborts the listener and every channel it
 * emitted with an AbortError (no close_notify).
 *
 * Options use node:tls names where they overlap (`cert`, `key`,
 * `ALPNProtocols`, `port`, `host`, `keylog`, `handshakeTimeout`, `signal`);
 * options rxtls does not support are refused (see check-options.ts).
 *
 * @example
 * listenDtls({ port: 5684, cert, key, listeningObserver: { next: (l) => console.log('on', l.port) } })
 *   .pipe(mergeMap((channel) => channel.pipe(tap((datagram) => channel.next(datagram))))) // echo
 *   .subscribe();
 */
export function listenDtls(options: ListenDtlsOptions): Observable<DatagramChannel> {
  return new Observable<DatagramChannel>((subscriber) => {
    const { signal } = options;
    const scheduler = options.scheduler ?? asyncScheduler;
    const clock = () => scheduler.now();
    let config: ServerConfig;
    let datagram: DatagramOptions;
    try {
      checkOptions('listenDtls', options);
      signal?.throwIfAborted();
      // Once per listener: a bad certificate, key or timer setting fails now, and every peer shares the result.
      config = resolveServerConfig(dtlsServerConfigOptions(options, clock));
      datagram = dtlsServerDatagramOptions(options);
      if (datagram.mtu !== undefined) checkMtu(datagram.mtu);
      retransmitPolicy(datagram);
    } catch (err) {
      subscriber.error(signal?.aborted ? abortError(signal) : err);
      return;
    }

    const jar = options.cookie === false ? undefined : new CookieJar(config.crypto, config.random, clock);
    const counts = { admitted: 0, helloVerifyRequests: 0, gateDrops: 0, replaced: 0 };
    /** Peers whose handshake is done: a new ClientHello from there is a new association. */
    const established = new WeakSet<UdpPeer>();
    const socket = dgram.createSocket(options.host && isIPv6(options.host) ? 'udp6' : 'udp4');
    const demux = new UdpDemux(socket, {
      maxPeers: options.maxPeers ?? MAX_DTLS_PEERS,
      idleMs: Math.min(options.idleTimeout ?? DTLS_IDLE_TIMEOUT, MAX_TIMER_MS),
      scheduler,
      ...(jar && {
        admit: (address: string, d: Uint8Array, reply: (d: Uint8Array) => void) => {
          const verdict = cookieGate(jar, address, d);
          if (verdict.verdict === 'accept') return true;
          if (verdict.verdict === 'reply') {
            counts.helloVerifyRequests++;
            reply(verdict.datagram);
          } else counts.gateDrops++;
          return false;
        },
      }),
      // RFC 6347 §4.2.8: a client that lost its state (restarted, or a new one on a reused port) sends a
      // fresh ClientHello to an address with an established association. It goes through the cookie gate
      // like any first hello; once its cookie checks out, the old association is dropped for the new one.
      // During a handshake, a ClientHello is the peer's own retransmission: delivered.
      known: (peer, d, reply) => {
        if (!established.has(peer) || !isEpoch0ClientHello(d)) return 'deliver';
        const verdict = jar ? cookieGate(jar, peer.address, d) : { verdict: 'accept' as const };
        if (verdict.verdict === 'reply') {
          counts.helloVerifyRequests++;
          reply(verdict.datagram);
          return 'drop';
        }
        if (verdict.verdict === 'drop') return 'deliver';
        counts.replaced++;
        return 'replace';
      },
    });
    const stats: DtlsListenerStats = {
      get peers() {
        return demux.size;
      },
      get admitted() {
        return counts.admitted;
      },
      get helloVerifyRequests() {
        return counts.helloVerifyRequests;
      },
      get gateDrops() {
        return counts.gateDrops;
      },
      get replaced() {
        return counts.replaced;
      },
      get full() {
        return demux.drops.full;
      },
      get inbox() {
        return demux.drops.inbox;
      },
    };

    /** Channels not finished yet: completed when the listener closes, aborted with the signal. */
    const open = new Set<DatagramChannel>();
    const peers = demux.peers$.subscribe((peer) => {
      counts.admitted++;
      let channel: DatagramChannel;
      try {
        const session = dtlsServerWithConfig(config, datagram);
        channel = openDatagramChannel(session, { transport: peer.transport, readiness: peer.readiness, destroy: () => peer.close() }, { scheduler });
      } catch {
        peer.close();
        return;
      }
      if (channel.closed) return; // failed on its first datagram
      channel.handshake$.subscribe({ next: () => established.add(peer), error: () => {} });
      open.add(channel);
      channel.events$.subscribe({ complete: () => open.delete(channel) });
      subscriber.next(channel);
    });

    let bound = false;
    socket.on('error', (err) => subscriber.error(err));
    const onAbort = () => {
      const err = abortError(signal!);
      for (const channel of [...open]) channel.error(err);
      subscriber.error(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.bind({ port: options.port ?? 0, address: options.host }, () => {
      bound = true;
      const a = socket.address();
      options.listeningObserver?.next({ address: a.address, family: a.family, port: a.port, stats });
    });

    return () => {
      signal?.removeEventListener('abort', onAbort);
      peers.unsubscribe();
      for (const channel of [...open]) channel.complete();
      // The close_notify datagrams just pushed leave once their (nextTick) address lookup ran; then close.
      const close = () => {
        try {
          demux.close();
        } catch {
          // Closed already (a bind failure closes nothing, but an error may have).
        }
        socket.on('error', () => {});
      };
      if (bound) setImmediate(close);
      else close();
    };
  });
}
