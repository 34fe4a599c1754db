/**
 * What a ClientHello offers, decoded and checked once (RFC 8446 §4.1.2, §4.2),
 * and the server's choices from it.
 */
import type { GroupName, PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError, illegalParameter } from '../../errors.js';
import { ExtensionType as X, NamedGroupCode, ProtocolVersion, SignatureSchemeCode } from '../../wire/enums.js';
import {
  type KeyShareEntry,
  decodeAlpn,
  decodeCookie,
  decodeServerName,
  decodeU16List,
  findExtension,
  keyShare,
} from '../../wire/extension.js';
import type { ClientHello } from '../../wire/handshake.js';
import { schemeFitsKey } from '../certificate-verify.js';
import type { ServerConfig } from '../config.js';
import type { CipherSuite } from '../suites.js';

export interface ClientOffer {
  groups: number[];
  shares: KeyShareEntry[];
  schemes: number[];
  alpn?: string[];
  serverName?: string;
  cookie?: Uint8Array;
  /** The client sent the early_data extension: it may follow its hello with 0-RTT records (RFC 8446 §4.2.10). */
  earlyData: boolean;
}

export function readOffer(hello: ClientHello): ClientOffer {
  const ext = (type: number) => findExtension(hello.extensions, type);
  // RFC 8446 §4.1.2 (RFC 9846): a legacy_version other than 0x0303 aborts with protocol_version;
  // Appendix E: SSL 3.0 (0x0300) and below are never negotiated.
  if (hello.legacyVersion !== ProtocolVersion.TLS12) {
    throw new TlsError('protocol_version', `ClientHello.legacy_version 0x${hello.legacyVersion.toString(16).padStart(4, '0')} is not 0x0303`);
  }
  // Without supported_versions (a TLS 1.2 or older client, or one without extensions at all) there is no TLS 1.3 to offer.
  const versions = ext(X.supported_versions);
  if (!versions || !decodeU16List(versions, 'supported_versions', 1).includes(ProtocolVersion.TLS13)) {
    throw new TlsError('protocol_version', 'client does not offer TLS 1.3');
  }
  if (hello.compressionMethods.length !== 1 || hello.compressionMethods[0] !== 0) {
    throw illegalParameter('TLS 1.3 ClientHello must offer only null compression');
  }
  const groupsExt = ext(X.supported_groups);
  const sharesExt = ext(X.key_share);
  const schemesExt = ext(X.signature_algorithms);
  // RFC 8446 §9.2: a hello offering a PSK may go without them (psk_ke); then a full handshake has no group or scheme in common.
  const psk = ext(X.pre_shared_key) !== undefined;
  if (!psk && (!groupsExt || !sharesExt)) throw new TlsError('missing_extension', 'ClientHello without supported_groups or key_share');
  if (!psk && !schemesExt) throw new TlsError('missing_extension', 'ClientHello without signature_algorithms');
  if (!groupsExt !== !sharesExt) throw new TlsError('missing_extension', 'ClientHello with only one of supported_groups and key_share');
  const groups = groupsExt ? decodeU16List(groupsExt, 'supported_groups') : [];
  const shares = sharesExt ? keyShare.decodeClient(sharesExt) : [];
  // A Set: linear in the list sizes, even for a hostile hello with thousands of groups and shares.
  const offered = new Set(groups);
  if (shares.some((s) => !offered.has(s.group))) throw illegalParameter('key_share for a group not in supported_groups');
  const alpnExt = ext(X.alpn);
  const sniExt = ext(X.server_name);
  const cookieExt = ext(X.cookie);
  return {
    groups,
    shares,
    schemes: schemesExt ? decodeU16List(schemesExt, 'signature_algorithms') : [],
    alpn: alpnExt ? decodeAlpn(alpnExt) : undefined,
    serverName: sniExt ? decodeServerName(sniExt) : undefined,
    cookie: cookieExt ? decodeCookie(cookieExt) : undefined,
    earlyData: ext(X.early_data) !== undefined,
  };
}

/** The server's preference decides, as OpenSSL and rustls do by default; with `hash`, among that hash's suites (undefined when none). */
export function chooseSuite(config: ServerConfig, hello: ClientHello): CipherSuite;
export function chooseSuite(config: ServerConfig, hello: ClientHello, hash: CipherSuite['hash']): CipherSuite | undefined;
export function chooseSuite(config: ServerConfig, hello: ClientHello, hash?: CipherSuite['hash']): CipherSuite | undefined {
  const suite = config.suites.find((s) => hello.cipherSuites.includes(s.code) && (hash === undefined || s.hash === hash));
  if (!suite && hash === undefined) throw new TlsError('handshake_failure', 'no cipher suite in common');
  return suite;
}

/**
 * Our preference among the client's groups, a group it sent a share for
 * first (it saves a round trip), unless a group of `retryForGroups` ranks
 * above that one: then the client is asked for a share (HelloRetryRequest).
 */
export function chooseGroup(config: ServerConfig, offer: ClientOffer): GroupName {
  const common = config.groups.filter((g) => offer.groups.includes(NamedGroupCode[g]));
  const withShare = common.find((g) => offer.shares.some((s) => s.group === NamedGroupCode[g]));
  const worthRetry = common.find((g) => config.retryForGroups.includes(g));
  const rank = (g: GroupName) => config.groups.indexOf(g);
  const group = worthRetry && (!withShare || rank(worthRetry) < rank(withShare)) ? worthRetry : (withShare ?? common[0]);
  if (!group) throw new TlsError('handshake_failure', 'no key-exchange group in common');
  return group;
}

export function chooseScheme(config: ServerConfig, offer: ClientOffer, key: PublicKey): SignatureSchemeName {
  const scheme = config.signatureSchemes.find((s) => offer.schemes.includes(SignatureSchemeCode[s]) && schemeFitsKey(s, key));
  if (!scheme) throw new TlsError('handshake_failure', 'no signature scheme in common for our certificate');
  return scheme;
}

/** RFC 7301 §3.2: no protocol in common is fatal when both sides configured ALPN. */
export function chooseAlpn(config: ServerConfig, offer: ClientOffer): string | undefined {
  if (!offer.alpn || config.alpn.length === 0) return undefined;
  const chosen = config.alpn.find((p) => offer.alpn!.includes(p));
  if (!chosen) throw new TlsError('no_application_protocol', 'no ALPN protocol in common');
  return chosen;
}
