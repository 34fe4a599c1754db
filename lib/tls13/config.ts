/**
 * The resolution of the user's options (options.ts) for clients and servers
 * into a complete config with every default filled in. Time and randomness
 * are injected (DESIGN.md: `clock()` for timers, `date()` for certificates).
 */
import type { CryptoProvider, GroupName, PrivateKey, RandomSource, SignatureSchemeName } from '../crypto/provider.js';
import { defaultCryptoProvider } from '../crypto/default-provider.js';
import type { Certificate } from '../x509/certificate.js';
import { parseCertificate, parseCertificates } from '../x509/certificate.js';
import { decodePemLabel, isPem, pemText } from '../x509/pem.js';
import { parseFingerprint, parsePin, type Fingerprint } from '../x509/pins.js';
import { TrustStore } from '../x509/trust-store.js';
import { parsePrivateKey } from '../x509/private-key.js';
import { type CipherSuite, SUITES } from './suites.js';
import { DEFAULT_GROUPS, defaultKeyShareGroups } from './default-groups.js';
import { type Authenticators, checkNamedSuites, defaultSuites, defaultTls12Suites, namedSuites } from './suite-choice.js';
import type { Tls12CipherSuite } from '../tls12/suites.js';
import { checkPsk } from '../tls12/psk-premaster.js';
import { type PskModeName, checkPskModes } from './psk-modes.js';
import { EarlyDataReplayGuard } from './server/early-data-replay.js';
import { TicketKeySet } from '../tls12/ticket-keys.js';
import type { SessionTicket } from '../handshake/session-info.js';
import { type SrtpProfileName, SrtpProfileCode } from '../wire/use-srtp.js';
import { MAX_RECORD_SIZE_LIMIT_TLS13, MIN_RECORD_SIZE_LIMIT } from '../wire/record-size-limit.js';
import { resolveServerRawPublicKeys, type ServerRawPublicKeyConfig } from './certificate-type.js';
import { spkiOfCertificate } from '../x509/raw-public-key.js';
import {
  type ClientAuthPolicy,
  type ClientCertificateSource,
  resolveClientAuth,
  resolveClientCertificate,
  samePublicKey,
} from './client-auth-config.js';

export type { CommonOptions, ClientOptions, ServerOptions, PemOrDer, TlsVersionName } from './options.js';
import type { CommonOptions, ClientOptions, ServerOptions, PemOrDer, TlsVersionName } from './options.js';

interface CommonConfig {
  minVersion: TlsVersionName;
  maxVersion: TlsVersionName;
  /** TLS 1.2 suites in preference order (empty when 1.2 is not enabled). */
  tls12Suites: Tls12CipherSuite[];
  allowLegacyNoExtendedMasterSecret: boolean;
  crypto: CryptoProvider;
  random: RandomSource;
  clock: () => number;
  date: () => Date;
  suites: CipherSuite[];
  groups: GroupName[];
  signatureSchemes: SignatureSchemeName[];
  alpn: string[];
  keylog?: (line: string) => void;
  /** TLS 1.3 PSK key exchange modes we offer (client) or accept (server), in preference order. */
  pskModes: PskModeName[];
  /** use_srtp profiles in preference order (empty: none offered or accepted). */
  srtpProfiles: SrtpProfileName[];
  keyUpdateAfterRecords?: number;
  maxEmptyRecords: number;
  maxWarningAlerts: number;
  /** RFC 8449: our record_size_limit (TLS 1.3 value; a TLS 1.2 handshake caps it at 2^14); undefined: not negotiated. */
  recordSizeLimit?: number;
}

export interface ClientConfig extends CommonConfig, ServerRawPublicKeyConfig {
  serverName?: string;
  roots: TrustStore;
  verify: boolean;
  /** SPKI SHA-256 digests; undefined: no pinning. */
  pins?: Uint8Array[];
  /** Set: the leaf is checked against these instead of chain validation. */
  fingerprints?: Fingerprint[];
  keyShareGroups: GroupName[];
  middleboxCompat: boolean;
  maxTickets: number;
  session?: SessionTicket;
  /** The identity as UTF-8 bytes; `hash` is the TLS 1.3 PSK's. */
  psk?: { identity: Uint8Array; key: Uint8Array; hash: 'sha256' | 'sha384' };
  /** Certificates cannot authenticate the server (a PSK client without `ca`): the server must take our PSK. */
  pskOnly: boolean;
  /** Send 0-RTT data with a ticket that allows it. */
  earlyData: boolean;
  /** Where a certificate for a CertificateRequest comes from; undefined: we answer with an empty one. */
  clientCertificate?: ClientCertificateSource;
}

export interface ServerConfig extends CommonConfig {
  /** Empty, and no leaf or key, on a PSK-only server (then TLS 1.3 runs with PSKs only and the TLS 1.2 certificate suites are off). */
  chain: Uint8Array[];
  leaf?: Certificate;
  key?: PrivateKey;
  /** The leaf's DER SubjectPublicKeyInfo, sent as a raw public key (RFC 7250) to clients that ask; undefined: never. */
  rawPublicKey?: Uint8Array;
  psk?: (identity: Uint8Array) => Uint8Array | undefined;
  pskIdentityHint?: Uint8Array;
  tickets: number;
  ticketKeys: TicketKeySet;
  /** Seconds a ticket we issue stays valid. */
  ticketLifetime: number;
  helloRetry: 'when-needed' | 'always';
  retryForGroups: GroupName[];
  maxSkippedEarlyData: number;
  /** Bytes of 0-RTT data accepted from a resuming client (0: none). */
  maxEarlyData: number;
  /** Tickets already used for 0-RTT data, against replay (shared by the listener's connections). */
  earlyDataReplay: EarlyDataReplayGuard;
  /** Set when the server asks clients for certificates (`requestCert`). */
  clientAuth?: ClientAuthPolicy;
}

/**
 * Configs that went through resolve*Config. Resolving parses certificates and
 * keys, so a server resolves once and shares the result across connections
 * (like node's tls.createSecureContext); resolved configs are never mutated.
 */
const resolvedConfigs = new WeakSet<object>();

export function isResolvedConfig(o: object): boolean {
  return resolvedConfigs.has(o);
}

function markResolved<T extends object>(config: T): T {
  resolvedConfigs.add(config);
  return config;
}

/**
 * ECDSA and EdDSA first, then RSA-PSS, then PKCS#1 v1.5 (TLS 1.2 servers
 * and certificates); never SHA-1. OpenSSL 3's order; GnuTLS's too within
 * each family (Ed25519 before Ed448). Each ECDSA or EdDSA key fits one scheme,
 * so their order among themselves never changes which one signs. rsa_pkcs1_* in a TLS 1.3 ClientHello speaks
 * for certificates only (RFC 8446 §4.2.3): no 1.3 handshake signs with it.
 */
const DEFAULT_SCHEMES: SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ecdsa_secp521r1_sha512',
  'ed25519',
  'ed448',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256',
  'rsa_pss_pss_sha384',
  'rsa_pss_pss_sha512',
  'rsa_pkcs1_sha256',
  'rsa_pkcs1_sha384',
  'rsa_pkcs1_sha512',
];

/** A limit option: a whole number of at least 0, or the default. */
function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number of at least 0, not ${value}`);
  return value;
}

function checkAlpn(protocols: string[]): string[] {
  for (const p of protocols) {
    const n = new TextEncoder().encode(p).length;
    if (n < 1 || n > 255) throw new Error(`ALPN protocol names are 1 to 255 bytes: ${JSON.stringify(p)}`);
  }
  return protocols;
}

/** Known profile names, each once. */
function checkSrtpProfiles(profiles: SrtpProfileName[]): SrtpProfileName[] {
  for (const p of profiles) if (!Object.hasOwn(SrtpProfileCode, p)) throw new Error(`unknown SRTP protection profile ${JSON.stringify(p)}`);
  if (new Set(profiles).size !== profiles.length) throw new Error('srtpProfiles names a profile twice');
  return profiles;
}

/** RFC 8449 §4: at least 64, at most the TLS 1.3 maximum (2^14 content and the type byte). */
function checkRecordSizeLimit(value: number | false | undefined): number | undefined {
  if (value === undefined) return MAX_RECORD_SIZE_LIMIT_TLS13;
  if (value === false) return undefined;
  if (!Number.isInteger(value) || value < MIN_RECORD_SIZE_LIMIT || value > MAX_RECORD_SIZE_LIMIT_TLS13) {
    throw new Error(`recordSizeLimit must be a whole number from ${MIN_RECORD_SIZE_LIMIT} to ${MAX_RECORD_SIZE_LIMIT_TLS13}, not ${value}`);
  }
  return value;
}

const VERSION_ORDER: readonly TlsVersionName[] = ['TLSv1.2', 'TLSv1.3'];

function checkVersion(name: string, value: string | undefined, fallback: TlsVersionName): TlsVersionName {
  if (value === undefined) return fallback;
  if (!VERSION_ORDER.includes(value as TlsVersionName)) throw new Error(`${name} must be 'TLSv1.2' or 'TLSv1.3', not ${JSON.stringify(value)}`);
  return value as TlsVersionName;
}

/** True when `version` lies within the configured range. */
export function versionEnabled(config: { minVersion: TlsVersionName; maxVersion: TlsVersionName }, version: TlsVersionName): boolean {
  const i = VERSION_ORDER.indexOf(version);
  return i >= VERSION_ORDER.indexOf(config.minVersion) && i <= VERSION_ORDER.indexOf(config.maxVersion);
}

function resolveCommon(o: CommonOptions, auth: Authenticators, role: 'client' | 'server'): CommonConfig {
  const crypto = o.crypto ?? defaultCryptoProvider();
  const minVersion = checkVersion('minVersion', o.minVersion, 'TLSv1.2');
  const maxVersion = checkVersion('maxVersion', o.maxVersion, 'TLSv1.3');
  if (VERSION_ORDER.indexOf(minVersion) > VERSION_ORDER.indexOf(maxVersion)) throw new Error(`minVersion ${minVersion} is above maxVersion ${maxVersion}`);
  const named = o.suites ? namedSuites(o.suites) : undefined;
  if (named) checkNamedSuites(named, auth, role);
  const range = { minVersion, maxVersion };
  // A PSK-only client runs the TLS 1.3 suites of its PSK's hash; a PSK-only server any of them (the binder's size tells the hash).
  const tls13 = versionEnabled(range, 'TLSv1.3') && (auth.certificate || auth.psk) ? (named?.tls13 ?? defaultSuites(crypto, SUITES)) : [];
  const suites = auth.certificate || !auth.pskHash ? tls13 : tls13.filter((s) => s.hash === auth.pskHash);
  const tls12Suites = versionEnabled(range, 'TLSv1.2') ? (named?.tls12 ?? defaultTls12Suites(crypto, auth)) : [];
  if (suites.length + tls12Suites.length === 0) {
    const among = o.suites ? ` among ${o.suites.join(', ')}` : '';
    throw new Error(`no cipher suite for ${minVersion === maxVersion ? minVersion : `${minVersion} to ${maxVersion}`}${among}`);
  }
  return {
    minVersion,
    maxVersion,
    tls12Suites,
    allowLegacyNoExtendedMasterSecret: o.allowLegacyNoExtendedMasterSecret ?? false,
    crypto,
    random: o.random ?? crypto.random,
    clock: o.clock ?? (() => performance.now()),
    date: o.date ?? (() => new Date()),
    suites,
    groups: o.groups ?? [...DEFAULT_GROUPS],
    signatureSchemes: o.signatureSchemes ?? DEFAULT_SCHEMES,
    pskModes: checkPskModes(o.pskModes),
    alpn: checkAlpn(o.alpn ?? []),
    keylog: o.keylog,
    srtpProfiles: checkSrtpProfiles(o.srtpProfiles ?? []),
    keyUpdateAfterRecords: o.keyUpdateAfterRecords,
    maxEmptyRecords: limit('maxEmptyRecords', o.maxEmptyRecords, 32),
    maxWarningAlerts: limit('maxWarningAlerts', o.maxWarningAlerts, 4),
    recordSizeLimit: checkRecordSizeLimit(o.recordSizeLimit),
  };
}

/** Certificates from PEM text (all CERTIFICATE blocks) or DER. */
export function loadCertificates(input: PemOrDer | PemOrDer[]): Uint8Array[] {
  const list = Array.isArray(input) ? input : [input];
  return list.flatMap((item) => (isPem(item) ? decodePemLabel(pemText(item), 'CERTIFICATE') : [item as Uint8Array]));
}

/** The client's PSK with its identity as bytes (RFC 4279 §5.1: UTF-8). */
function clientPsk(psk: ClientOptions['psk']): ClientConfig['psk'] {
  if (!psk) return undefined;
  const identity = typeof psk.identity === 'string' ? new TextEncoder().encode(psk.identity) : psk.identity;
  if (identity.length === 0 || identity.length > 0xffff) throw new Error(`a PSK identity is 1 to 65535 bytes, not ${identity.length}`);
  checkPsk(psk.key);
  const hash = psk.hash ?? 'sha256';
  if (hash !== 'sha256' && hash !== 'sha384') throw new Error(`a TLS 1.3 PSK hash is 'sha256' or 'sha384', not ${JSON.stringify(hash)}`);
  return { identity: identity.slice(), key: psk.key.slice(), hash };
}

/** What authenticates the server besides (or instead of) a CA: pins and fingerprints, parsed and checked for contradictions. */
function serverIdentityChecks(o: ClientOptions, verify: boolean): Pick<ClientConfig, 'pins' | 'fingerprints'> {
  const pins = o.pins?.map(parsePin);
  const fingerprints = o.fingerprint === undefined ? undefined : (Array.isArray(o.fingerprint) ? o.fingerprint : [o.fingerprint]).map(parseFingerprint);
  if (pins?.length === 0) throw new Error('`pins` is empty: every server would be refused');
  if (fingerprints?.length === 0) throw new Error('`fingerprint` is empty: every server would be refused');
  if ((pins || fingerprints) && !verify) throw new Error('`pins` and `fingerprint` need certificate verification (drop dangerouslySkipCertificateVerification)');
  if (fingerprints && o.ca !== undefined) throw new Error('`fingerprint` replaces `ca`: give one or the other');
  if (fingerprints && pins) throw new Error('`pins` check a verified chain, and with `fingerprint` there is none: give one or the other');
  return { pins, fingerprints };
}

/** The `ca` option as a TrustStore (empty without one). parseCertificates caches by PEM text / DER bytes: a client resolving this per connection parses its CA once. */
function trustStore(ca: ClientOptions['ca']): TrustStore {
  if (ca instanceof TrustStore) return ca;
  return TrustStore.ofCertificates(ca ? (Array.isArray(ca) ? ca : [ca]).flatMap((item) => parseCertificates(item)) : []);
}

export function resolveClientConfig(o: ClientOptions): ClientConfig {
  const psk = clientPsk(o.psk);
  const verify = !o.dangerouslySkipCertificateVerification;
  const { pins, fingerprints } = serverIdentityChecks(o, verify);
  const raw = resolveServerRawPublicKeys(o, verify);
  // A PSK client without roots runs the PSK suites alone; any other client verifies certificates (or said it would not).
  const certificate = !verify || o.ca !== undefined || fingerprints !== undefined || raw.rawPublicKeys !== undefined || !psk;
  const common = resolveCommon(o, { certificate, psk: psk !== undefined, pskHash: psk?.hash }, 'client');
  const roots = trustStore(o.ca);
  // Raw public keys alone need no roots and no name: the configured key is the identity.
  const chainCheck = certificate && verify && !fingerprints && (!raw.rawPublicKeys || o.ca !== undefined);
  if (chainCheck && roots.size === 0) throw new Error('certificate verification needs `ca` (or `fingerprint`, or dangerouslySkipCertificateVerification)');
  // Without a name a valid certificate for any host would pass: never verify "something".
  if (chainCheck && !o.serverName) throw new Error('certificate verification needs `serverName` (a host name or IP address)');
  return markResolved({
    ...common,
    serverName: o.serverName,
    roots,
    verify,
    pins,
    fingerprints,
    ...raw,
    keyShareGroups: o.keyShareGroups ?? defaultKeyShareGroups(common.groups),
    middleboxCompat: o.middleboxCompat ?? true,
    maxTickets: limit('maxTickets', o.maxTickets, 8),
    session: o.session,
    psk,
    pskOnly: !certificate,
    earlyData: o.earlyData ?? false,
    clientCertificate: resolveClientCertificate(o, common.crypto),
  });
}

/** The server's certificate chain, its leaf and the leaf's private key, checked to belong together. */
function serverCertificate(o: ServerOptions, crypto: CryptoProvider): { chain: Uint8Array[]; leaf?: Certificate; key?: PrivateKey } {
  // A PSK-only server has none; any other server must have one.
  if (o.psk && o.cert === undefined && o.key === undefined) return { chain: [] };
  const chain = o.cert === undefined ? [] : loadCertificates(o.cert);
  if (chain.length === 0) throw new Error('server needs a certificate (or a `psk` callback for the PSK suites alone)');
  if (o.key === undefined) throw new Error('server needs the `key` of its certificate');
  const leaf = parseCertificate(chain[0]!);
  const key = parsePrivateKey(o.key);
  if (!leaf.publicKey) throw new Error(`server certificate key is ${leaf.publicKeyAlgorithm}, which is not supported (ECDSA P-256/P-384/P-521, Ed25519, Ed448, RSA or RSASSA-PSS of 2048 to 8192 bits)`);
  if (!samePublicKey(crypto.publicKeyOf(key), leaf.publicKey)) throw new Error('private key does not match the certificate');
  return { chain, leaf, key };
}

/** `rawPublicKey: true`: the SPKI of the certificate's key, which needs a certificate. */
function serverRawPublicKey(o: ServerOptions, chain: readonly Uint8Array[]): Uint8Array | undefined {
  if (!o.rawPublicKey) return undefined;
  if (chain.length === 0) throw new Error('`rawPublicKey` serves the key of the certificate: give `cert` and `key`');
  return spkiOfCertificate(chain[0]!);
}

/** RFC 4279 §5.2: the hint is UTF-8 too, `<0..2^16-1>`. */
function identityHint(hint: string | Uint8Array | undefined): Uint8Array | undefined {
  if (hint === undefined) return undefined;
  const bytes = typeof hint === 'string' ? new TextEncoder().encode(hint) : hint.slice();
  if (bytes.length > 0xffff) throw new Error(`a PSK identity hint is at most 65535 bytes, not ${bytes.length}`);
  return bytes;
}

/** max_early_data_size is a uint32 (RFC 8446 §4.2.10). */
function maxEarlyDataSize(value: number | undefined): number {
  const n = limit('maxEarlyData', value, 0);
  if (n > 0xffffffff) throw new Error(`maxEarlyData is at most 4294967295 bytes, not ${n}`);
  return n;
}

export function resolveServerConfig(o: ServerOptions): ServerConfig {
  if (o.psk !== undefined && typeof o.psk !== 'function') throw new Error('`psk` on a server is a function from the client identity to its key');
  if (o.pskIdentityHint !== undefined && !o.psk) throw new Error('`pskIdentityHint` needs the `psk` option');
  const crypto = o.crypto ?? defaultCryptoProvider();
  const certificate = serverCertificate(o, crypto);
  const common = resolveCommon(o, { certificate: certificate.leaf !== undefined, psk: o.psk !== undefined }, 'server');
  return markResolved({
    ...common,
    ...certificate,
    rawPublicKey: serverRawPublicKey(o, certificate.chain),
    psk: o.psk,
    pskIdentityHint: identityHint(o.pskIdentityHint),
    tickets: o.tickets ?? 2,
    // One key set per resolved config: every connection of a listener seals and opens with it.
    ticketKeys: new TicketKeySet(o.ticketKeys, common.random),
    ticketLifetime: limit('ticketLifetime', o.ticketLifetime, 7200),
    helloRetry: o.helloRetry ?? 'when-needed',
    retryForGroups: o.retryForGroups ?? [],
    maxSkippedEarlyData: limit('maxSkippedEarlyData', o.maxSkippedEarlyData, 16384),
    maxEarlyData: maxEarlyDataSize(o.maxEarlyData),
    earlyDataReplay: new EarlyDataReplayGuard(limit('earlyDataReplayCache', o.earlyDataReplayCache, 100_000)),
    clientAuth: resolveClientAuth(o),
  });
}
