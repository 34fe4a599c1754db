/** The stateless DTLS cookie: bound to address and hello, valid across one rotation, not two. */
import { expect } from 'chai';
import { CookieJar } from '../../lib/dtls/cookie.js';
import { nobleCrypto } from '../../lib/crypto/index.js';

describe('dtls/cookie', () => {
  const params = Uint8Array.from([0xfe, 0xfd, ...new Array(32).fill(7)]);

  function jar() {
    let now = 0;
    let n = 0;
    const j = new CookieJar(nobleCrypto, (len) => new Uint8Array(len).fill(++n), () => now, 1000);
    return { j, at: (t: number) => (now = t) };
  }

  it('accepts its own cookie for the same address and hello only', () => {
    const { j } = jar();
    const c = j.make('127.0.0.1:5684', params);
    expect(c).to.have.length(32);
    expect(j.check('127.0.0.1:5684', params, c)).to.equal(true);
    expect(j.check('127.0.0.1:5685', params, c)).to.equal(false);
    const other = params.slice();
    other[5]! ^= 1;
    expect(j.check('127.0.0.1:5684', other, c)).to.equal(false);
    for (let i = 0; i < c.length; i++) {
      const bad = c.slice();
      bad[i]! ^= 0x80;
      expect(j.check('127.0.0.1:5684', params, bad)).to.equal(false);
    }
    expect(j.check('127.0.0.1:5684', params, c.subarray(0, 31))).to.equal(false);
  });

  it('a cookie made before one rotation still works; after two, a stale cookie is refused', () => {
    const { j, at } = jar();
    const c = j.make('10.0.0.1:1', params);
    at(1500); // rotated once
    expect(j.check('10.0.0.1:1', params, c)).to.equal(true);
    expect(j.make('10.0.0.1:1', params)).to.not.deep.equal(c);
    at(3000); // rotated twice
    expect(j.check('10.0.0.1:1', params, c)).to.equal(false);
  });

  it('after a quiet spell of two periods, a cookie from before is refused at the first check', () => {
    const { j, at } = jar();
    const c = j.make('10.0.0.1:1', params);
    at(2500); // two periods passed with no call in between
    expect(j.check('10.0.0.1:1', params, c)).to.equal(false);
  });
});
