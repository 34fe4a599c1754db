/**
 * Server: what a TLS 1.2 ClientHello offers, read and checked once, and the
 * server's choices from it (RFC 5246 §7.4.1.2, RFC 8422 §5.1, RFC 7627,
 * RFC 5746, RFC 5077, RFC 7301, RFC 6066).
 */
import { isEcdheGroup } from '../../crypto/algorithms.js';
import type { GroupName, PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError, illegalParameter } from '../../errors.js';
import { type ServerConfig, versionEnabled } from '../../tls13/config.js';
import { chooseTls12Scheme as chooseScheme } from '../signature.js';
import { type ClientOffer, chooseAlpn } from '../../tls13/server/client-offer.js';
import { ExtensionType as X, NamedGroupCode, SignatureSchemeCode } from '../../wire/enums.js';
import { decodeAlpn, decodeServerName, decodeU16List, findExtension } from '../../wire/extension.js';
import type { ClientHello } from '../../wire/handshake.js';
import { TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV } from '../../wire/tls12-enums.js';
import { checkEcPointFormats, checkRenegotiationInfo, decodeExtendedMasterSecret, decodeSessionTicket } from '../../wire/tls12-extensions.js';
import { type Tls12CipherSuite, isPskSuite, keyFitsSuite } from '../suites.js';

export interface Tls12Offer {
  readonly hello: ClientHello;
  /** supported_groups; undefined when absent (RFC 8422 §4: the client then takes any curve). */
  readonly groups?: number[];
  /** signature_algorithms; undefined when absent (RFC 5246 §7.4.1.4.1: SHA-1 implied). */
  readonly schemes?: number[];
  /** The client sent extended_master_secret (RFC 7627). */
  readonly ems: boolean;
  /** The client signalled secure renegotiation (RFC 5746): the extension or the SCSV. */
  readonly secureRenegotiation: boolean;
  /** The client sent ec_point_formats (with uncompressed in it): we answer with ours. */
  readonly pointFormats: boolean;
  readonly alpn?: string[];
  readonly serverName?: string;
  /** session_ticket's body: undefined when absent, empty when the client asks for a ticket, else the ticket (RFC 5077 §3.2). */
  readonly ticket?: Uint8Array;
}

/**
 * Decodes the extensions a TLS 1.2 server reads and refuses what no choice
 * of ours can mend. Duplicate extensions never get here: the hello decoder
 * refuses them (illegal_parameter).
 */
export function readTls12Offer(config: ServerConfig, hello: ClientHello): Tls12Offer {
  const ext = (type: number) => findExtension(hello.extensions, type);
  // RFC 5246 §7.4.1.2: null compression must be offered; we never compress.
  if (!hello.compressionMethods.includes(0)) throw illegalParameter('ClientHello does not offer null compression');
  checkFallback(config, hello);
  const ems = readEms(config, ext(X.extended_master_secret));
  const renegotiationExt = ext(X.renegotiation_info);
  // RFC 5746 §3.6: an initial handshake's renegotiation_info must be empty (handshake_failure otherwise).
  if (renegotiationExt) checkRenegotiationInfo(renegotiationExt);
  const pointFormatsExt = ext(X.ec_point_formats);
  if (pointFormatsExt) checkEcPointFormats(pointFormatsExt);
  const groupsExt = ext(X.supported_groups);
  const schemesExt = ext(X.signature_algorithms);
  const alpnExt = ext(X.alpn);
  const sniExt = ext(X.server_name);
  const ticketExt = ext(X.session_ticket);
  return {
    hello,
    groups: groupsExt ? decodeU16List(groupsExt, 'supported_groups') : undefined,
    schemes: schemesExt ? decodeU16List(schemesExt, 'signature_algorithms') : undefined,
    ems,
    secureRenegotiation: renegotiationExt !== undefined || hello.cipherSuites.includes(TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
    pointFormats: pointFormatsExt !== undefined,
    alpn: alpnExt ? decodeAlpn(alpnExt) : undefined,
    serverName: sniExt ? decodeServerName(sniExt) : undefined,
    ticket: ticketExt ? decodeSessionTicket(ticketExt) : undefined,
  };
}

/**
 * RFC 7507 §3: a client that says it fell back (TLS_FALLBACK_SCSV) while we
 * speak a newer version than it offered is being downgraded by someone.
 * Reaching here, the hello did not get TLS 1.3; if we have 1.3 to give, that is it.
 */
function checkFallback(config: ServerConfig, hello: ClientHello): void {
  if (!hello.cipherSuites.includes(TLS_FALLBACK_SCSV)) return;
  if (versionEnabled(config, 'TLSv1.3') && config.suites.length > 0) {
    throw new TlsError('inappropriate_fallback', 'TLS_FALLBACK_SCSV from a client we could have served TLS 1.3');
  }
}

/** RFC 7627 §5.3: without EMS a session's keys can be made to match another's; we refuse unless told otherwise. */
function readEms(config: ServerConfig, data: Uint8Array | undefined): boolean {
  if (data) {
    decodeExtendedMasterSecret(data);
    return true;
  }
  if (!config.allowLegacyNoExtendedMasterSecret) {
    throw new TlsError('handshake_failure', 'client does not support the extended master secret (RFC 7627)');
  }
  return false;
}

/** The named group of an EC certificate key's curve. */
const CURVE_GROUP: Record<string, number> = { 'P-256': NamedGroupCode.secp256r1, 'P-384': NamedGroupCode.secp384r1, 'P-521': NamedGroupCode.secp521r1 };

/**
 * Whether our certificate's key can authenticate an ECDHE_ECDSA suite for
 * this client. RFC 8422 §4 (as RFC 4492 §4): an ECC suite is negotiated only
 * if the handshake respects the client's curves, and in TLS 1.2
 * supported_groups names the curves of certificates too, so an ECDSA key
 * must be on one of them (absent: any). Ed25519 and Ed448 keys (RFC 8422 §5.1.3) are
 * governed by signature_algorithms instead.
 */
function keyFitsEcdsaSuites(key: PublicKey, offer: Tls12Offer): boolean {
  if (key.kind === 'ed25519' || key.kind === 'ed448') return true;
  if (key.kind !== 'ec') return false;
  return !offer.groups || offer.groups.includes(CURVE_GROUP[key.curve]!);
}

/**
 * Whether we can serve `suite` to this client: a certificate suite with a
 * key that fits it, a PSK suite when we hold PSKs (ECDHE_PSK also needs a
 * group in common: RFC 5489 §2 takes RFC 8422's supported_groups rules).
 */
function canServe(config: ServerConfig, offer: Tls12Offer, suite: Tls12CipherSuite): boolean {
  if (suite.auth === 'ecdsa') return config.leaf !== undefined && keyFitsEcdsaSuites(config.leaf.publicKey!, offer);
  // ECDHE_RSA: chosen only when our certificate is RSA; its ECDHE group is checked like any other.
  if (suite.auth === 'rsa') return config.leaf?.publicKey?.kind === 'rsa';
  if (!config.psk) return false;
  return suite.kx !== 'ecdhe_psk' || commonGroup(config, offer) !== undefined;
}

/** The server's preference decides among the suites both sides have and we can serve. */
export function chooseTls12Suite(config: ServerConfig, offer: Tls12Offer): Tls12CipherSuite {
  const common = config.tls12Suites.filter((s) => offer.hello.cipherSuites.includes(s.code));
  if (common.length === 0) throw new TlsError('handshake_failure', 'no TLS 1.2 cipher suite in common');
  const suite = common.find((s) => canServe(config, offer, s));
  if (suite) return suite;
  // Certificate suites in common, none of them for our kind of key: say so rather than blame the curve.
  const key = config.leaf?.publicKey;
  const certificateSuites = common.filter((s) => !isPskSuite(s));
  if (key && certificateSuites.length > 0 && !certificateSuites.some((s) => keyFitsSuite(s, key))) {
    const rsa = key.kind === 'rsa';
    throw new TlsError('handshake_failure', `the client offers ${rsa ? 'ECDHE_ECDSA' : 'ECDHE_RSA'} suites only and our certificate is ${rsa ? 'RSA' : 'not RSA'}`);
  }
  if (common.some((s) => s.auth === 'ecdsa')) throw new TlsError('handshake_failure', "our certificate's curve is not in the client's supported_groups (RFC 8422 §4)");
  throw new TlsError('handshake_failure', 'no key-exchange group in common for ECDHE_PSK');
}

/** ECDHE groups only: the ML-KEM hybrid is a TLS 1.3 key exchange (a KEM has no ServerKeyExchange point). */
function commonGroup(config: ServerConfig, offer: Tls12Offer): GroupName | undefined {
  const ours = config.groups.filter(isEcdheGroup);
  return offer.groups ? ours.find((g) => offer.groups!.includes(NamedGroupCode[g])) : ours[0];
}

/** RFC 8422 §4: without supported_groups the client takes any curve, so ours first; with it, our preference among its. */
export function chooseTls12Group(config: ServerConfig, offer: Tls12Offer): GroupName {
  const group = commonGroup(config, offer);
  if (!group) throw new TlsError('handshake_failure', 'no key-exchange group in common');
  return group;
}

/**
 * The scheme for ServerKeyExchange: our first that the client accepts and
 * our key can make, the one made for its curve first (tls12/signature.ts). Without signature_algorithms the client would accept
 * SHA-1 only (RFC 5246 §7.4.1.4.1), which we never sign with.
 */
export function chooseTls12Scheme(config: ServerConfig, offer: Tls12Offer): SignatureSchemeName {
  if (!offer.schemes) throw new TlsError('handshake_failure', 'ClientHello without signature_algorithms (SHA-1 only; we do not sign with it)');
  // Asked for certificate suites only, which are chosen only with a certificate.
  const scheme = chooseScheme(config.signatureSchemes, offer.schemes, (s) => SignatureSchemeCode[s], config.leaf!.publicKey!);
  if (!scheme) throw new TlsError('handshake_failure', 'no signature scheme in common for our certificate');
  return scheme;
}

/** RFC 7301 §3.2, as TLS 1.3 decides it: chooseAlpn reads only the offered names. */
export function chooseTls12Alpn(config: ServerConfig, offer: Tls12Offer): string | undefined {
  return chooseAlpn(config, { alpn: offer.alpn } as ClientOffer);
}
