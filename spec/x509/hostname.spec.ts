import { expect } from 'chai';
import { matchesServerName, matchDnsPattern, parseIpAddress } from '../../lib/x509/index.js';
import { fixtureCert } from './helpers.js';

const san = (dns: string[], ip: number[][] = []) => ({ subjectAltNames: { dns, ip: ip.map((a) => new Uint8Array(a)) } });

describe('x509/hostname', () => {
  describe('DNS patterns', () => {
    const table: [pattern: string, host: string, match: boolean][] = [
      ['example.com', 'example.com', true],
      ['Example.COM', 'eXample.com', true],
      ['example.com', 'example.com.', true], // absolute reference name
      ['example.com', 'www.example.com', false],
      ['www.example.com', 'example.com', false],
      ['*.example.com', 'a.example.com', true],
      ['*.example.com', 'A.EXAMPLE.COM', true],
      ['*.example.com', 'a.b.example.com', false], // one label only
      ['*.example.com', 'example.com', false],
      ['*.example.com', '.example.com', false],
      ['*.example.com', 'xexample.com', false],
      ['f*.example.com', 'foo.example.com', false], // partial wildcard
      ['*o.example.com', 'foo.example.com', false],
      ['a.*.example.com', 'a.b.example.com', false], // not left-most
      ['*.*.example.com', 'a.b.example.com', false],
      ['*.com', 'example.com', false], // wildcard over a TLD
      ['*', 'localhost', false],
      ['*.', 'a.', false],
      ['**.example.com', 'a.example.com', false],
      ['example.com', '*.example.com', false], // reference names are never patterns
      ['*.example.com', '*.example.com', false],
      ['exa mple.com', 'exa mple.com', false],
      ['', '', false],
      ['bücher.example', 'bücher.example', false], // U-labels: callers must use A-labels
      ['xn--bcher-kva.example', 'XN--BCHER-KVA.example', true],
      ['_srv.example.com', '_srv.example.com', true],
      ['a..example.com', 'a..example.com', false],
      ['-a.example.com', '-a.example.com', false],
    ];
    for (const [pattern, host, match] of table) {
      it(`${JSON.stringify(pattern)} ${match ? 'matches' : 'does not match'} ${JSON.stringify(host)}`, () => {
        expect(matchesServerName(san([pattern]), host)).to.equal(match);
      });
    }

    it('matchDnsPattern works on a normalized host', () => {
      expect(matchDnsPattern('*.wild.rxtls.test', 'x.wild.rxtls.test')).to.equal(true);
      expect(matchDnsPattern('*.rxtls.test', 'x.wild.rxtls.test')).to.equal(false);
    });
  });

  describe('IP addresses', () => {
    const cert = san(['127.0.0.1', 'localhost'], [
      [10, 0, 0, 1],
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1],
    ]);
    const table: [host: string, match: boolean][] = [
      ['10.0.0.1', true],
      ['10.0.0.2', false],
      ['010.0.0.1', false], // leading zeros are ambiguous (octal)
      ['127.0.0.1', false], // a dNSName "127.0.0.1" is not an IP SAN
      ['2001:db8::1', true],
      ['2001:DB8:0:0:0:0:0:1', true],
      ['[2001:db8::1]', true],
      ['2001:db8::2', false],
      ['::ffff:192.0.2.1', true],
      ['192.0.2.1', false], // v4 and v4-mapped v6 are different identities
      ['2001:db8::1%eth0', false],
    ];
    for (const [host, match] of table) {
      it(`${host} ${match ? 'matches' : 'does not match'}`, () => {
        expect(matchesServerName(cert, host)).to.equal(match);
      });
    }

    it('parses IPv4 and IPv6 literals', () => {
      expect(parseIpAddress('1.2.3.4')).to.deep.equal(new Uint8Array([1, 2, 3, 4]));
      expect(parseIpAddress('::')).to.deep.equal(new Uint8Array(16));
      expect(parseIpAddress('::1')![15]).to.equal(1);
      expect(parseIpAddress('1::')![1]).to.equal(1);
      expect(parseIpAddress('1:2:3:4:5:6:7:8')![15]).to.equal(8);
      expect(parseIpAddress('1:2:3:4:5:6:1.2.3.4')![15]).to.equal(4);
      for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '1:2:3:4:5:6:7::8', '12345::', 'g::1', '1.2.3.4::', '']) {
        expect(parseIpAddress(bad), bad).to.equal(undefined);
      }
    });
  });

  it('checks the fixture server names and never falls back to the CN', () => {
    const cert = fixtureCert('server-p256.pem');
    for (const ok of ['localhost', 'LOCALHOST', 'rxtls.test', 'a.wild.rxtls.test', '127.0.0.1', '::1', '[::1]', '0:0:0:0:0:0:0:1']) {
      expect(matchesServerName(cert, ok), ok).to.equal(true);
    }
    for (const bad of ['wild.rxtls.test', 'a.b.wild.rxtls.test', 'example.com', '127.0.0.2', '::2']) {
      expect(matchesServerName(cert, bad), bad).to.equal(false);
    }
    // CN=localhost alone does not count.
    expect(matchesServerName({ subjectAltNames: { dns: [], ip: [] } }, 'localhost')).to.equal(false);
  });
});
