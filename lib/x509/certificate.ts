/**
 * X.509 certificate parsing into the small, flat shape the TLS core needs.
 * ASN.1 decoding is done by @peculiar/asn1-x509; here we only pick fields,
 * keep the original bytes that signatures and chaining depend on, and turn
 * every failure into TlsError('bad_certificate').
 */
import {
  BasicConstraints,
  ExtendedKeyUsage,
  KeyUsage,
  Name,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  type Extension,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import { ECParameters } from '@peculiar/asn1-ecc';
import { TlsError } from '../errors.js';
import { equalBytes, toHex } from '../wire/codec.js';
import type { CurveName, PublicKey } from '../crypto/provider.js';
import { bytesKey, LruCache } from './cache.js';
import { decodePemLabel, isPem, pemText } from './pem.js';
import { parseAsn, RawCertificate, RawGeneralNames } from './schema.js';
import { OID_NAME_CONSTRAINTS, readNameConstraints, type NameConstraints } from './name-constraints.js';
import { OID_EC_PUBLIC_KEY, OID_ED25519, OID_ED448, OID_RSA_ENCRYPTION, OID_RSASSA_PSS, curveName, keyAlgorithmName, signatureAlgorithmName } from './algorithm-names.js';
import { readPssParams, readRsaPublicKey, type Usable } from './rsa-key.js';

/**
 * The certificate signature algorithms we verify; any other is named in words
 * (algorithm-names.ts: "sha1WithRSAEncryption", "RSASSA-PSS with a 20-byte
 * salt (...)") for the error that refuses it.
 */
export type SignatureAlgorithm =
  | 'ecdsa-with-SHA256'
  | 'ecdsa-with-SHA384'
  | 'ecdsa-with-SHA512'
  | 'ed25519'
  | 'ed448'
  | 'sha256WithRSAEncryption'
  | 'sha384WithRSAEncryption'
  | 'sha512WithRSAEncryption'
  | 'RSASSA-PSS-SHA256'
  | 'RSASSA-PSS-SHA384'
  | 'RSASSA-PSS-SHA512'
  | (string & {});

/** KeyUsage bits (RFC 5280 §4.2.1.3), bit 0 = digitalSignature. */
export const KeyUsageBit = {
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

export const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface Certificate {
  /** The whole certificate as received. */
  readonly der: Uint8Array;
  /** The exact TBSCertificate bytes the issuer signed. */
  readonly tbsDer: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Serial number as lowercase hex of its DER INTEGER content. */
  readonly serial: string;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** ECDSA: the DER Ecdsa-Sig-Value; Ed25519: the 64-byte signature (Ed448: 114); RSA: the modulus-sized integer. */
  readonly signature: Uint8Array;
  /** Raw Name encodings, compared byte-wise to link issuer and subject. */
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  /** Human-readable names, e.g. "CN=localhost" (for messages only). */
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /**
   * The SubjectPublicKeyInfo algorithm in words ("EC P-256", "RSA",
   * "RSASSA-PSS", "Ed25519"); for a key we cannot use, also why ("RSA
   * (1024-bit modulus is too small: ...)", "EC secp256k1", "DSA").
   */
  readonly publicKeyAlgorithm: string;
  /** Undefined for keys we cannot use (see publicKeyAlgorithm). */
  readonly publicKey: PublicKey | undefined;
  /** Undefined when the extension is absent. */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLen?: number } | undefined;
  /** Bit set of KeyUsageBit; undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  /** Key purpose OIDs; undefined when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: { readonly dns: readonly string[]; readonly ip: readonly Uint8Array[] };
  /** Undefined when the extension is absent (see name-constraints.ts). */
  readonly nameConstraints: NameConstraints | undefined;
  /** Critical extensions we do not implement; a verifier must reject such a certificate. */
  readonly unhandledCriticalExtensions: readonly string[];
}

/** Generous, but bounds the work spent on one hostile blob. */
const MAX_CERTIFICATE_LENGTH = 1024 * 1024;

/** Algorithms defined with absent parameters (RFC 5758, RFC 8410). */
const NO_PARAMETERS = new Set<SignatureAlgorithm>(['ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512', 'ed25519', 'ed448']);
/** RFC 4055 §5: NULL parameters; absent ones are accepted as OpenSSL does. */
const NULL_PARAMETERS = new Set<SignatureAlgorithm>(['sha256WithRSAEncryption', 'sha384WithRSAEncryption', 'sha512WithRSAEncryption']);
const DER_NULL = Uint8Array.of(0x05, 0x00);

const NAMED_CURVES: Record<string, { curve: CurveName; pointLength: number }> = {
  '1.2.840.10045.3.1.7': { curve: 'P-256', pointLength: 65 },
  '1.3.132.0.34': { curve: 'P-384', pointLength: 97 },
  '1.3.132.0.35': { curve: 'P-521', pointLength: 133 },
};

const NAME_ATTRIBUTES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

const bad = (msg: string) => new TlsError('bad_certificate', msg);

/**
 * Parsed certificates are shared: the same DER (byte for byte) gives the same
 * frozen Certificate object, so a client that meets the same server again
 * skips the ASN.1 decoding, and a provider may cache per-key state (an
 * imported KeyObject) on `publicKey`. Nothing about a connection is cached:
 * validity, hostname and signatures are checked on every handshake.
 */
export const CERTIFICATE_CACHE_SIZE = 256;
/** Larger certificates are parsed but not cached, bounding the cache's memory (typical ones are 0.5-2 KiB). */
const MAX_CACHED_LENGTH = 16 * 1024;
export const certificateCache = new LruCache<Certificate>(CERTIFICATE_CACHE_SIZE);

/**
 * Parses one DER certificate. Throws only TlsError('bad_certificate').
 * The result is shared (see certificateCache) and frozen; its byte arrays and
 * dates cannot be frozen, so callers must treat them as read-only too.
 */
export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw bad('certificate is not a byte array');
  if (der.length > MAX_CERTIFICATE_LENGTH) throw bad('certificate too large');
  const key = der.length <= MAX_CACHED_LENGTH ? bytesKey(der) : undefined;
  const cached = key === undefined ? undefined : certificateCache.get(key);
  // Typed arrays cannot be frozen: should someone have written into a shared
  // certificate's bytes, hand out a fresh parse instead (and replace the entry).
  if (cached && equalBytes(cached.der, der)) return cached;
  let cert: Certificate;
  try {
    // Copy: callers may reuse their buffer (and Buffer#slice would not copy).
    cert = freezeCertificate(parse(new Uint8Array(der)));
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw bad(`cannot parse certificate: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Only successes are cached: a failure costs the sender as much as it costs us.
  if (key !== undefined) certificateCache.set(key, cert);
  return cert;
}

/** Freezes the object graph a shared Certificate exposes (typed arrays and Dates cannot be frozen). */
function freezeCertificate(cert: Certificate): Certificate {
  const { basicConstraints, extKeyUsage, subjectAltNames, publicKey, nameConstraints: nc } = cert;
  const subtrees = [nc?.permitted, nc?.excluded].flatMap((t) => (t ? [t.dns, t.ip, t.other, t] : []));
  for (const part of [basicConstraints, extKeyUsage, subjectAltNames.dns, subjectAltNames.ip, subjectAltNames, publicKey, ...subtrees, nc]) {
    if (part) Object.freeze(part);
  }
  Object.freeze(cert.unhandledCriticalExtensions);
  return Object.freeze(cert);
}

function parse(der: Uint8Array): Certificate {
  // BER parsers stop at the end of the first element; trailing bytes would be
  // unsigned data riding along, so insist the outer SEQUENCE spans the input.
  if (outerLength(der) !== der.length) throw bad('trailing data after certificate');
  const cert = parseAsn(der, RawCertificate);
  const tbs = cert.tbsCertificate;
  if (!cert.tbsCertificateRaw || !tbs.issuerRaw || !tbs.subjectRaw) throw bad('missing TBSCertificate');

  const outerAlg = cert.signatureAlgorithm;
  // RFC 5280 §4.1.1.2: the signed copy of the algorithm must match the outer one.
  if (outerAlg.algorithm !== tbs.signature.algorithm || !sameParams(outerAlg.parameters, tbs.signature.parameters)) {
    throw bad('signatureAlgorithm differs from TBSCertificate.signature');
  }
  const signatureAlgorithm = readSignatureAlgorithm(outerAlg.algorithm, outerAlg.parameters);

  const version = Number(tbs.version) + 1;
  if (version < 1 || version > 3) throw bad(`unknown certificate version ${version}`);

  const ext = readExtensions(tbs.extensions ?? []);
  return {
    der,
    tbsDer: new Uint8Array(cert.tbsCertificateRaw),
    version,
    serial: toHex(new Uint8Array(tbs.serialNumber)),
    signatureAlgorithm,
    signature: new Uint8Array(cert.signatureValue),
    issuerDer: new Uint8Array(tbs.issuerRaw),
    subjectDer: new Uint8Array(tbs.subjectRaw),
    issuer: nameToString(tbs.issuer),
    subject: nameToString(tbs.subject),
    notBefore: validDate(tbs.validity.notBefore.getTime(), 'notBefore'),
    notAfter: validDate(tbs.validity.notAfter.getTime(), 'notAfter'),
    ...readPublicKey(tbs.subjectPublicKeyInfo),
    ...ext,
  };
}

type ExtensionFields = Pick<
  Certificate,
  'basicConstraints' | 'keyUsage' | 'extKeyUsage' | 'subjectAltNames' | 'nameConstraints' | 'unhandledCriticalExtensions'
>;

function readExtensions(extensions: readonly Extension[]): ExtensionFields {
  const out: {
    -readonly [K in keyof ExtensionFields]: ExtensionFields[K];
  } = {
    basicConstraints: undefined,
    keyUsage: undefined,
    extKeyUsage: undefined,
    subjectAltNames: { dns: [], ip: [] },
    nameConstraints: undefined,
    unhandledCriticalExtensions: [],
  };
  const seen = new Set<string>();
  const unhandled: string[] = [];
  for (const e of extensions) {
    // RFC 5280 §4.2: at most one instance of a given extension.
    if (seen.has(e.extnID)) throw bad(`duplicate extension ${e.extnID}`);
    seen.add(e.extnID);
    const value = new Uint8Array(e.extnValue.buffer);
    switch (e.extnID) {
      case id_ce_basicConstraints: {
        const bc = parseAsn(value, BasicConstraints);
        const pathLen = bc.pathLenConstraint;
        if (pathLen !== undefined && (!Number.isSafeInteger(pathLen) || pathLen < 0)) throw bad('invalid pathLen');
        out.basicConstraints = pathLen === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLen };
        break;
      }
      case id_ce_keyUsage:
        out.keyUsage = bitsToNumber(new Uint8Array(parseAsn(value, KeyUsage).value));
        break;
      case id_ce_extKeyUsage:
        out.extKeyUsage = Array.from(parseAsn(value, ExtendedKeyUsage), String);
        break;
      case id_ce_subjectAltName:
        out.subjectAltNames = readSan(value);
        break;
      case OID_NAME_CONSTRAINTS:
        out.nameConstraints = readNameConstraints(value);
        break;
      default:
        if (e.critical) unhandled.push(e.extnID);
    }
  }
  out.unhandledCriticalExtensions = unhandled;
  return out;
}

function readSan(value: Uint8Array): Certificate['subjectAltNames'] {
  const dns: string[] = [];
  const ip: Uint8Array[] = [];
  for (const name of parseAsn(value, RawGeneralNames)) {
    if (name.dNSName !== undefined) dns.push(name.dNSName);
    // RawGeneralName decodes iPAddress to raw octets rather than text.
    const rawIp = (name as { iPAddress?: unknown }).iPAddress;
    if (rawIp instanceof ArrayBuffer) ip.push(new Uint8Array(rawIp));
  }
  return { dns, ip };
}

/** The signature algorithm's name; RSASSA-PSS is named with its hash, or with why its parameters are unusable. */
function readSignatureAlgorithm(oid: string, parameters: ArrayBuffer | null | undefined): SignatureAlgorithm {
  const name = signatureAlgorithmName(oid);
  if (NO_PARAMETERS.has(name) && parameters != null) throw bad(`${name} must not have parameters`);
  if (NULL_PARAMETERS.has(name) && parameters != null && !equalBytes(new Uint8Array(parameters), DER_NULL)) {
    throw bad(`${name} parameters must be NULL`);
  }
  if (oid !== OID_RSASSA_PSS) return name;
  let pss: Usable<string | undefined>;
  try {
    pss = readPssParams(parameters);
  } catch (e) {
    throw bad(`malformed RSASSA-PSS parameters: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (pss.problem !== undefined) return pss.problem;
  // RFC 4055 §3.1: a signature must state its parameters; absent ones mean no hash at all.
  return pss.value === undefined ? 'RSASSA-PSS without parameters' : `RSASSA-PSS-${pss.value.toUpperCase()}`;
}

type KeyFields = Pick<Certificate, 'publicKey' | 'publicKeyAlgorithm'>;

/**
 * The key of a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), read as a
 * certificate's: a raw public key (RFC 7250) is exactly this structure.
 * publicKey is undefined for keys we cannot use; malformed DER is bad_certificate.
 */
export function parseSubjectPublicKeyInfo(der: Uint8Array): KeyFields {
  try {
    if (outerLength(der) !== der.length) throw bad('trailing data after SubjectPublicKeyInfo');
    return readPublicKey(parseAsn(new Uint8Array(der), SubjectPublicKeyInfo));
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw bad(`cannot parse SubjectPublicKeyInfo: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const unusable = (publicKeyAlgorithm: string): KeyFields => ({ publicKey: undefined, publicKeyAlgorithm });

function readPublicKey(spki: SubjectPublicKeyInfo): KeyFields {
  const key = new Uint8Array(spki.subjectPublicKey);
  const { algorithm, parameters } = spki.algorithm;
  switch (algorithm) {
    case OID_ED25519:
      return key.length === 32 && parameters == null ? { publicKey: { kind: 'ed25519', key }, publicKeyAlgorithm: 'Ed25519' } : unusable('Ed25519 (malformed)');
    case OID_ED448:
      // RFC 8410 §3: no parameters; RFC 8032 §5.2.5: a 57-byte key.
      return key.length === 57 && parameters == null ? { publicKey: { kind: 'ed448', key }, publicKeyAlgorithm: 'Ed448' } : unusable('Ed448 (malformed)');
    case OID_EC_PUBLIC_KEY:
      return readEcKey(key, parameters);
    case OID_RSA_ENCRYPTION:
    case OID_RSASSA_PSS:
      return readRsaKey(key, algorithm === OID_RSASSA_PSS, parameters);
    default:
      return unusable(keyAlgorithmName(algorithm));
  }
}

function readEcKey(key: Uint8Array, parameters: ArrayBuffer | null | undefined): KeyFields {
  if (!(parameters instanceof ArrayBuffer)) return unusable('EC without curve parameters');
  let namedCurve: string | undefined;
  try {
    namedCurve = parseAsn(new Uint8Array(parameters), ECParameters).namedCurve;
  } catch {
    namedCurve = undefined;
  }
  if (namedCurve === undefined) return unusable('EC with explicit curve parameters'); // not something we support
  const curve = NAMED_CURVES[namedCurve];
  if (!curve) return unusable(`EC ${curveName(namedCurve)}`);
  // Only uncompressed points (0x04 || X || Y), which is all TLS 1.3 allows.
  if (key.length !== curve.pointLength || key[0] !== 0x04) return unusable(`EC ${curve.curve} (not an uncompressed point)`);
  return { publicKey: { kind: 'ec', curve: curve.curve, point: key }, publicKeyAlgorithm: `EC ${curve.curve}` };
}

/** rsaEncryption, or RSASSA-PSS (RFC 4055 §1.2) whose parameters, if any, must be ones TLS can use. */
function readRsaKey(der: Uint8Array, pss: boolean, parameters: ArrayBuffer | null | undefined): KeyFields {
  const name = pss ? 'RSASSA-PSS' : 'RSA';
  try {
    if (pss) {
      const params = readPssParams(parameters);
      if (params.problem !== undefined) return unusable(`${name} (${params.problem})`);
    } else if (parameters != null && !equalBytes(new Uint8Array(parameters), DER_NULL)) {
      return unusable('RSA with parameters other than NULL');
    }
    const key = readRsaPublicKey(der, pss);
    return key.problem !== undefined ? unusable(`${name} (${key.problem})`) : { publicKey: key.value, publicKeyAlgorithm: name };
  } catch (e) {
    throw bad(`malformed ${name} public key: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** RFC 4514-like rendering, in encoded order ("CN=x, O=y"); display only. */
function nameToString(name: Name): string {
  return Array.from(name, (rdn) =>
    Array.from(rdn, (atv) => `${NAME_ATTRIBUTES[atv.type] ?? atv.type}=${escapeValue(atv.value.toString())}`).join('+'),
  ).join(', ');
}

function escapeValue(v: string): string {
  return v.replace(/[\\,+=";<>]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, '?');
}

/** Named bit list to a number: BIT STRING bit 0 is the MSB of the first octet. */
function bitsToNumber(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < Math.min(bytes.length * 8, 16); i++) {
    if ((bytes[i >> 3]! >> (7 - (i & 7))) & 1) n |= 1 << i;
  }
  return n;
}

function sameParams(a: ArrayBuffer | null | undefined, b: ArrayBuffer | null | undefined): boolean {
  if (a == null || b == null) return (a == null) === (b == null);
  return equalBytes(new Uint8Array(a), new Uint8Array(b));
}

function validDate(d: Date, what: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw bad(`invalid ${what}`);
  return d;
}

/** Total length (header + content) of the DER element starting at 0, or -1. */
function outerLength(der: Uint8Array): number {
  if (der.length < 2 || der[0] !== 0x30) return -1;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return -1; // indefinite or absurd lengths
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i]!;
  return 2 + n + len;
}

/** PEM texts already parsed, by their exact text: a client resolving its config per connection decodes its `ca` once. */
export const PEM_BUNDLE_CACHE_SIZE = 16;
/** Far above one CA file; a whole system bundle (~200 KiB) still fits. */
const MAX_CACHED_PEM_LENGTH = 1024 * 1024;
export const pemBundleCache = new LruCache<readonly Certificate[]>(PEM_BUNDLE_CACHE_SIZE);

/**
 * All certificates in PEM text (e.g. a CA bundle; non-certificate blocks are
 * skipped) or one DER certificate. The array is the caller's; the
 * certificates in it are shared (see parseCertificate).
 */
export function parseCertificates(pemOrDer: string | Uint8Array): Certificate[] {
  if (!isPem(pemOrDer)) return [parseCertificate(pemOrDer as Uint8Array)];
  const text = pemText(pemOrDer);
  const cacheable = text.length <= MAX_CACHED_PEM_LENGTH;
  let certs = cacheable ? pemBundleCache.get(text) : undefined;
  if (!certs) {
    certs = Object.freeze(decodePemLabel(text, 'CERTIFICATE').map(parseCertificate));
    if (cacheable) pemBundleCache.set(text, certs);
  }
  return certs.slice();
}
