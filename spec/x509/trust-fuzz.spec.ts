/**
 * Hostile certificate DER against the trust code (issue 11): the header walk
 * that indexes a TrustStore, lazy root parsing, name constraints, pins and
 * fingerprints. Truncation, length lies, deep nesting and huge integers give a
 * TlsError or success, never another exception, and each case stays fast.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { verifyServerChain } from '../../lib/x509/index.js';
import { certificateFields } from '../../lib/x509/der-fields.js';
import { checkFingerprint, parseFingerprint, pathMatchesPins } from '../../lib/x509/pins.js';
import { TrustStore } from '../../lib/x509/trust-store.js';
import { CA_EXT, leafExt, makePki, type Pki } from '../support/openssl-pki.js';
import { crypto, fixtureChain } from './helpers.js';

const RUNS = 200;
/** Per case: far above a real parse (well under 1 ms), far below a hang. */
const CASE_MS = 250;

function typedAndFast(fn: () => unknown): void {
  const start = performance.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TlsError)) throw new Error(`non-TlsError thrown: ${String(e)}`, { cause: e });
  }
  const ms = performance.now() - start;
  if (ms > CASE_MS) throw new Error(`took ${ms.toFixed(0)} ms`);
}

/** A DER length field for `n`. */
function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}
const tlv = (tag: number, content: number[]) => [tag, ...lengthBytes(content.length), ...content];

/** Edits of a seed certificate aimed at the structure: truncation, length lies, nesting, huge integers. */
function hostile(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat({ max: seed.length - 1 });
  return fc.oneof(
    at.map((i) => seed.slice(0, i)),
    // A length byte anywhere claims a different size (short, long, indefinite, absurd).
    fc.tuple(at, fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0xff)).map(([i, v]) => {
      const out = seed.slice();
      out[i] = v;
      return out;
    }),
    fc.tuple(at, fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const out = seed.slice();
      out[i] = out[i]! ^ x;
      return out;
    }),
    // Deep nesting: a certificate whose TBS is SEQUENCEs inside SEQUENCEs.
    fc.integer({ min: 1, max: 3000 }).map((depth) => {
      let inner: number[] = [0x05, 0x00];
      for (let i = 0; i < depth; i++) inner = tlv(0x30, inner);
      return new Uint8Array(tlv(0x30, inner));
    }),
    // A huge INTEGER where the serial number goes (and in place of the whole TBS).
    fc.integer({ min: 1, max: 60_000 }).map((n) => {
      const big = tlv(0x02, [0x01, ...new Array<number>(n).fill(0xff)]);
      return new Uint8Array(tlv(0x30, [...tlv(0x30, [...tlv(0xa0, tlv(0x02, [2])), ...big]), ...Array.from(seed.subarray(4, 40))]));
    }),
  );
}

describe('x509 trust fuzzing', function () {
  this.timeout(120_000);
  let pki: Pki;
  let seeds: Uint8Array[];
  before(() => {
    pki = makePki();
    pki.root('root', 'fuzz root');
    pki.issue('nc', 'fuzz constrained', 'root', [...CA_EXT, 'nameConstraints=critical,permitted;DNS:good.test,permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:bad.good.test']);
    pki.issue('leaf', 'leaf', 'nc', leafExt('DNS:www.good.test', 'IP:10.1.2.3'));
    seeds = [pki.der('nc'), pki.der('leaf'), ...fixtureChain('server-chain.pem')];
  });
  after(() => pki.cleanup());

  it('certificateFields and TrustStore construction: typed errors only, fast', () => {
    for (const seed of seeds) {
      fc.assert(
        fc.property(hostile(seed), (der) => {
          typedAndFast(() => certificateFields(der));
          typedAndFast(() => new TrustStore([der]).issuersOf(der.subarray(0, 20)));
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('a hostile root in the store, parsed lazily when a chain names it: typed errors only', () => {
    const chain = [pki.der('leaf'), pki.der('nc')];
    fc.assert(
      fc.property(hostile(pki.der('root')), (root) => {
        let store: TrustStore;
        try {
          store = new TrustStore([root]);
        } catch (e) {
          expect(e).to.be.instanceOf(TlsError);
          return;
        }
        typedAndFast(() => verifyServerChain(chain, { roots: store, date: new Date(), serverName: 'www.good.test', crypto }));
      }),
      { numRuns: RUNS },
    );
  });

  it('hostile intermediates and leaves under name constraints, with pins and fingerprints: typed errors only', () => {
    const roots = new TrustStore([pki.pem('root')]);
    const pins = [new Uint8Array(32)];
    const fingerprint = [parseFingerprint(`sha-256 ${'00:'.repeat(31)}00`)];
    fc.assert(
      fc.property(fc.boolean(), hostile(pki.der('nc')), hostile(pki.der('leaf')), (which, nc, leaf) => {
        const chain = which ? [pki.der('leaf'), nc] : [leaf, pki.der('nc')];
        typedAndFast(() => verifyServerChain(chain, { roots, date: new Date(), serverName: 'www.good.test', crypto }));
        typedAndFast(() => verifyServerChain(chain, { roots, date: new Date(), crypto, pins }));
        typedAndFast(() => checkFingerprint(chain[0]!, fingerprint, crypto));
      }),
      { numRuns: RUNS },
    );
  });

  it('pins over hostile certificates: typed errors only', () => {
    fc.assert(
      fc.property(hostile(pki.der('leaf')), (der) => typedAndFast(() => pathMatchesPins([{ der } as never], [new Uint8Array(32)], crypto))),
      { numRuns: RUNS },
    );
  });
});
