/**
 * Private keys from PEM or DER: PKCS#8 ("PRIVATE KEY", RFC 5208/5958) holding
 * an EC P-256/P-384 or Ed25519 key, and SEC1 ("EC PRIVATE KEY", RFC 5915).
 * Malformed input throws TlsError('decode_error'); well-formed keys of a kind we
 * cannot use (RSA, other curves, encrypted keys) throw TlsError('internal_error'),
 * the alert a server would send if it were configured with such a key.
 */
import { AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { ECParameters, ECPrivateKey } from '@peculiar/asn1-ecc';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { TlsError } from '../errors.js';
import type { CurveName, PrivateKey } from '../crypto/provider.js';
import { decodePem, isPem, pemText } from './pem.js';
import { parseAsn } from './schema.js';

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_ED25519 = '1.3.101.112';

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
    // Bare DER has no label: PKCS#8 is by far the common form, SEC1 the fallback.
    try {
      return fromPkcs8(pemOrDer);
    } catch (e) {
      if (e instanceof TlsError && e.alert === 'internal_error') throw e;
      return fromSec1(pemOrDer, undefined);
    }
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
        throw unsupported('RSA keys are not supported');
    }
  }
  throw malformed('no PRIVATE KEY or EC PRIVATE KEY block');
}

function fromPkcs8(der: Uint8Array): PrivateKey {
  const info = parseWith(der, OneAsymmetricKey, 'PKCS#8');
  if (info.version !== 0 && info.version !== 1) throw malformed(`unknown PKCS#8 version ${info.version}`);
  const { algorithm, parameters } = info.privateKeyAlgorithm;
  const inner = new Uint8Array(info.privateKey.buffer);
  if (algorithm === OID_ED25519) {
    // RFC 8410: the key is an OCTET STRING wrapped in the privateKey OCTET STRING.
    if (parameters != null) throw malformed('Ed25519 algorithm must not have parameters');
    const seed = new Uint8Array(parseWith(inner, OctetString, 'Ed25519 key').buffer);
    if (seed.length !== 32) throw malformed('Ed25519 key must be 32 bytes');
    return { kind: 'ed25519', seed };
  }
  if (algorithm === OID_EC_PUBLIC_KEY) {
    if (!(parameters instanceof ArrayBuffer)) throw malformed('EC key without curve parameters');
    return fromSec1(inner, curveOid(new Uint8Array(parameters)));
  }
  throw unsupported(`unsupported key algorithm ${algorithm}`);
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
  if (!params) throw unsupported(`unsupported curve ${oid}`);
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
  try {
    return parseAsn(der, target);
  } catch (e) {
    throw malformed(`cannot parse ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
