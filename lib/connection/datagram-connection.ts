/**
 * The protocol engine of one DTLS 1.2 connection: datagrams in, datagrams
 * out (RFC 6347). It runs the TLS 1.2 states unchanged; everything DTLS does
 * differently sits here and below:
 *
 * - records: 13-byte headers, epochs, explicit sequence numbers; which
 *   records are read and how (replay windows, records of the next epoch
 *   kept for its ChangeCipherSpec) is lib/dtls/record-intake.ts. An invalid
 *   record (bad MAC, bad length, unknown epoch, replay, wrong version) is
 *   dropped and counted in `discarded`, never an error (§4.1.2.7);
 * - handshake messages: the 12-byte header with message_seq, reassembly of
 *   fragments (lib/dtls/reassembler.ts), the hellos rewritten between the
 *   TLS and DTLS forms (lib/dtls/message-flavour.ts), the HelloVerifyRequest
 *   round on the client, the transcript over the DTLS form (§4.2.6);
 * - flights (lib/dtls/flight-engine.ts): what the states queue in one step
 *   is one flight, sent cut to the MTU, kept and sent again when its
 *   deadline passes or when the peer repeats its previous flight; the
 *   session asks checkTimer(now) and timeout(now); nothing here waits.
 */
import { type AlertName, Alert, TlsError, alertName } from '../errors.js';
import type { RecordOpen, RecordSeal } from '../record/protection.js';
import type { Tls12Framing } from '../record/tls12-protection.js';
import { DtlsPlaintextWriter, type DtlsRecord, dtlsFraming, splitDatagram } from '../record/dtls-record.js';
import type { SessionInfo } from '../handshake/session-info.js';
import { PlaintextQueue } from './plaintext-queue.js';
import { exportFromState } from '../handshake/keying-material-exporter.js';
import { ContentType, HandshakeType } from '../wire/enums.js';
import { concatBytes, toHex } from '../wire/codec.js';
import { decodeHandshake, encodeHandshake, type HandshakeMessage } from '../wire/handshake.js';
import { type DtlsHandshakeHeader, encodeHandshakeHeader, HANDSHAKE_HEADER_LENGTH, readHandshakeHeader } from '../wire/handshake-header.js';
import { decodeTls12Body } from '../wire/tls12-messages.js';
import { maxTls12BodyLength } from '../tls12/limits.js';
import { tls12DecodeOptions } from '../tls12/decode-options.js';
import type { ClientConfig, ServerConfig } from '../tls13/config.js';
import type { Context, EarlyDataSkip, ProtocolName, State } from '../tls13/context.js';
import type { CipherSuite } from '../tls13/suites.js';
import type { Transcript } from '../tls13/transcript.js';
import type { EpochWriter } from '../dtls/flight.js';
import { FlightEngine } from '../dtls/flight-engine.js';
import { Reassembler, type ReassembledMessage } from '../dtls/reassembler.js';
import { RecordIntake } from '../dtls/record-intake.js';
import type { RetransmitPolicy } from '../dtls/retransmit-timer.js';
import { clientHelloFromDtls, clientHelloToDtls, serverHelloFromDtls, serverHelloToDtls } from '../dtls/message-flavour.js';
import { HELLO_VERIFY_REQUEST, decodeHelloVerifyRequest } from '../wire/dtls-hello.js';

export interface DatagramConnectionOptions {
  role: 'client' | 'server';
  /** Largest datagram we send (headers included). */
  mtu: number;
  policy: RetransmitPolicy;
}

/** HelloVerifyRequests a client answers before giving up on the server. */
const MAX_HELLO_VERIFY = 4;
const EMPTY = new Uint8Array(0);

export class DatagramConnection<C extends ClientConfig | ServerConfig> implements Context<C> {
  readonly info: SessionInfo = { peerCertificates: [], resumed: false, helloRetry: false, tickets: [] };
  /** Records dropped as invalid: bad MAC or length, unknown epoch, replayed, wrong version. */
  discarded = 0;
  private state: State<C, any>;
  private suiteChosen?: CipherSuite;
  private readonly intake = new RecordIntake();
  private readonly writers = new Map<number, EpochWriter>();
  private writeKeyEpoch = 0;
  private readonly reassembler = new Reassembler();
  private sendSeq = 0;
  private readonly flights: FlightEngine;
  private outbox: Uint8Array[] = [];
  private readonly app = new PlaintextQueue();
  private done = false;
  private closeReceived = false;
  private closeSent = false;
  /** Server: the first ClientHello fragment fixed where message_seq counts from. */
  private started = false;
  /** Server: the record number of the first ClientHello, where our own numbering starts. */
  private helloRecordSeq = 0;
  private readonly plaintextWriter = new DtlsPlaintextWriter();
  /** Records of a newly installed read epoch that arrived before its ChangeCipherSpec. */
  private earlyRecords: DtlsRecord[] = [];
  /** The clock reading of the datagram being processed. */
  private stepNow = 0;
  /** Client: our first ClientHello in its TLS form, to send again with a cookie. */
  private firstHello?: { tlsBody: Uint8Array; transcript: Transcript | undefined };
  private helloVerifies = 0;
  private serverHelloSeen = false;

  constructor(
    readonly config: C,
    start: (ctx: Context<C>) => State<C>,
    private readonly options: DatagramConnectionOptions,
    now: number,
  ) {
    this.flights = new FlightEngine(options.mtu, options.policy, (epoch) => this.writer(epoch), (d) => this.outbox.push(...d));
    this.writers.set(0, this.plaintextWriter);
    this.started = options.role === 'client';
    this.state = start(this);
    this.flights.endStep(now, this.done);
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
  get pendingBytes(): number {
    return this.app.bytes;
  }
  get mtu(): number {
    return this.flights.mtu;
  }
  set mtu(value: number) {
    this.flights.mtu = value;
  }

  /** Application bytes one send() can carry: the MTU less the record's header and expansion. */
  get dataRoom(): number {
    return this.flights.mtu - 13 - this.writer(this.writeKeyEpoch).expansion;
  }

  // --- Context for the states ---

  get readEpoch(): number {
    return this.intake.epoch;
  }
  get writeEpoch(): number {
    return this.writeKeyEpoch;
  }
  get suite(): CipherSuite | undefined {
    return this.suiteChosen;
  }
  useSuite(suite: CipherSuite): void {
    this.suiteChosen = suite;
  }
  useVersion(version: ProtocolName): void {
    if (version !== 'TLSv1.2') throw new TlsError('protocol_version', `${version} over datagrams: only DTLS 1.2 is implemented`);
    this.info.version = 'DTLSv1.2';
  }
  tls12Framing(epoch: number): Tls12Framing {
    return dtlsFraming(epoch);
  }

  send(msg: HandshakeMessage, transcript: Transcript | undefined): void {
    this.sendEncoded(encodeHandshake(msg), transcript);
  }

  /** Takes a message in its TLS form (4-byte header), queues its DTLS form in the flight being built. */
  sendEncoded(raw: Uint8Array, transcript: Transcript | undefined): void {
    const type = raw[0]!;
    let body = raw.subarray(HANDSHAKE_HEADER_LENGTH.tls);
    if (type === HandshakeType.client_hello) {
      this.firstHello ??= { tlsBody: body.slice(), transcript };
      body = clientHelloToDtls(body, EMPTY);
    } else if (type === HandshakeType.server_hello) {
      body = serverHelloToDtls(body);
    }
    this.queueMessage(type, body, transcript);
  }

  private queueMessage(type: number, body: Uint8Array, transcript: Transcript | undefined): void {
    const messageSeq = this.sendSeq++;
    transcript?.add(concatBytes(encodeHandshakeHeader({ type, length: body.length, messageSeq }, 'dtls'), body));
    this.flights.add({ kind: 'handshake', type, messageSeq, body, epoch: this.writeKeyEpoch });
  }

  sendCompatCcs(): void {
    // TLS 1.3's middlebox compatibility: nothing to do over datagrams.
  }

  sendChangeCipherSpec(): void {
    this.flights.add({ kind: 'ccs', epoch: this.writeKeyEpoch });
  }

  installRead(protection: RecordOpen, epoch: number): void {
    this.earlyRecords = this.intake.install(protection, epoch);
  }

  installWrite(protection: RecordSeal, epoch: number): void {
    if (!(epoch > this.writeKeyEpoch)) throw new TlsError('internal_error', `key epoch ${epoch} after epoch ${this.writeKeyEpoch}`);
    this.writers.set(epoch, {
      epoch,
      expansion: protection.expansion ?? 0,
      record: (type, content) => concatBytes(...protection.sealPieces(type, content)),
    });
    this.writeKeyEpoch = epoch;
  }

  sendWarningAlert(alert: AlertName): void {
    this.outbox.push(this.writer(this.writeKeyEpoch).record(ContentType.alert, Uint8Array.of(1, Alert[alert])));
  }

  keylog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void {
    this.config.keylog?.(`${label} ${toHex(clientRandom)} ${toHex(secret)}`);
  }

  handshakeComplete(): void {
    this.done = true;
  }

  // 0-RTT is TLS 1.3's: the DTLS 1.2 states never call these.
  skipEarlyData(_skip: EarlyDataSkip): void {}
  startEarlyData(): void {
    throw new TlsError('internal_error', 'early data over DTLS 1.2');
  }
  sendEarly(): void {
    throw new TlsError('internal_error', 'early data over DTLS 1.2');
  }
  endEarlyData(): void {}
  acceptEarlyData(): void {
    throw new TlsError('internal_error', 'early data over DTLS 1.2');
  }

  claimKeyUpdateReply(): boolean {
    return false;
  }

  /** Keying material from the finished handshake (RFC 5705), as TLS 1.2 exports it. */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    return exportFromState(this.state, this.done, label, context, length);
  }

  // --- Time ---

  /** Retransmits the current flight when its deadline passed; throws the timeout error once the handshake took too long. */
  checkTimer(now: number): void {
    this.flights.check(now);
  }

  /** ms until checkTimer() has something to do, or undefined when no deadline runs. */
  timeout(now: number): number | undefined {
    return this.flights.timeout(now);
  }

  // --- Input ---

  /** Processes one datagram; throws TlsError only for fatal handshake failures and the peer's fatal alerts. */
  receiveDatagram(datagram: Uint8Array, now: number): void {
    this.stepNow = now;
    const { records, malformed } = splitDatagram(datagram);
    if (malformed) this.discarded++;
    for (const rec of records) {
      if (this.closeReceived) break;
      this.receiveRecord(rec);
    }
    this.flights.endStep(now, this.done);
  }

  private receiveRecord(rec: DtlsRecord): void {
    const r = this.intake.take(rec);
    if (r === 'dropped') return this.drop();
    if (r === 'ignored' || r === 'kept') return;
    // A server numbers its own records from its first ClientHello's (see receiveFragment).
    if (!this.started) this.helloRecordSeq = rec.seq;
    this.dispatch(r.type, r.content);
  }

  private drop(): void {
    this.discarded++;
  }

  private dispatch(type: number, content: Uint8Array): void {
    switch (type) {
      case ContentType.handshake:
        return this.receiveHandshake(content);
      case ContentType.change_cipher_spec:
        return this.receiveCcs(content);
      case ContentType.alert:
        return this.receiveAlert(content);
      case ContentType.application_data:
        return this.receiveApplicationData(content);
      default:
        return this.drop();
    }
  }

  /** The fragments of one record (a record may carry several). */
  private receiveHandshake(content: Uint8Array): void {
    const L = HANDSHAKE_HEADER_LENGTH.dtls;
    for (let at = 0; at < content.length; ) {
      let h: DtlsHandshakeHeader | undefined;
      try {
        h = readHandshakeHeader(content, at, 'dtls');
      } catch {
        h = undefined;
      }
      const end = h ? at + L + h.fragmentLength : Infinity;
      if (!h || end > content.length) return this.drop();
      this.receiveFragment(h, content.subarray(at + L, end));
      if (this.closeReceived) return;
      at = end;
    }
  }

  private receiveFragment(h: DtlsHandshakeHeader, fragment: Uint8Array): void {
    if (!this.started) {
      // A server's first message is a ClientHello; its message_seq (1 after a stateless cookie exchange) starts both counts.
      // Rounds of cookie exchange before us number it; more than a few is no client's first hello.
      if (h.type !== HandshakeType.client_hello || h.messageSeq > MAX_HELLO_VERIFY) return this.drop();
      this.reassembler.startAt(h.messageSeq);
      this.sendSeq = h.messageSeq;
      this.plaintextWriter.startAt(this.helloRecordSeq);
      this.started = true;
    }
    const fate = this.reassembler.add(h, fragment);
    if (fate === 'dropped') this.drop();
    else if (fate === 'old') this.peerRepeated(h);
    for (let m = this.reassembler.next(); m && !this.closeReceived; m = this.reassembler.next()) this.deliver(m);
  }

  /**
   * The peer sent its previous flight again: ours did not arrive (RFC 6347
   * §4.2.4). Answered once per repetition: on the fragment that ends the
   * last message of that flight, at most once per datagram.
   */
  private peerRepeated(h: DtlsHandshakeHeader): void {
    const last = h.messageSeq === this.reassembler.nextSeq - 1 && h.fragmentOffset + h.fragmentLength === h.length;
    if (last) this.flights.peerRepeated(this.stepNow);
  }

  private deliver(m: ReassembledMessage): void {
    if (m.type === HELLO_VERIFY_REQUEST && this.options.role === 'client') return this.answerHelloVerify(m);
    if (!this.state.expects.includes(m.type)) {
      throw new TlsError('unexpected_message', `handshake message ${m.type} now (expected ${this.state.expects.join(' or ')})`);
    }
    const max = maxTls12BodyLength(m.type);
    if (m.body.length > max) throw new TlsError('illegal_parameter', `handshake message ${m.type} of ${m.body.length} bytes (at most ${max})`);
    if (m.type === HandshakeType.server_hello) this.serverHelloSeen = true;
    this.state = this.state.handle(this, this.decode(m.type, m.body), m.raw);
  }

  /** A body in the vocabulary the states read: the hellos in their TLS form, the rest as TLS 1.2 bodies. */
  private decode(type: number, body: Uint8Array): unknown {
    if (type === HandshakeType.client_hello) return decodeHandshake(type, clientHelloFromDtls(body).body, 32);
    if (type === HandshakeType.server_hello) return decodeHandshake(type, serverHelloFromDtls(body), 32);
    return decodeTls12Body(type, body, tls12DecodeOptions(this.info.suite, this.info.peerCertificateType));
  }

  /**
   * RFC 6347 §4.2.1: the server wants its cookie back. The ClientHello goes
   * again with the cookie and the next message_seq; the transcript starts
   * over with it (§4.2.6: neither the first hello nor this request is hashed).
   */
  private answerHelloVerify(m: ReassembledMessage): void {
    if (this.serverHelloSeen || !this.firstHello) throw new TlsError('unexpected_message', 'HelloVerifyRequest after the ServerHello');
    if (++this.helloVerifies > MAX_HELLO_VERIFY) throw new TlsError('handshake_failure', `more than ${MAX_HELLO_VERIFY} HelloVerifyRequests`);
    const { cookie } = decodeHelloVerifyRequest(m.body);
    const { tlsBody, transcript } = this.firstHello;
    transcript?.restart();
    this.queueMessage(HandshakeType.client_hello, clientHelloToDtls(tlsBody, cookie), transcript);
  }

  /** The states decide; a ChangeCipherSpec nobody waits for (reordered, repeated, early) is dropped. */
  private receiveCcs(content: Uint8Array): void {
    if (content.length !== 1 || content[0] !== 1 || !this.state.handleChangeCipherSpec) return this.drop();
    this.state = this.state.handleChangeCipherSpec(this);
    // Records of the new epoch that came before this ChangeCipherSpec.
    const early = this.earlyRecords;
    this.earlyRecords = [];
    for (const rec of early) this.receiveRecord(rec);
  }

  private receiveAlert(content: Uint8Array): void {
    if (content.length !== 2) return this.drop();
    const [level, description] = [content[0]!, content[1]!];
    if (description === Alert.close_notify) {
      this.closeReceived = true;
      return;
    }
    if (level === 1) return; // a warning: the connection goes on
    throw new TlsError(alertName(description), 'alert received from peer', true);
  }

  private receiveApplicationData(content: Uint8Array): void {
    // Data before our handshake completed, or unprotected, is dropped (RFC 6347 §4.1: it may also be buffered).
    if (!this.done || this.intake.epoch === 0) return this.drop();
    // The peer protects data under its new keys only once it has our final flight: no need to keep it now.
    this.flights.lastFlightReceived();
    if (content.length === 0) return;
    this.app.push(content.slice());
  }

  /** The next record of decrypted application data, if any (datagram boundaries are kept). */
  takeApplicationData(): Uint8Array | undefined {
    return this.app.take();
  }

  // --- Output ---

  /** One record of application data in a datagram of its own. */
  writeApplicationData(data: Uint8Array): void {
    if (!this.done) throw new Error('send before the handshake completed');
    if (this.closeSent) throw new Error('send after close');
    this.outbox.push(this.writer(this.writeKeyEpoch).record(ContentType.application_data, data));
  }

  close(): void {
    if (this.closeSent) return;
    this.sendAlert('close_notify');
  }

  /** Queues an alert under the current write keys in a datagram of its own; nothing follows it. */
  sendAlert(alert: AlertName): void {
    const level = alert === 'close_notify' || alert === 'user_canceled' ? 1 : 2;
    this.outbox.push(this.writer(this.writeKeyEpoch).record(ContentType.alert, Uint8Array.of(level, Alert[alert])));
    this.closeSent = true;
  }

  /** Moves the datagrams to send, in order, to `into`; true when there were any. */
  takePendingOutput(into: Uint8Array[]): boolean {
    if (this.outbox.length === 0) return false;
    into.push(...this.outbox);
    this.outbox = [];
    return true;
  }

  private writer(epoch: number): EpochWriter {
    const w = this.writers.get(epoch);
    if (!w) throw new TlsError('internal_error', `no write keys for epoch ${epoch}`);
    return w;
  }
}
