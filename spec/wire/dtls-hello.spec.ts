/** The cookie exchange codecs: ClientHello split around its cookie, HelloVerifyRequest both ways. */
import { expect } from 'chai';
import fc from 'fast-check';
import { concatBytes, toHex } from '../../lib/wire/codec.js';
import {
  DTLS1_0_VERSION,
  decodeHelloVerifyRequest,
  encodeHelloVerifyRequest,
  splitDtlsClientHello,
} from '../../lib/wire/dtls-hello.js';
import { alertOf } from '../support/alerts.js';
import { fromHex as hex } from '../support/hex.js';

/** A DTLS 1.2 ClientHello body with the given session id, cookie and extensions block (undefined: none). */
function helloBody({ sid = new Uint8Array(0) as Uint8Array, cookie = new Uint8Array(0) as Uint8Array, ext = hex('0000') as Uint8Array | undefined } = {}): Uint8Array {
  return concatBytes(
    hex('fefd'),
    new Uint8Array(32).fill(0xaa), // random
    Uint8Array.of(sid.length), sid,
    Uint8Array.of(cookie.length), cookie,
    hex('0004 c02b c02f'), // two suites
    hex('01 00'), // null compression
    ext ?? new Uint8Array(0),
  );
}

describe('wire/dtls-hello', () => {
  describe('splitDtlsClientHello', () => {
    it('returns the cookie and the body without the cookie field', () => {
      const cookie = new Uint8Array(32).fill(0x5c);
      const body = helloBody({ sid: hex('0102'), cookie });
      const { version, parameters, cookie: got } = splitDtlsClientHello(body);
      expect(version).to.equal(0xfefd);
      expect(toHex(got)).to.equal(toHex(cookie));
      // version | random | sid<..> | suites.. end — the cookie length byte is gone too.
      expect(toHex(parameters)).to.equal(toHex(concatBytes(body.subarray(0, 2 + 32 + 3), body.subarray(2 + 32 + 3 + 33))));
    });

    it('the same hello with and without a cookie has the same parameters', () => {
      const first = splitDtlsClientHello(helloBody());
      const second = splitDtlsClientHello(helloBody({ cookie: new Uint8Array(20).fill(1) }));
      expect(first.cookie).to.have.length(0);
      expect(toHex(second.parameters)).to.equal(toHex(first.parameters));
    });

    it('accepts a hello without an extensions block, and a 255-byte cookie', () => {
      expect(splitDtlsClientHello(helloBody({ ext: undefined })).cookie).to.have.length(0);
      expect(splitDtlsClientHello(helloBody({ cookie: new Uint8Array(255) })).cookie).to.have.length(255);
    });

    it('refuses bad framing with decode_error', () => {
      const bad = [
        new Uint8Array(0),
        helloBody().subarray(0, 34), // no session_id length
        helloBody({ sid: new Uint8Array(33) }), // session_id > 32
        concatBytes(hex('fefd'), new Uint8Array(32), hex('00 00 0000 0100')), // no cipher suite
        concatBytes(hex('fefd'), new Uint8Array(32), hex('00 00 0003 c02b00 0100')), // odd suites length
        concatBytes(hex('fefd'), new Uint8Array(32), hex('00 00 0002 c02b 00')), // no compression method
        concatBytes(helloBody({ ext: undefined }), hex('00')), // half an extensions length
        concatBytes(helloBody({ ext: undefined }), hex('0004 0000')), // extensions shorter than declared
        concatBytes(helloBody(), hex('00')), // a trailing byte
      ];
      for (const b of bad) expect(alertOf(() => splitDtlsClientHello(b)), toHex(b)).to.equal('decode_error');
    });

    it('never throws anything but decode_error on mutated or truncated input', () => {
      const base = helloBody({ sid: hex('0102'), cookie: new Uint8Array(32).fill(3), ext: hex('0008 000a 0004 0002 001d') });
      fc.assert(
        fc.property(fc.nat(base.length), fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, edits) => {
          const b = base.slice(0, cut);
          for (const [at, v] of edits) if (at < b.length) b[at] = v;
          const alert = alertOf(() => splitDtlsClientHello(b));
          expect(alert === undefined || alert === 'decode_error').to.equal(true);
        }),
      );
    });
  });

  describe('HelloVerifyRequest', () => {
    it('encodes server_version and the length-prefixed cookie (RFC 6347 §4.2.1)', () => {
      expect(toHex(encodeHelloVerifyRequest(DTLS1_0_VERSION, hex('0a0b0c')))).to.equal('feff030a0b0c');
      expect(toHex(encodeHelloVerifyRequest(DTLS1_0_VERSION, new Uint8Array(0)))).to.equal('feff00');
    });

    it('round-trips, and the decoded cookie is a copy', () => {
      const body = encodeHelloVerifyRequest(0xfefd, new Uint8Array(32).fill(9));
      const hvr = decodeHelloVerifyRequest(body);
      expect(hvr.version).to.equal(0xfefd);
      expect(toHex(hvr.cookie)).to.equal('09'.repeat(32));
      body.fill(0);
      expect(hvr.cookie[0]).to.equal(9);
    });

    it('refuses truncated input and trailing bytes with decode_error', () => {
      for (const b of ['', 'fe', 'feff', 'feff03aabb', 'feff01aabb']) {
        expect(alertOf(() => decodeHelloVerifyRequest(hex(b))), b).to.equal('decode_error');
      }
    });

    it('a cookie over 255 bytes or a bad version is a programming error', () => {
      expect(() => encodeHelloVerifyRequest(DTLS1_0_VERSION, new Uint8Array(256))).to.throw(RangeError);
      expect(() => encodeHelloVerifyRequest(0x10000, new Uint8Array(1))).to.throw(RangeError);
    });
  });
});
