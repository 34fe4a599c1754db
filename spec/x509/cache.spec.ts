/**
 * The parsing caches (lib/x509/cache.ts): the same bytes give the same frozen
 * Certificate, different bytes never share an entry, the bound holds, and
 * nothing about a connection is cached (validity, hostname and signatures are
 * checked on every handshake, on cached certificates too).
 */
import { expect } from 'chai';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import { Session } from '../../lib/session/session.js';
import { resolveClientConfig, resolveServerConfig } from '../../lib/tls13/config.js';
import { LruCache, bytesKey } from '../../lib/x509/cache.js';
import {
  CERTIFICATE_CACHE_SIZE,
  PEM_BUNDLE_CACHE_SIZE,
  certificateCache,
  parseCertificate,
  parseCertificates,
  pemBundleCache,
} from '../../lib/x509/certificate.js';
import { verifyServerChain } from '../../lib/x509/verify-chain.js';
import { driveBoth } from '../support/drive.js';
import { memoryPipe } from '../support/memory-pipe.js';
import { NOW, crypto, fixtureCert, fixtureChain, fixtureText } from './helpers.js';
import { alertOf } from '../support/alerts.js';

const leafDer = () => fixtureChain('server-p256.pem')[0]!;

/** A copy of `der` with the last two bytes of its serial number set to `n`: still parses, but is a different certificate. */
function withSerial(der: Uint8Array, n: number): Uint8Array {
  const serial = Buffer.from(parseCertificate(der).serial, 'hex');
  const end = Buffer.from(der).indexOf(serial) + serial.length;
  const out = der.slice();
  out[end - 2] = n >> 8;
  out[end - 1] = n & 0xff;
  return out;
}

describe('parsing caches', () => {
  beforeEach(() => {
    certificateCache.clear();
    pemBundleCache.clear();
  });

  describe('LruCache', () => {
    it('holds at most `capacity` entries, evicting the least recently used', () => {
      const lru = new LruCache<number>(3);
      for (const k of ['a', 'b', 'c']) lru.set(k, k.charCodeAt(0));
      expect(lru.get('a')).to.equal(97); // now most recently used
      lru.set('d', 100);
      expect(lru.size).to.equal(3);
      expect(lru.get('b')).to.equal(undefined);
      expect([lru.get('a'), lru.get('c'), lru.get('d')]).to.deep.equal([97, 99, 100]);
    });

    it('rejects a capacity that is not a positive integer', () => {
      for (const bad of [0, -1, 1.5, NaN]) expect(() => new LruCache(bad)).to.throw(RangeError);
    });
  });

  describe('bytesKey', () => {
    it('is exact: every byte value, length and position counts', () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      expect(bytesKey(all)).to.have.length(256);
      expect(bytesKey(all)).to.not.equal(bytesKey(all.slice().reverse()));
      expect(bytesKey(Uint8Array.of(0))).to.not.equal(bytesKey(Uint8Array.of(0, 0)));
      expect(bytesKey(new Uint8Array(0))).to.equal('');
    });

    it('converts inputs longer than one chunk completely', () => {
      const big = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff);
      const key = bytesKey(big);
      expect(key).to.have.length(big.length);
      expect(key.charCodeAt(19_999)).to.equal(big[19_999]);
      const changed = big.slice();
      changed[19_999]! ^= 1;
      expect(bytesKey(changed)).to.not.equal(key);
    });
  });

  describe('parseCertificate', () => {
    it('returns the same frozen object for the same DER, even from another buffer', () => {
      const a = parseCertificate(leafDer());
      const b = parseCertificate(new Uint8Array(leafDer()));
      expect(b).to.equal(a);
      expect(Object.isFrozen(a)).to.equal(true);
      expect(Object.isFrozen(a.subjectAltNames)).to.equal(true);
      expect(Object.isFrozen(a.subjectAltNames.dns)).to.equal(true);
      expect(Object.isFrozen(a.publicKey)).to.equal(true);
      expect(() => (a.subjectAltNames.dns as string[]).push('evil.example')).to.throw(TypeError);
    });

    it('does not confuse different certificates', () => {
      const leaf = parseCertificate(leafDer());
      const ca = parseCertificate(fixtureChain('ca.pem')[0]!);
      expect(ca).to.not.equal(leaf);
      expect(leaf.subject).to.equal('CN=localhost');
      expect(ca.subject).to.not.equal('CN=localhost');
    });

    it('treats a DER with one byte changed as a miss', () => {
      const original = parseCertificate(leafDer());
      const mutated = parseCertificate(withSerial(leafDer(), 0xabcd));
      expect(mutated).to.not.equal(original);
      expect(mutated.serial).to.not.equal(original.serial);
      expect(parseCertificate(leafDer())).to.equal(original);
    });

    it('keeps its own copy: changing the input buffer afterwards changes nothing', () => {
      const buffer = leafDer().slice();
      const cert = parseCertificate(buffer);
      const before = cert.der.slice();
      buffer.fill(0);
      expect(cert.der).to.deep.equal(before);
      expect(parseCertificate(leafDer())).to.equal(cert);
    });

    it('does not hand out a cached certificate whose bytes were written to', () => {
      // A variant no other spec holds: we are about to damage the shared object.
      const original = withSerial(leafDer(), 0x7777);
      const shared = parseCertificate(original);
      (shared.der as Uint8Array)[20]! ^= 0xff; // misuse: the bytes are read-only by contract
      const again = parseCertificate(original);
      expect(again).to.not.equal(shared);
      expect(again.der).to.deep.equal(original);
      expect(parseCertificate(original)).to.equal(again);
    });

    it('keeps at most CERTIFICATE_CACHE_SIZE certificates, evicting the least recently used', () => {
      const ders = Array.from({ length: CERTIFICATE_CACHE_SIZE + 10 }, (_, i) => withSerial(leafDer(), i));
      const first = parseCertificate(ders[0]!);
      for (const der of ders.slice(1)) parseCertificate(der);
      expect(certificateCache.size).to.be.at.most(CERTIFICATE_CACHE_SIZE);
      expect(parseCertificate(ders[0]!)).to.not.equal(first); // evicted, parsed again
    });

    it('does not cache failures', () => {
      const truncated = leafDer().subarray(0, 100);
      const size = certificateCache.size;
      expect(alertOf(() => parseCertificate(truncated))).to.equal('bad_certificate');
      expect(alertOf(() => parseCertificate(truncated))).to.equal('bad_certificate');
      expect(certificateCache.size).to.equal(size);
    });
  });

  describe('CA bundles (parseCertificates / resolveClientConfig)', () => {
    it('parses a PEM text once; every caller gets its own array of the shared certificates', () => {
      const pem = fixtureText('server-chain.pem');
      const a = parseCertificates(pem);
      const b = parseCertificates(pem);
      expect(b).to.not.equal(a);
      expect(b).to.have.length(a.length).and.to.have.length.greaterThan(1);
      b.forEach((cert, i) => expect(cert).to.equal(a[i]));
      a.pop(); // the caller's array: the cache is not affected
      expect(parseCertificates(pem)).to.have.length(b.length);
    });

    it('gives a client config per connection the same trust anchors without re-parsing', () => {
      const ca = fixtureText('ca.pem');
      const one = resolveClientConfig({ serverName: 'localhost', ca });
      const two = resolveClientConfig({ serverName: 'localhost', ca: Buffer.from(ca) });
      expect(two.roots).to.not.equal(one.roots);
      const subject = one.roots.issuersOf(fixtureCert('ca.pem').subjectDer)[0];
      expect(subject).to.not.equal(undefined);
      expect(two.roots.issuersOf(fixtureCert('ca.pem').subjectDer)[0]).to.equal(subject);
    });

    it('does not confuse different PEM texts, and the bound holds', () => {
      const ca = parseCertificates(fixtureText('ca.pem'))[0]!;
      const other = parseCertificates(fixtureText('other-ca.pem'))[0]!;
      expect(other).to.not.equal(ca);
      for (let i = 0; i < PEM_BUNDLE_CACHE_SIZE + 4; i++) parseCertificates(`${'\n'.repeat(i)}${fixtureText('ca.pem')}`);
      expect(pemBundleCache.size).to.be.at.most(PEM_BUNDLE_CACHE_SIZE);
    });
  });

  describe('verification stays per handshake', () => {
    const roots = () => parseCertificates(fixtureText('ca.pem'));

    it('rejects an expired certificate on a cache hit with a later date', () => {
      const chain = fixtureChain('server-p256.pem');
      const opts = { roots: roots(), serverName: 'localhost', crypto };
      verifyServerChain(chain, { ...opts, date: NOW });
      const size = certificateCache.size;
      expect(alertOf(() => verifyServerChain(chain, { ...opts, date: new Date('2200-01-01T00:00:00Z') }))).to.equal('certificate_expired');
      expect(alertOf(() => verifyServerChain(chain, { ...opts, date: new Date('2000-01-01T00:00:00Z') }))).to.equal('certificate_expired');
      expect(certificateCache.size).to.equal(size); // the same cached certificates were checked
      verifyServerChain(chain, { ...opts, date: NOW });
    });

    it('checks the host name on a cache hit', () => {
      const chain = fixtureChain('server-p256.pem');
      verifyServerChain(chain, { roots: roots(), serverName: 'localhost', crypto, date: NOW });
      expect(alertOf(() => verifyServerChain(chain, { roots: roots(), serverName: 'elsewhere.test', crypto, date: NOW }))).to.equal(
        'certificate_unknown',
      );
    });

    it('verifies signatures every time: a cached key does not make a bad signature pass', () => {
      for (const provider of [crypto, nodeCrypto]) {
        const leaf = parseCertificate(leafDer());
        const ca = roots()[0]!;
        expect(provider.verify('ecdsa_secp256r1_sha256', ca.publicKey!, leaf.tbsDer, leaf.signature)).to.equal(true);
        const tampered = leaf.tbsDer.slice();
        tampered[tampered.length - 1]! ^= 1;
        expect(provider.verify('ecdsa_secp256r1_sha256', ca.publicKey!, tampered, leaf.signature)).to.equal(false);
        expect(provider.verify('ecdsa_secp256r1_sha256', ca.publicKey!, leaf.tbsDer, leaf.signature)).to.equal(true);
      }
    });

    it('a Session re-checks validity against date() on each handshake with the same config', () => {
      let now = NOW;
      const client = resolveClientConfig({ serverName: 'localhost', ca: fixtureText('ca.pem'), date: () => now, crypto: nodeCrypto });
      const server = resolveServerConfig({ cert: fixtureText('server-p256.pem'), key: fixtureText('server-p256.key'), crypto: nodeCrypto });
      const run = () => {
        const c = Session.client(client);
        const s = Session.server(server);
        const [a, b] = memoryPipe();
        c.setTransport(a);
        s.setTransport(b);
        return driveBoth(
          () => c.handshake(),
          () => s.handshake(),
        );
      };
      expect(run()).to.deep.equal(['done', 'done']);
      now = new Date('2200-01-01T00:00:00Z');
      expect(alertOf(run)).to.equal('certificate_expired');
      now = NOW;
      expect(run()).to.deep.equal(['done', 'done']);
    });
  });
});
