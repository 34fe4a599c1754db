/**
 * node:tls-style option names for connectTls()/listenTls(), and their
 * translation into our ClientOptions/ServerOptions and ChannelOptions.
 * Where names overlap with node:tls they mean what they mean there.
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { SchedulerLike } from 'rxjs';
import type { SessionInfo } from '../session/contract.js';
import type { ClientOptions, PemOrDer, ServerOptions } from '../tls13/config.js';
import type { ClientCertificateCallback } from '../tls13/client-auth-config.js';
import type { ChannelOptions } from '../rx/secure-channel.js';
import { nobleCrypto } from '../crypto/noble/index.js';
import type { TrustStore } from '../x509/trust-store.js';
import { nodeRootStore } from './root-store.js';
import { ticketKeyFromNode } from './ticket-keys-option.js';

/** node:tls protocol version names (`minVersion`/`maxVersion`). */
export type TlsVersionName = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';

/** Client default `handshakeTimeout` (node:tls has none for clients; a server that accepts and never answers must not hang us). */
export const CLIENT_HANDSHAKE_TIMEOUT = 60_000;
/** Server default `handshakeTimeout`: node's. */
export const SERVER_HANDSHAKE_TIMEOUT = 120_000;
/** Server default `maxConcurrentHandshakes`. */
export const MAX_CONCURRENT_HANDSHAKES = 128;

interface CommonNodeOptions {
  /** ALPN protocol names in preference order (node: `ALPNProtocols`). */
  ALPNProtocols?: Array<string | Uint8Array>;
  /** Receives each NSS key-log line (SSLKEYLOGFILE format, no newline) of every connection. */
  keylog?: (line: string) => void;
  /**
   * ms after which an unfinished handshake fails with a TlsError of code
   * 'ERR_TLS_HANDSHAKE_TIMEOUT' (the channel errors; the peer gets
   * user_canceled). Client default 60000 (node has none: a server that
   * accepts and never answers would hang the client forever); server default
   * 120000, as node's. 0 or Infinity: no timeout.
   */
  handshakeTimeout?: number;
  /** TLS-level half-open: keep writing after the peer's close_notify until complete(). Default false. */
  allowHalfOpen?: boolean;
  /** Scheduler for the handshake timeout. Default asyncScheduler. */
  scheduler?: SchedulerLike;
  /** Bytes read from the socket ahead of the session before the socket is paused. Default 256 KiB. */
  highWaterMark?: number;
  /**
   * Lowest protocol version to accept (default 'TLSv1.2', as node). TLS 1.1
   * and older are never negotiated, so 'TLSv1'/'TLSv1.1' mean 'TLSv1.2'.
   */
  minVersion?: TlsVersionName;
  /** Highest protocol version: 'TLSv1.3' (default) or 'TLSv1.2'; older ones are refused. */
  maxVersion?: TlsVersionName;
  /**
   * Aborting it before the TCP connection is up (or the listener bound) errors
   * the Observable with an AbortError (name 'AbortError', code 'ABORT_ERR', as
   * node's); aborting later aborts the channel(s) with that AbortError (no
   * close_notify) and, for listenTls, closes the listener and errors its
   * Observable with it.
   */
  signal?: AbortSignal;
}

export interface ConnectTlsOptions extends CommonNodeOptions {
  /** Default 'localhost'. */
  host?: string;
  port: number;
  /** SNI and the name the certificate must match. Default: `host` (an IP address is matched, not sent as SNI). */
  servername?: string;
  /**
   * Trusted roots (PEM text or buffers, or DER), or a TrustStore. Default, as
   * node:tls: Node's bundled roots, `tls.rootCertificates` (nodeRootStore(),
   * built once per process, parsing a root only when a chain needs it). To
   * trust those and a private CA: `nodeRootStore().with([privateCaPem])`.
   */
  ca?: PemOrDer | PemOrDer[] | TrustStore;
  /** SPKI pins 'sha256/BASE64': the verified chain must hold one of these keys (rxtls's `pins`). */
  pins?: string[];
  /**
   * The server certificate's fingerprint, 'sha-256 AB:CD:...' (WebRTC style,
   * rxtls's `fingerprint`), instead of `ca`: no chain or name is checked.
   */
  fingerprint?: string | string[];
  /** false turns certificate verification OFF (our `dangerouslySkipCertificateVerification`). Default true. */
  rejectUnauthorized?: boolean;
  /**
   * Runs after the handshake, on top of our own chain and hostname checks,
   * like node's: return an Error to abort the connection (ignored when
   * `rejectUnauthorized` is false, as in node). `cert` is a node-style
   * PeerCertificate of the leaf (subject, subjectaltname, raw,
   * fingerprint256, ...), so `tls.checkServerIdentity` itself can be passed.
   */
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  /** Our certificate chain (leaf first) and its key, sent when the server asks (mutual TLS), as node's. */
  cert?: PemOrDer | PemOrDer[];
  key?: PemOrDer;
  /** Instead of cert/key: chooses a certificate by the server's CA list and schemes (undefined: none). */
  clientCertificate?: ClientCertificateCallback;
  /**
   * A pre-shared key and its identity for the TLS 1.2 PSK suites (rxtls's
   * `psk` option; node:tls's pskCallback is not emulated). Without `ca` only
   * the PSK suites are offered.
   */
  psk?: { identity: string | Uint8Array; key: Uint8Array };
  /** Any other ClientOptions (suites, groups, crypto, clock, date, ...); the node-style names above win. */
  session?: Partial<ClientOptions>;
}

export interface ListenTlsOptions extends CommonNodeOptions {
  /** Default 0: any free port (see `listeningObserver` for the one chosen). */
  port?: number;
  /** Default: every interface, as node's server.listen(). */
  host?: string;
  backlog?: number;
  /** The certificate chain, leaf first (PEM text or buffers, or DER). Optional with `psk` (a PSK-only server). */
  cert?: PemOrDer | PemOrDer[];
  key?: PemOrDer;
  /** The key of a client's PSK identity, undefined for an unknown one (rxtls's `psk` option; node:tls's pskCallback is not emulated). */
  psk?: (identity: Uint8Array) => Uint8Array | undefined;
  /** The identity hint sent to PSK clients (node:tls's name). */
  pskIdentityHint?: string;
  /** Told the bound address once the server listens (WebSocketSubject's openObserver pattern). */
  listeningObserver?: { next(address: { address: string; family: string; port: number }): void };
  /**
   * Connections open at once (node's server.maxConnections): beyond it new
   * ones are closed as soon as accepted. Default: unlimited, as node's; the
   * process's file descriptor limit is the operator's to set.
   */
  maxConnections?: number;
  /**
   * Handshakes in progress at once. A connection takes a slot when its first
   * bytes (the ClientHello) arrive and frees it when its handshake completes
   * or fails; beyond the limit, new connections wait, first come first served
   * (their bytes stay unread and `handshakeTimeout` keeps running), as a
   * listener that stops accepting would. Default 128. A peer that sends part
   * of a handshake and stalls holds its slot until `handshakeTimeout`: lower
   * it when clients may be hostile. Infinity: no limit.
   */
  maxConcurrentHandshakes?: number;
  /** Ask clients for a certificate (mutual TLS), as node's; the client's chain is then `channel.info.peerCertificates`. */
  requestCert?: boolean;
  /**
   * With `requestCert`: a client without a certificate that verifies against
   * `ca` fails the handshake (default true, as node); false lets it in and
   * `channel.info.authorized`/`authorizationError` tell. Without requestCert it has no effect.
   */
  rejectUnauthorized?: boolean;
  /**
   * Roots for client certificates (node's `ca` on a server); their subjects
   * are the CA list sent to clients. Default with `requestCert`: Node's roots
   * (no CA list sent), as node.
   */
  ca?: PemOrDer | PemOrDer[] | TrustStore;
  /**
   * node:tls's 48 bytes of session-ticket keys: listeners given the same
   * bytes (in this process or others) resume each other's TLS 1.2 and 1.3
   * tickets. Mapped to one key as ticket-keys-option.ts says (name = the
   * first 16 bytes, key = the other 32). To rotate while older tickets still
   * resume, pass a list instead: `session: { ticketKeys: [next, current] }`
   * (ticketKeyFromNode() turns 48 bytes into one entry). Default: a key made
   * at start, so tickets resume on this listener only. Wins over `session.ticketKeys`.
   */
  ticketKeys?: Uint8Array;
  /** Any other ServerOptions (tickets, ticketKeys, suites, crypto, ...); the node-style names above win. */
  session?: Partial<ServerOptions>;
}

const alpnNames = (list: Array<string | Uint8Array> | undefined) =>
  list?.map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p)));

/** Drops undefined values so they do not override defaults when spread. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A handshakeTimeout option as ChannelOptions wants it: the default when unset, none for 0 or Infinity. */
function timeoutMs(ms: number | undefined, fallback: number): number | undefined {
  if (ms === undefined) return fallback;
  return ms === 0 || ms === Infinity ? undefined : ms;
}

/** The provider when `session.crypto` names none: @noble's, as the `rxtls` entry's (nodeCrypto is the faster choice on Node). */
const DEFAULT_CRYPTO = nobleCrypto;

/** node's version range as ours: TLS 1.1 and older are never negotiated, so a lower minimum means TLS 1.2. */
function versionRange(o: CommonNodeOptions): { minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3' } {
  const clamp = (v: TlsVersionName | undefined) => (v === undefined ? undefined : v === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2');
  return defined({ minVersion: clamp(o.minVersion), maxVersion: clamp(o.maxVersion) });
}

/**
 * node:tls trusts its bundled roots when given no `ca`; so do we, unless
 * something else authenticates the server (a fingerprint, a PSK alone, its
 * raw public key: `session.serverRawPublicKey`) or nothing is verified.
 */
function defaultCa(o: ConnectTlsOptions): TrustStore | undefined {
  const other = o.ca ?? o.session?.ca ?? o.fingerprint ?? o.session?.fingerprint ?? o.psk ?? o.session?.psk ?? o.session?.serverRawPublicKey;
  const skip = o.rejectUnauthorized === false || o.session?.dangerouslySkipCertificateVerification;
  return other === undefined && !skip ? nodeRootStore() : undefined;
}

export function clientSessionOptions(o: ConnectTlsOptions): ClientOptions {
  return {
    crypto: DEFAULT_CRYPTO,
    ...o.session,
    ...versionRange(o),
    ...defined({
      serverName: o.servername ?? o.host ?? 'localhost',
      ca: o.ca ?? defaultCa(o),
      pins: o.pins,
      fingerprint: o.fingerprint,
      alpn: alpnNames(o.ALPNProtocols),
      keylog: o.keylog,
      dangerouslySkipCertificateVerification: o.rejectUnauthorized === false ? true : undefined,
      psk: o.psk,
      cert: o.cert,
      key: o.key,
      clientCertificate: o.clientCertificate,
    }),
  };
}

/** node's mutual-TLS options as ours; `ca` defaults to Node's roots when client certificates are checked, as node's. */
export function clientAuthOptions(o: { requestCert?: boolean; rejectUnauthorized?: boolean; ca?: PemOrDer | PemOrDer[] | TrustStore }): Partial<ServerOptions> {
  if (!o.requestCert) return {};
  const rejectUnauthorized = o.rejectUnauthorized ?? true;
  return { requestCert: true, rejectUnauthorized, ca: o.ca ?? (rejectUnauthorized ? nodeRootStore() : undefined) };
}

export function serverSessionOptions(o: ListenTlsOptions): ServerOptions {
  return {
    crypto: DEFAULT_CRYPTO,
    ...o.session,
    ...versionRange(o),
    ...defined({ alpn: alpnNames(o.ALPNProtocols), keylog: o.keylog, psk: o.psk, pskIdentityHint: o.pskIdentityHint }),
    ...(o.ticketKeys === undefined ? {} : { ticketKeys: [ticketKeyFromNode(o.ticketKeys)] }),
    ...clientAuthOptions(o),
    cert: o.cert,
    key: o.key,
  };
}

export function clientChannelOptions(o: ConnectTlsOptions): ChannelOptions {
  const check = o.checkServerIdentity;
  const hostname = o.servername ?? o.host ?? 'localhost';
  return {
    ...defined({ scheduler: o.scheduler, handshakeTimeout: timeoutMs(o.handshakeTimeout, CLIENT_HANDSHAKE_TIMEOUT), allowHalfOpen: o.allowHalfOpen }),
    verify:
      check && o.rejectUnauthorized !== false
        ? (info: SessionInfo) => {
            const leaf = info.peerCertificates[0];
            if (!leaf) return new Error('checkServerIdentity: the server sent no certificate');
            return check(hostname, peerCertificate(info.peerCertificates));
          }
        : undefined,
  };
}

export function serverChannelOptions(o: ListenTlsOptions): ChannelOptions {
  return defined({
    scheduler: o.scheduler,
    handshakeTimeout: timeoutMs(o.handshakeTimeout, SERVER_HANDSHAKE_TIMEOUT),
    allowHalfOpen: o.allowHalfOpen,
  });
}

/** "CN=a\nO=b" (X509Certificate's form) as node's { CN: 'a', O: 'b' }. */
function distinguishedName(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1);
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/**
 * A node-style PeerCertificate (the fields tls.checkServerIdentity and most
 * pinning code read) of `chain[0]`, with `issuerCertificate` links up the chain.
 */
export function peerCertificate(chain: Uint8Array[]): PeerCertificate {
  const certs = chain.map((der) => {
    const x = new X509Certificate(der);
    return {
      subject: distinguishedName(x.subject),
      issuer: distinguishedName(x.issuer),
      subjectaltname: x.subjectAltName ?? '',
      infoAccess: x.infoAccess ? distinguishedName(x.infoAccess) : undefined,
      ca: x.ca,
      raw: Buffer.from(der),
      valid_from: x.validFrom,
      valid_to: x.validTo,
      serialNumber: x.serialNumber,
      fingerprint: x.fingerprint,
      fingerprint256: x.fingerprint256,
      fingerprint512: x.fingerprint512,
      ext_key_usage: x.keyUsage,
      pubkey: x.publicKey.export({ type: 'spki', format: 'der' }),
    } as unknown as PeerCertificate & { issuerCertificate?: PeerCertificate };
  });
  certs.forEach((c, i) => {
    (c as { issuerCertificate?: PeerCertificate }).issuerCertificate = certs[i + 1] ?? c;
  });
  return certs[0]!;
}
