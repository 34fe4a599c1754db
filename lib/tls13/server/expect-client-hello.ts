/**
 * Server: waiting for a ClientHello, answering with a HelloRetryRequest
 * (RFC 8446 §4.1.4) when the client sent no usable key share (or always,
 * when configured), else with the server flight.
 */
import type { GroupName } from '../../crypto/provider.js';
import { TlsError, illegalParameter, unexpectedMessage } from '../../errors.js';
import { equalBytes } from '../../wire/codec.js';
import { ExtensionType as X, HandshakeType, NamedGroupCode, ProtocolVersion } from '../../wire/enums.js';
import { type Extension, decodeU16List, encodeCookie, encodeSelectedVersion, findExtension, keyShare } from '../../wire/extension.js';
import { type ClientHello, type HandshakeMessage, HRR_RANDOM } from '../../wire/handshake.js';
import { type ServerConfig, type TlsVersionName, versionEnabled } from '../config.js';
import { tls12ClientHello } from '../../tls12/server/start.js';
import type { Context, State } from '../context.js';
import { Transcript } from '../transcript.js';
import type { CipherSuite } from '../suites.js';
import { type ClientOffer, chooseAlpn, chooseGroup, chooseScheme, chooseSuite, readOffer } from './client-offer.js';
import { sendServerFlight } from './server-flight.js';
import { type PskCandidate, findPsk, verifyBinder } from './choose-psk.js';
import { acceptsEarlyData } from './early-data.js';
import { chooseServerCertificateType } from '../certificate-type.js';

interface RetrySent {
  group: GroupName;
  suite: CipherSuite;
  cookie: Uint8Array;
  sessionId: Uint8Array;
}

/**
 * The version to answer with (RFC 8446 §4.2.1, RFC 5246 Appendix E): the
 * newest one in supported_versions within our range, else legacy_version for
 * a client without it; SSL 3.0, TLS 1.0 and 1.1 are never negotiated.
 */
function chooseVersion(config: ServerConfig, hello: ClientHello): TlsVersionName {
  const ext = findExtension(hello.extensions, X.supported_versions);
  const offered = ext ? decodeU16List(ext, 'supported_versions', 1) : [];
  // A PSK-only server speaks TLS 1.3 to clients offering a PSK, TLS 1.2's PSK suites to the others.
  const canAuthenticate = config.leaf !== undefined || findExtension(hello.extensions, X.pre_shared_key) !== undefined;
  const tls13 = offered.includes(ProtocolVersion.TLS13) && versionEnabled(config, 'TLSv1.3') && config.suites.length > 0 && canAuthenticate;
  if (tls13) return 'TLSv1.3';
  const tls12 = ext ? offered.includes(ProtocolVersion.TLS12) : hello.legacyVersion >= ProtocolVersion.TLS12;
  if (tls12 && versionEnabled(config, 'TLSv1.2') && config.tls12Suites.length > 0) return 'TLSv1.2';
  throw new TlsError('protocol_version', `no version in common (we speak ${config.minVersion} to ${config.maxVersion})`);
}

/**
 * The suite, and the PSK when one is offered that we can use: the suite is
 * then one of the PSK's hash (without one in common the PSK is passed over).
 * A PSK-only server with nothing to authenticate by fails.
 */
function suiteAndPsk(config: ServerConfig, hello: ClientHello, offer: ClientOffer): { suite: CipherSuite; candidate?: PskCandidate } {
  const found = findPsk(config, hello, offer);
  const suite = (found && chooseSuite(config, hello, found.hashName)) || chooseSuite(config, hello);
  const candidate = found && suite.hash === found.hashName ? found : undefined;
  if (!candidate && !config.leaf) throw new TlsError('handshake_failure', 'no PSK identity we know, and no certificate to authenticate with');
  return { suite, candidate };
}

export function startServer(): State<ServerConfig> {
  return new ExpectClientHello(new Transcript(), undefined);
}

export class ExpectClientHello implements State<ServerConfig> {
  readonly expects = [HandshakeType.client_hello];
  constructor(
    private readonly transcript: Transcript,
    private readonly retry: RetrySent | undefined,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ServerConfig, any> {
    if (msg.type !== HandshakeType.client_hello) throw unexpectedMessage(`expected ClientHello, got ${msg.type}`);
    const { config } = ctx;
    const version = this.retry ? 'TLSv1.3' : chooseVersion(config, msg);
    if (version === 'TLSv1.2') return tls12ClientHello(ctx, msg, raw);
    const offer = readOffer(msg);
    const { suite, candidate } = suiteAndPsk(config, msg, offer);
    // psk_ke needs no key exchange at all (RFC 8446 §4.2.9).
    const group = candidate?.mode === 'psk_ke' ? undefined : chooseGroup(config, offer);
    // A certificate signs unless a PSK authenticates (config.leaf is unset on a PSK-only server, which then has one).
    const scheme = candidate ? undefined : chooseScheme(config, offer, config.leaf!.publicKey!);
    const alpn = chooseAlpn(config, offer);
    const certificateType = chooseServerCertificateType(config, msg);
    if (this.retry) this.checkRetried(msg, offer, suite, group);
    ctx.useSuite(suite);
    this.transcript.selectHash(config.crypto.hash(suite.hash));
    const share = group && offer.shares.find((s) => s.group === NamedGroupCode[group]);
    const forceRetry = config.helloRetry === 'always' && !this.retry;
    if ((group && !share) || forceRetry) {
      this.transcript.add(raw);
      const next = this.sendRetry(ctx, msg, suite, group ?? chooseGroup(config, offer), !share);
      // RFC 8446 §4.2.10: 0-RTT records sent after this hello arrive before the second one; they are skipped.
      if (offer.earlyData) ctx.skipEarlyData('application_data');
      return next;
    }
    // The PSK is used on the hello we answer with a ServerHello; its binder covers the transcript before this hello.
    const psk = candidate && verifyBinder(candidate, raw, this.transcript);
    this.transcript.add(raw);
    ctx.info.serverName = offer.serverName;
    const earlyData = offer.earlyData && acceptsEarlyData(config, { psk, suite, alpn, retried: this.retry !== undefined });
    const next = sendServerFlight(ctx, { hello: msg, transcript: this.transcript, suite, group, clientShare: share || undefined, scheme, alpn, certificateType, psk, earlyData });
    // Declined 0-RTT (no early_data in EncryptedExtensions): skip what does not decrypt under the handshake key.
    if (offer.earlyData && !earlyData) ctx.skipEarlyData('undecryptable');
    return next;
  }

  /** RFC 8446 §4.1.4: one retry only, so the second ClientHello must carry what we asked for. */
  private checkRetried(hello: ClientHello, offer: ClientOffer, suite: CipherSuite, group: GroupName | undefined): void {
    const r = this.retry!;
    if (!offer.cookie || !equalBytes(offer.cookie, r.cookie)) throw illegalParameter('second ClientHello does not echo our cookie');
    if (suite !== r.suite) throw illegalParameter('second ClientHello changed the cipher suite');
    const share = offer.shares.some((s) => s.group === NamedGroupCode[r.group]);
    if (group !== undefined && (group !== r.group || !share)) throw illegalParameter('second ClientHello has no share for the requested group');
    if (!equalBytes(hello.sessionId, r.sessionId)) throw illegalParameter('second ClientHello changed legacy_session_id');
    if (offer.earlyData) throw illegalParameter('second ClientHello offers early_data (RFC 8446 §4.2.10)');
  }

  /**
   * Sends a HelloRetryRequest with a fresh cookie, naming `group` when the
   * client sent no share for it (RFC 8446 §4.1.4 forbids naming a group it already sent).
   */
  private sendRetry(ctx: Context<ServerConfig>, hello: ClientHello, suite: CipherSuite, group: GroupName, askForShare: boolean): State<ServerConfig> {
    const { config } = ctx;
    const cookie = config.random(32);
    const extensions: Extension[] = [{ type: X.supported_versions, data: encodeSelectedVersion(ProtocolVersion.TLS13) }];
    if (askForShare) extensions.push({ type: X.key_share, data: keyShare.encodeHrr(NamedGroupCode[group]) });
    extensions.push({ type: X.cookie, data: encodeCookie(cookie) });
    this.transcript.rollUpForRetry();
    ctx.send(
      {
        type: HandshakeType.server_hello,
        legacyVersion: ProtocolVersion.TLS12,
        random: HRR_RANDOM,
        sessionIdEcho: hello.sessionId,
        cipherSuite: suite.code,
        compressionMethod: 0,
        extensions,
      },
      this.transcript,
    );
    if (hello.sessionId.length) ctx.sendCompatCcs();
    ctx.info.helloRetry = true;
    return new ExpectClientHello(this.transcript, { group, suite, cookie, sessionId: hello.sessionId });
  }
}
