/**
 * The few raw fields of a certificate that can be found without decoding it:
 * the subject Name (to index a trust store) and the SubjectPublicKeyInfo (for
 * SPKI pins), located by walking the DER TLV headers of the TBSCertificate.
 * A full parse (parseCertificate) of each of the ~150 roots in Node's store
 * costs a fraction of a millisecond each; walking headers costs microseconds,
 * which is what lets a trust store stay lazy.
 */
import { TlsError } from '../errors.js';

export interface CertificateFields {
  /** The subject Name, header included (as compared against an issuer Name). */
  readonly subjectDer: Uint8Array;
  /** The SubjectPublicKeyInfo, header included (what an HPKP-style pin hashes). */
  readonly spkiDer: Uint8Array;
}

interface Tlv {
  readonly tag: number;
  /** Offset of the tag (the element's first byte). */
  readonly at: number;
  /** Offset of the content. */
  readonly start: number;
  /** Offset just past the content. */
  readonly end: number;
}

const bad = (msg: string) => new TlsError('bad_certificate', `malformed certificate: ${msg}`);

/** One DER element at `at`, bounded by `limit`. Short or long definite lengths only (DER). */
function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw bad('truncated element');
  const tag = der[at]!;
  if ((tag & 0x1f) === 0x1f) throw bad('multi-byte tag');
  const first = der[at + 1]!;
  let start = at + 2;
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw bad('indefinite or oversized length');
    if (start + n > limit) throw bad('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i]!;
    start += n;
  }
  const end = start + length;
  if (end > limit) throw bad('length beyond its container');
  return { tag, at, start, end };
}

/** The subject and SPKI of a DER certificate. Throws TlsError('bad_certificate'). */
export function certificateFields(der: Uint8Array): CertificateFields {
  const cert = readTlv(der, 0, der.length);
  if (cert.tag !== 0x30) throw bad('not a SEQUENCE');
  const tbs = readTlv(der, cert.start, cert.end);
  if (tbs.tag !== 0x30) throw bad('TBSCertificate is not a SEQUENCE');
  let at = tbs.start;
  const next = (): Tlv => {
    const tlv = readTlv(der, at, tbs.end);
    at = tlv.end;
    return tlv;
  };
  let field = next();
  if (field.tag === 0xa0) field = next(); // [0] version, then serialNumber
  next(); // signature AlgorithmIdentifier
  next(); // issuer
  next(); // validity
  const subject = next();
  const spki = next();
  if (subject.tag !== 0x30 || spki.tag !== 0x30) throw bad('subject or SubjectPublicKeyInfo is not a SEQUENCE');
  return {
    subjectDer: der.subarray(subject.at, subject.end),
    spkiDer: der.subarray(spki.at, spki.end),
  };
}
