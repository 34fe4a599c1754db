/**
 * Hostile input: whatever bytes or text arrive, the x509 entry points either
 * succeed or throw a TlsError, never another exception, and finish quickly.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { parseCertificate, parsePrivateKey, verifyServerChain } from '../../lib/x509/index.js';
import { decodePem, encodePem } from '../../lib/x509/pem.js';
import { crypto, fixtureCert, fixtureChain, fixtureText, NOW } from './helpers.js';

function onlyTlsError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TlsError)) throw new Error(`non-TlsError thrown: ${String(e)}`, { cause: e });
  }
}

/** Mutations of a valid encoding: flips, truncation, insertion, deletion, length-byte edits. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat({ max: seed.length - 1 });
  return fc.oneof(
    fc.tuple(at, fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const out = seed.slice();
      out[i] = out[i]! ^ x;
      return out;
    }),
    at.map((i) => seed.slice(0, i)),
    fc.tuple(at, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([i, ins]) => {
      const out = new Uint8Array(seed.length + ins.length);
      out.set(seed.subarray(0, i));
      out.set(ins, i);
      out.set(seed.subarray(i), i + ins.length);
      return out;
    }),
    fc.tuple(at, fc.integer({ min: 1, max: 16 })).map(([i, n]) => {
      return new Uint8Array([...seed.subarray(0, i), ...seed.subarray(i + n)]);
    }),
    // Lengths live in the first few bytes of every TLV: hit those hardest.
    fc.tuple(fc.nat({ max: Math.min(40, seed.length - 1) }), fc.constantFrom(0x00, 0x7f, 0x80, 0x81, 0x84, 0xff)).map(
      ([i, v]) => {
        const out = seed.slice();
        out[i] = v;
        return out;
      },
    ),
  );
}

const certDers = ['server-p256.pem', 'server-ed25519.pem', 'server-chain.pem', 'ca.pem'].flatMap(fixtureChain);
const keyDers = ['server-p256.key', 'server-p256-sec1.key', 'server-p384.key', 'server-ed25519.key'].map(
  (n) => decodePem(fixtureText(n))[0]!.der,
);
const RUNS = 300;

describe('x509 fuzzing', function () {
  this.timeout(60_000);

  it('parseCertificate: random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => onlyTlsError(() => parseCertificate(b))),
      { numRuns: RUNS },
    );
  });

  it('parseCertificate: random bytes behind a SEQUENCE header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) =>
        onlyTlsError(() => parseCertificate(new Uint8Array([0x30, 0x82, b.length >> 8, b.length & 0xff, ...b]))),
      ),
      { numRuns: RUNS },
    );
  });

  for (const [i, seed] of certDers.entries()) {
    it(`parseCertificate + verifyServerChain: mutated certificate #${i}`, () => {
      const roots = [fixtureCert('ca.pem')];
      fc.assert(
        fc.property(mutated(seed), (b) => {
          onlyTlsError(() => parseCertificate(b));
          onlyTlsError(() => verifyServerChain([b], { roots, date: NOW, serverName: 'localhost', crypto }));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('parsePrivateKey: random bytes and strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 })), (b) =>
        onlyTlsError(() => parsePrivateKey(b)),
      ),
      { numRuns: RUNS },
    );
  });

  for (const [i, seed] of keyDers.entries()) {
    it(`parsePrivateKey: mutated key #${i}, as DER and as PEM`, () => {
      const label = i === 1 ? 'EC PRIVATE KEY' : 'PRIVATE KEY';
      fc.assert(
        fc.property(mutated(seed), (b) => {
          onlyTlsError(() => parsePrivateKey(b));
          onlyTlsError(() => parsePrivateKey(encodePem(label, b)));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('decodePem: random text and mutated PEM', () => {
    const pem = fixtureText('server-chain.pem');
    const mutatedPem = fc
      .tuple(fc.nat({ max: pem.length - 1 }), fc.nat({ max: 40 }), fc.string({ maxLength: 10 }))
      .map(([i, del, ins]) => pem.slice(0, i) + ins + pem.slice(i + del));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutatedPem), (s) =>
        onlyTlsError(() => {
          for (const block of decodePem(s)) onlyTlsError(() => parseCertificate(block.der));
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('the helper really distinguishes error types', () => {
    expect(() => onlyTlsError(() => JSON.parse('{'))).to.throw(/non-TlsError/);
  });
});
