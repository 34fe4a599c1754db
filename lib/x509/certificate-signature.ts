/**
 * Checking an issuer's signature on a certificate: which verification the
 * pair (signature algorithm, issuer key) calls for, and an error naming the
 * algorithm in words when there is none we accept.
 *
 * ECDSA in certificates pairs any hash with any curve (RFC 5758 §3.2: a P-384
 * root may sign with SHA-256), so it goes through ecdsaVerify; RSA maps to the
 * TLS scheme of the same padding and hash (rsa_pss_pss_* for an RSASSA-PSS
 * key). SHA-1 and MD5 signatures are refused outright: chosen-prefix
 * collisions make them forgeable (SHAttered 2017, Shambles 2020).
 */
import { TlsError } from '../errors.js';
import type { CryptoProvider, HashName, PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import type { Certificate } from './certificate.js';

type Verification = { ecdsa: HashName } | { scheme: SignatureSchemeName };

const RSA_PKCS1: Record<string, HashName> = {
  sha256WithRSAEncryption: 'sha256',
  sha384WithRSAEncryption: 'sha384',
  sha512WithRSAEncryption: 'sha512',
};
const RSA_PSS: Record<string, HashName> = { 'RSASSA-PSS-SHA256': 'sha256', 'RSASSA-PSS-SHA384': 'sha384', 'RSASSA-PSS-SHA512': 'sha512' };
const ECDSA: Record<string, HashName> = { 'ecdsa-with-SHA256': 'sha256', 'ecdsa-with-SHA384': 'sha384', 'ecdsa-with-SHA512': 'sha512' };
const WEAK_HASH = /sha1|SHA1|md5|md2/;

function verificationFor(algorithm: string, key: PublicKey): Verification | undefined {
  if (Object.hasOwn(ECDSA, algorithm)) return key.kind === 'ec' ? { ecdsa: ECDSA[algorithm]! } : undefined;
  if (algorithm === 'ed25519' || algorithm === 'ed448') return key.kind === algorithm ? { scheme: algorithm } : undefined;
  if (key.kind !== 'rsa') return undefined;
  // RFC 4055 §1.2: an RSASSA-PSS key makes PSS signatures only.
  if (Object.hasOwn(RSA_PKCS1, algorithm)) return key.pss ? undefined : { scheme: `rsa_pkcs1_${RSA_PKCS1[algorithm]!}` as SignatureSchemeName };
  if (Object.hasOwn(RSA_PSS, algorithm)) return { scheme: `rsa_pss_${key.pss ? 'pss' : 'rsae'}_${RSA_PSS[algorithm]!}` as SignatureSchemeName };
  return undefined;
}

/** Throws TlsError unless `issuer`'s key verifies `child`'s signature. */
export function checkSignature(issuer: Certificate, child: Certificate, crypto: CryptoProvider): void {
  const algorithm = child.signatureAlgorithm;
  if (WEAK_HASH.test(algorithm)) {
    throw new TlsError('bad_certificate', `"${child.subject}" is signed with ${algorithm}, which is refused: SHA-1 and MD5 signatures can be forged`, false, 'CA_MD_TOO_WEAK');
  }
  const key = issuer.publicKey;
  if (!key) {
    const small = /too small/.test(issuer.publicKeyAlgorithm);
    throw new TlsError(
      small ? 'bad_certificate' : 'unsupported_certificate',
      `cannot verify the signature on "${child.subject}": the key of "${issuer.subject}" is ${issuer.publicKeyAlgorithm}`,
      false,
      small ? 'CA_KEY_TOO_SMALL' : undefined,
    );
  }
  const how = verificationFor(algorithm, key);
  if (!how || ('scheme' in how && !crypto.signatureSchemes.includes(how.scheme))) {
    throw new TlsError('unsupported_certificate', `cannot verify ${algorithm} signature on "${child.subject}" with the ${issuer.publicKeyAlgorithm} key of "${issuer.subject}"`);
  }
  const valid = 'ecdsa' in how ? crypto.ecdsaVerify(how.ecdsa, key, child.tbsDer, child.signature) : crypto.verify(how.scheme, key, child.tbsDer, child.signature);
  if (!valid) {
    throw new TlsError('bad_certificate', `signature on "${child.subject}" does not verify with the key of "${issuer.subject}"`, false, 'CERT_SIGNATURE_FAILURE');
  }
}
