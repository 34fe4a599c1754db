import type { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { PeerCertificate } from 'node:tls';
import { filter, take, type Subscription } from 'rxjs';
import type { SecureChannel } from '../rx/secure-channel.js';
import { channelSocketInfo, type ChannelSocketInfo } from './channel-socket.js';
import { peerCertificate } from './options.js';

/**
 * The Duplex toDuplex() returns: a node stream over a SecureChannel with the
 * parts of the net.Socket / tls.TLSSocket surface that node:http(s), keep-alive
 * agents, undici-style clients and ws call. Socket facts (addresses, keep-alive,
 * ref/unref, byte counts) come from the TCP socket under the channel when
 * there is one (channels from connectTls/listenTls; pass `{ socket }` to
 * toDuplex for your own); over other links they are undefined or no-ops.
 */
export class SecureDuplex extends Duplex {
  /** Always true: this is a TLS stream (express's req.secure, node's https server read it). */
  readonly encrypted = true;
  /** False: the TCP connection is up before the channel exists. */
  readonly connecting = false;
  /** The inactivity timeout set with setTimeout(), 0 for none (net.Socket#timeout). */
  timeout = 0;

  private readonly channel: SecureChannel;
  private readonly info: ChannelSocketInfo;
  private readonly socket: Socket | undefined;
  private subscription?: Subscription;
  private idleTimer?: NodeJS.Timeout;
  private handshakeDone = false;
  private peerCert?: PeerCertificate;

  constructor(channel: SecureChannel, info: ChannelSocketInfo = {}) {
    super();
    this.channel = channel;
    this.info = info;
    this.socket = info.socket;
    channel.handshake$.subscribe({
      next: () => {
        this.handshakeDone = true;
        this.emit(info.role === 'server' ? 'secure' : 'secureConnect');
      },
      error: () => {},
    });
    // node:tls's 'session' event, with our ticket (pass it as connectTls's `session: { session }`), not a Buffer.
    // On the next tick: tickets replayed now would otherwise come before anyone could listen.
    channel.session$.subscribe((ticket) => process.nextTick(() => this.emit('session', ticket)));
    channel.pause(); // until the first _read()
    this.subscription = channel.subscribe({
      next: (chunk) => {
        this.activity();
        if (!this.push(chunk)) channel.pause();
      },
      error: (err: unknown) => this.destroy(err as Error),
      complete: () => this.push(null),
    });
    if (this.destroyed) this.subscription.unsubscribe(); // the channel had already failed
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const channel = this.channel;
    if (!channel.writable) return callback(new Error('write after the TLS channel closed its write side'));
    this.activity();
    channel.next(chunk);
    if (channel.bufferedAmount === 0) return callback();
    let drained = false;
    channel.drain$.pipe(take(1)).subscribe({
      next: () => {
        drained = true;
        this.activity();
        callback();
      },
      complete: () => drained || callback(new Error('the TLS channel closed before the data was written')),
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel.complete();
    this.channel.events$
      .pipe(
        filter((e) => e.type === 'closed' || (e.type === 'alert' && e.alert === 'close_notify' && !e.fromPeer)),
        take(1),
      )
      .subscribe((e) => callback(e.type === 'closed' && e.error ? (e.error as Error) : undefined));
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.clearIdleTimer();
    if (err && !this.channel.closed) this.channel.error(err);
    this.subscription?.unsubscribe();
    callback(err);
  }

  // --- net.Socket: timeouts, keep-alive, ref/unref ---

  /**
   * Emits 'timeout' after `ms` without reading or writing application data
   * (then again after the next activity and `ms` more quiet), as net.Socket
   * does; nothing is closed: the listener decides (http destroys the
   * request). 0 turns it off. `callback` is added as a one-time 'timeout'
   * listener (removed when `ms` is 0). The timer does not keep the process
   * alive.
   */
  setTimeout(ms: number, callback?: () => void): this {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw Object.assign(new RangeError(`setTimeout: ms must be a finite number >= 0, got ${ms}`), { code: 'ERR_OUT_OF_RANGE' });
    this.timeout = ms;
    this.clearIdleTimer();
    if (ms > 0 && !this.destroyed) {
      // Kept after it fires: the next activity refresh()es it, which re-arms it (net.Socket's way).
      this.idleTimer = setTimeout(() => {
        if (!this.destroyed) this.emit('timeout');
      }, ms);
      this.idleTimer.unref();
    }
    if (callback) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  /** TCP keep-alive on the socket underneath (no-op without one). */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.socket?.setKeepAlive(enable, initialDelay);
    return this;
  }

  /** TCP_NODELAY on the socket underneath (rxtls sets it on already; no-op without a socket). */
  setNoDelay(noDelay?: boolean): this {
    this.socket?.setNoDelay(noDelay);
    return this;
  }

  /** Lets the process exit while only this connection is open (the socket underneath is unref'd). */
  unref(): this {
    this.socket?.unref();
    return this;
  }

  ref(): this {
    this.socket?.ref();
    return this;
  }

  // --- net.Socket: addresses and counters ---

  address(): AddressInfo | Record<string, never> {
    return (this.socket?.address() as AddressInfo | undefined) ?? {};
  }

  get remoteAddress(): string | undefined {
    return this.socket?.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket?.remotePort;
  }

  get remoteFamily(): string | undefined {
    return this.socket?.remoteFamily;
  }

  get localAddress(): string | undefined {
    return this.socket?.localAddress;
  }

  get localPort(): number | undefined {
    return this.socket?.localPort;
  }

  get localFamily(): string | undefined {
    return (this.socket as { localFamily?: string } | undefined)?.localFamily;
  }

  /** Bytes read from the TCP socket (TLS records, as node's TLSSocket reports); 0 without one. */
  get bytesRead(): number {
    return this.socket?.bytesRead ?? 0;
  }

  /** Bytes written to the TCP socket (TLS records); 0 without one. */
  get bytesWritten(): number {
    return this.socket?.bytesWritten ?? 0;
  }

  /** False: there is a connection (net.Socket#pending is true only before connect). */
  get pending(): boolean {
    return false;
  }

  /** net.Socket#readyState: 'open', 'readOnly', 'writeOnly' or 'closed'. */
  get readyState(): 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  /** Ends the write side, then destroys once it is finished (net.Socket#destroySoon). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  // --- tls.TLSSocket ---

  /** The negotiated ALPN protocol, false when none was agreed, null before the handshake (as TLSSocket). */
  get alpnProtocol(): string | false | null {
    if (!this.handshakeDone) return null;
    return this.channel.info.alpn ?? false;
  }

  /**
   * True once the handshake is done and the peer's certificate was verified:
   * a client's with rejectUnauthorized not false; on a server with
   * requestCert, the client's chain (false without requestCert, as node's).
   */
  get authorized(): boolean {
    if (!this.handshakeDone) return false;
    if (this.info.role === 'server') return this.channel.info.authorized === true;
    return this.info.verifiesPeer !== false;
  }

  /** Why a server's `authorized` is false: the verification code (node's), or undefined. */
  get authorizationError(): string | undefined {
    return this.channel.info.authorizationError;
  }

  /** The SNI name: the one we sent (client) or the one the client sent (server). */
  get servername(): string | false {
    return this.channel.info.serverName ?? false;
  }

  /** 'TLSv1.3' once negotiated; null before (as TLSSocket). */
  getProtocol(): string | null {
    return this.handshakeDone ? (this.channel.info.version ?? null) : null;
  }

  /** node's shape: { name, standardName, version }; TLS 1.3 suite names are the same in OpenSSL and the RFC. */
  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const { suite, version } = this.channel.info;
    if (!this.handshakeDone || !suite) return undefined;
    return { name: suite, standardName: suite, version: version ?? 'TLSv1.3' };
  }

  /**
   * The peer's certificate as node's PeerCertificate (`issuerCertificate`
   * links up the chain it sent), {} when it sent none (a client a server did not ask, or that had none).
   */
  getPeerCertificate(_detailed?: boolean): PeerCertificate | Record<string, never> {
    const chain = this.channel.info.peerCertificates;
    if (!chain.length) return {};
    return (this.peerCert ??= peerCertificate(chain));
  }

  isSessionReused(): boolean {
    return this.channel.info.resumed;
  }

  private activity(): void {
    this.idleTimer?.refresh();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/**
 * A node Duplex stream over a SecureChannel, for APIs that want a socket-like
 * stream (e.g. `https.request({ createConnection })`, an `https.Agent`,
 * `http.Server#emit('connection', duplex)`, `stream.pipeline`). It has the
 * net.Socket / TLSSocket surface those call (see SecureDuplex): setTimeout
 * with 'timeout' on inactivity, setKeepAlive, setNoDelay, ref/unref,
 * address(), remoteAddress/remotePort/remoteFamily/localAddress/localPort,
 * encrypted, alpnProtocol, authorized, getPeerCertificate(), getProtocol(),
 * getCipher(), bytesRead/bytesWritten, connecting, pending, readyState.
 * Channels from connectTls/listenTls know their TCP socket; for a channel you
 * opened yourself over a socket, pass it: `toDuplex(channel, { socket })`.
 *
 * - Reading follows node's back-pressure: the channel is paused whenever
 *   `push()` returns false and resumed on `_read()`, so the socket underneath
 *   stops being read instead of buffering.
 * - A write's callback runs once the channel's session accepted the bytes
 *   (`drain$`), so `write()` returns false while the TLS layer is blocked.
 * - `end()` sends close_notify (the callback of `end()` runs once it is
 *   written); the peer's close_notify ends the readable side; with node's
 *   default `allowHalfOpen: false` the writable side then ends too.
 * - 'session' is emitted for each session ticket the server sends (a
 *   client's channel.session$): the SessionTicket itself, to pass as
 *   connectTls's `session: { session: ticket }` (node emits a Buffer for
 *   tls.connect's `session`; the two do not mix).
 * - `destroy()` tears the channel down (best-effort close_notify);
 *   `destroy(err)` aborts it (no close_notify). A failing channel destroys the
 *   stream with its error (e.g. a TlsError 'ERR_TLS_PREMATURE_TERMINATION').
 *
 * @example
 * https.request({ host: 'localhost', path: '/', createConnection: (_opts, cb) => {
 *   connectTls({ port, ca }).subscribe({ next: (ch) => cb(null, toDuplex(ch)), error: (e) => cb(e) });
 * } });
 */
export function toDuplex(channel: SecureChannel, info?: ChannelSocketInfo): SecureDuplex {
  return new SecureDuplex(channel, { ...channelSocketInfo(channel), ...info });
}
