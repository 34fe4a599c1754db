/**
 * The TLS 1.2 keying material exporter (lib/tls12/exporter.ts, RFC 5705 §4),
 * checked against the PRF written plainly on node:crypto's HMAC: the seed
 * layout (randoms, then uint16 context length and context), "no context"
 * against "empty context", and the labels TLS keeps for itself.
 */
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { nobleCrypto } from '../../lib/crypto/index.js';
import type { HashName } from '../../lib/crypto/provider.js';
import { MAX_TLS12_EXPORT, Tls12Exporter } from '../../lib/tls12/exporter.js';

const bytes = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i * 13) & 0xff);

/** PRF(secret, label, seed) of RFC 5246 §5, on node:crypto. */
function referencePrf(hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  const hmac = (data: Uint8Array) => createHmac(hash, secret).update(data).digest();
  let a: Uint8Array = labelSeed;
  let out = Buffer.alloc(0);
  while (out.length < length) {
    a = hmac(a);
    out = Buffer.concat([out, hmac(Buffer.concat([a, labelSeed]))]);
  }
  return out.subarray(0, length);
}

describe('TLS 1.2 keying material exporter (RFC 5705)', () => {
  const master = bytes(48, 1);
  const clientRandom = bytes(32, 2);
  const serverRandom = bytes(32, 3);
  const exporterFor = (hash: HashName) => new Tls12Exporter(nobleCrypto.hash(hash), master, clientRandom, serverRandom);

  for (const hash of ['sha256', 'sha384'] as const) {
    it(`without context: PRF over client_random + server_random (${hash})`, () => {
      const got = exporterFor(hash).exportKeyingMaterial('EXPERIMENTAL rxtls', undefined, 70);
      const want = referencePrf(hash, master, 'EXPERIMENTAL rxtls', Buffer.concat([clientRandom, serverRandom]), 70);
      expect(Buffer.from(got).toString('hex')).to.equal(want.toString('hex'));
    });

    it(`with context: its uint16 length and bytes follow the randoms (${hash})`, () => {
      const context = bytes(300, 9);
      const got = exporterFor(hash).exportKeyingMaterial('EXPORTER-test', context, 32);
      const seed = Buffer.concat([clientRandom, serverRandom, Buffer.of(0x01, 0x2c), context]);
      expect(Buffer.from(got).toString('hex')).to.equal(referencePrf(hash, master, 'EXPORTER-test', seed, 32).toString('hex'));
    });
  }

  it('"no context" and "empty context" differ (the empty one adds a zero length)', () => {
    const e = exporterFor('sha256');
    const none = e.exportKeyingMaterial('EXPORTER-test', undefined, 32);
    const empty = e.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32);
    expect(Buffer.from(none).equals(Buffer.from(empty))).to.equal(false);
    const seed = Buffer.concat([clientRandom, serverRandom, Buffer.of(0, 0)]);
    expect(Buffer.from(empty).toString('hex')).to.equal(referencePrf('sha256', master, 'EXPORTER-test', seed, 32).toString('hex'));
  });

  it('the length is any whole number up to the bound, 0 included', () => {
    const e = exporterFor('sha256');
    expect(e.exportKeyingMaterial('x', undefined, 0)).to.have.length(0);
    expect(e.exportKeyingMaterial('x', undefined, 1)).to.have.length(1);
    for (const bad of [-1, 1.5, NaN, MAX_TLS12_EXPORT + 1]) expect(() => e.exportKeyingMaterial('x', undefined, bad)).to.throw(RangeError);
  });

  it('refuses the labels TLS uses itself, and labels starting with them, with a TypeError', () => {
    const e = exporterFor('sha256');
    for (const label of ['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret', 'key expansion2']) {
      expect(() => e.exportKeyingMaterial(label, undefined, 12), label).to.throw(TypeError, /reserved/);
    }
    // Not a prefix of one: fine.
    expect(e.exportKeyingMaterial('key', undefined, 12)).to.have.length(12);
  });

  it('refuses a non-ASCII label, a context that is not bytes and one over 65535 bytes', () => {
    const e = exporterFor('sha256');
    expect(() => e.exportKeyingMaterial('clé', undefined, 16)).to.throw(TypeError, /ASCII/);
    expect(() => e.exportKeyingMaterial('x', 'ctx' as unknown as Uint8Array, 16)).to.throw(TypeError);
    expect(() => e.exportKeyingMaterial('x', new Uint8Array(0x10000), 16)).to.throw(RangeError);
    expect(e.exportKeyingMaterial('x', new Uint8Array(0xffff), 16)).to.have.length(16);
  });
});
