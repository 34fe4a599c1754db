/**
 * The PSK premaster secrets (RFC 4279 §2, RFC 5489 §2) written out by hand,
 * and the decode options each suite's key exchange gives the message codecs.
 */
import { expect } from 'chai';
import { tls12DecodeOptions } from '../../lib/tls12/decode-options.js';
import { checkPsk, ecdhePskPremaster, plainPskPremaster, pskPremaster } from '../../lib/tls12/psk-premaster.js';
import { TLS12_SUITES } from '../../lib/tls12/suites.js';
import { toHex } from '../../lib/wire/codec.js';
import { fromHex as hex } from '../support/hex.js';

describe('TLS 1.2 PSK premaster secrets', () => {
  it('plain PSK (RFC 4279 §2): uint16(N) || N zero bytes || uint16(N) || psk', () => {
    expect(toHex(plainPskPremaster(hex('0102030405')))).to.equal('0005' + '0000000000' + '0005' + '0102030405');
    const psk = new Uint8Array(300).fill(0xab);
    const premaster = plainPskPremaster(psk);
    expect(premaster.length).to.equal(2 + 300 + 2 + 300);
    expect(toHex(premaster.subarray(0, 2))).to.equal('012c');
    expect(premaster.subarray(2, 302).every((b) => b === 0)).to.equal(true);
    expect(toHex(premaster.subarray(302, 304))).to.equal('012c');
    expect(premaster.subarray(304).every((b) => b === 0xab)).to.equal(true);
  });

  it('ECDHE_PSK (RFC 5489 §2): uint16(len) || ECDH secret || uint16(len) || psk, the ECDH secret wiped after', () => {
    const ecdh = hex('aa'.repeat(32));
    expect(toHex(ecdhePskPremaster(ecdh, hex('1234')))).to.equal('0020' + 'aa'.repeat(32) + '0002' + '1234');
    expect(toHex(ecdh)).to.equal('00'.repeat(32));
    // A P-384 secret is 48 bytes: the lengths follow.
    expect(toHex(pskPremaster(hex('bb'.repeat(48)), hex('01')))).to.equal('0030' + 'bb'.repeat(48) + '0001' + '01');
  });

  it('a PSK is 1 to 65535 bytes', () => {
    expect(() => checkPsk(new Uint8Array(0))).to.throw(RangeError);
    expect(() => checkPsk(new Uint8Array(0x10000))).to.throw(RangeError);
    expect(() => plainPskPremaster(new Uint8Array(0))).to.throw(RangeError);
    expect(plainPskPremaster(new Uint8Array(0xffff)).length).to.equal(4 + 2 * 0xffff);
  });

  it('tls12DecodeOptions: each suite reads its own key exchange; before a suite, ECDHE', () => {
    const kx = Object.fromEntries(TLS12_SUITES.map((s) => [s.name, tls12DecodeOptions(s.name).kx]));
    expect(kx).to.deep.equal({
      TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ecdhe',
      TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ecdhe',
      TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ecdhe',
      TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: 'ecdhe',
      TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ecdhe',
      TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ecdhe',
      TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ecdhe',
      TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256: 'ecdhe_psk',
      TLS_PSK_WITH_AES_128_GCM_SHA256: 'psk',
      TLS_PSK_WITH_AES_128_CCM_8: 'psk',
    });
    expect(tls12DecodeOptions(undefined)).to.deep.equal({ kx: 'ecdhe', verifyDataLength: 12 });
    expect(tls12DecodeOptions('TLS_PSK_WITH_AES_128_CCM_8').verifyDataLength).to.equal(12);
  });

  it('the new suites: codes, AEADs and nonces as their RFCs say, all with the SHA-256 PRF', () => {
    const rows = TLS12_SUITES.filter((s) => ![0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8].includes(s.code)).map((s) => [
      s.name, s.code, s.kx, s.auth, s.aead, s.hash, s.keyLength, s.fixedIvLength, s.explicitNonceLength,
    ]);
    expect(rows).to.deep.equal([
      ['TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 0xc0ae, 'ecdhe', 'ecdsa', 'aes-128-ccm-8', 'sha256', 16, 4, 8],
      ['TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 0xccac, 'ecdhe_psk', 'psk', 'chacha20-poly1305', 'sha256', 32, 12, 0],
      ['TLS_PSK_WITH_AES_128_GCM_SHA256', 0x00a8, 'psk', 'psk', 'aes-128-gcm', 'sha256', 16, 4, 8],
      ['TLS_PSK_WITH_AES_128_CCM_8', 0xc0a8, 'psk', 'psk', 'aes-128-ccm-8', 'sha256', 16, 4, 8],
    ]);
  });
});
