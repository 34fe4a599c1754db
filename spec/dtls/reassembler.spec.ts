/**
 * DTLS handshake reassembly: messages cut into fragments that overlap, repeat
 * and arrive in any order come out whole and in order, each once; what does
 * not fit the bounds is dropped, never thrown.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Reassembler, type ReassembledMessage } from '../../lib/dtls/reassembler.js';
import type { DtlsHandshakeHeader } from '../../lib/wire/handshake-header.js';
import { readHandshakeHeader } from '../../lib/wire/handshake-header.js';

const header = (messageSeq: number, type: number, length: number, fragmentOffset: number, fragmentLength: number): DtlsHandshakeHeader => ({
  messageSeq,
  type,
  length,
  fragmentOffset,
  fragmentLength,
});

function drain(r: Reassembler): ReassembledMessage[] {
  const out: ReassembledMessage[] = [];
  for (let m = r.next(); m; m = r.next()) out.push(m);
  return out;
}

describe('dtls/reassembler', () => {
  it('joins fragments in any order, with overlaps and duplicates, and gives the unfragmented header for the transcript', () => {
    const body = Uint8Array.from({ length: 10 }, (_, i) => i);
    const r = new Reassembler();
    for (const [o, n] of [[6, 4], [0, 3], [2, 3], [0, 3]] as const) {
      expect(r.add(header(0, 11, 10, o, n), body.subarray(o, o + n))).to.equal('buffered');
      expect(r.next()).to.equal(undefined);
    }
    expect(r.add(header(0, 11, 10, 5, 1), body.subarray(5, 6))).to.equal('buffered');
    const [m] = drain(r);
    expect([...m!.body]).to.deep.equal([...body]);
    expect(readHandshakeHeader(m!.raw, 0, 'dtls')).to.deep.equal(header(0, 11, 10, 0, 10));
    expect(r.add(header(0, 11, 10, 0, 10), body)).to.equal('old'); // a retransmission of it
  });

  it('holds a later message until the one before it is whole', () => {
    const r = new Reassembler();
    r.add(header(1, 14, 0, 0, 0), new Uint8Array(0));
    expect(r.next()).to.equal(undefined);
    r.add(header(0, 2, 2, 0, 2), Uint8Array.of(1, 2));
    expect(drain(r).map((m) => [m.messageSeq, m.type])).to.deep.equal([[0, 2], [1, 14]]);
    expect(r.nextSeq).to.equal(2);
  });

  it('drops what does not fit: too large, too far ahead, too much buffered, or contradicting earlier fragments', () => {
    const r = new Reassembler({ maxMessage: 100, maxBuffered: 150, maxAhead: 2 });
    expect(r.add(header(0, 11, 101, 0, 1), new Uint8Array(1))).to.equal('dropped');
    expect(r.add(header(2, 11, 10, 0, 1), new Uint8Array(1))).to.equal('dropped');
    expect(r.add(header(0, 11, 100, 0, 1), new Uint8Array(1))).to.equal('buffered');
    expect(r.add(header(1, 11, 60, 0, 1), new Uint8Array(1))).to.equal('dropped'); // 100 + 60 > 150
    expect(r.add(header(0, 12, 100, 1, 1), new Uint8Array(1))).to.equal('dropped'); // another type for seq 0
    expect(r.add(header(0, 11, 99, 1, 1), new Uint8Array(1))).to.equal('dropped'); // another length
    expect(r.add(header(0, 11, 100, 1, 2), new Uint8Array(1))).to.equal('dropped'); // fragment_length lies
  });

  it('any split, shuffle and duplication of a flight reassembles to the same messages (property)', () => {
    const message = fc.uint8Array({ maxLength: 300 });
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (bodies, cuts, seed) => {
          // Fragments: each message cut at the given points, every fragment once, plus overlapping repeats.
          const fragments: Array<[DtlsHandshakeHeader, Uint8Array]> = [];
          bodies.forEach((body, seq) => {
            const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
            const edges = [0, ...points, body.length];
            for (let i = 0; i + 1 < edges.length; i++) {
              const [a, b] = [edges[i]!, edges[i + 1]!];
              if (b > a || body.length === 0) fragments.push([header(seq, 1 + seq, body.length, a, b - a), body.subarray(a, b)]);
              if (b > a + 1) fragments.push([header(seq, 1 + seq, body.length, a + 1, b - a - 1), body.subarray(a + 1, b)]);
            }
          });
          let x = seed;
          const rand = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x);
          fragments.sort(() => (rand() & 1 ? 1 : -1));
          const r = new Reassembler();
          const out: ReassembledMessage[] = [];
          for (const [h, f] of fragments) {
            r.add(h, f);
            out.push(...drain(r));
          }
          expect(out.map((m) => m.messageSeq)).to.deep.equal(bodies.map((_, i) => i));
          out.forEach((m, i) => expect([...m.body]).to.deep.equal([...bodies[i]!]));
        },
      ),
      { numRuns: 200 },
    );
  });
});
