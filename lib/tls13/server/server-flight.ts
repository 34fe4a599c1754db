/**
 * Server: the flight answering a ClientHello (RFC 8446 §2):
 *   ServerHello, [CCS], {EncryptedExtensions}, {Certificate},
 *   {CertificateVerify}, {Finished}
 * then waiting for the client's Finished.
 */
import type { GroupName, SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError, unexpectedMessage } from '../../errors.js';
import { equalBytes } from '../../wire/codec.js';
import { ExtensionType as X, HandshakeType, NamedGroupCode, ProtocolVersion, SignatureSchemeCode } from '../../wire/enums.js';
import { type Extension, type KeyShareEntry, encodeAlpn, encodeSelectedVersion, keyShare } from '../../wire/extension.js';
import type { ClientHello, HandshakeMessage } from '../../wire/handshake.js';
import { certificateVerifyContent } from '../certificate-verify.js';
import type { ServerConfig } from '../config.js';
import { type ApplicationKeys, Connected } from '../connected.js';
import type { Context, State } from '../context.js';
import { type ApplicationSecrets, type HandshakeSecrets, KeySchedule, finishedVerifyData } from '../key-schedule.js';
import type { CipherSuite } from '../suites.js';
import type { Transcript } from '../transcript.js';
import { EPOCH, installReadSecret, installWriteSecret } from '../traffic-protection.js';
import { type ServerCertificateChoice, serverCertificateData } from '../certificate-type.js';
import { certificateRequest } from './certificate-request.js';
import { ExpectClientCertificate } from './expect-client-certificate.js';
import { encodeSelectedIdentity } from '../../wire/pre-shared-key.js';
import type { AcceptedPsk } from './choose-psk.js';
import { readEarlyData } from './early-data.js';
import { issueTickets } from './issue-tickets.js';
import { answerRecordSizeLimit } from '../record-size-limit.js';

export interface Negotiated {
  hello: ClientHello;
  transcript: Transcript;
  suite: CipherSuite;
  /** Unset with psk_ke: no key exchange. */
  group?: GroupName;
  clientShare?: KeyShareEntry;
  /** Unset when a PSK authenticates. */
  scheme?: SignatureSchemeName;
  alpn?: string;
  /** X.509 or a raw public key (RFC 7250), and the answer for EncryptedExtensions. */
  certificateType: ServerCertificateChoice;
  /** A ticket being resumed or an external PSK (choose-psk.ts): no Certificate or CertificateVerify, keys from the PSK (and (EC)DHE). */
  psk?: AcceptedPsk;
  /** The client's 0-RTT data is taken (early-data.ts). */
  earlyData?: boolean;
}

export function sendServerFlight(ctx: Context<ServerConfig>, n: Negotiated): State<ServerConfig> {
  const { config } = ctx;
  const { transcript, hello } = n;
  const schedule = new KeySchedule(config.crypto.hash(n.suite.hash), n.psk?.key);
  // Through the ClientHello, which the transcript ends with now.
  const helloHash = transcript.current();
  // ECDHE and the ML-KEM hybrid alike: our share and the secret from the client's share; psk_ke: zeros (RFC 8446 §7.1).
  const answer = n.group && config.crypto.answerKeyShare(n.group, n.clientShare!.keyExchange, config.random);
  const entry = answer && { group: NamedGroupCode[n.group!], keyExchange: answer.publicKey };
  ctx.send(serverHello(hello, n.suite, entry, config.random(32), n.psk), transcript);
  const secrets = schedule.handshake(answer ? answer.sharedSecret : new Uint8Array(schedule.hash.outputLength), transcript.current());
  ctx.keylog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', hello.random, secrets.clientHandshake);
  ctx.keylog('SERVER_HANDSHAKE_TRAFFIC_SECRET', hello.random, secrets.serverHandshake);
  if (hello.sessionId.length) ctx.sendCompatCcs();
  installWriteSecret(ctx, secrets.serverHandshake, EPOCH.handshake);

  // The client's record_size_limit binds this flight's protected records already (RFC 8449 §4).
  const sizeLimit = answerRecordSizeLimit(ctx, 'TLSv1.3', hello);
  ctx.send({ type: HandshakeType.encrypted_extensions, extensions: [...encryptedExtensions(n), ...sizeLimit] }, transcript);
  // A resumed session authenticates with its PSK: no certificates either way (a server asking for client certificates resumes nothing).
  if (!n.psk) {
    if (config.clientAuth?.inHandshake) ctx.send(certificateRequest(config, new Uint8Array(0)), transcript);
    ctx.send({ type: HandshakeType.certificate, context: new Uint8Array(0), entries: serverCertificateData(config, n.certificateType).map((data) => ({ data, extensions: [] })) }, transcript);
    const signature = config.crypto.sign(n.scheme!, config.key!, certificateVerifyContent('server', transcript.current()));
    ctx.send({ type: HandshakeType.certificate_verify, scheme: SignatureSchemeCode[n.scheme!], signature }, transcript);
  }
  const verifyData = finishedVerifyData(schedule.hash, secrets.serverHandshake, transcript.current());
  ctx.send({ type: HandshakeType.finished, verifyData }, transcript);

  const app = schedule.application(secrets.handshakeSecret, transcript.current());
  ctx.keylog('CLIENT_TRAFFIC_SECRET_0', hello.random, app.clientApplication);
  ctx.keylog('SERVER_TRAFFIC_SECRET_0', hello.random, app.serverApplication);
  ctx.keylog('EXPORTER_SECRET', hello.random, app.exporter);
  installWriteSecret(ctx, app.serverApplication, EPOCH.application);
  Object.assign(ctx.info, { version: 'TLSv1.3', suite: n.suite.name, group: n.group, signatureScheme: n.scheme, alpn: n.alpn, resumed: !!n.psk?.state });
  if (n.psk && !n.psk.state) ctx.info.pskIdentity = new TextDecoder().decode(n.psk.identity);
  const pha = hello.extensions.some((e) => e.type === X.post_handshake_auth);
  const finished = new ExpectClientFinished(transcript, schedule, secrets, app, n.suite, pha);
  if (n.earlyData) return readEarlyData(ctx, { hello, helloHash, schedule, transcript, clientHandshakeSecret: secrets.clientHandshake, next: finished });
  if (hello.extensions.some((e) => e.type === X.early_data)) ctx.info.earlyData = false;
  installReadSecret(ctx, secrets.clientHandshake, EPOCH.handshake);
  return config.clientAuth?.inHandshake && !n.psk ? new ExpectClientCertificate(transcript, new Uint8Array(0), finished) : finished;
}

function serverHello(hello: ClientHello, suite: CipherSuite, entry: KeyShareEntry | undefined, random: Uint8Array, psk: AcceptedPsk | undefined): HandshakeMessage {
  return {
    type: HandshakeType.server_hello,
    legacyVersion: ProtocolVersion.TLS12,
    random,
    sessionIdEcho: hello.sessionId,
    cipherSuite: suite.code,
    compressionMethod: 0,
    extensions: [
      { type: X.supported_versions, data: encodeSelectedVersion(ProtocolVersion.TLS13) },
      ...(entry ? [{ type: X.key_share, data: keyShare.encodeServer(entry) }] : []),
      ...(psk ? [{ type: X.pre_shared_key, data: encodeSelectedIdentity(psk.index) }] : []),
    ],
  };
}

function encryptedExtensions(n: Negotiated): Extension[] {
  const ext: Extension[] = [];
  // An empty server_name acknowledges that we saw the name (RFC 6066 §3).
  if (n.hello.extensions.some((e) => e.type === X.server_name)) ext.push({ type: X.server_name, data: new Uint8Array(0) });
  if (n.alpn) ext.push({ type: X.alpn, data: encodeAlpn([n.alpn]) });
  if (n.certificateType.answer) ext.push(n.certificateType.answer);
  if (n.earlyData) ext.push({ type: X.early_data, data: new Uint8Array(0) });
  return ext;
}

class ExpectClientFinished implements State<ServerConfig> {
  readonly expects = [HandshakeType.finished];
  constructor(
    private readonly transcript: Transcript,
    private readonly schedule: KeySchedule,
    private readonly secrets: HandshakeSecrets,
    private readonly app: ApplicationSecrets,
    private readonly suite: CipherSuite,
    /** The ClientHello offered post_handshake_auth. */
    private readonly postHandshakeAuth: boolean,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ServerConfig> {
    if (msg.type !== HandshakeType.finished) throw unexpectedMessage(`expected client Finished, got ${msg.type}`);
    const expected = finishedVerifyData(this.schedule.hash, this.secrets.clientHandshake, this.transcript.current());
    if (!equalBytes(expected, msg.verifyData)) throw new TlsError('decrypt_error', 'client Finished does not verify');
    this.transcript.add(raw);
    installReadSecret(ctx, this.app.clientApplication, EPOCH.application);
    const keys: ApplicationKeys = {
      schedule: this.schedule,
      suite: this.suite,
      readSecret: this.app.clientApplication,
      writeSecret: this.app.serverApplication,
      resumption: this.schedule.resumptionMaster(this.app.masterSecret, this.transcript.current()),
      exporter: this.app.exporter,
      transcript: this.transcript,
      postHandshakeAuth: this.postHandshakeAuth,
    };
    ctx.handshakeComplete();
    issueTickets(ctx, keys);
    return new Connected('server', keys);
  }
}
