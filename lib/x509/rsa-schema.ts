/**
 * The RSA ASN.1 structures of PKCS#1 (RFC 8017 Appendix A) and RFC 4055, as
 * asn1-schema classes: public and private keys, and RSASSA-PSS parameters.
 * Integers are kept as their raw two's-complement content bytes; rsa-key.ts
 * turns them into unsigned big-endian values and refuses negative ones.
 * Decorators are applied as plain calls, as in schema.ts.
 */
import { AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';

const integer = { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter } as const;

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
export class RsaPublicKeySchema {
  modulus = new ArrayBuffer(0);
  publicExponent = new ArrayBuffer(0);
}
AsnProp(integer)(RsaPublicKeySchema.prototype, 'modulus');
AsnProp(integer)(RsaPublicKeySchema.prototype, 'publicExponent');

/** RSAPrivateKey (two-prime, version 0; multi-prime keys carry otherPrimeInfos and version 1). */
export class RsaPrivateKeySchema {
  version = 0;
  modulus = new ArrayBuffer(0);
  publicExponent = new ArrayBuffer(0);
  privateExponent = new ArrayBuffer(0);
  prime1 = new ArrayBuffer(0);
  prime2 = new ArrayBuffer(0);
  exponent1 = new ArrayBuffer(0);
  exponent2 = new ArrayBuffer(0);
  coefficient = new ArrayBuffer(0);
  otherPrimeInfos?: ArrayBuffer;
}
AsnProp({ type: AsnPropTypes.Integer })(RsaPrivateKeySchema.prototype, 'version');
for (const field of ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'] as const) {
  AsnProp(integer)(RsaPrivateKeySchema.prototype, field);
}
AsnProp({ type: AsnPropTypes.Any, optional: true })(RsaPrivateKeySchema.prototype, 'otherPrimeInfos');

/**
 * RSASSA-PSS-params (RFC 4055 §3.1). Every field has a SHA-1 default, which
 * we refuse: an absent hashAlgorithm means SHA-1.
 */
export class RsaPssParamsSchema {
  hashAlgorithm?: AlgorithmIdentifier;
  maskGenAlgorithm?: AlgorithmIdentifier;
  saltLength?: number;
  trailerField?: number;
}
AsnProp({ type: AlgorithmIdentifier, context: 0, optional: true })(RsaPssParamsSchema.prototype, 'hashAlgorithm');
AsnProp({ type: AlgorithmIdentifier, context: 1, optional: true })(RsaPssParamsSchema.prototype, 'maskGenAlgorithm');
AsnProp({ type: AsnPropTypes.Integer, context: 2, optional: true })(RsaPssParamsSchema.prototype, 'saltLength');
AsnProp({ type: AsnPropTypes.Integer, context: 3, optional: true })(RsaPssParamsSchema.prototype, 'trailerField');
