/**
 * The non-blocking Session (GnuTLS's GNUTLS_NONBLOCK contract) for TLS 1.3
 * over a byte stream. Every call that would block returns AGAIN and resumes
 * exactly where it stopped when called again; `direction()` says whether it
 * waits to read or to write. Fatal errors throw a TlsError, send the alert
 * when possible, and leave the session unusable.
 */
import { type AlertName, TlsError, prematureTermination, transportFailure } from '../errors.js';
import { RecordReader } from '../record/record-reader.js';
import { MAX_CIPHERTEXT } from '../record/limits.js';
import { startClient } from '../tls13/client/start-client.js';
import {
  type ClientConfig,
  type ClientOptions,
  type ServerConfig,
  type ServerOptions,
  isResolvedConfig,
  resolveClientConfig,
  resolveServerConfig,
} from '../tls13/config.js';
import { Connection } from '../connection/connection.js';
import { startServer } from '../tls13/server/expect-client-hello.js';
import { AGAIN, type Again, type Direction, EOF, type Eof, type NonBlockingSession, type SessionInfo, type Transport } from './contract.js';
import { OutputQueue } from './output-queue.js';
import { type DatagramOptions, DatagramSession, type DtlsClientOptions, type DtlsServerOptions, dtlsClient, dtlsServer } from './datagram-session.js';

/** How much one pull asks for: a few full records. */
const PULL_SIZE = 4 * MAX_CIPHERTEXT;

export class Session implements NonBlockingSession {
  /** A client; `options` may be a config made once with resolveClientConfig(). With `protocol: 'dtls'`, a DTLS 1.2 client. */
  static client(options: DtlsClientOptions): DatagramSession;
  static client(options: (ClientOptions & { protocol?: 'tls' }) | ClientConfig): Session;
  static client(options: (ClientOptions & { protocol?: 'tls' }) | DtlsClientOptions | ClientConfig): Session | DatagramSession {
    if ((options as Partial<DatagramOptions>).protocol === 'dtls') return dtlsClient(options as DtlsClientOptions);
    const config = isResolvedConfig(options) ? (options as ClientConfig) : resolveClientConfig(options as ClientOptions);
    return new Session(new Connection(config, startClient));
  }

  /** A server; pass a config made once with resolveServerConfig() to skip parsing the certificate and key per connection. */
  static server(options: DtlsServerOptions): DatagramSession;
  static server(options: (ServerOptions & { protocol?: 'tls' }) | ServerConfig): Session;
  static server(options: (ServerOptions & { protocol?: 'tls' }) | DtlsServerOptions | ServerConfig): Session | DatagramSession {
    if ((options as Partial<DatagramOptions>).protocol === 'dtls') return dtlsServer(options as DtlsServerOptions);
    const config = isResolvedConfig(options) ? (options as ServerConfig) : resolveServerConfig(options as ServerOptions);
    return new Session(new Connection(config, startServer));
  }

  private transport?: Transport;
  private readonly reader = new RecordReader();
  private readonly output = new OutputQueue();
  private dir: Direction = 'read';
  private failure?: Error;
  private transportEnded = false;
  /** Plaintext bytes of an interrupted send(), reported once flushed. */
  private unsentCount?: number;

  private constructor(private readonly conn: Connection<any>) {}

  get info(): SessionInfo {
    return this.conn.info;
  }

  setTransport(transport: Transport): void {
    this.transport = transport;
  }

  handshake(): 'done' | Again {
    return this.guard(() => {
      for (;;) {
        if (this.flush() === AGAIN) return AGAIN;
        if (this.conn.handshakeDone) return 'done';
        if (this.conn.peerClosed) throw new TlsError('handshake_failure', 'peer closed during the handshake', true);
        if (this.readRecords('during the handshake') === AGAIN) return AGAIN;
      }
    });
  }

  recv(): Uint8Array | Again | Eof {
    this.requireHandshake();
    return this.guard(() => {
      for (;;) {
        const chunk = this.conn.takeApplicationData();
        if (chunk) return chunk;
        // Post-handshake answers (KeyUpdate) go out as we read; a blocked write does not stop reading.
        this.flush();
        if (this.conn.peerClosed) return EOF;
        if (this.readRecords('after the handshake') === AGAIN) return AGAIN;
      }
    });
  }

  send(data?: Uint8Array): number | Again {
    if (this.failure) throw this.failure;
    if (!this.conn.canWrite) throw new Error('the handshake has not completed');
    if (data && this.unsentCount !== undefined) throw new Error('previous send() returned AGAIN: call send() without data first');
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
   * Sends a KeyUpdate, asking the peer to update its keys too when `requestPeer`.
   * On AGAIN the update is queued: finish it with send() (no data).
   */
  keyUpdate(requestPeer = true): 'done' | Again {
    this.requireHandshake();
    return this.guard(() => {
      this.conn.updateKeys(requestPeer);
      return this.flush() === AGAIN ? AGAIN : 'done';
    });
  }

  /**
   * Server, TLS 1.3: asks the client for a certificate after the handshake
   * (RFC 8446 §4.6.2; needs `requestCert` and a client that offered
   * post_handshake_auth). The answer comes in with the application data:
   * keep calling recv(); `info.peerCertificates` and `info.authorized` change
   * once its Finished verified, and a refused answer fails recv() with the
   * alert. On AGAIN the request is queued: finish it with send() (no data).
   */
  requestClientCertificate(): 'done' | Again {
    this.requireHandshake();
    // Usage errors (TLS 1.2, no post_handshake_auth, a request unanswered) are thrown before anything is queued: the session stays usable.
    this.conn.requestClientCertificate();
    return this.guard(() => (this.flush() === AGAIN ? AGAIN : 'done'));
  }

  /**
   * `length` bytes of keying material bound to this connection (RFC 5705 for
   * TLS 1.2, RFC 8446 §7.5 for TLS 1.3), as node's
   * `tlsSocket.exportKeyingMaterial(length, label, context)`. TLS 1.2 tells no
   * context (undefined) from an empty one; TLS 1.3 does not. A label TLS
   * itself uses (TLS 1.2: "key expansion", ...) is a TypeError. Usage errors
   * leave the session usable; before the handshake completed it is an Error.
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    this.requireHandshake();
    return this.conn.exportKeyingMaterial(label, context, length);
  }

  /**
   * Client, TLS 1.3 with `earlyData` and a `session` ticket that allows it:
   * queues `data` as 0-RTT early data, before or during the handshake, until
   * the server answers; returns how many bytes were taken (0: none may go
   * now, send them after the handshake). Taken bytes are never lost: if the
   * server declines them (`info.earlyData` false), they are sent again as
   * soon as the handshake completes. handshake() writes them out.
   */
  sendEarlyData(data: Uint8Array): number {
    return this.guard(() => {
      const idle = this.output.empty;
      const taken = this.conn.writeEarlyData(data);
      // Out now, right behind the ClientHello, unless a handshake write is already blocked: the
      // handshake() call its caller waits to make flushes it then. The caller waits in the direction
      // handshake() reported, so that stays what direction() says.
      if (taken > 0 && idle) {
        const dir = this.dir;
        this.flush();
        this.dir = dir;
      }
      return taken;
    });
  }

  /**
   * True while the handshake runs on a server that accepted 0-RTT data and
   * sent its Finished: send() may already be called (0.5-RTT data, RFC 8446
   * §2.3: sent before the client's Finished proves who it is).
   */
  canSendEarly(): boolean {
    return this.conn.canWrite && !this.conn.handshakeDone;
  }

  /**
   * Server, TLS 1.3 with `maxEarlyData`: the next chunk of 0-RTT data the
   * client sent, if any; readable while the handshake runs and after. It may
   * be a replay (RFC 8446 §8): act on it only if that is safe.
   */
  recvEarlyData(): Uint8Array | undefined {
    return this.conn.takeEarlyData();
  }

  /**
   * TLS 1.3 early exporter (RFC 8446 §7.5, early_exporter_master_secret):
   * keying material bound to the ClientHello and the resumed session, usable
   * once the client offered 0-RTT data (client) or the server accepted it
   * (server); like the data, it is not protected against replay.
   */
  exportEarlyKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    return this.conn.exportEarlyKeyingMaterial(label, context, length);
  }

  /** Sends close_notify; on AGAIN call bye() again. */
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
    return undefined; // stream TLS has no retransmission timer
  }

  /** Bytes of records queued for the transport and not yet accepted by it (e.g. a KeyUpdate reply made while reading). */
  unsent(): number {
    return this.output.bytes;
  }

  /**
   * Fails the session from outside (a handshake timeout): sends `reason`'s
   * alert where it has one to send, as a failure inside would, and leaves the
   * session unusable. Later calls throw `reason`.
   */
  abort(reason: TlsError): void {
    if (this.failure) return;
    this.fail(reason);
  }

  /** Writes queued records; AGAIN (waiting to write) when the transport is full. */
  private flush(): 'done' | Again {
    // Whether everything taken before was written: a KeyUpdate reply still unsent then answers new requests too.
    this.output.add(this.conn.takeOutput(this.output.empty));
    if (this.output.flushTo(this.requireTransport()) === AGAIN) {
      this.dir = 'write';
      return AGAIN;
    }
    return 'done';
  }

  /** Pulls once and processes every whole record; AGAIN (waiting to read) when nothing came. */
  private readRecords(when: string): 'done' | Again {
    if (this.transportEnded) throw this.endOfTransport(when);
    const bytes = this.requireTransport().pull(PULL_SIZE);
    if (bytes === AGAIN) {
      this.dir = 'read';
      return AGAIN;
    }
    if (bytes === EOF) {
      this.transportEnded = true;
      throw this.endOfTransport(when);
    }
    this.reader.feed(bytes);
    for (let rec = this.reader.next(); rec && !this.conn.peerClosed; rec = this.reader.next()) this.conn.receiveRecord(rec);
    return 'done';
  }

  /** A transport end without close_notify; a failed transport keeps its error as the cause. */
  private endOfTransport(when: string): TlsError {
    const cause = this.transport?.error;
    return cause ? transportFailure(cause, when) : prematureTermination(when);
  }

  private guard<T>(step: () => T): T {
    if (this.failure) {
      this.flushAfterFailure();
      throw this.failure;
    }
    try {
      return step();
    } catch (e) {
      throw this.fail(e);
    }
  }

  /** Makes the session unusable; sends our alert where there is one to send. */
  private fail(e: unknown): Error {
    const err = e instanceof TlsError ? e : new TlsError('internal_error', String((e as Error)?.stack ?? e));
    this.failure = err;
    if (err.sendsAlert && !this.conn.closed && this.transport) {
      try {
        this.conn.sendAlert(err.alert as AlertName);
        // RFC 8446 §6.1: user_canceled (a cancelled handshake) is followed by close_notify.
        if (err.alert === 'user_canceled') this.conn.sendAlert('close_notify');
        this.output.add(this.conn.takeOutput());
      } catch {
        // Best effort: the error we report is the original one.
      }
    }
    this.flushAfterFailure();
    return err;
  }

  /** Pushes what is left of our alert; later calls retry when the transport said AGAIN. */
  private flushAfterFailure(): void {
    if (!this.transport || this.output.empty) return;
    try {
      this.output.flushTo(this.transport);
    } catch {
      // The transport is gone; the failure stands as reported.
    }
  }

  private requireTransport(): Transport {
    if (!this.transport) throw new Error('setTransport() before using the session');
    return this.transport;
  }

  /** A usage error, not a protocol failure: it leaves the session usable. */
  private requireHandshake(): void {
    if (this.failure) throw this.failure;
    if (!this.conn.handshakeDone) throw new Error('the handshake has not completed');
  }
}
