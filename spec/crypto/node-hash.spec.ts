/**
 * The node provider builds HMAC from two one-shot hashes instead of createHmac
 * (hash.ts says why): check it against node's own HMAC and HKDF for every key
 * length class (empty, shorter than, equal to and longer than the block).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import type { HashName } from '../../lib/crypto/provider.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const HASHES: HashName[] = ['sha256', 'sha384'];

describe('node provider HMAC / HKDF (one-shot hash construction)', () => {
  for (const name of HASHES) {
    const h = nodeCrypto.hash(name);

    it(`${name}: hmac matches createHmac for keys of 0..300 bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 200 }), (key, data) => {
          expect(hex(h.hmac(key, data))).to.equal(createHmac(name, key).update(data).digest('hex'));
        }),
      );
    });

    it(`${name}: extract + expand match hkdfSync, single and multi-block`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 80 }),
          fc.uint8Array({ maxLength: 100 }),
          fc.integer({ min: 0, max: 4 * h.outputLength }),
          (salt, ikm, info, length) => {
            const okm = h.hkdfExpand(h.hkdfExtract(salt, ikm), info, length);
            expect(hex(okm)).to.equal(Buffer.from(hkdfSync(name, ikm, salt, info, length)).toString('hex'));
          },
        ),
      );
    });

    it(`${name}: does not read past a key or data view's bounds`, () => {
      const backing = new Uint8Array(400).map((_, i) => i);
      const key = backing.subarray(10, 50);
      const data = backing.subarray(60, 75);
      expect(hex(h.hmac(key, data))).to.equal(createHmac(name, key).update(data).digest('hex'));
    });
  }
});
