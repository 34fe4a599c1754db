/** The record_size_limit extension body (lib/wire/record-size-limit.ts, RFC 8449 §4). */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { ExtensionType } from '../../lib/wire/enums.js';
import { decodeRecordSizeLimit, encodeRecordSizeLimit } from '../../lib/wire/record-size-limit.js';
import { fromHex } from '../support/hex.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function outcome(data: Uint8Array): string | number {
  try {
    return decodeRecordSizeLimit(data);
  } catch (e) {
    if (e instanceof TlsError) return e.alert;
    throw e;
  }
}

describe('record_size_limit (RFC 8449 §4)', () => {
  it('is extension 28, one uint16', () => {
    expect(ExtensionType.record_size_limit).to.equal(28);
    // GnuTLS's and Firefox's default offer: 2^14 + 1.
    expect(hex(encodeRecordSizeLimit(16385))).to.equal('4001');
    expect(hex(encodeRecordSizeLimit(64))).to.equal('0040');
    expect(decodeRecordSizeLimit(fromHex('4001'))).to.equal(16385);
    expect(decodeRecordSizeLimit(fromHex('ffff'))).to.equal(0xffff); // over the protocol maximum: capped by the handshake, not refused here
  });

  it('refuses a value below 64 with illegal_parameter, a wrong length with decode_error', () => {
    expect(outcome(fromHex('003f'))).to.equal('illegal_parameter');
    expect(outcome(fromHex('0000'))).to.equal('illegal_parameter');
    expect(outcome(fromHex('0040'))).to.equal(64);
    for (const bad of ['', '40', '400100', '00400000']) expect(outcome(fromHex(bad)), bad).to.equal('decode_error');
  });

  it('will not encode what it would refuse', () => {
    for (const bad of [0, 63, 65536, 100.5]) expect(() => encodeRecordSizeLimit(bad)).to.throw(RangeError);
  });

  it('random and truncated bodies give a value or a typed TlsError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (body) => {
        const r = outcome(body);
        if (typeof r === 'number') {
          expect(body.length).to.equal(2);
          expect(r).to.be.within(64, 0xffff);
        } else expect(r).to.be.oneOf(['decode_error', 'illegal_parameter']);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 0xffff }), fc.nat({ max: 2 }), (v, cut) => {
        const body = encodeRecordSizeLimit(v);
        expect(outcome(body)).to.equal(v);
        if (cut > 0) expect(outcome(body.subarray(0, 2 - cut))).to.equal('decode_error');
      }),
    );
  });
});
