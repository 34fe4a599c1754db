/**
 * RFC 7250 on the wire: the certificate type extension bodies (a list in the
 * ClientHello, one byte in the server's answer), and the TLS 1.2 Certificate
 * body in its raw-public-key form (one SubjectPublicKeyInfo, no list).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { toHex } from '../../lib/wire/codec.js';
import {
  CertificateType,
  certificateTypeName,
  decodeCertificateTypeList,
  decodeSelectedCertificateType,
  encodeCertificateTypeList,
  encodeSelectedCertificateType,
} from '../../lib/wire/certificate-type.js';
import { ExtensionType } from '../../lib/wire/enums.js';
import { HandshakeType as HT } from '../../lib/wire/enums.js';
import { decodeTls12Body, decodeTls12Certificate, encodeTls12Certificate, TLS12_VERIFY_DATA_LENGTH } from '../../lib/wire/tls12-messages.js';
import { fromHex } from '../support/hex.js';

const alertOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof TlsError) return e.alert;
    throw e;
  }
  return undefined;
};

describe('certificate type extensions (RFC 7250 §3)', () => {
  it('has the IANA code points', () => {
    expect(ExtensionType).to.include({ client_certificate_type: 19, server_certificate_type: 20 });
    expect(CertificateType).to.deep.equal({ X509: 0, RawPublicKey: 2 });
    expect(certificateTypeName(2)).to.equal('RawPublicKey');
    expect(certificateTypeName(1)).to.equal(undefined); // OpenPGP: not ours
  });

  it('encodes the client list with a one-byte length, and the server answer as one byte', () => {
    expect(toHex(encodeCertificateTypeList([2, 0]))).to.equal('020200');
    expect(toHex(encodeSelectedCertificateType(2))).to.equal('02');
    expect(decodeCertificateTypeList(fromHex('03 02 01 00'), 'server_certificate_type')).to.deep.equal([2, 1, 0]);
    expect(decodeSelectedCertificateType(fromHex('00'), 'server_certificate_type')).to.equal(0);
  });

  it('refuses malformed bodies with decode_error', () => {
    for (const h of ['', '00', '02 02', '01 02 00']) expect(alertOf(() => decodeCertificateTypeList(fromHex(h), 'x')), h).to.equal('decode_error');
    for (const h of ['', '0200']) expect(alertOf(() => decodeSelectedCertificateType(fromHex(h), 'x')), h).to.equal('decode_error');
    expect(() => encodeCertificateTypeList([])).to.throw(RangeError);
    expect(() => encodeSelectedCertificateType(256)).to.throw(RangeError);
  });

  it('round-trips any list, and decodes any input to a list or a TlsError', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 255 }), (types) => {
        expect(decodeCertificateTypeList(encodeCertificateTypeList(types), 'x')).to.deep.equal(types);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeCertificateTypeList(bytes, 'x');
        } catch (e) {
          expect(e).to.be.instanceOf(TlsError);
        }
      }),
    );
  });
});

describe('TLS 1.2 Certificate with a raw public key (RFC 7250 §3)', () => {
  const spki = fromHex('30 03 02 01 07');

  it('is one SubjectPublicKeyInfo with a 3-byte length, no list around it', () => {
    expect(toHex(encodeTls12Certificate({ certificates: [spki], rawPublicKey: true }))).to.equal('0000053003020107');
    expect(decodeTls12Certificate(fromHex('0000053003020107'), true)).to.deep.equal({ type: HT.certificate, certificates: [spki], rawPublicKey: true });
  });

  it('is read so only when the decode context says the type was negotiated', () => {
    const body = fromHex('0000053003020107');
    const options = { kx: 'ecdhe' as const, verifyDataLength: TLS12_VERIFY_DATA_LENGTH };
    expect(alertOf(() => decodeTls12Body(HT.certificate, body, options))).to.equal('decode_error');
    expect(decodeTls12Body(HT.certificate, body, { ...options, rawPublicKey: true })).to.include({ rawPublicKey: true });
  });

  it('refuses an empty key, trailing bytes or length lies (decode_error), and encodes only one key', () => {
    for (const h of ['000000', '00000530030201', '000005300302010700', '']) expect(alertOf(() => decodeTls12Certificate(fromHex(h), true)), h).to.equal('decode_error');
    expect(() => encodeTls12Certificate({ certificates: [spki, spki], rawPublicKey: true })).to.throw(RangeError);
  });
});
