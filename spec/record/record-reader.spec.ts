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
