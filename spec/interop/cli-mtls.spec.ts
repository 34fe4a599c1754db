/**
 * Mutual TLS on the command line (issue 11): `rxtls server --http
 * --require-client-cert --client-ca F` against openssl s_client -cert and
 * node's https.get with a client certificate (its page and stderr name the
 * client), and `rxtls client --cert F --key F` against openssl s_server
 * -Verify 1 (TLS 1.3 and 1.2, plus a refusal without a certificate).
 */
import { expect } from 'chai';
import { fixturePath } from '../support/fixtures.js';
import { type ClientPki, makeClientPki } from './mtls-pki.js';
import { requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import { CA, httpsGet, rxtls, rxtlsServer } from './cli-run.js';

describe('rxtls CLI: --require-client-cert --client-ca, --cert --key', function () {
  this.timeout(60_000);
  let pki: ClientPki;
  before(function () {
    requirePeer('openssl', this);
    pki = makeClientPki();
  });
  after(async () => {
    pki?.cleanup();
    await stopAll();
  });

  const serverArgs = () => ['--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key'), '--http', '--require-client-cert', '--client-ca', pki.rootFile];

  it('rxtls server --require-client-cert serves https.get with a client certificate and names it', async () => {
    const s = await rxtlsServer(serverArgs());
    try {
      const client = pki.clients.rsa;
      const r = await httpsGet(s.port, { cert: client.chain, key: client.key });
      expect(r.status).to.equal(200);
      expect(r.body).to.match(/Client certificate: CN=bob \(verified\)/);
      const refused = await httpsGet(s.port).then(() => undefined, (e: Error) => e);
      expect(String((refused as { code?: string })?.code) + refused?.message).to.match(/CERTIFICATE_REQUIRED|certificate required/i);
      expect(s.stderr()).to.match(/client certificate: CN=bob \(verified\)/);
    } finally {
      s.proc.kill();
    }
  });

  for (const version of ['tls1_3', 'tls1_2'] as const) {
    it(`rxtls server --require-client-cert serves openssl s_client -${version} -cert -key`, async () => {
      const s = await rxtlsServer(serverArgs());
      try {
        const client = pki.clients.ecdsa;
        const r = await runOpensslClient({
          port: s.port,
          version,
          args: ['-cert', client.leafFile, '-cert_chain', client.intermediateFile, '-key', client.keyFile, '-CAfile', CA, '-servername', 'localhost', '-ign_eof'],
          input: 'GET / HTTP/1.0\r\n\r\n',
          timeoutMs: 15_000,
        });
        expect(r.stdout).to.match(/Client certificate: CN=alice \(verified\)/);
      } finally {
        s.proc.kill();
      }
    });

    it(`rxtls client --cert --key against openssl s_server -${version} -Verify 1; refused without them`, async () => {
      const srv = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), version, www: true, args: ['-Verify', '1', '-verify_return_error', '-CAfile', pki.rootFile] });
      const client = pki.clients.ecdsa;
      const base = ['client', `127.0.0.1:${srv.port}`, '--servername', 'localhost', '--ca', CA];
      const ok = await rxtls([...base, '--cert', client.chainFile, '--key', client.keyFile], 'GET / HTTP/1.0\r\n\r\n');
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(/^HTTP\/1\.0 200 ok/i);
      const refused = await rxtls(base, 'GET / HTTP/1.0\r\n\r\n');
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(version === 'tls1_3' ? /TLS alert certificate_required \(received from the peer\)/ : /TLS alert handshake_failure \(received from the peer\)/);
      await srv.stop();
    });
  }

  it('usage errors: --client-ca without --require-client-cert, --cert without --key', async () => {
    const a = await rxtls(['server', '--port', '1', '--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key'), '--echo', '--client-ca', pki.rootFile]);
    expect(a.code).to.equal(2);
    expect(a.stderr).to.match(/--client-ca F needs --require-client-cert/);
    const b = await rxtls(['client', '127.0.0.1:1', '--ca', CA, '--cert', pki.clients.ecdsa.chainFile]);
    expect(b.code).to.equal(2);
    expect(b.stderr).to.match(/--cert F and --key F go together/);
  });
});
