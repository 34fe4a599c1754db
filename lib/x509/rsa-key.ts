/**
 * RSA keys and RSASSA-PSS parameters from their DER (PKCS#1, RFC 4055): into
 * the provider's RsaPublicKey / RsaPrivateKey, or a reason in words why one
 * cannot be used (too small, SHA-1, a salt length TLS does not allow, ...).
 */
import type { HashName, RsaPrivateKey, RsaPublicKey } from '../crypto/provider.js';
import { rsaKeyProblem } from '../crypto/rsa.js';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { OID_MGF1, hashName } from './algorithm-names.js';
import { RsaPrivateKeySchema, RsaPssParamsSchema, RsaPublicKeySchema } from './rsa-schema.js';
import { parseAsn } from './schema.js';

/** A value, or why there is none. */
export type Usable<T> = { readonly value: T; readonly problem?: undefined } | { readonly value?: undefined; readonly problem: string };

const HASH_LENGTHS: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** DER INTEGER content as an unsigned big-endian value without leading zeros; negative values are malformed. */
export function unsignedInteger(raw: ArrayBuffer, what: string): Uint8Array {
  const bytes = new Uint8Array(raw);
  if (bytes.length === 0 || bytes[0]! & 0x80) throw new Error(`RSA ${what} is not a positive integer`);
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.slice(i);
}

/** RSAPublicKey DER; `pss` for an id-RSASSA-PSS key. Throws on malformed DER. */
export function readRsaPublicKey(der: Uint8Array, pss: boolean): Usable<RsaPublicKey> {
  const raw = parseAsn(der, RsaPublicKeySchema);
  const key: RsaPublicKey = { kind: 'rsa', pss, n: unsignedInteger(raw.modulus, 'modulus'), e: unsignedInteger(raw.publicExponent, 'public exponent') };
  const problem = rsaKeyProblem(key);
  return problem ? { problem } : { value: key };
}

/** RSAPrivateKey DER (PKCS#1). Throws on malformed DER; an unusable key comes back as a problem. */
export function readRsaPrivateKey(der: Uint8Array, pss: boolean): Usable<RsaPrivateKey> {
  const raw = parseAsn(der, RsaPrivateKeySchema);
  if (raw.version !== 0 || raw.otherPrimeInfos !== undefined) return { problem: 'multi-prime RSA keys are not supported' };
  const int = (b: ArrayBuffer, what: string) => unsignedInteger(b, what);
  const key: RsaPrivateKey = {
    kind: 'rsa',
    pss,
    n: int(raw.modulus, 'modulus'),
    e: int(raw.publicExponent, 'public exponent'),
    d: int(raw.privateExponent, 'private exponent'),
    p: int(raw.prime1, 'prime p'),
    q: int(raw.prime2, 'prime q'),
    dp: int(raw.exponent1, 'exponent dp'),
    dq: int(raw.exponent2, 'exponent dq'),
    qi: int(raw.coefficient, 'coefficient'),
  };
  const problem = rsaKeyProblem(key);
  return problem ? { problem } : { value: key };
}

/**
 * The hash of RSASSA-PSS parameters, when they are what TLS can use (RFC 8446
 * §4.2.3): SHA-256/384/512, MGF1 with the same hash, a salt as long as the
 * hash, the 0xbc trailer. `parameters` is the DER of the field (absent on a
 * PSS key means "any", which `undefined` returns).
 */
export function readPssParams(parameters: ArrayBuffer | null | undefined): Usable<HashName | undefined> {
  if (parameters == null) return { value: undefined };
  const p = parseAsn(new Uint8Array(parameters), RsaPssParamsSchema);
  const hashOid = p.hashAlgorithm?.algorithm;
  const hash = hashOid === undefined ? 'sha1' : hashName(hashOid);
  if (!Object.hasOwn(HASH_LENGTHS, hash)) return { problem: `RSASSA-PSS with ${hash} (only SHA-256, SHA-384 and SHA-512 are accepted)` };
  const mgf = p.maskGenAlgorithm;
  const mgfHash = mgf?.parameters ? hashName(parseAsn(new Uint8Array(mgf.parameters), AlgorithmIdentifier).algorithm) : 'sha1';
  if (mgf?.algorithm !== OID_MGF1 || mgfHash !== hash) return { problem: `RSASSA-PSS with ${hash} and a mask generation other than MGF1 with ${hash}` };
  const salt = p.saltLength ?? 20;
  const hashLength = HASH_LENGTHS[hash as HashName];
  if (salt !== hashLength) return { problem: `RSASSA-PSS with a ${salt}-byte salt (TLS requires the hash length, ${hashLength})` };
  if ((p.trailerField ?? 1) !== 1) return { problem: 'RSASSA-PSS with an unknown trailer field' };
  return { value: hash as HashName };
}
