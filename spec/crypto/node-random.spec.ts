/** The node provider's pooled random source (lib/crypto/node/random.ts). */
import { expect } from 'chai';
import { nodeCrypto } from '../../lib/crypto/node/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('node provider random (pooled)', () => {
  it('returns independent plain Uint8Arrays of the requested length, across pool refills', () => {
    const seen = new Set<string>();
    const outputs: Uint8Array[] = [];
    // ~3 pools' worth of the sizes a handshake asks for, plus the edges.
    for (let i = 0; i < 400; i++) {
      for (const n of [0, 1, 4, 32, 48, 72, 256]) {
        const r = nodeCrypto.random(n);
        expect(r).to.be.instanceOf(Uint8Array);
        expect(Buffer.isBuffer(r)).to.equal(false);
        expect(r.length).to.equal(n);
        if (n >= 32) {
          expect(seen.has(hex(r)), 'a repeated 32+ byte output').to.equal(false);
          seen.add(hex(r));
          outputs.push(r);
        }
      }
    }
    // Writing into one output must not show up in any other.
    const snapshot = outputs.map(hex);
    outputs[0]!.fill(0xff);
    outputs.slice(1).forEach((o, i) => expect(hex(o)).to.equal(snapshot[i + 1]));
  });

  it('serves requests above the pooled size directly', () => {
    const big = nodeCrypto.random(10_000);
    expect(big.length).to.equal(10_000);
    expect(big.some((b) => b !== 0)).to.equal(true);
  });

  it('looks uniform: every byte value shows up in 64 KiB drawn in handshake-sized pieces', () => {
    const counts = new Uint32Array(256);
    for (let i = 0; i < 2048; i++) for (const b of nodeCrypto.random(32)) counts[b]++;
    // Expected 256 per value; a value missing or 3x over would mean a broken pool.
    expect(Math.min(...counts)).to.be.greaterThan(100);
    expect(Math.max(...counts)).to.be.lessThan(512);
  });

  it('rejects invalid lengths', () => {
    for (const n of [-1, 1.5, NaN]) expect(() => nodeCrypto.random(n)).to.throw(RangeError);
  });
});
