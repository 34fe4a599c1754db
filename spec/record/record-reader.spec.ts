import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { MAX_CIPHERTEXT } from '../../lib/record/limits.js';
import { RecordReader, type TlsRecord } from '../../lib/record/record-reader.js';
import { concatBytes } from '../../lib/wire/codec.js';

function record(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return concatBytes(Uint8Array.of(type, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff), fragment);
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function drain(r: RecordReader): TlsRecord[] {
  const out: TlsRecord[] = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push(rec);
  return out;
}

function expectTlsError(f: () => unknown, alert: string) {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(TlsError);
    expect((e as TlsError).alert).to.equal(alert);
    return;
  }
  expect.fail(`expected TlsError ${alert}`);
}

describe('RecordReader', () => {
  it('returns nothing until a whole record arrived, fed one byte at a time', () => {
    const frag = bytes(300);
    const wire = record(23, frag);
    const r = new RecordReader();
    for (let i = 0; i < wire.length - 1; i++) {
      r.feed(wire.subarray(i, i + 1));
      expect(r.next()).to.equal(undefined);
      expect(r.buffered).to.equal(i + 1);
    }
    r.feed(wire.subarray(wire.length - 1));
    const rec = r.next()!;
    expect(rec.type).to.equal(23);
    expect(rec.version).to.equal(0x0303);
    expect(Array.from(rec.header)).to.deep.equal([23, 3, 3, 1, 44]);
    expect(rec.fragment).to.deep.equal(frag);
    expect(r.buffered).to.equal(0);
    expect(r.next()).to.equal(undefined);
  });

  it('splits several records delivered in one feed, including empty ones', () => {
    const recs = [record(22, bytes(10)), record(21, Uint8Array.of(1, 0)), record(23, new Uint8Array(0)), record(20, Uint8Array.of(1), 0x0301)];
    const r = new RecordReader();
    r.feed(concatBytes(...recs, Uint8Array.of(23, 3)));
    const out = drain(r);
    expect(out.map((x) => x.type)).to.deep.equal([22, 21, 23, 20]);
    expect(out[0]!.fragment).to.deep.equal(bytes(10));
    expect(out[2]!.fragment.length).to.equal(0);
    expect(out[3]!.version).to.equal(0x0301);
    expect(r.buffered).to.equal(2);
  });

  it('byte-by-byte feeding of several records yields each exactly once', () => {
    const recs = [bytes(1), bytes(0), bytes(5000), bytes(MAX_CIPHERTEXT), bytes(17)].map((f, i) => record(20 + (i % 4), f));
    const wire = concatBytes(...recs);
    const r = new RecordReader();
    const got: TlsRecord[] = [];
    for (let i = 0; i < wire.length; i++) {
      r.feed(wire.subarray(i, i + 1));
      got.push(...drain(r));
    }
    expect(got.length).to.equal(recs.length);
    got.forEach((g, i) => expect(concatBytes(g.header, g.fragment)).to.deep.equal(recs[i]));
  });

  it('accepts a record of exactly 2^14 + 256 bytes', () => {
    const r = new RecordReader();
    r.feed(record(23, bytes(MAX_CIPHERTEXT)));
    expect(r.next()!.fragment.length).to.equal(2 ** 14 + 256);
  });

  it('record_overflow as soon as the header announces more than 2^14 + 256 bytes', () => {
    const r = new RecordReader();
    r.feed(Uint8Array.of(23, 3, 3, (MAX_CIPHERTEXT + 1) >> 8, (MAX_CIPHERTEXT + 1) & 0xff));
    expectTlsError(() => r.next(), 'record_overflow');
    const r2 = new RecordReader();
    r2.feed(Uint8Array.of(23, 3, 3, 0xff, 0xff));
    expectTlsError(() => r2.next(), 'record_overflow');
  });

  describe('what is not TLS is refused at the first byte that shows it, not after the length it spells', () => {
    /** Feeds `wire` one byte at a time; returns the error and how many bytes had been fed when it came. */
    function refusal(wire: Uint8Array): { alert: string; after: number } {
      const r = new RecordReader();
      for (let i = 0; i < wire.length; i++) {
        r.feed(wire.subarray(i, i + 1));
        try {
          drain(r);
        } catch (e) {
          expect(e).to.be.instanceOf(TlsError);
          return { alert: (e as TlsError).alert, after: i + 1 };
        }
      }
      throw new Error('not refused');
    }
    const ascii = (s: string) => new TextEncoder().encode(s);

    it('an HTTP request: unexpected_message at its first byte ("G" is no content type)', () => {
      expect(refusal(ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).to.deep.equal({ alert: 'unexpected_message', after: 1 });
      expect(refusal(ascii('POST / HTTP/1.1\r\n'))).to.deep.equal({ alert: 'unexpected_message', after: 1 });
      // All at once, too.
      const r = new RecordReader();
      r.feed(ascii('GET / HTTP/1.1\r\n'));
      expectTlsError(() => r.next(), 'unexpected_message');
    });

    it('an SSL 2.0 ClientHello (0x80 0x2e 0x01 ...): protocol_version at its first byte, as OpenSSL answers', () => {
      expect(refusal(Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15))).to.deep.equal({ alert: 'protocol_version', after: 1 });
      expect(refusal(Uint8Array.of(0xff, 0xff))).to.deep.equal({ alert: 'protocol_version', after: 1 });
    });

    it('content types outside 20..23 in any record: unexpected_message', () => {
      for (const t of [0, 1, 19, 24, 0x47, 0x7f]) expect(refusal(Uint8Array.of(t, 3, 3, 0, 0)), `type ${t}`).to.deep.equal({ alert: 'unexpected_message', after: 1 });
      // Later in the stream (a high bit is then just a bad type, not SSL 2.0).
      for (const t of [24, 0x80, 0xff]) {
        expect(refusal(concatBytes(record(22, bytes(3)), Uint8Array.of(t, 3, 3, 0, 0))), `type ${t}`).to.deep.equal({ alert: 'unexpected_message', after: 9 });
      }
    });

    it('record versions 0x0300..0x03ff stand (RFC 8446 §5.1: ignored); others are protocol_version once the version byte is in', () => {
      for (const v of [0x0300, 0x0301, 0x0303, 0x0304, 0x03ff]) {
        const r = new RecordReader();
        r.feed(record(22, bytes(4), v));
        expect(r.next()!.version).to.equal(v);
      }
      for (const v of [0x0000, 0x0002, 0x02ff, 0x0400, 0xfeff]) expect(refusal(record(22, bytes(4), v)), v.toString(16)).to.deep.equal({ alert: 'protocol_version', after: 2 });
      expect(refusal(concatBytes(record(22, bytes(4)), record(23, bytes(4), 0x0203)))).to.deep.equal({ alert: 'protocol_version', after: 11 });
    });
  });

  it('fragments do not alias the reader buffer', () => {
    const r = new RecordReader();
    r.feed(record(23, Uint8Array.of(1, 2, 3)));
    const rec = r.next()!;
    r.feed(record(23, bytes(5000)));
    r.next();
    expect(Array.from(rec.fragment)).to.deep.equal([1, 2, 3]);
  });

  it('reassembles any record sequence split at arbitrary points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 20, max: 23 }), fc.uint8Array({ maxLength: 3000 })), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7000 }), { minLength: 1, maxLength: 20 }),
        (specs, cuts) => {
          const recs = specs.map(([t, f]) => record(t, f));
          const wire = concatBytes(...recs);
          const r = new RecordReader();
          const got: Uint8Array[] = [];
          let o = 0;
          for (let i = 0; o < wire.length; i++) {
            const n = cuts[i % cuts.length]!;
            r.feed(wire.subarray(o, o + n));
            o += n;
            for (const rec of drain(r)) got.push(concatBytes(rec.header, rec.fragment));
          }
          expect(got).to.deep.equal(recs);
          expect(r.buffered).to.equal(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
