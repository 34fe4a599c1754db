/**
 * The protocol engine of one TLS connection, 1.3 or 1.2: records in, records
 * out. It owns the installed record protection, handshake reassembly, the
 * current handshake state and the receive rules of the negotiated version;
 * the states install keys and send messages through it (Context). It never
 * touches a transport (lib/session does that).
 */
import { type AlertName, Alert, TlsError } from '../errors.js';
import type { RecordOpen, RecordSeal } from '../record/protection.js';
import { TLS12_FRAMING, type Tls12Framing } from '../record/tls12-protection.js';
import { plaintextRecord } from '../record/record-header.js';
import type { TlsRecord } from '../record/record-reader.js';
import { HandshakeBuffer } from '../record/handshake-buffer.js';
import { MAX_PLAINTEXT } from '../record/limits.js';
import { maxBodyLength } from '../tls13/limits.js';
import { type KeyingMaterialExporter, exportFromState } from '../handshake/keying-material-exporter.js';
import type { SessionInfo } from '../handshake/session-info.js';
import { PlaintextQueue } from './plaintext-queue.js';
import { EarlyDataState, EarlyDataWriter } from './early-data.js';
import { IdleRecords } from './idle-records.js';
import { RecordSizeLimits } from './record-size-limits.js';
import { ContentType, HandshakeType } from '../wire/enums.js';
import { concatBytes, toHex } from '../wire/codec.js';
import { decodeHandshake, encodeHandshake, type HandshakeMessage } from '../wire/handshake.js';
import { decodeTls12Body } from '../wire/tls12-messages.js';
import { maxTls12BodyLength } from '../tls12/limits.js';
import { tls12DecodeOptions } from '../tls12/decode-options.js';
import type { ClientConfig, ServerConfig } from '../tls13/config.js';
import type { Context, EarlyDataSkip, PostHandshake, ProtocolName, State } from '../tls13/context.js';
import type { CipherSuite } from '../tls13/suites.js';
import type { Transcript } from '../tls13/transcript.js';
import { Connected } from '../tls13/connected.js';

/** Keys only move forward: a state installing an epoch again, or an older one, is a bug caught here. */
function nextEpoch(current: number, next: number): number {
  if (!(next > current)) throw new TlsError('internal_error', `key epoch ${next} after epoch ${current}`);
  return next;
}

function isPostHandshake(s: unknown): s is PostHandshake & State {
  return typeof (s as PostHandshake).updateWriteKey === 'function';
}


export class Connection<C extends ClientConfig | ServerConfig> implements Context<C> {
  readonly info: SessionInfo = { peerCertificates: [], resumed: false, helloRetry: false, tickets: [] };
  private state: State<C, any>;
  private suiteChosen?: CipherSuite;
  private version?: ProtocolName;
  private sealer?: RecordSeal;
  private opener?: RecordOpen;
  private readKeyEpoch = 0;
  private writeKeyEpoch = 0;
  private readonly hsIn = new HandshakeBuffer();
  private hsOut: Uint8Array[] = [];
  private out: Uint8Array[] = [];
  private readonly app = new PlaintextQueue();
  private compatCcsSent = false;
  private done = false;
  private closeReceived = false;
  private closeSent = false;
  /** The first ClientHello was sent (client) or received (server): from then on a CCS may be ignored (RFC 8446 §5). */
  private helloSeen = false;
  private ccsReceived = false;
  /** Runs of records without content and of warning alerts (idle-records.ts). */
  private readonly idle: IdleRecords;
  /** 0-RTT: written, accepted, declined or skipped (early-data.ts). */
  private readonly early: EarlyDataState;
  /**
   * Our reply to a KeyUpdate that requested one: 'queued' until takeOutput()
   * hands it over, then 'handedOver' until the caller says everything taken
   * was written. Requests arriving meanwhile share that reply (RFC 8446 §4.6.3).
   */
  private keyUpdateReply: 'none' | 'queued' | 'handedOver' = 'none';
  private readonly sizes = new RecordSizeLimits();

  constructor(readonly config: C, start: (ctx: Context<C>) => State<C>) {
    this.idle = new IdleRecords(config.maxEmptyRecords, config.maxWarningAlerts);
    this.early = new EarlyDataState((config as Partial<ServerConfig>).maxSkippedEarlyData ?? 0);
    this.state = start(this);
  }

  get handshakeDone(): boolean {
    return this.done;
  }
  get peerClosed(): boolean {
    return this.closeReceived;
  }
  get closed(): boolean {
    return this.closeSent;
  }
  /** Decrypted application bytes not yet taken. */
  get pendingBytes(): number {
    return this.app.bytes;
  }

  // --- Context for the states ---

  get readEpoch(): number {
    return this.readKeyEpoch;
  }

  get writeEpoch(): number {
    return this.writeKeyEpoch;
  }

  tls12Framing(): Tls12Framing {
    return TLS12_FRAMING;
  }

  get suite(): CipherSuite | undefined {
    return this.suiteChosen;
  }

  useSuite(suite: CipherSuite): void {
    this.suiteChosen = suite;
  }

  useVersion(version: ProtocolName): void {
    this.version = version;
    this.info.version = version;
  }

  send(msg: HandshakeMessage, transcript: Transcript | undefined): void {
    this.sendEncoded(encodeHandshake(msg), transcript);
  }

  sendEncoded(raw: Uint8Array, transcript: Transcript | undefined): void {
    transcript?.add(raw);
    this.hsOut.push(raw);
    this.helloSeen = true;
  }

  sendChangeCipherSpec(): void {
    this.flushHandshake();
    this.out.push(...this.records(ContentType.change_cipher_spec, Uint8Array.of(1)));
  }

  sendCompatCcs(): void {
    if (this.compatCcsSent) return;
    this.compatCcsSent = true;
    this.flushHandshake();
    this.out.push(plaintextRecord(ContentType.change_cipher_spec, Uint8Array.of(1)));
  }

  installRead(protection: RecordOpen, epoch: number): void {
    this.hsIn.requireAligned();
    this.readKeyEpoch = nextEpoch(this.readKeyEpoch, epoch);
    this.opener = protection;
    this.early.readKeyChanged();
  }

  startEarlyData(seal: RecordSeal, maxBytes: number, exporter: KeyingMaterialExporter): void {
    this.early.writer = new EarlyDataWriter(seal, maxBytes);
    this.early.exporter = exporter;
  }

  sendEarly(msg: HandshakeMessage, transcript: Transcript): void {
    const raw = encodeHandshake(msg);
    transcript.add(raw);
    this.flushHandshake();
    this.out.push(...this.early.writer!.seal(ContentType.handshake, raw));
  }

  endEarlyData(accepted: boolean): void {
    this.early.end(accepted);
    this.info.earlyData = accepted;
  }

  acceptEarlyData(maxBytes: number, exporter: KeyingMaterialExporter): void {
    this.early.accept(maxBytes);
    this.early.exporter = exporter;
    this.info.earlyData = true;
  }

  /** The early exporter's keying material (RFC 8446 §7.5): once 0-RTT data was offered (client) or accepted (server). */
  exportEarlyKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!this.early.exporter) throw new Error('early keying material needs 0-RTT: offered by the client, accepted by the server');
    return this.early.exporter.exportKeyingMaterial(label, context, length);
  }

  /** Application data may be written: after the handshake, or as a server's 0.5-RTT answer to accepted early data. */
  get canWrite(): boolean {
    return this.done || this.early.halfRtt;
  }

  /** Client: queues `data` as 0-RTT data, as much as may go now; returns the bytes taken (0: none may). */
  writeEarlyData(data: Uint8Array): number {
    if (!this.early.writer || this.closeSent) return 0;
    this.flushHandshake();
    const { records, taken } = this.early.writer.write(data);
    this.out.push(...records);
    return taken;
  }

  /** Server: the next chunk of accepted 0-RTT data (it may be a replay), if any. */
  takeEarlyData(): Uint8Array | undefined {
    return this.early.reader?.queue.take();
  }

  skipEarlyData(skip: EarlyDataSkip): void {
    this.early.skip = skip;
  }

  claimKeyUpdateReply(): boolean {
    if (this.keyUpdateReply !== 'none') return false;
    this.keyUpdateReply = 'queued';
    return true;
  }

  installWrite(protection: RecordSeal, epoch: number): void {
    this.flushHandshake();
    this.writeKeyEpoch = nextEpoch(this.writeKeyEpoch, epoch);
    this.sealer = protection;
  }

  keylog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void {
    this.config.keylog?.(`${label} ${toHex(clientRandom)} ${toHex(secret)}`);
  }

  handshakeComplete(): void {
    this.done = true;
    // 0-RTT data the server declined goes out again now, in order, before anything written later.
    for (const data of this.early.takeResend()) this.writeApplicationData(data);
  }

  limitRecords(sendContent: number, receivePlaintext: number): void {
    this.sizes.set(sendContent, receivePlaintext);
  }

  // --- Input ---

  /** Processes one record from the peer. Throws TlsError on any violation. */
  receiveRecord(rec: TlsRecord): void {
    if (this.closeReceived) return; // nothing after close_notify is read
    if (rec.type === ContentType.change_cipher_spec) return this.receiveCcs(rec.fragment);
    const opened = this.unprotect(rec);
    if (!opened) return; // declined early data, dropped
    const { type, content } = opened;
    if (type !== ContentType.handshake && !this.hsIn.empty) {
      throw new TlsError('unexpected_message', 'record interleaved with a fragmented handshake message');
    }
    this.dispatch(type, content);
  }

  /**
   * The record's real type and content: decrypted once read keys are set,
   * checked plaintext before; undefined for a record dropped as early data.
   */
  private unprotect(rec: TlsRecord): { type: number; content: Uint8Array } | undefined {
    const plain = { type: rec.type, content: rec.fragment };
    if (!this.opener) {
      if (rec.type === ContentType.application_data) {
        // After a HelloRetryRequest, every protected record before the second ClientHello is declined 0-RTT data.
        if (this.early.skip === 'application_data') return this.early.drop(rec.fragment.length);
        throw new TlsError('unexpected_message', 'application data before keys were established');
      }
      if (rec.fragment.length > MAX_PLAINTEXT) throw new TlsError('record_overflow', 'plaintext record over 2^14 bytes');
      return plain;
    }
    // TLS 1.2 protects every content type under its own outer type.
    if (this.version === 'TLSv1.2') return this.sizes.check(this.opener.open(rec.header, rec.fragment));
    // A peer that failed before installing its handshake keys alerts in plaintext (OpenSSL, Botan accept this).
    if (rec.type === ContentType.alert && !this.done && this.opener.seq === 0 && rec.fragment.length <= MAX_PLAINTEXT) return plain;
    if (rec.type !== ContentType.application_data) throw new TlsError('unexpected_message', `unprotected record of type ${rec.type}`);
    if (this.early.skip !== 'undecryptable') return this.sizes.check(this.opener.open(rec.header, rec.fragment));
    // Declined 0-RTT data does not decrypt under the handshake key; the first record that does starts the client's flight.
    const opened = this.opener.tryOpen!(rec.header, rec.fragment);
    if (!opened) return this.early.drop(rec.fragment.length);
    this.early.skip = undefined;
    return this.sizes.check(opened);
  }

  private dispatch(type: number, content: Uint8Array): void {
    switch (type) {
      case ContentType.handshake:
        this.idle.sawContent();
        return this.receiveHandshake(content);
      case ContentType.alert:
        return this.receiveAlert(content);
      case ContentType.application_data:
        if (this.early.reading) return this.early.reader!.push(content);
        if (!this.done) throw new TlsError('unexpected_message', 'application data during the handshake');
        if (content.length === 0) return this.idle.sawEmpty('empty application data records');
        this.idle.sawContent();
        this.app.push(content);
        return;
      default:
        throw new TlsError('unexpected_message', `record content type ${type}`);
    }
  }

  private receiveCcs(fragment: Uint8Array): void {
    if (this.version === 'TLSv1.2') return this.receiveTls12Ccs(fragment);
    // RFC 8446 §5: a lone 0x01 CCS is ignored after the first ClientHello and before the peer's Finished only.
    if (!this.helloSeen) throw new TlsError('unexpected_message', 'change_cipher_spec before the ClientHello');
    if (this.done || fragment.length !== 1 || fragment[0] !== 1) {
      throw new TlsError('unexpected_message', 'change_cipher_spec outside the handshake');
    }
    if (!this.hsIn.empty) throw new TlsError('unexpected_message', 'change_cipher_spec inside a fragmented handshake message');
    // The one a middlebox-compatible peer sends is free; more count as records without content.
    if (this.ccsReceived) this.idle.sawEmpty('change_cipher_spec');
    this.ccsReceived = true;
  }

  /** TLS 1.2 (RFC 5246 §7.1): the state waiting for the peer's ChangeCipherSpec installs the new read protection. */
  private receiveTls12Ccs(fragment: Uint8Array): void {
    if (fragment.length !== 1 || fragment[0] !== 1) throw new TlsError('decode_error', 'change_cipher_spec that is not the single byte 1');
    if (!this.hsIn.empty) throw new TlsError('unexpected_message', 'change_cipher_spec inside a fragmented handshake message');
    if (!this.state.handleChangeCipherSpec) throw new TlsError('unexpected_message', 'change_cipher_spec out of order');
    this.idle.sawContent();
    this.state = this.state.handleChangeCipherSpec(this);
  }

  private receiveHandshake(content: Uint8Array): void {
    this.hsIn.add(content);
    for (let m = this.hsIn.next(this.checkHeader); m; m = this.hsIn.next(this.checkHeader)) {
      this.helloSeen = true;
      this.state = this.state.handle(this, this.decode(m.type, m.body), m.raw);
      if (this.closeReceived) break;
    }
  }

  /** A handshake body in the vocabulary of the negotiated version (the hellos are shared). */
  private decode(type: number, body: Uint8Array): unknown {
    const hello = type === HandshakeType.client_hello || type === HandshakeType.server_hello;
    // The suite's key exchange shapes the key-exchange bodies (tls12/decode-options.ts).
    if (this.version === 'TLSv1.2' && !hello) return decodeTls12Body(type, body, tls12DecodeOptions(this.info.suite, this.info.peerCertificateType));
    const hashLength = this.suiteChosen ? this.config.crypto.hash(this.suiteChosen.hash).outputLength : 32;
    return decodeHandshake(type, body, hashLength);
  }

  /**
   * Refuses a handshake message from its 4-byte header, before its body is
   * waited for: a type the current state does not take (unexpected_message),
   * or a body longer than that message can be (illegal_parameter, as OpenSSL
   * refuses a ClientHello over 131,396 bytes).
   */
  private readonly checkHeader = (type: number, length: number): void => {
    if (!this.state.expects.includes(type)) throw new TlsError('unexpected_message', `handshake message ${type} now (expected ${this.state.expects.join(' or ')})`);
    const max = this.version === 'TLSv1.2' ? maxTls12BodyLength(type) : maxBodyLength(type);
    if (length > max) throw new TlsError('illegal_parameter', `handshake message ${type} of ${length} bytes (at most ${max})`);
  };

  private receiveAlert(content: Uint8Array): void {
    if (this.idle.readAlert(content, this.version === 'TLSv1.2') === 'close_notify') this.closeReceived = true;
  }

  /** The next chunk of decrypted application data, if any. */
  takeApplicationData(): Uint8Array | undefined {
    return this.app.take();
  }

  // --- Output ---

  /** Queues application data as records, updating keys first when a key is worn out. */
  writeApplicationData(data: Uint8Array): void {
    if (!this.canWrite) throw new Error('send before the handshake completed');
    if (this.closeSent) throw new Error('send after close');
    const max = this.sizes.sendContent;
    for (let o = 0; o < data.length; o += max) {
      if (this.sealer!.exhausted) this.updateKeys(false);
      this.out.push(...this.sealer!.sealPieces(ContentType.application_data, data.subarray(o, o + max)));
    }
  }

  /**
   * Keying material exported from the finished handshake (RFC 5705, RFC 8446
   * §7.5), by whichever version's exporter the Connected state holds. Before
   * the handshake it is a usage error, not a protocol failure.
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    return exportFromState(this.state, this.done, label, context, length);
  }

  /** Sends a KeyUpdate (asking the peer to update too when `requestPeer`). */
  updateKeys(requestPeer: boolean): void {
    if (this.version === 'TLSv1.2') throw new Error('KeyUpdate is a TLS 1.3 message; this connection runs TLS 1.2');
    if (!this.done || !isPostHandshake(this.state)) throw new Error('key update before the handshake completed');
    this.state.updateWriteKey(this, requestPeer);
  }

  /** Server, TLS 1.3: queues a post-handshake CertificateRequest (RFC 8446 §4.6.2). */
  requestClientCertificate(): void {
    if (this.version === 'TLSv1.2') throw new Error('post-handshake authentication is TLS 1.3; this connection runs TLS 1.2');
    if (!this.done || !(this.state instanceof Connected)) throw new Error('requestClientCertificate() before the handshake completed');
    this.state.requestClientCertificate(this as unknown as Context<ServerConfig>);
  }

  /** Queues close_notify. */
  close(): void {
    if (this.closeSent) return;
    this.sendAlert('close_notify');
  }

  /** Queues an alert under the current write keys (best effort for fatal ones); no record follows it. */
  sendAlert(alert: AlertName): void {
    this.queueAlert(alert === 'close_notify' || alert === 'user_canceled' ? 1 : 2, alert);
    this.closeSent = true;
  }

  /** Queues a warning alert that leaves the connection open (TLS 1.2 no_renegotiation). */
  sendWarningAlert(alert: AlertName): void {
    this.queueAlert(1, alert);
  }

  private queueAlert(level: 1 | 2, alert: AlertName): void {
    this.flushHandshake();
    this.out.push(...this.records(ContentType.alert, Uint8Array.of(level, Alert[alert])));
  }

  /**
   * Everything queued for the wire: records, or pieces of records to write in
   * order. `earlierWritten` says whether everything taken before reached the
   * transport (the caller's own queue is empty); a caller whose writes are
   * blocked passes false, and a KeyUpdate reply it took earlier then still
   * counts as unsent, so that a peer flooding update requests gets that one
   * reply instead of one queued per request (RFC 8446 §4.6.3 lets one reply
   * answer every request received while we were silent).
   */
  takeOutput(earlierWritten = true): Uint8Array[] {
    if (earlierWritten && this.keyUpdateReply === 'handedOver') this.keyUpdateReply = 'none';
    this.flushHandshake();
    if (this.keyUpdateReply === 'queued') this.keyUpdateReply = 'handedOver';
    const out = this.out;
    this.out = [];
    return out;
  }

  private flushHandshake(): void {
    if (this.hsOut.length === 0) return;
    const bytes = this.hsOut.length === 1 ? this.hsOut[0]! : concatBytes(...this.hsOut);
    this.hsOut = [];
    // RFC 8449 §4: the peer's record_size_limit binds protected records only.
    const max = this.sealer ? this.sizes.sendContent : MAX_PLAINTEXT;
    for (let o = 0; o < bytes.length; o += max) {
      const piece = bytes.subarray(o, o + max);
      this.out.push(...this.records(ContentType.handshake, piece));
    }
  }

  /** One record of `content` (pieces of it once protected): under the write key once set, plaintext before. */
  private records(type: number, content: Uint8Array): Uint8Array[] {
    return this.sealer ? this.sealer.sealPieces(type, content) : [plaintextRecord(type, content)];
  }

}
