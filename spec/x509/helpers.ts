/**
 * Spec helpers: fixture loading, and a tiny certificate factory (built with
 * @peculiar/asn1-x509, signed with nobleCrypto) for the edge cases that the
 * openssl-made fixtures do not cover (pathLen, missing CA bits, long chains...).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate as AsnCertificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyUsage,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
} from '@peculiar/asn1-x509';
import { ECParameters } from '@peculiar/asn1-ecc';
import { sha256 } from '@noble/hashes/sha2.js';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import type { PrivateKey, PublicKey } from '../../lib/crypto/provider.js';
import { parseCertificates, parsePrivateKey, type Certificate } from '../../lib/x509/index.js';

export const crypto = nobleCrypto;

const fixtureDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const fixtureText = (name: string): string => readFileSync(fixtureDir + name, 'utf8');
export const fixtureCerts = (name: string): Certificate[] => parseCertificates(fixtureText(name));
export const fixtureCert = (name: string): Certificate => fixtureCerts(name)[0]!;
export const fixtureChain = (name: string): Uint8Array[] => fixtureCerts(name).map((c) => c.der);
export const fixtureKey = (name: string): PrivateKey => parsePrivateKey(fixtureText(name));

/** Inside every fixture's validity window except expired.pem's. */
export const NOW = new Date('2030-06-01T00:00:00Z');

// ---- certificate factory ---------------------------------------------------

export interface Issued {
  readonly cert: Certificate;
  readonly key: PrivateKey;
}

export interface MakeCertOptions {
  readonly cn: string;
  /** Defaults to self-signed. */
  readonly issuer?: Issued;
  /** Key to certify; defaults to a P-256 key derived from `cn`. */
  readonly key?: PrivateKey;
  readonly ca?: boolean;
  readonly pathLen?: number;
  /** Omit basicConstraints entirely. */
  readonly noBasicConstraints?: boolean;
  readonly keyUsage?: number;
  readonly eku?: string[];
  readonly dns?: string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly extraExtensions?: Extension[];
  /** Replace the SubjectPublicKeyInfo (e.g. with a key type we do not support). */
  readonly spki?: SubjectPublicKeyInfo;
  /** Replace the outer signatureAlgorithm OID (it must equal the signed one). */
  readonly outerSignatureAlgorithm?: string;
}

const OID_EC = '1.2.840.10045.2.1';
const OID_P256 = '1.2.840.10045.3.1.7';
const OID_P384 = '1.3.132.0.34';
let serial = 1;

/** A deterministic P-256 private key derived from a label. */
export function p256Key(label: string): PrivateKey {
  return { kind: 'ec', curve: 'P-256', d: sha256(new TextEncoder().encode(label)) };
}

export function makeCert(o: MakeCertOptions): Issued {
  return { cert: parseCertificates(makeCertDer(o))[0]!, key: o.key ?? p256Key(o.cn) };
}

/** The DER of the certificate makeCert would parse (for certificates our parser rejects). */
export function makeCertDer(o: MakeCertOptions): Uint8Array {
  const key = o.key ?? p256Key(o.cn);
  const signerKey = o.issuer?.key ?? key;
  const subject = nameOf(o.cn);
  const issuerName = o.issuer ? AsnConvert.parse(o.issuer.cert.subjectDer, Name) : subject;
  const sigAlg = signatureAlgorithmFor(signerKey);

  const extensions: Extension[] = [];
  if (!o.noBasicConstraints) {
    const bc = new BasicConstraints({ cA: o.ca ?? false });
    if (o.pathLen !== undefined) bc.pathLenConstraint = o.pathLen;
    extensions.push(ext(id_ce_basicConstraints, true, bc));
  }
  if (o.keyUsage !== undefined) extensions.push(ext(id_ce_keyUsage, true, new KeyUsage(o.keyUsage)));
  if (o.eku) extensions.push(ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage(o.eku)));
  if (o.dns) {
    const san = new SubjectAlternativeName(o.dns.map((d) => new GeneralName({ dNSName: d })));
    extensions.push(ext(id_ce_subjectAltName, false, san));
  }
  extensions.push(...(o.extraExtensions ?? []));

  const tbs = new TBSCertificate({
    version: 2,
    serialNumber: new Uint8Array([serial++]).buffer,
    signature: sigAlg.alg,
    issuer: issuerName,
    validity: new Validity({
      notBefore: o.notBefore ?? new Date('2025-01-01T00:00:00Z'),
      notAfter: o.notAfter ?? new Date('2100-01-01T00:00:00Z'),
    }),
    subject,
    subjectPublicKeyInfo: o.spki ?? spkiOf(crypto.publicKeyOf(key)),
    extensions: new Extensions(extensions),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = crypto.sign(sigAlg.scheme, signerKey, tbsDer);
  const outerAlg = o.outerSignatureAlgorithm ? new AlgorithmIdentifier({ algorithm: o.outerSignatureAlgorithm }) : sigAlg.alg;
  return new Uint8Array(
    AsnConvert.serialize(
      new AsnCertificate({ tbsCertificate: tbs, signatureAlgorithm: outerAlg, signatureValue: signature.slice().buffer }),
    ),
  );
}

export function ext(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function nameOf(cn: string): Name {
  const atv = new AttributeTypeAndValue({ type: '2.5.4.3', value: new AttributeValue({ utf8String: cn }) });
  return new Name([new RelativeDistinguishedName([atv])]);
}

function signatureAlgorithmFor(key: PrivateKey) {
  if (key.kind === 'ed25519') return { alg: new AlgorithmIdentifier({ algorithm: '1.3.101.112' }), scheme: 'ed25519' as const };
  if (key.kind === 'ed448') return { alg: new AlgorithmIdentifier({ algorithm: '1.3.101.113' }), scheme: 'ed448' as const };
  if (key.kind === 'rsa') throw new Error('these helpers make EC and Ed25519 certificates; RSA ones come from the openssl CLI');
  if (key.curve === 'P-384') {
    return { alg: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }), scheme: 'ecdsa_secp384r1_sha384' as const };
  }
  return { alg: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }), scheme: 'ecdsa_secp256r1_sha256' as const };
}

function spkiOf(pub: PublicKey): SubjectPublicKeyInfo {
  if (pub.kind === 'ed25519' || pub.kind === 'ed448') {
    return new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: pub.kind === 'ed25519' ? '1.3.101.112' : '1.3.101.113' }),
      subjectPublicKey: pub.key.slice().buffer,
    });
  }
  if (pub.kind === 'rsa') throw new Error('these helpers make EC and Ed25519 certificates');
  const curveOid = pub.curve === 'P-256' ? OID_P256 : OID_P384;
  return new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({ algorithm: OID_EC, parameters: AsnConvert.serialize(new ECParameters({ namedCurve: curveOid })) }),
    subjectPublicKey: pub.point.slice().buffer,
  });
}

/** Copy with one byte XORed (for tampering tests). */
export function flipByte(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[index] = out[index]! ^ mask;
  return out;
}
