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
import type { ChannelOptions } from '../rx/secure-channel.js';

interface CommonNodeOptions {
  /** ALPN protocol names in preference order (node: `ALPNProtocols`). */
  ALPNProtocols?: Array<string | Uint8Array>;
  /** Receives each NSS key-log line (SSLKEYLOGFILE format, no newline) of every connection. */
  keylog?: (line: string) => void;
  /** ms after which an unfinished handshake fails (rxjs TimeoutError). Client default: none; server: 120000 as node. */
  handshakeTimeout?: number;
  /** TLS-level half-open: keep writing after the peer's close_notify until complete(). Default false. */
  allowHalfOpen?: boolean;
  /** Scheduler for the handshake timeout. Default asyncScheduler. */
  scheduler?: SchedulerLike;
  /** Bytes read from the socket ahead of the session before the socket is paused. Default 256 KiB. */
  highWaterMark?: number;
}

export interface ConnectTlsOptions extends CommonNodeOptions {
  /** Default 'localhost'. */
  host?: string;
  port: number;
  /** SNI and the name the certificate must match. Default: `host` (an IP address is matched, not sent as SNI). */
  servername?: string;
  /** Trusted roots (PEM text or buffers, or DER). Required unless `rejectUnauthorized: false`. */
  ca?: PemOrDer | PemOrDer[];
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
  /** Client certificates are not supported yet: setting these throws. */
  cert?: never;
  key?: never;
  /** Any other ClientOptions (suites, groups, crypto, clock, date, ...); the node-style names above win. */
  session?: Partial<ClientOptions>;
}

export interface ListenTlsOptions extends CommonNodeOptions {
  /** Default 0: any free port (see `listeningObserver` for the one chosen). */
  port?: number;
  /** Default: every interface, as node's server.listen(). */
  host?: string;
  backlog?: number;
  /** The certificate chain, leaf first (PEM text or buffers, or DER). */
  cert: PemOrDer | PemOrDer[];
  key: PemOrDer;
  /** Told the bound address once the server listens (WebSocketSubject's openObserver pattern). */
  listeningObserver?: { next(address: { address: string; family: string; port: number }): void };
  /** Any other ServerOptions (tickets, suites, crypto, ...); the node-style names above win. */
  session?: Partial<ServerOptions>;
}

const alpnNames = (list: Array<string | Uint8Array> | undefined) =>
  list?.map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p)));

/** Drops undefined values so they do not override defaults when spread. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function clientSessionOptions(o: ConnectTlsOptions): ClientOptions {
  if ((o as { cert?: unknown }).cert !== undefined || (o as { key?: unknown }).key !== undefined) {
    throw new Error('connectTls: client certificates (cert/key) are not supported yet');
  }
  return {
    ...o.session,
    ...defined({
      serverName: o.servername ?? o.host ?? 'localhost',
      ca: o.ca,
      alpn: alpnNames(o.ALPNProtocols),
      keylog: o.keylog,
      dangerouslySkipCertificateVerification: o.rejectUnauthorized === false ? true : undefined,
    }),
  };
}

export function serverSessionOptions(o: ListenTlsOptions): ServerOptions {
  return {
    ...o.session,
    ...defined({ alpn: alpnNames(o.ALPNProtocols), keylog: o.keylog }),
    cert: o.cert,
    key: o.key,
  };
}

export function clientChannelOptions(o: ConnectTlsOptions): ChannelOptions {
  const check = o.checkServerIdentity;
  const hostname = o.servername ?? o.host ?? 'localhost';
  return {
    ...defined({ scheduler: o.scheduler, handshakeTimeout: o.handshakeTimeout, allowHalfOpen: o.allowHalfOpen }),
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
    handshakeTimeout: o.handshakeTimeout ?? 120_000,
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
