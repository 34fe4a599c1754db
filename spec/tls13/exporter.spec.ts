/**
 * The TLS 1.3 keying material exporter (lib/tls13/exporter.ts, RFC 8446
 * §7.5), checked against HKDF-Expand-Label written plainly on node:crypto's
 * HMAC: Derive-Secret(exporter_master_secret, label, "") then "exporter"
 * over Hash(context). No context is the empty context.
 */
import { expect } from 'chai';
import { createHash, createHmac } from 'node:crypto';
import { nobleCrypto } from '../../lib/crypto/index.js';
import type { HashName } from '../../lib/crypto/provider.js';
import { Tls13Exporter } from '../../lib/tls13/exporter.js';

const bytes = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i * 13) & 0xff);

function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  let t = Buffer.alloc(0);
  let out = Buffer.alloc(0);
  for (let i = 1; out.length < length; i++) {
    t = createHmac(hash, prk).update(Buffer.concat([t, info, Buffer.of(i)])).digest();
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, length);
}

function expandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.of(length >> 8, length & 0xff, full.length), full, Buffer.of(context.length), context]);
  return hkdfExpand(hash, secret, info, length);
}

function referenceExport(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): string {
  const digest = (b: Uint8Array) => createHash(hash).update(b).digest();
  const size = digest(new Uint8Array(0)).length;
  const derived = expandLabel(hash, secret, label, digest(new Uint8Array(0)), size);
  return expandLabel(hash, derived, 'exporter', digest(context), length).toString('hex');
}

describe('TLS 1.3 keying material exporter (RFC 8446 §7.5)', () => {
  for (const [hash, size] of [['sha256', 32], ['sha384', 48]] as const) {
    const secret = bytes(size, 5);
    const e = new Tls13Exporter(nobleCrypto.hash(hash), secret);

    it(`matches HKDF-Expand-Label done by hand, with and without context (${hash})`, () => {
      const context = bytes(40, 7);
      expect(Buffer.from(e.exportKeyingMaterial('EXPORTER-test', context, 32)).toString('hex')).to.equal(referenceExport(hash, secret, 'EXPORTER-test', context, 32));
      expect(Buffer.from(e.exportKeyingMaterial('EXPERIMENTAL x', undefined, 100)).toString('hex')).to.equal(referenceExport(hash, secret, 'EXPERIMENTAL x', new Uint8Array(0), 100));
    });

    it(`no context is the empty context (${hash})`, () => {
      expect(e.exportKeyingMaterial('EXPORTER-test', undefined, 32)).to.deep.equal(e.exportKeyingMaterial('EXPORTER-test', new Uint8Array(0), 32));
    });

    it(`the length goes up to 255 hash blocks and no further (${hash})`, () => {
      expect(e.exportKeyingMaterial('x', undefined, 255 * size)).to.have.length(255 * size);
      expect(() => e.exportKeyingMaterial('x', undefined, 255 * size + 1)).to.throw(RangeError);
      expect(() => e.exportKeyingMaterial('x', undefined, -1)).to.throw(RangeError);
    });
  }

  it('takes labels TLS 1.2 reserves (no reservation in 1.3), refuses non-ASCII and over-long ones', () => {
    const e = new Tls13Exporter(nobleCrypto.hash('sha256'), bytes(32));
    expect(e.exportKeyingMaterial('key expansion', undefined, 8)).to.have.length(8);
    expect(() => e.exportKeyingMaterial('ключ', undefined, 8)).to.throw(TypeError);
    expect(e.exportKeyingMaterial('a'.repeat(249), undefined, 8)).to.have.length(8);
    expect(() => e.exportKeyingMaterial('a'.repeat(250), undefined, 8)).to.throw(RangeError);
  });
});
