/**
 * Options of connectDtls()/listenDtls(): node:tls names where they overlap
 * (`host`, `port`, `servername`, `ca`, `rejectUnauthorized`, `ALPNProtocols`,
 * `checkServerIdentity`, `cert`, `key`, `keylog`, `handshakeTimeout`,
 * `signal`, and rxtls's `psk`/`pskIdentityHint` as connectTls/listenTls take them), and DTLS's own (`mtu`, `retransmit`, and on the listener
 * `cookie`, `maxPeers`, `idleTimeout`). Their translation into DTLS session
 * options and DatagramChannelOptions.
 */
import { dtlsSuites } from '../session/dtls-suites.js';
import type { SchedulerLike } from 'rxjs';
import type { SessionInfo } from '../session/contract.js';
import type { DatagramOptions, DtlsClientOptions, DtlsServerOptions } from '../session/datagram-session.js';
import type { PemOrDer, ServerOptions } from '../tls13/config.js';
import type { DatagramChannelOptions } from '../rx/datagram-channel.js';
import type { ConnectTlsOptions, ListenTlsOptions } from './options.js';
import { clientAuthOptions, peerCertificate } from './options.js';
import { nobleCrypto } from '../crypto/noble/index.js';

/** Default `maxPeers` of listenDtls. */
export const MAX_DTLS_PEERS = 1024;
/** Default `idleTimeout` of listenDtls, ms: a peer with no datagram in or out for this long is forgotten. */
export const DTLS_IDLE_TIMEOUT = 120_000;

interface CommonDtlsOptions {
  /** ALPN protocol names in preference order (node: `ALPNProtocols`). */
  ALPNProtocols?: Array<string | Uint8Array>;
  /** Receives each NSS key-log line (SSLKEYLOGFILE format, no newline) of every connection. */
  keylog?: (line: string) => void;
  /**
   * ms for the whole handshake, retransmissions included; then the channel
   * errors with a TlsError of code 'ERR_TLS_HANDSHAKE_TIMEOUT'. Default
   * 60000 (GnuTLS's and the DTLS session's). 0 or Infinity: no timeout.
   */
  handshakeTimeout?: number;
  /** Largest datagram sent, headers included. Default 1200 (GnuTLS's, safe on most paths). */
  mtu?: number;
  /** First retransmission wait and its cap, ms (default 1000 and 60000, RFC 6347 §4.2.4.1). */
  retransmit?: { initialMs?: number; maxMs?: number };
  /** Runs the retransmission (and, on a listener, idle) timers, and is the session's clock. Default asyncScheduler. */
  scheduler?: SchedulerLike;
  /**
   * Aborting it before the socket is bound errors the Observable with an
   * AbortError (name 'AbortError', code 'ABORT_ERR'); later it aborts the
   * channel(s) with it (no close_notify) and, for listenDtls, closes the
   * socket and errors the Observable with it.
   */
  signal?: AbortSignal;
}

export interface ConnectDtlsOptions extends CommonDtlsOptions {
  /** Default 'localhost'. An IPv6 address binds a udp6 socket, anything else udp4. */
  host?: string;
  port: number;
  /** SNI and the name the certificate must match. Default: `host`. */
  servername?: string;
  /** Trusted roots (PEM text or buffers, or DER). Required unless `rejectUnauthorized: false`. */
  ca?: PemOrDer | PemOrDer[];
  /** false turns certificate verification OFF. Default true. */
  rejectUnauthorized?: boolean;
  /** As connectTls's: runs after our own checks; return an Error to abort. */
  checkServerIdentity?: ConnectTlsOptions['checkServerIdentity'];
  /** A pre-shared key and its identity for the PSK suites, as connectTls's. Without `ca` only the PSK suites are offered. */
  psk?: ConnectTlsOptions['psk'];
  /** Our certificate chain and key for servers that ask (mutual TLS), as connectTls's. */
  cert?: ConnectTlsOptions['cert'];
  key?: ConnectTlsOptions['key'];
  /** Instead of cert/key: chooses a certificate by the server's request, as connectTls's. */
  clientCertificate?: ConnectTlsOptions['clientCertificate'];
  /** Any other DTLS client options (suites, groups, crypto, date, ...); the names above win. */
  session?: Partial<Omit<DtlsClientOptions, 'protocol'>>;
}

export interface ListenDtlsOptions extends CommonDtlsOptions {
  /** Default 0: any free port (see `listeningObserver`). */
  port?: number;
  /** Default: every IPv4 interface (0.0.0.0), as node's socket.bind() (listenTls too binds every interface). An IPv6 address binds a udp6 socket. */
  host?: string;
  /** The certificate chain, leaf first (PEM text or buffers, or DER). Optional with `psk` (a PSK-only server). */
  cert?: PemOrDer | PemOrDer[];
  key?: PemOrDer;
  /** The key of a client's PSK identity, undefined for an unknown one, as listenTls's. */
  psk?: (identity: Uint8Array) => Uint8Array | undefined;
  /** The identity hint sent to PSK clients. */
  pskIdentityHint?: string;
  /** Told the bound address once the socket is bound, with the listener's live counters. */
  listeningObserver?: { next(listening: DtlsListening): void };
  /**
   * The stateless cookie exchange (RFC 6347 §4.2.1, OpenSSL's DTLSv1_listen):
   * a ClientHello without a valid cookie gets a HelloVerifyRequest and
   * creates nothing, so a spoofed source address costs one small reply and
   * no memory. Default true; false admits every address's first datagram.
   */
  cookie?: boolean;
  /** Peers at once; datagrams from further new addresses are dropped. Default 1024. */
  maxPeers?: number;
  /** A peer with no datagram in or out for this long (ms, on `scheduler`) is forgotten: its channel errors. Default 120000. */
  idleTimeout?: number;
  /** Ask clients for a certificate (mutual TLS), as listenTls's. */
  requestCert?: boolean;
  /** With requestCert: refuse clients without a certificate that verifies (default true), as listenTls's. */
  rejectUnauthorized?: boolean;
  /** Roots for client certificates, as listenTls's (default with requestCert: Node's roots). */
  ca?: ListenTlsOptions['ca'];
  /** Any other DTLS server options (tickets, suites, crypto, ...); the names above win. */
  session?: Partial<Omit<DtlsServerOptions, 'protocol'>>;
}

/** What listenDtls tells `listeningObserver`: the bound address and live counters. */
export interface DtlsListening {
  address: string;
  family: string;
  port: number;
  readonly stats: DtlsListenerStats;
}

/** A listener's counters, read live. */
export interface DtlsListenerStats {
  /** Peers with per-peer state (a session) now. */
  readonly peers: number;
  /** Peers admitted since the start. */
  readonly admitted: number;
  /** HelloVerifyRequests sent by the cookie gate. */
  readonly helloVerifyRequests: number;
  /** Datagrams from unknown addresses the gate dropped (not a ClientHello). */
  readonly gateDrops: number;
  /** Established associations replaced by a new, cookie-checked ClientHello from the same address (RFC 6347 §4.2.8). */
  readonly replaced: number;
  /** Datagrams from new addresses dropped because maxPeers were open. */
  readonly full: number;
  /** Datagrams dropped because a peer's inbox was full. */
  readonly inbox: number;
}

const alpnNames = (list: Array<string | Uint8Array> | undefined) =>
  list?.map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p)));

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The session's handshakeTimeout: unset stays unset (the session's default), 0 means none. */
const handshakeMs = (ms: number | undefined) => (ms === 0 ? Infinity : ms);

/** The datagram part of the session options. */
export function datagramOptions(o: CommonDtlsOptions): DatagramOptions {
  return { protocol: 'dtls', ...defined({ mtu: o.mtu, retransmit: o.retransmit, handshakeTimeout: handshakeMs(o.handshakeTimeout) }) };
}

export function dtlsClientSessionOptions(o: ConnectDtlsOptions, clock: () => number): DtlsClientOptions {
  return {
    crypto: nobleCrypto,
    clock,
    ...o.session,
    ...defined({
      serverName: o.servername ?? o.host ?? 'localhost',
      ca: o.ca,
      alpn: alpnNames(o.ALPNProtocols),
      keylog: o.keylog,
      dangerouslySkipCertificateVerification: o.rejectUnauthorized === false ? true : undefined,
      psk: o.psk,
      cert: o.cert,
      key: o.key,
      clientCertificate: o.clientCertificate,
    }),
    ...datagramOptions(o),
  } as DtlsClientOptions;
}

/** The TLS options of the listener's one server config (DTLS 1.2 runs the TLS 1.2 states). */
export function dtlsServerConfigOptions(o: ListenDtlsOptions, clock: () => number): ServerOptions {
  const { protocol: _p, mtu: _m, handshakeTimeout: _h, retransmit: _r, minVersion: _min, maxVersion: _max, ...rest } = (o.session ?? {}) as Partial<DtlsServerOptions>;
  return {
    crypto: nobleCrypto,
    clock,
    ...(rest as Partial<ServerOptions>),
    ...defined({ alpn: alpnNames(o.ALPNProtocols), keylog: o.keylog, psk: o.psk, pskIdentityHint: o.pskIdentityHint }),
    ...clientAuthOptions(o),
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    cert: o.cert,
    key: o.key,
    suites: dtlsSuites({ suites: rest.suites, psk: o.psk ?? rest.psk, crypto: rest.crypto ?? nobleCrypto }, o.cert !== undefined) as ServerOptions['suites'],
  };
}

/** The session-level datagram settings of a listener: its options', over any in `session`. */
export function dtlsServerDatagramOptions(o: ListenDtlsOptions): DatagramOptions {
  const s = o.session ?? {};
  return datagramOptions({ mtu: s.mtu, retransmit: s.retransmit, handshakeTimeout: s.handshakeTimeout, ...defined(o) });
}

export function dtlsClientChannelOptions(o: ConnectDtlsOptions): DatagramChannelOptions {
  const check = o.checkServerIdentity;
  const hostname = o.servername ?? o.host ?? 'localhost';
  return {
    ...defined({ scheduler: o.scheduler }),
    verify:
      check && o.rejectUnauthorized !== false
        ? (info: SessionInfo) => {
            if (!info.peerCertificates[0]) return new Error('checkServerIdentity: the server sent no certificate');
            return check(hostname, peerCertificate(info.peerCertificates));
          }
        : undefined,
  };
}

