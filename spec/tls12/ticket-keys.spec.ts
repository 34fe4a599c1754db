/**
 * Ticket keys (lib/tls12/ticket-keys.ts) and the TLS 1.2 ticket state
 * (lib/tls12/ticket-state.ts): round trips, rotation, a ticket format checked
 * by hand on node:crypto, and garbage that must come back as undefined.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { createDecipheriv } from 'node:crypto';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import type { CryptoProvider, RandomSource } from '../../lib/crypto/provider.js';
import { MAX_TICKET_LENGTH, TicketKeySet, generateTicketKey, type TicketKey } from '../../lib/tls12/ticket-keys.js';
import { decodeTicketState, encodeTicketState, type Tls12TicketState } from '../../lib/tls12/ticket-state.js';
import { concatBytes, toHex } from '../../lib/wire/codec.js';

const PROVIDERS: CryptoProvider[] = [nobleCrypto, nodeCrypto];

/** A deterministic random source: a counter spread over the bytes. */
function counterRandom(seed = 1): RandomSource {
  let n = seed;
  return (length) => Uint8Array.from({ length }, () => (n = (n * 1103515245 + 12345) >>> 0) >>> 24);
}

const key = (i: number): TicketKey => ({
  name: Uint8Array.from({ length: 16 }, (_, j) => i * 16 + j),
  key: Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7) & 0xff),
});
const text = (s: string) => new TextEncoder().encode(s);

const STATE: Tls12TicketState = {
  version: 0x0303,
  cipherSuite: 0xc02b,
  masterSecret: Uint8Array.from({ length: 48 }, (_, i) => i + 1),
  extendedMasterSecret: true,
  issuedAt: 1_700_000_000_123,
  lifetime: 7200,
  alpn: 'h2',
  serverName: 'example.com',
};

describe('TicketKeySet', () => {
  for (const provider of PROVIDERS) {
    describe(provider.name, () => {
      it('seals and opens; a ticket is key_name || nonce || ciphertext || tag', () => {
        const set = new TicketKeySet([key(1)]);
        const plaintext = text('session state');
        const ticket = set.seal(plaintext, provider, counterRandom());
        expect(ticket.length).to.equal(16 + 12 + plaintext.length + 16);
        expect(toHex(ticket.subarray(0, 16))).to.equal(toHex(key(1).name));
        expect(toHex(set.open(ticket, provider)!)).to.equal(toHex(plaintext));
        expect(toHex(set.open(ticket, provider === nobleCrypto ? nodeCrypto : nobleCrypto)!), 'the other provider opens it too').to.equal(toHex(plaintext));
      });

      it('uses AES-256-GCM with the key name as additional data (checked by hand on node:crypto)', () => {
        const ticket = new TicketKeySet([key(2)]).seal(text('by hand'), provider, counterRandom(5));
        const d = createDecipheriv('aes-256-gcm', key(2).key, ticket.subarray(16, 28), { authTagLength: 16 });
        d.setAAD(key(2).name);
        d.setAuthTag(ticket.subarray(ticket.length - 16));
        expect(Buffer.concat([d.update(ticket.subarray(28, ticket.length - 16)), d.final()]).toString()).to.equal('by hand');
      });

      it('fresh nonces: the same state twice gives different tickets', () => {
        const set = new TicketKeySet([key(1)]);
        const random = counterRandom();
        expect(toHex(set.seal(text('x'), provider, random))).to.not.equal(toHex(set.seal(text('x'), provider, random)));
      });

      it('rotation: a ticket under an old key opens while that key is in the set, not after it left', () => {
        const random = counterRandom();
        const v1 = new TicketKeySet([key(1)]);
        const old = v1.seal(text('old'), provider, random);
        const v2 = v1.rotated(key(2));
        const v3 = v2.rotated(key(3), 2); // keeps key 3 and key 2: key 1 leaves
        expect(toHex(v2.currentName)).to.equal(toHex(key(2).name));
        expect(v2.keys.map((k) => toHex(k.name))).to.deep.equal([key(2), key(1)].map((k) => toHex(k.name)));
        const newer = v2.seal(text('newer'), provider, random);
        expect(toHex(newer.subarray(0, 16)), 'sealed under the new current key').to.equal(toHex(key(2).name));
        expect(new TextDecoder().decode(v2.open(old, provider))).to.equal('old');
        expect(v3.open(old, provider), 'key 1 left the set').to.equal(undefined);
        expect(new TextDecoder().decode(v3.open(newer, provider))).to.equal('newer');
        expect(new TextDecoder().decode(v1.open(old, provider)), 'the old set is unchanged').to.equal('old');
        expect(v1.open(newer, provider)).to.equal(undefined);
      });

      it('a fleet: servers built from the same key list open each other\'s tickets', () => {
        const list = [key(7), key(6)];
        const a = new TicketKeySet(list);
        const b = new TicketKeySet(new TicketKeySet(list).keys);
        expect(new TextDecoder().decode(b.open(a.seal(text('hello'), provider, counterRandom()), provider))).to.equal('hello');
        expect(toHex(b.open(new TicketKeySet([key(6)]).seal(text('older'), provider, counterRandom()), provider)!)).to.equal(toHex(text('older')));
      });

      it('garbage, truncated and mutated tickets are undefined, never an exception', () => {
        const set = new TicketKeySet([key(1), key(2)]);
        const ticket = set.seal(text('state'), provider, counterRandom());
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => set.open(garbage, provider) === undefined),
          { numRuns: 300 },
        );
        fc.assert(
          fc.property(fc.uint8Array({ minLength: 16, maxLength: 100 }), (tail) => set.open(concatBytes(key(1).name, tail), provider) === undefined),
          { numRuns: 300 },
        );
        for (let n = 0; n < ticket.length; n++) expect(set.open(ticket.subarray(0, n), provider), `${n} bytes`).to.equal(undefined);
        fc.assert(
          fc.property(fc.nat(ticket.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
            const bad = ticket.slice();
            bad[at]! ^= flip;
            return set.open(bad, provider) === undefined;
          }),
          { numRuns: 300 },
        );
        expect(set.open(concatBytes(ticket, Uint8Array.of(0)), provider), 'a byte appended').to.equal(undefined);
        expect(set.open(new Uint8Array(MAX_TICKET_LENGTH + 1), provider)).to.equal(undefined);
      });
    });
  }

  it('generates its key from random when none is given', () => {
    const set = new TicketKeySet(undefined, counterRandom(9));
    expect(set.keys).to.have.length(1);
    expect(toHex(set.currentName)).to.equal(toHex(generateTicketKey(counterRandom(9)).name));
    expect(toHex(new TicketKeySet([], counterRandom(9)).keys[0]!.key)).to.equal(toHex(set.keys[0]!.key));
    const ticket = set.seal(text('generated'), nobleCrypto, nobleCrypto.random);
    expect(new TextDecoder().decode(set.open(ticket, nodeCrypto))).to.equal('generated');
    expect(() => new TicketKeySet()).to.throw(RangeError);
  });

  it('refuses wrong key and name lengths and names given twice', () => {
    expect(() => new TicketKeySet([{ name: new Uint8Array(15), key: new Uint8Array(32) }])).to.throw(RangeError);
    expect(() => new TicketKeySet([{ name: new Uint8Array(16), key: new Uint8Array(16) }])).to.throw(RangeError);
    expect(() => new TicketKeySet([key(1), { name: key(1).name, key: key(2).key }])).to.throw(RangeError);
    expect(() => new TicketKeySet([key(1)]).rotated(key(1))).to.throw(RangeError);
    expect(() => new TicketKeySet([key(1)]).rotated(key(2), 0)).to.throw(RangeError);
  });

  it('keeps its own copies of the keys', () => {
    const k = key(3);
    const set = new TicketKeySet([k]);
    const ticket = set.seal(text('mine'), nobleCrypto, counterRandom());
    k.key.fill(0);
    k.name.fill(0);
    set.keys[0]!.key.fill(0);
    expect(new TextDecoder().decode(set.open(ticket, nobleCrypto))).to.equal('mine');
  });

  it('refuses to seal a state that would make a ticket over 2^16 - 1 bytes', () => {
    const set = new TicketKeySet([key(1)]);
    expect(set.seal(new Uint8Array(MAX_TICKET_LENGTH - 44), nobleCrypto, counterRandom()).length).to.equal(MAX_TICKET_LENGTH);
    expect(() => set.seal(new Uint8Array(MAX_TICKET_LENGTH - 43), nobleCrypto, counterRandom())).to.throw(RangeError);
  });

  it('falls back to ChaCha20-Poly1305 for a provider without AES-256-GCM', () => {
    const chachaOnly: CryptoProvider = { ...nobleCrypto, name: 'chacha-only', aeads: ['chacha20-poly1305'] };
    const set = new TicketKeySet([key(4)]);
    const ticket = set.seal(text('chacha'), chachaOnly, counterRandom());
    const d = createDecipheriv('chacha20-poly1305', key(4).key, ticket.subarray(16, 28), { authTagLength: 16 });
    d.setAAD(key(4).name, { plaintextLength: ticket.length - 44 });
    d.setAuthTag(ticket.subarray(ticket.length - 16));
    expect(Buffer.concat([d.update(ticket.subarray(28, ticket.length - 16)), d.final()]).toString()).to.equal('chacha');
    expect(new TextDecoder().decode(set.open(ticket, chachaOnly))).to.equal('chacha');
    const none: CryptoProvider = { ...nobleCrypto, name: 'none', aeads: ['aes-128-gcm'] };
    expect(() => set.seal(text('x'), none, counterRandom())).to.throw();
    expect(set.open(ticket, none)).to.equal(undefined);
  });
});

describe('TLS 1.2 ticket state', () => {
  it('round-trips, with and without the optional names', () => {
    for (const state of [
      STATE,
      { ...STATE, alpn: undefined, serverName: undefined, extendedMasterSecret: false },
      { ...STATE, version: 0xfefd, cipherSuite: 0xcca9, issuedAt: 0, lifetime: 0xffffffff, serverName: 'ü.example' },
      { ...STATE, alpn: 'a'.repeat(255), serverName: 'b'.repeat(255), issuedAt: 2 ** 48 - 1 },
    ]) {
      const decoded = decodeTicketState(encodeTicketState(state));
      expect(decoded).to.deep.equal({ alpn: undefined, serverName: undefined, ...state });
    }
  });

  it('keeps issuedAt in whole milliseconds (clock() may be fractional)', () => {
    expect(decodeTicketState(encodeTicketState({ ...STATE, issuedAt: 1234.75 }))!.issuedAt).to.equal(1234);
  });

  it('round-trips through a sealed ticket', () => {
    const set = new TicketKeySet([key(1)]);
    const ticket = set.seal(encodeTicketState(STATE), nodeCrypto, counterRandom());
    expect(decodeTicketState(set.open(ticket, nobleCrypto)!)).to.deep.equal(STATE);
  });

  it('round-trips arbitrary states (fast-check)', () => {
    const name = fc.option(fc.string({ minLength: 1, maxLength: 60 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          version: fc.constantFrom(0x0303, 0xfefd),
          cipherSuite: fc.integer({ min: 0, max: 0xffff }),
          masterSecret: fc.uint8Array({ minLength: 48, maxLength: 48 }),
          extendedMasterSecret: fc.boolean(),
          issuedAt: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
          lifetime: fc.integer({ min: 0, max: 0xffffffff }),
          alpn: name,
          serverName: name,
        }),
        (state) => {
          expect(decodeTicketState(encodeTicketState(state))).to.deep.equal(state);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the encoder refuses values that do not fit', () => {
    for (const bad of [
      { version: 0x0304 },
      { version: 0x0302 },
      { cipherSuite: 0x10000 },
      { cipherSuite: -1 },
      { masterSecret: new Uint8Array(47) },
      { issuedAt: -1 },
      { issuedAt: 2 ** 48 },
      { issuedAt: Number.NaN },
      { lifetime: 2 ** 32 },
      { lifetime: 1.5 },
      { alpn: '' },
      { serverName: 'x'.repeat(256) },
    ] as Partial<Tls12TicketState>[]) {
      expect(() => encodeTicketState({ ...STATE, ...bad }), JSON.stringify(bad)).to.throw(RangeError);
    }
  });

  it('the decoder is strict: every truncation, an extra byte, a changed format/version/flag, bad UTF-8 are undefined', () => {
    const good = encodeTicketState(STATE);
    for (let n = 0; n < good.length; n++) expect(decodeTicketState(good.subarray(0, n)), `${n} bytes`).to.equal(undefined);
    expect(decodeTicketState(concatBytes(good, Uint8Array.of(0)))).to.equal(undefined);
    const changed = (at: number, value: number) => {
      const b = good.slice();
      b[at] = value;
      return decodeTicketState(b);
    };
    expect(changed(0, 2), 'format').to.equal(undefined);
    expect(changed(2, 0x04), 'version 0x0304').to.equal(undefined);
    expect(changed(53, 2), 'EMS flag 2').to.equal(undefined);
    expect(changed(53, 0)!.extendedMasterSecret).to.equal(false);
    const alpnAt = 1 + 2 + 2 + 48 + 1 + 6 + 4;
    expect(changed(alpnAt + 1, 0xff), 'ALPN not UTF-8').to.equal(undefined);
    expect(changed(alpnAt, 3), 'ALPN length off by one').to.equal(undefined);
  });

  it('the decoder never throws on garbage (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        const out = decodeTicketState(bytes);
        return out === undefined || toHex(encodeTicketState(out)) === toHex(bytes);
      }),
      { numRuns: 500 },
    );
    // Garbage that gets past the fixed fields: the right format byte and version.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => {
        const bytes = concatBytes(Uint8Array.of(1, 3, 3), tail);
        const out = decodeTicketState(bytes);
        return out === undefined || toHex(encodeTicketState(out)) === toHex(bytes);
      }),
      { numRuns: 500 },
    );
  });
});
