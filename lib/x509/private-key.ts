/**
 * Private keys from PEM or DER: PKCS#8 ("PRIVATE KEY", RFC 5208/5958) holding
 * an EC P-256/P-384/P-521, Ed25519, Ed448, RSA or RSASSA-PSS key; SEC1 ("EC PRIVATE
 * KEY", RFC 5915); PKCS#1 ("RSA PRIVATE KEY", RFC 8017 §A.1.2) — what node's
 * createPrivateKey reads. Malformed input throws TlsError('decode_error');
 * well-formed keys of a kind we cannot use (1024-bit RSA, other curves,
 * encrypted keys) throw TlsError('internal_error') naming it in words, the
 * alert a server would send if it were configured with such a key.
 */
import { AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { ECParameters, ECPrivateKey } from '@peculiar/asn1-ecc';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { TlsError } from '../errors.js';
import type { CurveName, PrivateKey } from '../crypto/provider.js';
import { decodePem, isPem, pemText } from './pem.js';
import { parseAsn } from './schema.js';
import { OID_EC_PUBLIC_KEY, OID_ED25519, OID_ED448, OID_RSA_ENCRYPTION, OID_RSASSA_PSS, curveName, keyAlgorithmName } from './algorithm-names.js';
import { readPssParams, readRsaPrivateKey } from './rsa-key.js';


/** Scalar size and group order per curve: d must be in [1, n-1]. */
const CURVES: Record<string, { curve: CurveName; size: number; order: bigint }> = {
  '1.2.840.10045.3.1.7': {
    curve: 'P-256',
    size: 32,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  '1.3.132.0.34': {
    curve: 'P-384',
    size: 48,
    order:
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  '1.3.132.0.35': {
    curve: 'P-521',
    size: 66,
    order:
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
};

/**
 * PKCS#8 v2 (OneAsymmetricKey, RFC 5958) may append the public key as [1];
 * upstream PrivateKeyInfo only knows v1, so add that optional field.
 */
class OneAsymmetricKey extends PrivateKeyInfo {
  declare publicKey?: ArrayBuffer;
}
AsnProp({ type: AsnPropTypes.BitString, context: 1, implicit: true, optional: true })(
  OneAsymmetricKey.prototype,
  'publicKey',
);

const malformed = (msg: string) => new TlsError('decode_error', `private key: ${msg}`);
const unsupported = (msg: string) => new TlsError('internal_error', `private key: ${msg}`);

/** Parses a PEM (string or bytes) or DER private key. */
export function parsePrivateKey(pemOrDer: string | Uint8Array): PrivateKey {
  try {
    if (isPem(pemOrDer)) return fromPem(pemText(pemOrDer));
    if (!(pemOrDer instanceof Uint8Array)) throw malformed('expected PEM text or DER bytes');
    // Bare DER has no label: PKCS#8 is by far the common form, then SEC1, then PKCS#1 RSA.
    const der = pemOrDer;
    return firstOf([() => fromPkcs8(der), () => fromSec1(der, undefined), () => fromPkcs1(der, false)]);
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw malformed(e instanceof Error ? e.message : String(e));
  }
}

function fromPem(text: string): PrivateKey {
  // Other blocks (e.g. "EC PARAMETERS" from `openssl ecparam -genkey`, or a
  // certificate in a combined file) are skipped; the first key block wins.
  for (const block of decodePem(text)) {
    switch (block.label) {
      case 'PRIVATE KEY':
        return fromPkcs8(block.der);
      case 'EC PRIVATE KEY':
        return fromSec1(block.der, undefined);
      case 'ENCRYPTED PRIVATE KEY':
        throw unsupported('encrypted keys are not supported; decrypt it first (openssl pkey)');
      case 'RSA PRIVATE KEY':
        return fromPkcs1(block.der, false);
    }
  }
  throw malformed('no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block');
}

function fromPkcs8(der: Uint8Array): PrivateKey {
  const info = parseWith(der, OneAsymmetricKey, 'PKCS#8');
  if (info.version !== 0 && info.version !== 1) throw malformed(`unknown PKCS#8 version ${info.version}`);
  const { algorithm, parameters } = info.privateKeyAlgorithm;
  const inner = new Uint8Array(info.privateKey.buffer);
  if (algorithm === OID_ED25519 || algorithm === OID_ED448) {
    const [kind, name, length] = algorithm === OID_ED25519 ? (['ed25519', 'Ed25519', 32] as const) : (['ed448', 'Ed448', 57] as const);
    // RFC 8410: the key is an OCTET STRING wrapped in the privateKey OCTET STRING.
    if (parameters != null) throw malformed(`${name} algorithm must not have parameters`);
    const seed = new Uint8Array(parseWith(inner, OctetString, `${name} key`).buffer);
    if (seed.length !== length) throw malformed(`${name} key must be ${length} bytes`);
    return { kind, seed };
  }
  if (algorithm === OID_EC_PUBLIC_KEY) {
    if (!(parameters instanceof ArrayBuffer)) throw malformed('EC key without curve parameters');
    return fromSec1(inner, curveOid(new Uint8Array(parameters)));
  }
  if (algorithm === OID_RSA_ENCRYPTION) return fromPkcs1(inner, false);
  if (algorithm === OID_RSASSA_PSS) {
    // RFC 4055 §1.2: parameters restrict the key's use; we accept only what TLS can use.
    const params = guard('RSASSA-PSS parameters', () => readPssParams(parameters));
    if (params.problem !== undefined) throw unsupported(`RSASSA-PSS key (${params.problem})`);
    return fromPkcs1(inner, true);
  }
  throw unsupported(`${keyAlgorithmName(algorithm)} keys are not supported`);
}

/** PKCS#1 RSAPrivateKey; `pss` for a key from an RSASSA-PSS PKCS#8 (it may make PSS signatures only). */
function fromPkcs1(der: Uint8Array, pss: boolean): PrivateKey {
  const key = guard('RSAPrivateKey', () => readRsaPrivateKey(der, pss));
  if (key.problem !== undefined) throw unsupported(`RSA key: ${key.problem}`);
  return key.value;
}

/** The first parse that works; a well-formed but unusable key (internal_error) stops the search. */
function firstOf(parsers: (() => PrivateKey)[]): PrivateKey {
  let first: unknown;
  for (const parse of parsers) {
    try {
      return parse();
    } catch (e) {
      if (e instanceof TlsError && e.alert === 'internal_error') throw e;
      first ??= e;
    }
  }
  throw first;
}

/** SEC1 ECPrivateKey; `outerCurve` is the curve named by an enclosing PKCS#8, if any. */
function fromSec1(der: Uint8Array, outerCurve: string | undefined): PrivateKey {
  const key = parseWith(der, ECPrivateKey, 'ECPrivateKey');
  if (key.version !== 1) throw malformed(`unknown ECPrivateKey version ${key.version}`);
  const innerCurve = key.parameters ? namedCurve(key.parameters) : undefined;
  if (outerCurve && innerCurve && outerCurve !== innerCurve) throw malformed('conflicting curve parameters');
  const oid = outerCurve ?? innerCurve;
  if (!oid) throw malformed('EC key does not name its curve');
  const params = CURVES[oid];
  if (!params) throw unsupported(`EC keys on ${curveName(oid)} are not supported`);
  const raw = new Uint8Array(key.privateKey.buffer);
  // Some encoders drop leading zero bytes; restore the fixed width.
  if (raw.length === 0 || raw.length > params.size) throw malformed(`bad ${params.curve} scalar length ${raw.length}`);
  const d = new Uint8Array(params.size);
  d.set(raw, params.size - raw.length);
  const n = BigInt(`0x${Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('')}`);
  if (n === 0n || n >= params.order) throw malformed(`${params.curve} scalar out of range`);
  return { kind: 'ec', curve: params.curve, d };
}

function curveOid(parametersDer: Uint8Array): string {
  return namedCurve(parseWith(parametersDer, ECParameters, 'EC parameters'));
}

function namedCurve(p: ECParameters): string {
  if (p.namedCurve === undefined) throw unsupported('explicit EC curve parameters are not supported');
  return p.namedCurve;
}

function parseWith<T>(der: Uint8Array, target: new () => T, what: string): T {
  return guard(what, () => parseAsn(der, target));
}

/** Runs a parse; its failure is malformed input named `what`. */
function guard<R>(what: string, read: () => R): R {
  try {
    return read();
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw malformed(`cannot parse ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
