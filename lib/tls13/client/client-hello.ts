/**
 * Building the ClientHello (RFC 8446 §4.1.2): TLS 1.3, TLS 1.2 or both, as configured.
 */
import { isEcdheGroup } from '../../crypto/algorithms.js';
import type { GroupName, KeyShare } from '../../crypto/provider.js';
import { ExtensionType as X, HandshakeType, NamedGroupCode, ProtocolVersion, SignatureSchemeCode } from '../../wire/enums.js';
import {
  type Extension,
  encodeAlpn,
  encodeCookie,
  encodePskModes,
  encodeServerName,
  encodeU16List,
  keyShare,
} from '../../wire/extension.js';
import type { ClientHello } from '../../wire/handshake.js';
import { type ClientConfig, versionEnabled } from '../config.js';
import { encodeEcPointFormats, encodeExtendedMasterSecret, encodeRenegotiationInfo, encodeSessionTicket } from '../../wire/tls12-extensions.js';
import { srtpOffer } from '../../tls12/srtp.js';
import { serverCertificateTypeOffer } from '../certificate-type.js';
import { recordSizeLimitOffer } from '../record-size-limit.js';
import { PskModeCode } from '../psk-modes.js';

/** True for IPv4/IPv6 literals, which RFC 6066 forbids in server_name. */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

export function buildClientHello(
  config: ClientConfig,
  random: Uint8Array,
  sessionId: Uint8Array,
  shares: readonly KeyShare[],
  cookie?: Uint8Array,
  recordSizeLimit?: number,
): ClientHello {
  const ext: Extension[] = [];
  const schemes = encodeU16List(config.signatureSchemes.map((s) => SignatureSchemeCode[s]));
  const tls13 = offersTls13(config);
  const tls12 = offersTls12(config);
  if (config.serverName && !isIpLiteral(config.serverName)) {
    ext.push({ type: X.server_name, data: encodeServerName(config.serverName) });
  }
  // A 1.2-only client sends no supported_versions, as OpenSSL's does: legacy_version says it all.
  const versions = [...(tls13 ? [ProtocolVersion.TLS13] : []), ...(tls12 ? [ProtocolVersion.TLS12] : [])];
  if (tls13) ext.push({ type: X.supported_versions, data: encodeU16List(versions, 1) });
  ext.push(
    { type: X.supported_groups, data: encodeU16List(offeredGroups(config, tls13).map((g) => NamedGroupCode[g])) },
    { type: X.signature_algorithms, data: schemes },
  );
  if (tls13) {
    ext.push(
      // The same list for certificate signatures: our path validation checks exactly these (RFC 8446 §4.2.3).
      { type: X.signature_algorithms_cert, data: schemes },
      {
        type: X.key_share,
        data: keyShare.encodeClient(shares.map((s) => ({ group: NamedGroupCode[s.group], keyExchange: s.publicKey }))),
      },
      // Without psk_key_exchange_modes servers send no tickets (RFC 8446 §4.6.1).
      { type: X.psk_key_exchange_modes, data: encodePskModes(config.pskModes.map((m) => PskModeCode[m])) },
    );
    // RFC 8446 §4.2.6: with a certificate to give, the server may ask for it after the handshake too.
    if (config.clientCertificate) ext.push({ type: X.post_handshake_auth, data: new Uint8Array(0) });
  }
  if (tls12) ext.push(...tls12Extensions(config));
  ext.push(...serverCertificateTypeOffer(config));
  ext.push(...recordSizeLimitOffer(recordSizeLimit, tls13));
  if (config.alpn.length) ext.push({ type: X.alpn, data: encodeAlpn(config.alpn) });
  if (cookie) ext.push({ type: X.cookie, data: encodeCookie(cookie) });
  return {
    type: HandshakeType.client_hello,
    legacyVersion: ProtocolVersion.TLS12,
    random,
    sessionId,
    cipherSuites: [...(tls13 ? config.suites : []), ...(tls12 ? config.tls12Suites : [])].map((s) => s.code),
    compressionMethods: Uint8Array.of(0),
    extensions: ext,
  };
}

/** A TLS 1.2-only hello names ECDHE groups only: the ML-KEM hybrid is TLS 1.3's. */
function offeredGroups(config: ClientConfig, tls13: boolean): readonly GroupName[] {
  return tls13 ? config.groups : config.groups.filter(isEcdheGroup);
}

/** TLS 1.3 is offered when enabled and some 1.3 suite is configured. */
export function offersTls13(config: ClientConfig): boolean {
  return versionEnabled(config, 'TLSv1.3') && config.suites.length > 0;
}

export function offersTls12(config: ClientConfig): boolean {
  return versionEnabled(config, 'TLSv1.2') && config.tls12Suites.length > 0;
}

/**
 * What a TLS 1.2 server needs to hear from us: extended master secret
 * (RFC 7627), an empty renegotiation_info (RFC 5746: we never renegotiate),
 * uncompressed points only (RFC 8422), and session_ticket with the ticket of
 * the session to resume, or empty to ask for one (RFC 5077); use_srtp when
 * SRTP profiles are configured (RFC 5764, negotiated by the 1.2 states only).
 */
function tls12Extensions(config: ClientConfig): Extension[] {
  const ticket = config.session?.version === 'TLSv1.2' ? config.session.ticket : undefined;
  return [
    { type: X.extended_master_secret, data: encodeExtendedMasterSecret() },
    { type: X.renegotiation_info, data: encodeRenegotiationInfo() },
    { type: X.ec_point_formats, data: encodeEcPointFormats() },
    { type: X.session_ticket, data: encodeSessionTicket(ticket) },
    ...srtpOffer(config),
  ];
}
