/** The use_srtp extension body (lib/wire/use-srtp.ts, RFC 5764 §4.1.1). */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { ExtensionType } from '../../lib/wire/enums.js';
import { SrtpProfileCode, decodeUseSrtp, encodeUseSrtp } from '../../lib/wire/use-srtp.js';
import { fromHex } from '../support/hex.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function decodeAlert(data: Uint8Array): string {
  try {
    decodeUseSrtp(data);
  } catch (e) {
    if (e instanceof TlsError) return e.alert;
    throw e;
  }
  return 'decoded';
}

describe('use_srtp (RFC 5764 §4.1.1)', () => {
  it('is extension 14, with the profile codes of RFC 5764 §4.1.2 and RFC 7714 §14.2', () => {
    expect(ExtensionType.use_srtp).to.equal(14);
    expect(SrtpProfileCode).to.deep.equal({ SRTP_AES128_CM_SHA1_80: 1, SRTP_AES128_CM_SHA1_32: 2, SRTP_AEAD_AES_128_GCM: 7, SRTP_AEAD_AES_256_GCM: 8 });
  });

  it('encodes the profile list and an empty MKI as OpenSSL sends them', () => {
    // OpenSSL's ClientHello with -use_srtp SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32: 0004 0001 0002 00.
    expect(hex(encodeUseSrtp([1, 2]))).to.equal('000400010002' + '00');
    expect(hex(encodeUseSrtp([7]))).to.equal('0002000700');
    expect(hex(encodeUseSrtp([1], Uint8Array.of(0xaa, 0xbb)))).to.equal('00020001' + '02aabb');
  });

  it('decodes what it encodes, unknown profiles included', () => {
    expect(decodeUseSrtp(fromHex('0006 0008 0001 abcd 00'))).to.deep.equal({ profiles: [8, 1, 0xabcd], mki: new Uint8Array(0) });
    expect(decodeUseSrtp(encodeUseSrtp([2], Uint8Array.of(1, 2, 3)))).to.deep.equal({ profiles: [2], mki: Uint8Array.of(1, 2, 3) });
  });

  it('refuses malformed bodies with decode_error', () => {
    for (const bad of ['', '0000 00', '0003 000100 00', '0002 0001', '0002 0001 02aa', '0002 0001 00 00', '0004 0001']) {
      expect(decodeAlert(fromHex(bad)), bad).to.equal('decode_error');
    }
  });

  it('will not encode an empty list, a profile out of range or an MKI over 255 bytes', () => {
    expect(() => encodeUseSrtp([])).to.throw(RangeError);
    expect(() => encodeUseSrtp([0x10000])).to.throw(RangeError);
    expect(() => encodeUseSrtp([1], new Uint8Array(256))).to.throw(RangeError);
  });
});
