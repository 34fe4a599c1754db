/**
 * Negotiating DTLS-SRTP with use_srtp (RFC 5764 §4.1) in the TLS 1.2
 * handshake, both roles. RFC 5764 defines it for DTLS, and OpenSSL
 * negotiates it over DTLS only; these states run both TLS 1.2 and DTLS 1.2,
 * so nothing here asks which. It is offered only when `srtpProfiles` is
 * configured, and then TLS peers simply do not answer it.
 */
import { illegalParameter } from '../errors.js';
import type { ClientConfig, ServerConfig } from '../tls13/config.js';
import { ExtensionType as X, nameOf } from '../wire/enums.js';
import { type Extension, findExtension } from '../wire/extension.js';
import type { ClientHello } from '../wire/handshake.js';
import { type SrtpProfileName, SrtpProfileCode, decodeUseSrtp, encodeUseSrtp } from '../wire/use-srtp.js';

/** Client: our profiles with an empty MKI (we never use one), or nothing when none are configured. */
export function srtpOffer(config: ClientConfig): Extension[] {
  if (config.srtpProfiles.length === 0) return [];
  return [{ type: X.use_srtp, data: encodeUseSrtp(config.srtpProfiles.map((p) => SrtpProfileCode[p])) }];
}

/**
 * Server: the first profile of our list that the client offered (our
 * preference decides); undefined when we have none configured, the client
 * sent no use_srtp, or nothing is shared (RFC 5764 §4.1.1: no answer then,
 * the handshake goes on without SRTP). A malformed offer is decode_error.
 */
export function chooseSrtpProfile(config: ServerConfig, hello: ClientHello): SrtpProfileName | undefined {
  const data = findExtension(hello.extensions, X.use_srtp);
  if (!data || config.srtpProfiles.length === 0) return undefined;
  const offered = decodeUseSrtp(data).profiles;
  return config.srtpProfiles.find((p) => offered.includes(SrtpProfileCode[p]));
}

/** Server: the ServerHello's use_srtp, exactly one profile and an empty MKI (RFC 5764 §4.1.1; as OpenSSL). */
export function srtpAnswer(profile: SrtpProfileName): Extension {
  return { type: X.use_srtp, data: encodeUseSrtp([SrtpProfileCode[profile]]) };
}

/**
 * Client: the profile the server's use_srtp names. RFC 5764 §4.1.1: exactly
 * one, and one we offered; §4.1.3: no MKI other than ours (we send none).
 * Otherwise illegal_parameter; a malformed body is decode_error. That we offered use_srtp at all was checked with the
 * other ServerHello extensions.
 */
export function checkSrtpAnswer(config: ClientConfig, data: Uint8Array): SrtpProfileName {
  const { profiles, mki } = decodeUseSrtp(data);
  if (profiles.length !== 1) throw illegalParameter(`use_srtp: the server answered ${profiles.length} profiles, not one`);
  const name = nameOf(SrtpProfileCode, profiles[0]!);
  if (!name || !config.srtpProfiles.includes(name)) throw illegalParameter(`use_srtp: the server chose profile 0x${profiles[0]!.toString(16).padStart(4, '0')}, which we did not offer`);
  if (mki.length !== 0) throw illegalParameter('use_srtp: the server answered with an MKI we did not send');
  return name;
}
