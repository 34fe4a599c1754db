/**
 * Server: the TLS 1.2 ServerHello (RFC 5246 §7.4.1.3), for a full or an
 * abbreviated handshake, and its random with the downgrade sentinel.
 */
import { type ServerConfig, versionEnabled } from '../../tls13/config.js';
import type { Context } from '../../tls13/context.js';
import type { Transcript } from '../../tls13/transcript.js';
import { ExtensionType as X, HandshakeType, ProtocolVersion } from '../../wire/enums.js';
import { type Extension, encodeAlpn } from '../../wire/extension.js';
import { encodeEcPointFormats, encodeExtendedMasterSecret, encodeRenegotiationInfo, encodeSessionTicket } from '../../wire/tls12-extensions.js';
import type { SrtpProfileName } from '../../wire/use-srtp.js';
import { chooseSrtpProfile, srtpAnswer } from '../srtp.js';
import type { Tls12CipherSuite } from '../suites.js';
import type { Tls12Offer } from './offer.js';
import { answerRecordSizeLimit } from '../../tls13/record-size-limit.js';

/** RFC 8446 §4.1.3: "DOWNGRD" 01, the last 8 bytes of a TLS 1.3 server's random when it answers with TLS 1.2. */
export const DOWNGRADE_TLS12 = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);

/**
 * 32 random bytes; when we could have spoken TLS 1.3, the last 8 are the
 * sentinel, so a 1.3 client whose offer was stripped on the way notices
 * (1.2-only clients ignore them).
 */
export function serverRandom(config: ServerConfig): Uint8Array {
  const random = config.random(32).slice();
  if (versionEnabled(config, 'TLSv1.3') && config.suites.length > 0) random.set(DOWNGRADE_TLS12, 24);
  return random;
}

/** What the ServerHello says beyond the suite. */
export interface HelloAnswer {
  suite: Tls12CipherSuite;
  random: Uint8Array;
  /** Resumption echoes the client's session id (RFC 5077 §3.4); a full handshake sends none (we keep no session cache). */
  resumed: boolean;
  ems: boolean;
  alpn?: string;
  /** A NewSessionTicket will follow (RFC 5077 §3.2). */
  ticket: boolean;
  /** The server_certificate_type answer (RFC 7250 §4.2), when the client asked and a certificate suite was chosen. */
  certificateType?: Extension;
}

export function sendServerHello(ctx: Context<ServerConfig>, offer: Tls12Offer, answer: HelloAnswer, transcript: Transcript): void {
  // use_srtp is settled here for full and resumed handshakes alike (RFC 5764 §4.1.1).
  const srtpProfile = chooseSrtpProfile(ctx.config, offer.hello);
  ctx.info.srtpProfile = srtpProfile;
  ctx.send(
    {
      type: HandshakeType.server_hello,
      legacyVersion: ProtocolVersion.TLS12,
      random: answer.random,
      sessionIdEcho: answer.resumed ? offer.hello.sessionId : new Uint8Array(0),
      cipherSuite: answer.suite.code,
      compressionMethod: 0,
      // RFC 8449: in TLS 1.2 the answer rides in the ServerHello; it binds records from our ChangeCipherSpec on.
      extensions: [...serverHelloExtensions(offer, answer, srtpProfile), ...answerRecordSizeLimit(ctx, 'TLSv1.2', offer.hello)],
    },
    transcript,
  );
}

/** A server sends only extensions the client sent (RFC 5246 §7.4.1.4). */
function serverHelloExtensions(offer: Tls12Offer, answer: HelloAnswer, srtpProfile: SrtpProfileName | undefined): Extension[] {
  const ext: Extension[] = [];
  // RFC 5746 §3.6: an empty renegotiation_info whenever the client signalled support (extension or SCSV).
  if (offer.secureRenegotiation) ext.push({ type: X.renegotiation_info, data: encodeRenegotiationInfo() });
  if (answer.ems) ext.push({ type: X.extended_master_secret, data: encodeExtendedMasterSecret() });
  if (offer.pointFormats) ext.push({ type: X.ec_point_formats, data: encodeEcPointFormats() });
  if (answer.ticket) ext.push({ type: X.session_ticket, data: encodeSessionTicket() });
  if (answer.alpn) ext.push({ type: X.alpn, data: encodeAlpn([answer.alpn]) });
  // RFC 6066 §3: an empty server_name says we used the name; a resumed session must not send it.
  if (offer.serverName && !answer.resumed) ext.push({ type: X.server_name, data: new Uint8Array(0) });
  if (srtpProfile) ext.push(srtpAnswer(srtpProfile));
  if (answer.certificateType) ext.push(answer.certificateType);
  return ext;
}
