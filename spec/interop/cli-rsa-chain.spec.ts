/**
 * Issue 11's "done" line for RSA chains: `rxtls client` verifies a
 * three-level RSA chain made by the openssl CLI (RSA-3072 root, RSA-2048
 * intermediate and leaf) served by openssl s_server, in TLS 1.3 and 1.2
 * (ECDHE_RSA), and refuses a wrong host and an unknown root naming the
 * reason (its node-style code) on stderr.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fixturePath } from '../support/fixtures.js';
import { CA_EXT, leafExt, makePki, type Pki } from '../support/openssl-pki.js';
import { rxtls } from './cli-run.js';
import { requirePeer, startOpensslServer, stopAll } from './peers.js';

describe('rxtls client verifies a three-level RSA chain (openssl s_server)', function () {
  this.timeout(60_000);
  let pki: Pki;
  const get = 'GET / HTTP/1.0\r\n\r\n';

  before(function () {
    requirePeer('openssl', this);
    pki = makePki();
    // RSA keys where makePki would make P-256 ones: root() and issue() use a key file already there.
    for (const [name, bits] of [['root', 3072], ['int', 2048], ['leaf', 2048]] as const) {
      execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', join(pki.dir, `${name}.key`)], { stdio: 'ignore' });
    }
    pki.root('root', 'rxtls RSA Root');
    pki.issue('int', 'rxtls RSA Intermediate', 'root', CA_EXT);
    pki.issue('leaf', 'localhost', 'int', leafExt('DNS:localhost'));
  });
  after(async () => {
    pki?.cleanup();
    await stopAll();
  });

  const serve = () =>
    startOpensslServer({ cert: join(pki.dir, 'leaf.pem'), key: join(pki.dir, 'leaf.key'), args: ['-cert_chain', join(pki.dir, 'int.pem')], www: true, version: 'any' });

  for (const [label, extra, version] of [['TLS 1.3', [], 'TLSv1.3'], ['TLS 1.2 (ECDHE_RSA)', ['--max-version', '1.2'], 'TLSv1.2']] as const) {
    it(`${label}: verified against the root alone, the page fetched`, async () => {
      const s = await serve();
      const r = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'localhost', '--ca', join(pki.dir, 'root.pem'), ...extra], get);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^HTTP\/1\.0 200 ok/i);
      expect(r.stderr).to.include(version);
      await s.stop();
    });
  }

  it('refuses the chain for another host and under an unknown root, naming each reason', async () => {
    const s = await serve();
    const wrongHost = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'other.example', '--ca', join(pki.dir, 'root.pem')], get);
    expect(wrongHost.code).to.equal(1);
    expect(wrongHost.stderr).to.include('ERR_TLS_CERT_ALTNAME_INVALID');
    const unknownRoot = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'localhost', '--ca', fixturePath('ca.pem')], get);
    expect(unknownRoot.code).to.equal(1);
    expect(unknownRoot.stderr).to.match(/UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    await s.stop();
  });
});
