/**
 * The non-blocking Session for DTLS 1.2 over a datagram transport, with
 * GnuTLS's contract: every call that would block returns AGAIN; `timeout()`
 * tells when a flight is due again (gnutls_dtls_get_timeout), and calling
 * handshake() after that time retransmits it. `dataMtu()` is the room for one
 * send() (gnutls_dtls_get_data_mtu); `discarded` counts the invalid records
 * dropped silently, as DTLS wants. The clock is the config's `clock()`.
 */
import { type AlertName, TlsError, largePacket, prematureTermination, transportFailure } from '../errors.js';
import { DatagramConnection } from '../connection/datagram-connection.js';
import { DEFAULT_RETRANSMIT_POLICY, type RetransmitPolicy } from '../dtls/retransmit-timer.js';
import { type ClientConfig, type ClientOptions, type ServerConfig, type ServerOptions, resolveClientConfig, resolveServerConfig } from '../tls13/config.js';
import { startClient } from '../tls13/client/start-client.js';
import { startServer } from '../tls13/server/expect-client-hello.js';
import { dtlsSuites } from './dtls-suites.js';
import type { Context, State } from '../tls13/context.js';
import { AGAIN, type Again, type DatagramTransport, type Direction, EOF, type Eof, type NonBlockingSession, type SessionInfo } from './contract.js';

/** GnuTLS's default: 1200 bytes, safe on most paths. */
export const DEFAULT_DTLS_MTU = 1200;
/** No datagram is cut smaller than this (a record header, a handshake header and some bytes). */
const MIN_MTU = 64;

/** What DTLS adds to the TLS options. */
export interface DatagramOptions {
  protocol: 'dtls';
  /** Only 'DTLSv1.2' for now (DTLS 1.2 runs the TLS 1.2 states). */
  minVersion?: 'DTLSv1.2';
  maxVersion?: 'DTLSv1.2';
  /** Largest datagram sent, headers included (default 1200). */
  mtu?: number;
  /** ms for the whole handshake (default 60,000); then it fails with ERR_TLS_HANDSHAKE_TIMEOUT. */
  handshakeTimeout?: number;
  /** First retransmission wait and its cap, ms (default 1,000 and 60,000, RFC 6347 §4.2.4.1). */
  retransmit?: { initialMs?: number; maxMs?: number };
}

/** Options of a DTLS client: the TLS client's, with DTLS's version names and datagram settings. */
export type DtlsClientOptions = Omit<ClientOptions, 'minVersion' | 'maxVersion'> & DatagramOptions;
export type DtlsServerOptions = Omit<ServerOptions, 'minVersion' | 'maxVersion'> & DatagramOptions;

export function retransmitPolicy(o: DatagramOptions): RetransmitPolicy {
  const p = {
    initialMs: o.retransmit?.initialMs ?? DEFAULT_RETRANSMIT_POLICY.initialMs,
    maxMs: o.retransmit?.maxMs ?? DEFAULT_RETRANSMIT_POLICY.maxMs,
    handshakeTimeoutMs: o.handshakeTimeout ?? DEFAULT_RETRANSMIT_POLICY.handshakeTimeoutMs,
  };
  if (!(p.initialMs > 0) || !(p.maxMs >= p.initialMs) || !(p.handshakeTimeoutMs > 0)) throw new RangeError(`bad DTLS timers ${JSON.stringify(p)}`);
  return p;
}

export function checkMtu(mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > 65507) throw new RangeError(`DTLS mtu ${mtu}: an integer from ${MIN_MTU} to 65507`);
  return mtu;
}

export class DatagramSession implements NonBlockingSession {
  private transport?: DatagramTransport;
  private readonly conn: DatagramConnection<any>;
  /** Datagrams made and not yet accepted by the transport. */
  private unsentDatagrams: Uint8Array[] = [];
  private dir: Direction = 'read';
  private failure?: Error;
  private unsentCount?: number;

  constructor(
    private readonly config: ClientConfig | ServerConfig,
    start: (ctx: Context<any>) => State<any>,
    role: 'client' | 'server',
    options: DatagramOptions,
  ) {
    const mtu = checkMtu(options.mtu ?? DEFAULT_DTLS_MTU);
    this.conn = new DatagramConnection(config, start, { role, mtu, policy: retransmitPolicy(options) }, config.clock());
  }

  get info(): SessionInfo {
    return this.conn.info;
  }

  /** Invalid records dropped so far (bad MAC or length, unknown epoch, replay, wrong version). */
  get discarded(): number {
    return this.conn.discarded;
  }

  setTransport(transport: DatagramTransport): void {
    this.transport = transport;
  }

  handshake(): 'done' | Again {
    return this.guard(() => {
      for (;;) {
        if (this.flush() === AGAIN) return AGAIN;
        if (this.conn.handshakeDone) return 'done';
        if (this.conn.peerClosed) throw new TlsError('handshake_failure', 'peer closed during the handshake', true);
        // What already arrived first: it may answer our flight, and then nothing is due.
        if (this.readDatagram('during the handshake') !== AGAIN) continue;
        this.conn.checkTimer(this.now());
        if (!this.conn.takePendingOutput(this.unsentDatagrams)) return AGAIN;
      }
    });
  }

  /** One record's application data per call (datagram boundaries kept), AGAIN, or EOF after close_notify. */
  recv(): Uint8Array | Again | Eof {
    this.requireHandshake();
    return this.guard(() => {
      for (;;) {
        const chunk = this.conn.takeApplicationData();
        if (chunk) return chunk;
        this.flush(); // a final flight resent for the peer goes out while we read
        if (this.conn.peerClosed) return EOF;
        if (this.readDatagram('after the handshake') === AGAIN) return AGAIN;
      }
    });
  }

  /**
   * Sends `data` as one record in one datagram. Larger than dataMtu(): a
   * TlsError of code 'large_packet', nothing sent, the session stays usable.
   */
  send(data?: Uint8Array): number | Again {
    this.requireHandshake();
    if (data && this.unsentCount !== undefined) throw new Error('previous send() returned AGAIN: call send() without data first');
    if (data && data.length > this.dataMtu()) throw largePacket(data.length, this.dataMtu());
    return this.guard(() => {
      if (data) {
        this.conn.writeApplicationData(data);
        this.unsentCount = data.length;
      }
      if (this.flush() === AGAIN) return AGAIN;
      const n = this.unsentCount ?? 0;
      this.unsentCount = undefined;
      return n;
    });
  }

  /**
   * `length` bytes of keying material bound to this connection (RFC 5705;
   * DTLS-SRTP keys through srtpKeyingMaterial()). No context (undefined)
   * differs from an empty one. Usage errors leave the session usable.
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    this.requireHandshake();
    return this.conn.exportKeyingMaterial(label, context, length);
  }

  bye(): 'done' | Again {
    return this.guard(() => {
      this.conn.close();
      return this.flush() === AGAIN ? AGAIN : 'done';
    });
  }

  pending(): number {
    return this.conn.pendingBytes;
  }

  direction(): Direction {
    return this.dir;
  }

  timeout(): number | undefined {
    if (this.failure) return undefined;
    return this.conn.timeout(this.now());
  }

  /** The largest send(): the MTU less the record header and the suite's expansion (gnutls_dtls_get_data_mtu). */
  dataMtu(): number {
    return this.conn.dataRoom;
  }

  /** The largest datagram to send, headers included (gnutls_dtls_set_mtu). */
  setMtu(mtu: number): void {
    this.conn.mtu = checkMtu(mtu);
  }

  get mtu(): number {
    return this.conn.mtu;
  }

  /** Fails the session from outside; sends the alert where it has one to send. */
  abort(reason: TlsError): void {
    if (this.failure) return;
    this.fail(reason);
  }

  private now(): number {
    return this.config.clock();
  }

  private flush(): 'done' | Again {
    this.conn.takePendingOutput(this.unsentDatagrams);
    const t = this.requireTransport();
    while (this.unsentDatagrams.length) {
      if (t.push(this.unsentDatagrams[0]!) === AGAIN) {
        this.dir = 'write';
        return AGAIN;
      }
      this.unsentDatagrams.shift();
    }
    return 'done';
  }

  private readDatagram(when: string): 'done' | Again {
    const d = this.requireTransport().pull();
    if (d === AGAIN) {
      this.dir = 'read';
      return AGAIN;
    }
    if (d === EOF) {
      const cause = this.transport?.error;
      throw cause ? transportFailure(cause, when) : prematureTermination(when);
    }
    this.conn.receiveDatagram(d, this.now());
    return 'done';
  }

  private guard<T>(step: () => T): T {
    if (this.failure) throw this.failure;
    try {
      return step();
    } catch (e) {
      throw this.fail(e);
    }
  }

  private fail(e: unknown): Error {
    const err = e instanceof TlsError ? e : new TlsError('internal_error', String((e as Error)?.stack ?? e));
    this.failure = err;
    if (err.sendsAlert && !this.conn.closed && this.transport) {
      try {
        this.conn.sendAlert(err.alert as AlertName);
        if (err.alert === 'user_canceled') this.conn.sendAlert('close_notify');
        this.conn.takePendingOutput(this.unsentDatagrams);
        // Best effort, once: a datagram transport that says AGAIN drops the alert, as a lossy network would.
        for (const d of this.unsentDatagrams) this.transport.push(d);
        this.unsentDatagrams = [];
      } catch {
        // The error we report is the original one.
      }
    }
    return err;
  }

  private requireTransport(): DatagramTransport {
    if (!this.transport) throw new Error('setTransport() before using the session');
    return this.transport;
  }

  private requireHandshake(): void {
    if (this.failure) throw this.failure;
    if (!this.conn.handshakeDone) throw new Error('the handshake has not completed');
  }
}

/** The TLS options of a DTLS session: DTLS 1.2 runs the TLS 1.2 states, so the version range is fixed. */
function tlsPart<T extends object>(o: T & Partial<Pick<DatagramOptions, 'protocol' | 'mtu' | 'handshakeTimeout' | 'retransmit'>>): T {
  const { protocol: _p, mtu: _m, handshakeTimeout: _h, retransmit: _r, ...rest } = o;
  for (const key of ['minVersion', 'maxVersion'] as const) {
    const v = (o as { minVersion?: string; maxVersion?: string })[key];
    if (v !== undefined && v !== 'DTLSv1.2') throw new Error(`${key} ${v}: DTLS sessions speak DTLSv1.2`);
  }
  return { ...rest, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as T;
}

export function dtlsClient(options: DtlsClientOptions): DatagramSession {
  const o = tlsPart<ClientOptions>(options as ClientOptions & DatagramOptions);
  const certificate = o.ca !== undefined || o.fingerprint !== undefined || o.serverRawPublicKey !== undefined || o.dangerouslySkipCertificateVerification === true;
  // No TLS 1.3 middlebox compatibility over DTLS: an empty session id unless a ticket is offered.
  const config = resolveClientConfig({ middleboxCompat: false, ...o, suites: dtlsSuites(o, certificate) as ClientOptions['suites'] });
  return new DatagramSession(config, startClient, 'client', options);
}

export function dtlsServer(options: DtlsServerOptions): DatagramSession {
  const o = tlsPart<ServerOptions>(options as ServerOptions & DatagramOptions);
  return dtlsServerWithConfig(resolveServerConfig({ ...o, suites: dtlsSuites(o, o.cert !== undefined) as ServerOptions['suites'] }), options);
}

/**
 * A DTLS server over a config resolved once for many sessions (a listener);
 * the config must allow TLS 1.2 only, whose states DTLS 1.2 runs.
 */
export function dtlsServerWithConfig(config: ServerConfig, options: DatagramOptions): DatagramSession {
  if (config.minVersion !== 'TLSv1.2' || config.maxVersion !== 'TLSv1.2') throw new Error('a DTLS 1.2 server config has minVersion and maxVersion TLSv1.2');
  return new DatagramSession(config, startServer, 'server', options);
}
