/**
 * The certificate_authorities extension body (RFC 8446 §4.2.4): the DER
 * Names of the CAs a peer accepts, `DistinguishedName authorities<3..2^16-1>`,
 * each `opaque DistinguishedName<1..2^16-1>` (the same list TLS 1.2's
 * CertificateRequest carries inline).
 */
import { Writer } from './codec.js';
import { decodeBody } from './extension.js';

export function encodeCertificateAuthorities(names: readonly Uint8Array[]): Uint8Array {
  if (names.length === 0) throw new RangeError('certificate_authorities: no names (omit the extension instead)');
  const w = new Writer(256);
  w.nested(2, (l) => names.forEach((n) => l.vec(2, n)));
  return w.finish().slice();
}

export function decodeCertificateAuthorities(data: Uint8Array): Uint8Array[] {
  return decodeBody(data, 'certificate_authorities', (r) => {
    const list = r.sub(2, 3);
    const names: Uint8Array[] = [];
    while (!list.atEnd()) names.push(list.vec(2, 1));
    return names;
  });
}
