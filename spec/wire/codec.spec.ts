import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { Reader, Writer, concatBytes, equalBytes, utf8 } from '../../lib/wire/codec.js';

function expectDecodeError(f: () => unknown) {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(TlsError);
    expect((e as TlsError).alert).to.equal('decode_error');
    expect((e as TlsError).fromPeer).to.equal(false);
    return;
  }
  expect.fail('expected TlsError decode_error');
}

describe('Reader', () => {
  it('reads big-endian integers of every width, including the top values', () => {
    const r = new Reader(Uint8Array.of(0xff, 0xfe, 0xdc, 0xab, 0xcd, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0));
    expect(r.u8()).to.equal(0xff);
    expect(r.u16()).to.equal(0xfedc);
    expect(r.u24()).to.equal(0xabcdef);
    expect(r.u32()).to.equal(0xffffffff);
    expect(r.u48()).to.equal(2 ** 48 - 1);
    expect(r.u32()).to.equal(1);
    expect(r.offset).to.equal(20);
    expect(r.remaining).to.equal(4);
    expect(r.atEnd()).to.equal(false);
    expect(Array.from(r.rest())).to.deep.equal([0, 0, 0, 0]);
    expect(r.atEnd()).to.equal(true);
    r.end();
  });

  const reads: [string, (r: Reader) => unknown, number][] = [
    ['u8', (r) => r.u8(), 1],
    ['u16', (r) => r.u16(), 2],
    ['u24', (r) => r.u24(), 3],
    ['u32', (r) => r.u32(), 4],
    ['u48', (r) => r.u48(), 6],
    ['bytes(5)', (r) => r.bytes(5), 5],
  ];
  for (const [name, read, width] of reads) {
    it(`${name} past the end is decode_error, at every shortfall`, () => {
      for (let have = 0; have < width; have++) expectDecodeError(() => read(new Reader(new Uint8Array(have))));
      // After a partial read too.
      const r = new Reader(new Uint8Array(width + 1));
      r.u8();
      read(r);
      expectDecodeError(() => read(r));
    });
  }

  it('bytes(-1) is decode_error, bytes(0) at the end is fine', () => {
    expectDecodeError(() => new Reader(new Uint8Array(4)).bytes(-1));
    const r = new Reader(new Uint8Array(0));
    expect(r.bytes(0).length).to.equal(0);
    expect(r.rest().length).to.equal(0);
  });

  it('vec: the length prefix itself or the body past the end is decode_error', () => {
    for (const len of [1, 2, 3] as const) {
      for (let have = 0; have < len; have++) expectDecodeError(() => new Reader(new Uint8Array(have)).vec(len));
      const prefix = new Uint8Array(len);
      prefix[len - 1] = 3;
      expectDecodeError(() => new Reader(concatBytes(prefix, Uint8Array.of(1, 2))).vec(len));
      expect(Array.from(new Reader(concatBytes(prefix, Uint8Array.of(1, 2, 3))).vec(len))).to.deep.equal([1, 2, 3]);
    }
    // A 3-byte length of 0xffffff over a short buffer.
    expectDecodeError(() => new Reader(Uint8Array.of(0xff, 0xff, 0xff, 1)).vec(3));
  });

  it('vec: lengths outside [min, max] are decode_error', () => {
    expectDecodeError(() => new Reader(Uint8Array.of(0)).vec(1, 1));
    expectDecodeError(() => new Reader(Uint8Array.of(3, 1, 2, 3)).vec(1, 0, 2));
    expect(new Reader(Uint8Array.of(2, 1, 2)).vec(1, 2, 2).length).to.equal(2);
  });

  it('sub: nested lengths cannot overflow their parent', () => {
    // outer: 2-byte length 4, inner claims 5 bytes.
    const outer = new Reader(Uint8Array.of(0, 4, 0, 5, 1, 2, 9, 9, 9));
    const inner = outer.sub(2);
    expectDecodeError(() => inner.vec(2));
    // The parent moved past exactly its own vector.
    expect(outer.remaining).to.equal(3);
    // An inner reader cannot read the parent's following bytes.
    const o2 = new Reader(Uint8Array.of(1, 7, 8, 8));
    const i2 = o2.sub(1);
    expect(i2.u8()).to.equal(7);
    expectDecodeError(() => i2.u8());
    expect(o2.u8()).to.equal(8);
    // A sub vector whose length exceeds the parent.
    expectDecodeError(() => new Reader(Uint8Array.of(0, 9, 1, 2)).sub(2));
    expectDecodeError(() => new Reader(Uint8Array.of(0, 1, 1)).sub(2, 2));
  });

  it('end() is decode_error with trailing bytes', () => {
    const r = new Reader(Uint8Array.of(1, 2), 'thing');
    r.u8();
    try {
      r.end();
      expect.fail('no throw');
    } catch (e) {
      expect((e as TlsError).alert).to.equal('decode_error');
      expect((e as Error).message).to.contain('thing');
    }
  });

  it('never reads past the end whatever the call sequence (property)', () => {
    const op = fc.constantFrom('u8', 'u16', 'u24', 'u32', 'u48', 'vec1', 'vec2', 'vec3', 'bytes', 'sub2', 'end');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(op, { maxLength: 20 }), (buf, ops) => {
        let r = new Reader(buf);
        for (const o of ops) {
          try {
            switch (o) {
              case 'u8': r.u8(); break;
              case 'u16': r.u16(); break;
              case 'u24': r.u24(); break;
              case 'u32': r.u32(); break;
              case 'u48': r.u48(); break;
              case 'vec1': r.vec(1); break;
              case 'vec2': r.vec(2); break;
              case 'vec3': r.vec(3); break;
              case 'bytes': r.bytes(3); break;
              case 'sub2': r = r.sub(2); break;
              case 'end': r.end(); break;
            }
          } catch (e) {
            expect(e).to.be.instanceOf(TlsError);
            expect((e as TlsError).alert).to.equal('decode_error');
          }
          expect(r.offset).to.be.at.most(buf.length);
          expect(r.remaining).to.be.at.least(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('Writer', () => {
  it('writes big-endian integers and grows from a tiny buffer', () => {
    const w = new Writer(1);
    w.u8(0x1ff).u16(0xabcd).u24(0x123456).u32(0xdeadbeef).u48(2 ** 48 - 2).bytes(new Uint8Array(1000).fill(7));
    const out = w.finish();
    expect(out.length).to.equal(1 + 2 + 3 + 4 + 6 + 1000);
    expect(w.length).to.equal(out.length);
    expect(Array.from(out.subarray(0, 16))).to.deep.equal([0xff, 0xab, 0xcd, 0x12, 0x34, 0x56, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
    const r = new Reader(out);
    expect([r.u8(), r.u16(), r.u24(), r.u32(), r.u48()]).to.deep.equal([0xff, 0xabcd, 0x123456, 0xdeadbeef, 2 ** 48 - 2]);
  });

  it('nested writes the body length in 1, 2 or 3 bytes, also when nested in turn', () => {
    const w = new Writer(2);
    w.nested(2, (a) => {
      a.u8(1);
      a.nested(1, (b) => b.bytes(Uint8Array.of(9, 9, 9)));
      a.nested(3, (b) => b.u16(0x0102));
    });
    expect(Array.from(w.finish())).to.deep.equal([0, 10, 1, 3, 9, 9, 9, 0, 0, 2, 1, 2]);
  });

  it('nested: a body longer than its length field can say is a RangeError', () => {
    expect(() => new Writer().nested(1, (w) => w.bytes(new Uint8Array(256)))).to.throw(RangeError);
    expect(() => new Writer().nested(2, (w) => w.bytes(new Uint8Array(65536)))).to.throw(RangeError);
    expect(new Writer().nested(1, (w) => w.bytes(new Uint8Array(255))).length).to.equal(256);
    expect(new Writer().nested(2, (w) => w.bytes(new Uint8Array(65535))).length).to.equal(65537);
    // Overflow inside an inner vector is caught even if the outer one fits.
    expect(() => new Writer().nested(2, (w) => w.nested(1, (x) => x.bytes(new Uint8Array(300))))).to.throw(RangeError);
  });

  it('vec: a vector longer than its length field can say is a RangeError', () => {
    expect(() => new Writer().vec(1, new Uint8Array(256))).to.throw(RangeError);
    expect(() => new Writer().vec(2, new Uint8Array(65536))).to.throw(RangeError);
  });

  it('a Writer with an initial size of 0 still grows', () => {
    expect(Array.from(new Writer(0).u16(0x0102).finish())).to.deep.equal([1, 2]);
  });

  it('vec round-trips through Reader.vec at the largest lengths', () => {
    for (const [len, n] of [[1, 255], [2, 65535], [3, 70000]] as const) {
      const body = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
      const r = new Reader(new Writer().vec(len, body).finish());
      expect(equalBytes(r.vec(len), body)).to.equal(true);
      r.end();
    }
  });
});

describe('codec helpers', () => {
  it('concatBytes, equalBytes, utf8', () => {
    expect(Array.from(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).to.deep.equal([1, 2, 3]);
    expect(concatBytes().length).to.equal(0);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).to.equal(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).to.equal(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1))).to.equal(false);
    expect(utf8.decode(utf8.encode('héllo'))).to.equal('héllo');
    expect(() => utf8.decode(Uint8Array.of(0xff))).to.throw();
  });
});
