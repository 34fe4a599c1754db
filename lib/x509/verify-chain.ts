/**
 * Server certificate chain validation (the client side of RFC 8446 §4.4.2.4).
 *
 * Path building: the leaf must come first; the remaining certificates are an
 * unordered pool of candidate intermediates (RFC 8446 §4.4.2 only says
 * "SHOULD" be ordered, and OpenSSL, browsers and rustls all accept any order
 * and ignore extras). We search depth-first from the leaf towards any trust
 * anchor whose subject matches, trying every candidate issuer in turn: a
 * cross-signed intermediate comes in several certificates with one subject and
 * key, and when the path through one fails (expired, unknown root, name
 * constraints, pins) another may succeed (RFC 4158). The search is bounded by
 * a depth limit, a signature budget so a hostile pool cannot make us explode,
 * and loop detection (a subject and key already on the path end it).
 *
 * Along a path: validity at the injected date, basicConstraints cA,
 * pathLenConstraint, keyCertSign, name constraints (name-constraints.ts),
 * critical extensions we do not know (rejected), then the optional SPKI pins
 * (pins.ts). Revocation is not checked.
 */
import { TlsError, type VerifyErrorCode } from '../errors.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { equalBytes } from '../wire/codec.js';
import { KeyUsageBit, OID_CLIENT_AUTH, OID_SERVER_AUTH, parseCertificate, type Certificate } from './certificate.js';
import { certificateFields } from './der-fields.js';
import { matchesServerName } from './hostname.js';
import { checkNameConstraints } from './name-constraints.js';
import { pathMatchesPins, pinMismatch } from './pins.js';
import { TrustStore } from './trust-store.js';
import { checkSignature } from './certificate-signature.js';

export interface VerifyServerChainOptions {
  /** Trust anchors: a TrustStore (shared, parsed lazily) or parsed certificates. */
  readonly roots: TrustStore | readonly Certificate[];
  /** The time to validate at (injected so tests and replays are deterministic). */
  readonly date: Date;
  /** Expected server identity (DNS name or IP literal); omitted = identity not checked. */
  readonly serverName?: string;
  readonly crypto: CryptoProvider;
  /** SHA-256 digests of SubjectPublicKeyInfos (pins.ts): a path is accepted only when one of its certificates has one. */
  readonly pins?: readonly Uint8Array[];
  /**
   * Whose certificate this is: 'server' (default) needs serverAuth in an
   * extendedKeyUsage, 'client' (a server checking mutual TLS) clientAuth.
   */
  readonly purpose?: 'server' | 'client';
}

/** Certificates in one path, leaf and trust anchor included. */
export const MAX_PATH_LENGTH = 10;
/** More certificates than any sane server sends; bounds parsing work. */
const MAX_CHAIN_CERTIFICATES = 32;
/** Signature checks allowed while building one path (webpki uses a similar budget). */
const SIGNATURE_BUDGET = 100;

/** Validates `chainDer` (leaf first) and returns the parsed leaf. Throws TlsError. */
export function verifyServerChain(chainDer: readonly Uint8Array[], opts: VerifyServerChainOptions): Certificate {
  const { date } = opts;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TlsError('internal_error', 'verifyServerChain: invalid validation date');
  }
  const who = opts.purpose ?? 'server';
  // RFC 8446 §4.4.2.4: an empty server Certificate message is a decode_error.
  if (chainDer.length === 0) throw new TlsError('decode_error', `${who} sent no certificate`);
  if (chainDer.length > MAX_CHAIN_CERTIFICATES) {
    throw new TlsError('bad_certificate', `${who} sent ${chainDer.length} certificates (max ${MAX_CHAIN_CERTIFICATES})`, false, 'CERT_CHAIN_TOO_LONG');
  }
  const chain = chainDer.map((der) => parseCertificate(der));
  const leaf = chain[0]!;

  checkCommon(leaf, date, `${who} certificate`);
  checkLeafUsage(leaf, who);
  if (!leaf.publicKey) {
    // A key of a kind we use but too short (1024-bit RSA) gets OpenSSL's verify code, as node reports it.
    const small = /too small/.test(leaf.publicKeyAlgorithm);
    throw new TlsError('unsupported_certificate', `${who} certificate key type ${leaf.publicKeyAlgorithm} is not supported`, false, small ? 'EE_KEY_TOO_SMALL' : undefined);
  }

  const store = opts.roots instanceof TrustStore ? opts.roots : TrustStore.ofCertificates(opts.roots);
  // A trust anchor may be used directly as the server certificate (pinned self-signed).
  if (store.has(leaf.der)) {
    if (opts.pins && !pathMatchesPins([leaf], opts.pins, opts.crypto)) throw pinMismatch([leaf], opts.crypto);
  } else {
    new PathBuilder(chain.slice(1), store, opts).build(leaf);
  }

  if (opts.serverName !== undefined && !matchesServerName(leaf, opts.serverName)) {
    const names = [...leaf.subjectAltNames.dns, ...leaf.subjectAltNames.ip.map(formatIp)];
    throw new TlsError(
      'certificate_unknown',
      `certificate is not valid for "${opts.serverName}"; it is for: ${names.length ? names.join(', ') : '(no subjectAltName)'}`,
      false,
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
  }
  return leaf;
}

class PathBuilder {
  private budget = SIGNATURE_BUDGET;
  /** The most informative failure seen so far; unknown_ca only if nothing better. */
  private failure: TlsError | undefined;

  constructor(
    private readonly pool: readonly Certificate[],
    private readonly store: TrustStore,
    private readonly opts: VerifyServerChainOptions,
  ) {}

  build(leaf: Certificate): void {
    if (this.extend(leaf, [leaf])) return;
    throw this.failure ?? unknownCa(leaf);
  }

  /** Tries to finish the path whose last element is `child`; true on success. */
  private extend(child: Certificate, path: Certificate[]): boolean {
    // A self-signed certificate that is not itself a trust anchor (anchors are
    // matched by DER before we get here) cannot chain further: it is an unknown
    // CA. Key-rollover self-issued certificates are therefore not supported.
    if (equalBytes(child.subjectDer, child.issuerDer)) {
      this.note(unknownCa(child, path.length === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN'));
      return false;
    }
    for (const root of this.store.issuersOf(child.issuerDer)) {
      if (this.tryIssuer(root, child, path) && this.accept([...path, root])) return true;
    }
    for (const candidate of this.pool) {
      if (!equalBytes(candidate.subjectDer, child.issuerDer) || onPath(candidate, path)) continue;
      if (path.length + 1 >= MAX_PATH_LENGTH) {
        this.note(new TlsError('bad_certificate', `certificate path longer than ${MAX_PATH_LENGTH}`, false, 'CERT_CHAIN_TOO_LONG'));
        continue;
      }
      if (this.tryIssuer(candidate, child, path) && this.extend(candidate, [...path, candidate])) return true;
    }
    // Nothing better noted: the path ends here for want of an issuer.
    this.note(unknownCa(child, path.length === 1 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'));
    return false;
  }

  /** Checks that `issuer` may issue `child` (and constrain `path`) at this depth, and that the signature verifies. */
  private tryIssuer(issuer: Certificate, child: Certificate, path: Certificate[]): boolean {
    try {
      checkCommon(issuer, this.opts.date, `CA certificate "${issuer.subject}"`);
      checkCa(issuer, path.length - 1);
      const constraints = issuer.nameConstraints;
      if (constraints) for (const below of path) checkNameConstraints(issuer, constraints, below);
      if (this.budget-- <= 0) {
        throw new TlsError('unknown_ca', 'gave up building a certificate path (too many candidates)', false, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
      }
      checkSignature(issuer, child, this.opts.crypto);
      return true;
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
      this.note(e);
      return false;
    }
  }

  /** A complete path (leaf to anchor) is accepted unless pins are set and none of its keys is pinned. */
  private accept(path: Certificate[]): boolean {
    const { pins, crypto } = this.opts;
    if (!pins || pathMatchesPins(path, pins, crypto)) return true;
    this.note(pinMismatch(path, crypto));
    return false;
  }

  private note(e: TlsError): void {
    if (!this.failure || (this.failure.alert === 'unknown_ca' && e.alert !== 'unknown_ca')) this.failure = e;
  }
}

/** Loop detection (RFC 4158 §5.2): the same subject with the same key already on the path. */
function onPath(cert: Certificate, path: readonly Certificate[]): boolean {
  const spki = certificateFields(cert.der).spkiDer;
  return path.some((p) => equalBytes(p.subjectDer, cert.subjectDer) && equalBytes(certificateFields(p.der).spkiDer, spki));
}

function unknownCa(cert: Certificate, code: VerifyErrorCode = 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'): TlsError {
  return new TlsError('unknown_ca', `no trusted root found for "${cert.subject}" issued by "${cert.issuer}"`, false, code);
}

/** Checks every certificate in a path gets: validity period and critical extensions. */
function checkCommon(cert: Certificate, date: Date, what: string): void {
  const t = date.getTime();
  if (t < cert.notBefore.getTime()) {
    throw new TlsError('certificate_expired', `${what} is not valid before ${cert.notBefore.toISOString()}`, false, 'CERT_NOT_YET_VALID');
  }
  if (t > cert.notAfter.getTime()) {
    throw new TlsError('certificate_expired', `${what} expired at ${cert.notAfter.toISOString()}`, false, 'CERT_HAS_EXPIRED');
  }
  if (cert.unhandledCriticalExtensions.length > 0) {
    throw new TlsError(
      'unsupported_certificate',
      `${what} has unsupported critical extension(s) ${cert.unhandledCriticalExtensions.join(', ')}`,
      false,
      'UNHANDLED_CRITICAL_EXTENSION',
    );
  }
}

function checkLeafUsage(leaf: Certificate, who: 'server' | 'client'): void {
  if (leaf.keyUsage !== undefined && !(leaf.keyUsage & KeyUsageBit.digitalSignature)) {
    throw new TlsError('bad_certificate', `${who} certificate keyUsage lacks digitalSignature`, false, 'INVALID_PURPOSE');
  }
  // Strict like rustls: anyExtendedKeyUsage does not stand in for serverAuth (or clientAuth).
  const [oid, name] = who === 'server' ? [OID_SERVER_AUTH, 'serverAuth'] : [OID_CLIENT_AUTH, 'clientAuth'];
  if (leaf.extKeyUsage !== undefined && !leaf.extKeyUsage.includes(oid)) {
    throw new TlsError('unsupported_certificate', `${who} certificate extendedKeyUsage does not include ${name}`, false, 'INVALID_PURPOSE');
  }
}

/** `below` = number of intermediate CA certificates between this CA and the leaf. */
function checkCa(ca: Certificate, below: number): void {
  const bc = ca.basicConstraints;
  if (!bc?.ca) throw new TlsError('bad_certificate', `"${ca.subject}" is not a CA (basicConstraints cA is not set)`, false, 'INVALID_CA');
  if (ca.keyUsage !== undefined && !(ca.keyUsage & KeyUsageBit.keyCertSign)) {
    throw new TlsError('bad_certificate', `CA "${ca.subject}" keyUsage lacks keyCertSign`, false, 'INVALID_CA');
  }
  if (bc.pathLen !== undefined && below > bc.pathLen) {
    throw new TlsError('bad_certificate', `CA "${ca.subject}" pathLenConstraint ${bc.pathLen} exceeded`, false, 'PATH_LENGTH_EXCEEDED');
  }
}

function formatIp(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join('.');
  if (ip.length !== 16) return `ip(${ip.length} bytes)`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip[i]! << 8) | ip[i + 1]!).toString(16));
  return groups.join(':');
}
