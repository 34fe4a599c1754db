/**
 * `rxtls client` trust options against openssl s_server (issue 11, "Trust"):
 * no --ca (Node's roots plus the system bundle, here named by SSL_CERT_FILE),
 * --pin and --fingerprint both ways. openssl s_server -msg prints the alert
 * we sent, so each refusal is read on the peer's side too.
 */
import { expect } from 'chai';
import { fixturePath } from '../support/fixtures.js';
import { CA_EXT, leafExt, makePki, opensslFingerprint, opensslPin, type Pki } from '../support/openssl-pki.js';
import { requirePeer, startOpensslServer, stopAll } from './peers.js';
import { rxtls } from './cli-run.js';

describe('rxtls client: trust store, --pin, --fingerprint (openssl s_server)', function () {
  this.timeout(60_000);
  let pki: Pki;
  before(function () {
    requirePeer('openssl', this);
    pki = makePki();
    pki.root('root', 'rxtls CLI Root');
    pki.issue('int', 'rxtls CLI Int', 'root', CA_EXT);
    pki.issue('leaf', 'localhost', 'int', leafExt('DNS:localhost'));
    pki.root('self', 'rxtls CLI self-signed', { ext: leafExt('DNS:peer.invalid') });
  });
  after(async () => {
    pki?.cleanup();
    await stopAll();
  });

  const server = (identity: 'chain' | 'self') =>
    startOpensslServer({
      cert: `${pki.dir}/${identity === 'chain' ? 'leaf' : 'self'}.pem`,
      key: `${pki.dir}/${identity === 'chain' ? 'leaf' : 'self'}.key`,
      args: [...(identity === 'chain' ? ['-cert_chain', `${pki.dir}/int.pem`] : []), '-msg'],
      www: true,
    });
  const get = 'GET / HTTP/1.0\r\n\r\n';

  it('connects with no --ca to a server whose root is in the system bundle (SSL_CERT_FILE)', async () => {
    const s = await server('chain');
    const r = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'localhost'], get, { ...process.env, SSL_CERT_FILE: `${pki.dir}/root.pem` });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^HTTP\/1\.0 200 ok/i);
    await s.stop();
  });

  it('--pin: connects when the chain holds the key, else exits 1 naming the code; s_server saw bad_certificate', async () => {
    const s = await server('chain');
    const base = ['client', `127.0.0.1:${s.port}`, '--servername', 'localhost', '--ca', `${pki.dir}/root.pem`];
    const ok = await rxtls([...base, '--pin', `${opensslPin(fixturePath('ca.pem'))},${opensslPin(`${pki.dir}/root.pem`)}`], get);
    expect(ok.code, ok.stderr).to.equal(0);
    const bad = await rxtls([...base, '--pin', opensslPin(fixturePath('ca.pem'))], get);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include('bad_certificate').and.include('ERR_TLS_CERT_PIN_MISMATCH');
    await s.waitForOutput(/Alert.*\n.*02 2a/i);
    await s.stop();
  });

  it('--fingerprint: connects to the self-signed server it names, else exits 1; s_server saw bad_certificate', async () => {
    const s = await server('self');
    const base = ['client', `127.0.0.1:${s.port}`, '--servername', 'localhost'];
    const ok = await rxtls([...base, '--fingerprint', opensslFingerprint(`${pki.dir}/self.pem`)], get);
    expect(ok.code, ok.stderr).to.equal(0);
    const bad = await rxtls([...base, '--fingerprint', opensslFingerprint(`${pki.dir}/leaf.pem`)], get);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include('ERR_TLS_CERT_FINGERPRINT_MISMATCH');
    await s.waitForOutput(/Alert.*\n.*02 2a/i);
    await s.stop();
  });

  it('malformed --pin / --fingerprint and --fingerprint with --ca are usage errors (exit 2)', async () => {
    const runs = await Promise.all([
      rxtls(['client', '127.0.0.1:1', '--pin', 'sha1/abc']),
      rxtls(['client', '127.0.0.1:1', '--fingerprint', 'sha-1 AB']),
      rxtls(['client', '127.0.0.1:1', '--fingerprint', opensslFingerprint(`${pki.dir}/self.pem`), '--ca', `${pki.dir}/root.pem`]),
    ]);
    for (const r of runs) expect(r.code, r.stderr).to.equal(2);
    expect(runs[0]!.stderr).to.include('--pin');
    expect(runs[1]!.stderr).to.include('--fingerprint');
  });
});
