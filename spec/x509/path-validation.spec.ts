/**
 * Path validation over chains made by the openssl CLI (issue 11, "Trust"):
 * several candidate issuers (cross-signed intermediates), loops, name
 * constraints, CA:false and pathlen:0 intermediates, validity at the injected
 * date, SPKI pins and fingerprints. Every rejection is checked for its alert,
 * its node-style code and a message naming the certificate at fault.
 */
import { expect } from 'chai';
import { TlsError, type AlertName, type TlsErrorCode } from '../../lib/errors.js';
import { parseCertificates, verifyServerChain, type VerifyServerChainOptions } from '../../lib/x509/index.js';
import { checkFingerprint, parseFingerprint, parsePin, pinOf } from '../../lib/x509/pins.js';
import { TrustStore } from '../../lib/x509/trust-store.js';
import { CA_EXT, leafExt, makePki, opensslFingerprint, opensslPin, type Pki } from '../support/openssl-pki.js';
import { crypto } from './helpers.js';

describe('x509/path validation (openssl-made chains)', function () {
  this.timeout(60_000);
  let pki: Pki;
  const store = (...names: string[]) => new TrustStore(names.map((n) => pki.pem(n)));
  const chain = (...names: string[]) => names.map((n) => pki.der(n));
  const opts = (roots: TrustStore, over: Partial<VerifyServerChainOptions> = {}): VerifyServerChainOptions => ({
    roots,
    date: new Date(),
    serverName: 'www.good.test',
    crypto,
    ...over,
  });
  function rejects(alert: AlertName, code: TlsErrorCode, names: string[], o: VerifyServerChainOptions): TlsError {
    try {
      verifyServerChain(chain(...names), o);
    } catch (e) {
      expect(e, String(e)).to.be.instanceOf(TlsError);
      const err = e as TlsError;
      expect([err.alert, err.code], err.message).to.deep.equal([alert, code]);
      return err;
    }
    return expect.fail(`expected ${code}`);
  }

  before(() => {
    pki = makePki();
    pki.root('root', 'rxtls Test Root');
    pki.root('otherRoot', 'rxtls Other Root');
    pki.issue('int', 'rxtls Int', 'root', CA_EXT);
    pki.issue('leaf', 'www.good.test', 'int', leafExt('DNS:www.good.test', 'IP:127.0.0.1'));
    // Cross-signed: one key and subject ("rxtls Cross"), certified by an untrusted root and by the trusted one.
    pki.key('cross');
    pki.issue('crossByOther', 'rxtls Cross', 'otherRoot', CA_EXT, { key: 'cross' });
    pki.issue('crossByRoot', 'rxtls Cross', 'root', CA_EXT, { key: 'cross' });
    pki.issue('crossShort', 'rxtls Cross', 'root', CA_EXT, { key: 'cross', days: 1 });
    pki.issue('crossLeaf', 'www.good.test', 'crossByOther', leafExt('DNS:www.good.test'));
    // Name constraints.
    pki.issue('nc', 'rxtls Constrained', 'root', [
      ...CA_EXT,
      'nameConstraints=critical,permitted;DNS:good.test,permitted;IP:127.0.0.0/255.0.0.0,excluded;DNS:bad.good.test',
    ]);
    pki.issue('ncOk', 'ok', 'nc', leafExt('DNS:www.good.test', 'IP:127.0.0.1'));
    pki.issue('ncOutside', 'outside', 'nc', leafExt('DNS:www.good.test', 'DNS:evil.test'));
    pki.issue('ncExcluded', 'excluded', 'nc', leafExt('DNS:x.bad.good.test', 'DNS:www.good.test'));
    pki.issue('ncWildExcluded', 'wild', 'nc', leafExt('DNS:*.good.test'));
    pki.issue('ncIp', 'ip', 'nc', leafExt('DNS:www.good.test', 'IP:10.0.0.1'));
    // CA:false "intermediate".
    pki.issue('notCa', 'rxtls Not A CA', 'root', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,keyCertSign,digitalSignature']);
    pki.issue('underNotCa', 'www.good.test', 'notCa', leafExt('DNS:www.good.test'));
    // pathlen:0 intermediate with a further CA below it.
    pki.issue('pl0', 'rxtls Pathlen0', 'root', ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign']);
    pki.issue('belowPl0', 'rxtls Below Pathlen0', 'pl0', CA_EXT);
    pki.issue('underPl0', 'www.good.test', 'belowPl0', leafExt('DNS:www.good.test'));
    pki.issue('directPl0', 'www.good.test', 'pl0', leafExt('DNS:www.good.test'));
    // A CA key usage without keyCertSign.
    pki.issue('noCertSign', 'rxtls No CertSign', 'root', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature']);
    pki.issue('underNoCertSign', 'www.good.test', 'noCertSign', leafExt('DNS:www.good.test'));
    // A loop: A certified by B, B certified by A, neither anchored.
    pki.key('loopA');
    pki.key('loopB');
    pki.root('loopA0', 'rxtls Loop A', { key: 'loopA' });
    pki.issue('loopB', 'rxtls Loop B', 'loopA0', CA_EXT, { key: 'loopB' });
    pki.issue('loopA', 'rxtls Loop A', 'loopB', CA_EXT, { key: 'loopA' });
    pki.issue('loopLeaf', 'www.good.test', 'loopA', leafExt('DNS:www.good.test'));
    // Self-signed server certificate.
    pki.root('self', 'www.good.test', { ext: leafExt('DNS:www.good.test') });
  });
  after(() => pki.cleanup());

  it('accepts root -> intermediate -> leaf, in any order, by DNS name and IP', () => {
    const roots = store('root');
    for (const names of [['leaf', 'int'], ['leaf', 'int', 'root'], ['leaf', 'otherRoot', 'int']]) verifyServerChain(chain(...names), opts(roots));
    verifyServerChain(chain('leaf', 'int'), opts(roots, { serverName: '127.0.0.1' }));
  });

  it('tries the other candidate issuer when the path through the first fails (cross-signed intermediate)', () => {
    // crossByOther comes first and leads to an untrusted root; crossByRoot (same subject and key) to ours.
    verifyServerChain(chain('crossLeaf', 'crossByOther', 'crossByRoot'), opts(store('root')));
    verifyServerChain(chain('crossLeaf', 'crossByOther', 'crossByRoot'), opts(store('otherRoot')));
    const e = rejects('unknown_ca', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', ['crossLeaf', 'crossByOther'], opts(store('root')));
    expect(e.message).to.include('rxtls Cross').and.include('rxtls Other Root');
  });

  it('tries the other candidate when the first is expired at the injected date', () => {
    const inTwoDays = new Date(Date.now() + 2 * 86400_000);
    verifyServerChain(chain('crossLeaf', 'crossShort', 'crossByRoot'), opts(store('root'), { date: inTwoDays }));
    const e = rejects('certificate_expired', 'CERT_HAS_EXPIRED', ['crossLeaf', 'crossShort', 'crossByOther'], opts(store('root'), { date: inTwoDays }));
    expect(e.message).to.match(/CA certificate "CN=rxtls Cross" expired at/);
    const early = new Date(Date.now() - 86400_000);
    expect(rejects('certificate_expired', 'CERT_NOT_YET_VALID', ['leaf', 'int'], opts(store('root'), { date: early })).message).to.match(/not valid before/);
  });

  it('ends a loop of cross-certificates with unknown_ca, quickly', () => {
    const start = Date.now();
    const e = rejects('unknown_ca', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', ['loopLeaf', 'loopA', 'loopB', 'loopA', 'loopB'], opts(store('root')));
    expect(e.message).to.include('rxtls Loop');
    expect(Date.now() - start).to.be.lessThan(2000);
  });

  describe('name constraints', () => {
    it('accepts names inside the permitted subtrees', () => {
      verifyServerChain(chain('ncOk', 'nc'), opts(store('root')));
      verifyServerChain(chain('ncOk', 'nc'), opts(store('root'), { serverName: '127.0.0.1' }));
    });

    it('refuses a DNS name outside them (PERMITTED_VIOLATION), whatever name is asked for', () => {
      const e = rejects('bad_certificate', 'PERMITTED_VIOLATION', ['ncOutside', 'nc'], opts(store('root')));
      expect(e.message).to.include('evil.test').and.include('rxtls Constrained');
    });

    it('refuses an excluded DNS name, and a wildcard that covers one (EXCLUDED_VIOLATION)', () => {
      expect(rejects('bad_certificate', 'EXCLUDED_VIOLATION', ['ncExcluded', 'nc'], opts(store('root'))).message).to.include('x.bad.good.test');
      rejects('bad_certificate', 'EXCLUDED_VIOLATION', ['ncWildExcluded', 'nc'], opts(store('root'), { serverName: 'a.good.test' }));
    });

    it('refuses an IP address outside the permitted range', () => {
      expect(rejects('bad_certificate', 'PERMITTED_VIOLATION', ['ncIp', 'nc'], opts(store('root'))).message).to.include('10.0.0.1');
    });
  });

  it('refuses a CA:false intermediate (INVALID_CA)', () => {
    expect(rejects('bad_certificate', 'INVALID_CA', ['underNotCa', 'notCa'], opts(store('root'))).message).to.include('rxtls Not A CA').and.include('not a CA');
  });

  it('refuses an intermediate without keyCertSign (INVALID_CA)', () => {
    expect(rejects('bad_certificate', 'INVALID_CA', ['underNoCertSign', 'noCertSign'], opts(store('root'))).message).to.include('keyCertSign');
  });

  it('enforces pathlen:0 (PATH_LENGTH_EXCEEDED) and accepts a leaf directly below it', () => {
    expect(rejects('bad_certificate', 'PATH_LENGTH_EXCEEDED', ['underPl0', 'belowPl0', 'pl0'], opts(store('root'))).message).to.include('rxtls Pathlen0');
    verifyServerChain(chain('directPl0', 'pl0'), opts(store('root')));
  });

  it('names an unknown root, a self-signed leaf and a wrong host with node codes', () => {
    rejects('unknown_ca', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', ['leaf', 'int'], opts(store('otherRoot')));
    rejects('unknown_ca', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', ['leaf'], opts(store('root')));
    rejects('unknown_ca', 'DEPTH_ZERO_SELF_SIGNED_CERT', ['self'], opts(store('root')));
    rejects('unknown_ca', 'SELF_SIGNED_CERT_IN_CHAIN', ['crossLeaf', 'crossByOther', 'otherRoot'], opts(store('root')));
    const e = rejects('certificate_unknown', 'ERR_TLS_CERT_ALTNAME_INVALID', ['leaf', 'int'], opts(store('root'), { serverName: 'other.test' }));
    expect(e.message).to.include('other.test').and.include('www.good.test');
    verifyServerChain(chain('self'), opts(store('self'))); // a self-signed certificate trusted as itself
  });

  describe('SPKI pins', () => {
    const pins = (...names: string[]) => names.map((n) => parsePin(opensslPin(`${pki.dir}/${n}.pem`)));

    it('computes the pin openssl computes', () => {
      for (const name of ['leaf', 'int', 'root']) {
        expect(pinOf(parseCertificates(pki.pem(name))[0]!, crypto)).to.equal(opensslPin(`${pki.dir}/${name}.pem`));
      }
    });

    it('accepts a chain holding a pinned key: leaf, intermediate or root', () => {
      for (const name of ['leaf', 'int', 'root']) verifyServerChain(chain('leaf', 'int'), opts(store('root'), { pins: pins('otherRoot', name) }));
    });

    it('refuses a valid chain without a pinned key (ERR_TLS_CERT_PIN_MISMATCH), listing its keys', () => {
      const e = rejects('bad_certificate', 'ERR_TLS_CERT_PIN_MISMATCH', ['leaf', 'int'], opts(store('root'), { pins: pins('otherRoot') }));
      expect(e.message).to.include(opensslPin(`${pki.dir}/leaf.pem`));
    });

    it('takes the other path when only it holds the pinned key', () => {
      const both = store('root', 'otherRoot');
      verifyServerChain(chain('crossLeaf', 'crossByRoot', 'crossByOther'), opts(both, { pins: pins('otherRoot') }));
      verifyServerChain(chain('crossLeaf', 'crossByOther', 'crossByRoot'), opts(both, { pins: pins('root') }));
    });

    it('refuses malformed pins as a configuration error', () => {
      for (const bad of ['sha256/short', 'sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 'AAAA']) expect(() => parsePin(bad)).to.throw(/pin is "sha256\/"/);
    });
  });

  describe('fingerprints', () => {
    it('matches the fingerprint openssl prints, in either case and without colons', () => {
      const fp = opensslFingerprint(`${pki.dir}/self.pem`);
      for (const text of [fp, fp.toLowerCase(), fp.replace(/:/g, '')]) checkFingerprint(pki.der('self'), [parseFingerprint(text)], crypto);
    });

    it('refuses another certificate (ERR_TLS_CERT_FINGERPRINT_MISMATCH), naming its fingerprint', () => {
      try {
        checkFingerprint(pki.der('leaf'), [parseFingerprint(opensslFingerprint(`${pki.dir}/self.pem`))], crypto);
        expect.fail('accepted');
      } catch (e) {
        expect([(e as TlsError).alert, (e as TlsError).code]).to.deep.equal(['bad_certificate', 'ERR_TLS_CERT_FINGERPRINT_MISMATCH']);
        expect((e as Error).message).to.include(opensslFingerprint(`${pki.dir}/leaf.pem`).slice(8));
      }
    });

    it('refuses malformed or weak fingerprints as a configuration error', () => {
      expect(() => parseFingerprint('sha-1 AB:CD')).to.throw(/not supported/);
      expect(() => parseFingerprint('sha-256 AB:CD')).to.throw(/32 bytes/);
      expect(() => parseFingerprint('AB:CD')).to.throw(/sha-256 AB:CD/);
    });
  });
});
