import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { toHex } from '../../lib/wire/codec.js';
import {
  type DtlsHandshakeHeader,
  HANDSHAKE_HEADER_LENGTH,
  MAX_HANDSHAKE_LENGTH,
  encodeHandshakeHeader,
  readHandshakeHeader,
} from '../../lib/wire/handshake-header.js';
import { alertOf } from '../support/alerts.js';
import { fromHex as hex } from '../support/hex.js';


describe('handshake header (TLS 4 bytes, DTLS 12 bytes)', () => {
  describe('TLS', () => {
    it('encodes type and u24 length', () => {
      expect(toHex(encodeHandshakeHeader({ type: 14, length: 0 }, 'tls'))).to.equal('0e000000');
      expect(toHex(encodeHandshakeHeader({ type: 11, length: 0x035b }, 'tls'))).to.equal('0b00035b');
      expect(toHex(encodeHandshakeHeader({ type: 255, length: MAX_HANDSHAKE_LENGTH }, 'tls'))).to.equal('ffffffff');
    });

    it('reads at an offset, looking at nothing past the header', () => {
      // openssl's ServerHelloDone and the first bytes of a ClientKeyExchange, back to back.
      const wire = hex('0e000000 10000021 20');
      expect(readHandshakeHeader(wire, 0, 'tls')).to.deep.equal({ type: 14, length: 0 });
      expect(readHandshakeHeader(wire, 4, 'tls')).to.deep.equal({ type: 16, length: 0x21 });
    });

    it('answers undefined while fewer than 4 bytes are there', () => {
      const wire = hex('0b00035b');
      for (let n = 0; n < 4; n++) expect(readHandshakeHeader(wire.subarray(0, n), 0, 'tls')).to.equal(undefined);
      expect(readHandshakeHeader(wire, 1, 'tls')).to.equal(undefined);
      expect(readHandshakeHeader(wire, 4, 'tls')).to.equal(undefined);
    });

    it('refuses DTLS fields and out-of-range values (RangeError: a programming error)', () => {
      expect(() => encodeHandshakeHeader({ type: 1, length: 1, messageSeq: 0 }, 'tls')).to.throw(RangeError);
      expect(() => encodeHandshakeHeader({ type: 256, length: 1 }, 'tls')).to.throw(RangeError);
      expect(() => encodeHandshakeHeader({ type: -1, length: 1 }, 'tls')).to.throw(RangeError);
      expect(() => encodeHandshakeHeader({ type: 1, length: MAX_HANDSHAKE_LENGTH + 1 }, 'tls')).to.throw(RangeError);
      expect(() => encodeHandshakeHeader({ type: 1, length: 1.5 }, 'tls')).to.throw(RangeError);
      expect(() => readHandshakeHeader(new Uint8Array(8), -1, 'tls')).to.throw(RangeError);
      expect(() => readHandshakeHeader(new Uint8Array(8), 9, 'tls')).to.throw(RangeError);
      expect(() => readHandshakeHeader(new Uint8Array(8), 0.5, 'tls')).to.throw(RangeError);
    });
  });

  describe('DTLS', () => {
    it('encodes the RFC 6347 §4.2.2 layout byte for byte', () => {
      const h: DtlsHandshakeHeader = { type: 2, length: 0x010203, messageSeq: 0x0405, fragmentOffset: 0x000100, fragmentLength: 0x000200 };
      // msg_type | length u24 | message_seq u16 | fragment_offset u24 | fragment_length u24
      expect(toHex(encodeHandshakeHeader(h, 'dtls'))).to.equal('02' + '010203' + '0405' + '000100' + '000200');
      expect(readHandshakeHeader(encodeHandshakeHeader(h, 'dtls'), 0, 'dtls')).to.deep.equal(h);
    });

    it('an unfragmented message by default (offset 0, fragment length = length)', () => {
      expect(toHex(encodeHandshakeHeader({ type: 1, length: 300, messageSeq: 0 }, 'dtls'))).to.equal('0100012c' + '0000' + '000000' + '00012c');
      expect(toHex(encodeHandshakeHeader({ type: 1, length: 300, messageSeq: 7, fragmentOffset: 100 }, 'dtls'))).to.equal('0100012c' + '0007' + '000064' + '0000c8');
      expect(toHex(encodeHandshakeHeader({ type: 14, length: 0, messageSeq: 3 }, 'dtls'))).to.equal('0e000000' + '0003' + '000000' + '000000');
    });

    it('answers undefined while fewer than 12 bytes are there', () => {
      const wire = encodeHandshakeHeader({ type: 1, length: 300, messageSeq: 0 }, 'dtls');
      expect(HANDSHAKE_HEADER_LENGTH.dtls).to.equal(12);
      for (let n = 0; n < 12; n++) expect(readHandshakeHeader(wire.subarray(0, n), 0, 'dtls')).to.equal(undefined);
      // A TLS reader is satisfied by the first 4 of them.
      expect(readHandshakeHeader(wire.subarray(0, 4), 0, 'tls')).to.deep.equal({ type: 1, length: 300 });
    });

    it('a fragment past the end of its message is decode_error (the DTLS caller drops the record)', () => {
      // length 0x10, fragment_offset 0x08, fragment_length 0x09: one byte too many.
      const bad = hex('01 000010 0000 000008 000009');
      expect(alertOf(() => readHandshakeHeader(bad, 0, 'dtls'))).to.equal('decode_error');
      const e = (() => {
        try {
          readHandshakeHeader(bad, 0, 'dtls');
        } catch (x) {
          return x;
        }
      })();
      expect(e).to.be.instanceOf(TlsError);
      expect((e as TlsError).code).to.equal('ERR_TLS_ALERT_DECODE_ERROR');
      // Exactly up to the end, and an empty fragment at the end, are fine.
      expect(readHandshakeHeader(hex('01 000010 0000 000008 000008'), 0, 'dtls')?.fragmentLength).to.equal(8);
      expect(readHandshakeHeader(hex('01 000010 0000 000010 000000'), 0, 'dtls')?.fragmentOffset).to.equal(16);
      // Both u24 fields at their maximum: no overflow into an accepted value.
      expect(alertOf(() => readHandshakeHeader(hex('01 ffffff 0000 ffffff ffffff'), 0, 'dtls'))).to.equal('decode_error');
    });

    it('refuses a missing message_seq and fragments that do not fit (RangeError)', () => {
      expect(() => encodeHandshakeHeader({ type: 1, length: 10 }, 'dtls')).to.throw(RangeError);
      expect(() => encodeHandshakeHeader({ type: 1, length: 10, messageSeq: 0x10000 }, 'dtls')).to.throw(RangeError);
      expect(() => encodeHandshakeHeader({ type: 1, length: 10, messageSeq: 0, fragmentOffset: 5, fragmentLength: 6 }, 'dtls')).to.throw(RangeError);
      expect(() => encodeHandshakeHeader({ type: 1, length: 10, messageSeq: 0, fragmentOffset: 11 }, 'dtls')).to.throw(RangeError);
    });
  });

  it('headers round-trip (property)', () => {
    const u24 = fc.integer({ min: 0, max: MAX_HANDSHAKE_LENGTH });
    const dtls = u24.chain((length) =>
      fc.integer({ min: 0, max: length }).chain((fragmentOffset) =>
        fc.record({
          type: fc.integer({ min: 0, max: 255 }),
          length: fc.constant(length),
          messageSeq: fc.integer({ min: 0, max: 0xffff }),
          fragmentOffset: fc.constant(fragmentOffset),
          fragmentLength: fc.integer({ min: 0, max: length - fragmentOffset }),
        }),
      ),
    );
    fc.assert(
      fc.property(dtls, fc.uint8Array({ maxLength: 8 }), (h, prefix) => {
        const wire = new Uint8Array(prefix.length + 12);
        wire.set(prefix);
        wire.set(encodeHandshakeHeader(h, 'dtls'), prefix.length);
        expect(readHandshakeHeader(wire, prefix.length, 'dtls')).to.deep.equal(h);
        const tls = { type: h.type, length: h.length };
        expect(readHandshakeHeader(encodeHandshakeHeader(tls, 'tls'), 0, 'tls')).to.deep.equal(tls);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes give a header, undefined, or a TlsError, and a decoded header re-encodes to its bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), fc.constantFrom('tls' as const, 'dtls' as const), (bytes, flavor) => {
        try {
          const h = readHandshakeHeader(bytes, 0, flavor);
          if (h === undefined) expect(bytes.length).to.be.below(HANDSHAKE_HEADER_LENGTH[flavor]);
          else expect(toHex(encodeHandshakeHeader(h, flavor))).to.equal(toHex(bytes.subarray(0, HANDSHAKE_HEADER_LENGTH[flavor])));
        } catch (e) {
          expect(e, String(e)).to.be.instanceOf(TlsError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
