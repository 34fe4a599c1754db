/**
 * Client: waiting for ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).
 */
import type { GroupName, KeyShare } from '../../crypto/provider.js';
import { TlsError, illegalParameter, unexpectedMessage } from '../../errors.js';
import { equalBytes } from '../../wire/codec.js';
import { ExtensionType as X, HandshakeType, NamedGroupCode, ProtocolVersion, nameOf } from '../../wire/enums.js';
import { decodeCookie, decodeSelectedVersion, findExtension, keyShare, type Extension } from '../../wire/extension.js';
import { type ClientHello, type HandshakeMessage, HRR_RANDOM, type ServerHello } from '../../wire/handshake.js';
import type { ClientConfig } from '../config.js';
import type { Context, State } from '../context.js';
import { KeySchedule } from '../key-schedule.js';
import { type CipherSuite } from '../suites.js';
import type { Transcript } from '../transcript.js';
import { recordSizeLimitToOffer } from '../record-size-limit.js';
import { buildClientHello, offersTls12, offersTls13 } from './client-hello.js';
import { tls12ServerHello } from '../../tls12/client/start.js';
import { ExpectEncryptedExtensions } from './expect-encrypted-extensions.js';
import { EPOCH, installReadSecret, installWriteSecret } from '../traffic-protection.js';
import { decodeSelectedIdentity } from '../../wire/pre-shared-key.js';
import { type OfferedPsk, offerPsks } from './offer-psks.js';

export interface HelloSent {
  hello: ClientHello;
  shares: readonly KeyShare[];
  transcript: Transcript;
  retried: boolean;
  /** The suite a HelloRetryRequest chose; the ServerHello must repeat it. */
  retrySuite?: number;
  /** The PSKs offered in pre_shared_key (offer-psks.ts), in their order there. */
  psks: readonly OfferedPsk[];
  /** 0-RTT data may be on its way (early-data.ts): the handshake write key waits for the server's answer. */
  earlyData: boolean;
}

const SERVER_HELLO_EXTENSIONS: number[] = [X.supported_versions, X.key_share, X.pre_shared_key];
const RETRY_EXTENSIONS: number[] = [X.supported_versions, X.key_share, X.cookie];
// RFC 8446 §4.1.3: the last 8 bytes of a downgraded ServerHello.random.
const DOWNGRADE_TLS12 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
const DOWNGRADE_TLS11 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

export class ExpectServerHello implements State<ClientConfig> {
  readonly expects = [HandshakeType.server_hello];
  constructor(private readonly sent: HelloSent) {}

  handle(ctx: Context<ClientConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type !== HandshakeType.server_hello) throw unexpectedMessage(`expected ServerHello, got ${msg.type}`);
    if (!findExtension(msg.extensions, X.supported_versions)) return this.olderVersion(ctx, msg, raw);
    const retry = equalBytes(msg.random, HRR_RANDOM);
    const suite = this.checkCommon(ctx, msg, retry ? RETRY_EXTENSIONS : SERVER_HELLO_EXTENSIONS);
    ctx.useSuite(suite);
    this.sent.transcript.selectHash(ctx.config.crypto.hash(suite.hash));
    return retry ? this.retry(ctx, msg, raw) : this.accept(ctx, msg, raw, suite);
  }

  /** Checks shared by ServerHello and HelloRetryRequest; returns the chosen suite. */
  private checkCommon(ctx: Context<ClientConfig>, msg: ServerHello, allowed: number[]): CipherSuite {
    const versionExt = findExtension(msg.extensions, X.supported_versions)!;
    if (decodeSelectedVersion(versionExt) !== ProtocolVersion.TLS13 || !offersTls13(ctx.config)) {
      throw illegalParameter('server selected a version we did not offer');
    }
    if (msg.legacyVersion !== ProtocolVersion.TLS12) throw illegalParameter('ServerHello.legacy_version is not 0x0303');
    if (!equalBytes(msg.sessionIdEcho, this.sent.hello.sessionId)) throw illegalParameter('legacy_session_id_echo mismatch');
    if (msg.compressionMethod !== 0) throw illegalParameter('compression method is not null');
    // The cookie is the one extension a server may send unsolicited (RFC 8446 §4.2.2).
    checkExtensions(msg.extensions, allowed, this.sent.hello.extensions, [X.cookie]);
    const suite = ctx.config.suites.find((s) => s.code === msg.cipherSuite);
    if (!suite) throw illegalParameter(`server chose cipher suite ${msg.cipherSuite} we did not offer`);
    if (this.sent.retrySuite !== undefined && this.sent.retrySuite !== suite.code) {
      throw illegalParameter('ServerHello suite differs from the HelloRetryRequest');
    }
    return suite;
  }

  /**
   * A ServerHello without supported_versions picks TLS 1.2 or older
   * (RFC 8446 §4.1.3): TLS 1.2 goes on in lib/tls12 when we offered it; a
   * server able to do 1.3 that answers so while we offered 1.3 is a downgrade.
   */
  private olderVersion(ctx: Context<ClientConfig>, msg: ServerHello, raw: Uint8Array): State<ClientConfig, any> {
    const tail = msg.random.subarray(24);
    const sentinel = equalBytes(tail, DOWNGRADE_TLS12) || equalBytes(tail, DOWNGRADE_TLS11);
    if (sentinel && offersTls13(ctx.config)) throw illegalParameter('downgrade sentinel in ServerHello.random');
    if (msg.legacyVersion !== ProtocolVersion.TLS12 || !offersTls12(ctx.config)) {
      throw new TlsError('protocol_version', `server chose version 0x${msg.legacyVersion.toString(16).padStart(4, '0')}, which we do not offer`);
    }
    // A HelloRetryRequest commits the server to TLS 1.3 (RFC 8446 §4.1.4).
    if (this.sent.retried) throw illegalParameter('TLS 1.2 ServerHello after a HelloRetryRequest');
    // TLS 1.2 has no 0-RTT: what was sent goes again after the handshake.
    if (this.sent.earlyData) ctx.endEarlyData(false);
    return tls12ServerHello(ctx, { hello: this.sent.hello, transcript: this.sent.transcript }, msg, raw);
  }

  private retry(ctx: Context<ClientConfig>, msg: ServerHello, raw: Uint8Array): State<ClientConfig> {
    if (this.sent.retried) throw unexpectedMessage('second HelloRetryRequest');
    // RFC 8446 §4.2.10: a retry declines 0-RTT; what was sent goes again after the handshake.
    if (this.sent.earlyData) ctx.endEarlyData(false);
    const { config } = ctx;
    const { transcript } = this.sent;
    transcript.rollUpForRetry();
    transcript.add(raw);
    const groupExt = findExtension(msg.extensions, X.key_share);
    const cookieExt = findExtension(msg.extensions, X.cookie);
    if (!groupExt && !cookieExt) throw illegalParameter('HelloRetryRequest that changes nothing');
    let shares = this.sent.shares;
    if (groupExt) {
      const code = keyShare.decodeHrr(groupExt);
      const group = nameOf(NamedGroupCode, code) as GroupName | undefined;
      if (!group || !config.groups.includes(group)) throw illegalParameter('HelloRetryRequest names a group we did not offer');
      if (shares.some((s) => s.group === group)) throw illegalParameter('HelloRetryRequest names a group we sent a share for');
      shares = [config.crypto.keyShare(group, config.random)];
    }
    const cookie = cookieExt ? decodeCookie(cookieExt) : undefined;
    const plain = buildClientHello(config, this.sent.hello.random, this.sent.hello.sessionId, shares, cookie, recordSizeLimitToOffer(ctx));
    // RFC 8446 §4.1.4: a PSK goes on only when its hash is the one of the suite the server chose.
    const psks = this.sent.psks.filter((p) => p.hashName === transcript.hashFunctions.name);
    const hello = offerPsks(config, plain, psks, transcript);
    if (config.middleboxCompat) ctx.sendCompatCcs();
    ctx.send(hello, transcript);
    ctx.info.helloRetry = true;
    return new ExpectServerHello({ hello, shares, transcript, retried: true, retrySuite: msg.cipherSuite, psks, earlyData: false });
  }

  private accept(ctx: Context<ClientConfig>, msg: ServerHello, raw: Uint8Array, suite: CipherSuite): State<ClientConfig> {
    const { transcript, hello } = this.sent;
    const chosen = selectedPsk(msg, this.sent.psks, suite);
    if (!chosen && ctx.config.pskOnly) throw new TlsError('handshake_failure', 'server did not take our PSK, and without `ca` we cannot verify a certificate');
    const { group, shared } = this.keyExchange(ctx, msg, chosen, transcript.hashFunctions.outputLength);
    const psk = chosen?.key;
    transcript.add(raw);
    const schedule = new KeySchedule(ctx.config.crypto.hash(suite.hash), psk);
    const secrets = schedule.handshake(shared, transcript.current());
    ctx.keylog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', hello.random, secrets.clientHandshake);
    ctx.keylog('SERVER_HANDSHAKE_TRAFFIC_SECRET', hello.random, secrets.serverHandshake);
    installReadSecret(ctx, secrets.serverHandshake, EPOCH.handshake);
    // Write keys now, not at Finished: an alert about the server's flight must
    // reach a server that already reads with these keys (as rustls does).
    // With 0-RTT on its way they wait for EncryptedExtensions to say whether it was taken.
    if (ctx.config.middleboxCompat) ctx.sendCompatCcs();
    if (!this.sent.earlyData) installWriteSecret(ctx, secrets.clientHandshake, EPOCH.handshake);
    const resumed = chosen?.ticket !== undefined;
    Object.assign(ctx.info, { version: 'TLSv1.3', suite: suite.name, group, resumed });
    if (chosen && !resumed) ctx.info.pskIdentity = new TextDecoder().decode(chosen.identity);
    return new ExpectEncryptedExtensions({ hello, transcript, schedule, secrets, suite, resumed: chosen !== undefined, earlyData: this.sent.earlyData, earlyTicket: this.sent.psks[0]?.ticket });
  }

  /**
   * The (EC)DHE secret from the server's key_share, or with psk_ke (no
   * key_share, RFC 8446 §4.2.9) a string of zeros (§7.1) when we offered that mode.
   */
  private keyExchange(ctx: Context<ClientConfig>, msg: ServerHello, chosen: OfferedPsk | undefined, hashLength: number): { group?: GroupName; shared: Uint8Array } {
    const ext = findExtension(msg.extensions, X.key_share);
    if (!ext) {
      if (chosen && ctx.config.pskModes.includes('psk_ke')) return { shared: new Uint8Array(hashLength) };
      throw new TlsError('missing_extension', 'ServerHello without key_share');
    }
    const entry = keyShare.decodeServer(ext);
    const share = this.sent.shares.find((s) => NamedGroupCode[s.group] === entry.group);
    if (!share) throw illegalParameter('ServerHello key_share for a group we sent no share for');
    return { group: share.group, shared: share.sharedSecret(entry.keyExchange) };
  }
}

/**
 * The PSK the server selected in pre_shared_key, if it did (checkExtensions
 * made sure we offered the extension): an index into what we offered, and
 * the suite must have that PSK's hash (RFC 8446 §4.2.11).
 */
function selectedPsk(msg: ServerHello, offered: readonly OfferedPsk[], suite: CipherSuite): OfferedPsk | undefined {
  const ext = findExtension(msg.extensions, X.pre_shared_key);
  if (!ext) return undefined;
  const chosen = offered[decodeSelectedIdentity(ext)];
  if (!chosen) throw illegalParameter('server selected a PSK identity we did not offer');
  if (suite.hash !== chosen.hashName) throw illegalParameter('server selected a PSK with a suite of another hash');
  return chosen;
}

/**
 * RFC 8446 §4.2: an extension we did not offer is unsupported_extension;
 * one we offered but that does not belong in this message is illegal_parameter.
 */
export function checkExtensions(
  received: readonly Extension[],
  allowed: readonly number[],
  offered: readonly Extension[],
  unsolicited: readonly number[] = [],
): void {
  for (const e of received) {
    if (!offered.some((o) => o.type === e.type) && !unsolicited.includes(e.type)) throw new TlsError('unsupported_extension', `extension ${e.type} was not offered`);
    if (!allowed.includes(e.type)) throw illegalParameter(`extension ${e.type} not allowed here`);
  }
}
