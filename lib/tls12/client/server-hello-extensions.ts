/**
 * Client: the extensions of a TLS 1.2 ServerHello, each checked against what
 * our ClientHello offered (RFC 5246 §7.4.1.4: nothing unoffered) and what the
 * extension's own RFC requires of a server's answer.
 */
import { TlsError, decodeError, illegalParameter } from '../../errors.js';
import type { ClientConfig } from '../../tls13/config.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { type Extension, decodeAlpn, findExtension } from '../../wire/extension.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { SrtpProfileName } from '../../wire/use-srtp.js';
import { checkSrtpAnswer } from '../srtp.js';
import { checkEcPointFormats, checkRenegotiationInfo, decodeExtendedMasterSecret, decodeServerSessionTicket } from '../../wire/tls12-extensions.js';

/** What a TLS 1.2 server may answer in its ServerHello (the rest of what we offer is TLS 1.3's, or ours alone). */
const SERVER_HELLO_EXTENSIONS: readonly number[] = [
  X.server_name,
  X.ec_point_formats,
  X.alpn,
  X.extended_master_secret,
  X.session_ticket,
  X.renegotiation_info,
  X.use_srtp,
  X.server_certificate_type,
  X.record_size_limit,
];

export interface ServerHelloExtensions {
  ems: boolean;
  alpn?: string;
  ticketPromised: boolean;
  srtpProfile?: SrtpProfileName;
}

/** Checks every extension of the ServerHello; duplicates were refused when it was decoded. */
export function checkServerHelloExtensions(config: ClientConfig, hello: ClientHello, received: readonly Extension[]): ServerHelloExtensions {
  for (const e of received) {
    if (!findExtension(hello.extensions, e.type)) throw new TlsError('unsupported_extension', `ServerHello extension ${e.type} was not offered`);
    // Offered, but for TLS 1.3 (supported_groups, key_share, ...): it has no meaning in a 1.2 ServerHello.
    if (!SERVER_HELLO_EXTENSIONS.includes(e.type)) throw illegalParameter(`extension ${e.type} does not belong in a TLS 1.2 ServerHello`);
  }
  checkSecureRenegotiation(received);
  const serverName = findExtension(received, X.server_name);
  // RFC 6066 §3: the server acknowledges our server_name with an empty one.
  if (serverName && serverName.length !== 0) throw decodeError('ServerHello server_name is not empty');
  const points = findExtension(received, X.ec_point_formats);
  if (points) checkEcPointFormats(points);
  const ticket = findExtension(received, X.session_ticket);
  if (ticket) decodeServerSessionTicket(ticket);
  const srtp = findExtension(received, X.use_srtp);
  const srtpProfile = srtp ? checkSrtpAnswer(config, srtp) : undefined;
  return { ems: extendedMasterSecret(config, received), alpn: chosenAlpn(config, received), ticketPromised: ticket !== undefined, srtpProfile };
}

/**
 * RFC 5746 §3.4: an empty renegotiation_info says the server supports secure
 * renegotiation. A client may go on without it; we refuse, as OpenSSL 3 does
 * by default: such a server is open to the renegotiation attack on its other clients.
 */
function checkSecureRenegotiation(received: readonly Extension[]): void {
  const info = findExtension(received, X.renegotiation_info);
  if (!info) throw new TlsError('handshake_failure', 'server does not support secure renegotiation (RFC 5746)');
  checkRenegotiationInfo(info);
}

/** RFC 7627 §5.3: without the extended master secret we abort, unless the user allowed legacy servers. */
function extendedMasterSecret(config: ClientConfig, received: readonly Extension[]): boolean {
  const ems = findExtension(received, X.extended_master_secret);
  if (ems) {
    decodeExtendedMasterSecret(ems);
    return true;
  }
  if (!config.allowLegacyNoExtendedMasterSecret) throw new TlsError('handshake_failure', 'server does not support the extended master secret (RFC 7627)');
  return false;
}

/** RFC 7301 §3.1: the server names exactly one protocol, one of ours. */
function chosenAlpn(config: ClientConfig, received: readonly Extension[]): string | undefined {
  const alpn = findExtension(received, X.alpn);
  if (!alpn) return undefined;
  const chosen = decodeAlpn(alpn);
  if (chosen.length !== 1 || !config.alpn.includes(chosen[0]!)) throw illegalParameter('server chose an ALPN protocol we did not offer');
  return chosen[0];
}
