/**
 * The `rxtls` command line over TLS 1.2 (the TLS 1.2 issue's "Done means"):
 * `rxtls server --http` answers `openssl s_client -tls1_2`, gnutls-cli with a
 * TLS 1.2-only priority and node's https.get with maxVersion TLSv1.2;
 * `rxtls client` fetches the page of `openssl s_server -tls1_2 -www`, saves
 * the ticket it got (--sess-out) and resumes with it (--sess-in).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '../support/fixtures.js';
import { CA, httpsGet, rxtls, rxtlsServer } from './cli-run.js';
import { requirePeer, runGnutlsClient, stopAll } from './peers.js';
import { spawnTracked } from './proc.js';
import { GNUTLS_TLS12_PRIORITY, startOpensslTls12Server } from './tls12-peers.js';

const CERT = fixturePath('server-p256.pem');
const KEY = fixturePath('server-p256.key');
const GET = 'GET / HTTP/1.0\r\n\r\n';

describe('rxtls CLI over TLS 1.2', function () {
  this.timeout(60_000);
  after(() => stopAll());

  describe('rxtls server --http', () => {
    let server: Awaited<ReturnType<typeof rxtlsServer>>;
    before(async () => {
      server = await rxtlsServer(['--cert', CERT, '--key', KEY, '--http']);
    });
    after(() => server.proc.kill());

    it('answers openssl s_client -tls1_2', async function () {
      requirePeer('openssl', this);
      const t = spawnTracked(['openssl', 's_client', '-connect', `127.0.0.1:${server.port}`, '-tls1_2', '-servername', 'localhost', '-CAfile', CA, '-verify_return_error', '-ign_eof']);
      t.proc.stdin!.end(GET);
      const res = await t.exited();
      expect(res.code, t.stderr()).to.equal(0);
      expect(t.stdout()).to.match(/Protocol *: TLSv1\.2/);
      expect(t.stdout()).to.include('Protocol: TLSv1.2'); // our page
      expect(t.stdout()).to.match(/Cipher suite: TLS_ECDHE_ECDSA_WITH_/);
    });

    it('answers gnutls-cli with a TLS 1.2-only priority', async function () {
      requirePeer('gnutls-cli', this);
      const res = await runGnutlsClient({
        port: server.port,
        insecure: false,
        priority: GNUTLS_TLS12_PRIORITY,
        args: [`--x509cafile=${CA}`, '--verify-hostname=localhost'],
        input: GET,
        closeWhen: '</html>',
        timeoutMs: 15_000,
      });
      expect(res.stdout).to.match(/Description: \(TLS1\.2/);
      expect(res.stdout).to.include('Protocol: TLSv1.2');
    });

    it("answers node's https.get with maxVersion TLSv1.2", async () => {
      const res = await httpsGet(server.port, { maxVersion: 'TLSv1.2' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include('Protocol: TLSv1.2');
      expect(res.alpn).to.equal('http/1.1');
    });
  });

  describe('rxtls client', () => {
    it('fetches the page of openssl s_server -tls1_2 -www, then resumes with the ticket it saved', async function () {
      requirePeer('openssl', this);
      const dir = mkdtempSync(join(tmpdir(), 'rxtls-sess-'));
      const peer = await startOpensslTls12Server({ cert: CERT, key: KEY, args: ['-www'] });
      try {
        const session = join(dir, 'session.json');
        const args = ['client', `127.0.0.1:${peer.port}`, '--servername', 'localhost', '--ca', CA];
        const first = await rxtls([...args, '--sess-out', session], GET);
        expect(first.code, first.stderr).to.equal(0);
        expect(first.stdout).to.match(/New, TLSv1\.2, Cipher is ECDHE-ECDSA-/); // s_server's page about our connection
        expect(first.stderr).to.match(/version: TLSv1\.2[\s\S]*resumed: no/);
        expect(statSync(session).mode & 0o777).to.equal(0o600); // it holds the master secret
        const again = await rxtls([...args, '--sess-in', session], GET);
        expect(again.code, again.stderr).to.equal(0);
        expect(again.stdout).to.match(/Reused, TLSv1\.2, Cipher is ECDHE-ECDSA-/);
        expect(again.stderr).to.include('resumed: yes');
      } finally {
        await peer.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--max-version 1.2 against a TLS 1.3-capable server negotiates TLS 1.2; --min-version 1.3 against a 1.2-only one fails', async function () {
      requirePeer('openssl', this);
      const peer = await startOpensslTls12Server({ cert: CERT, key: KEY, args: ['-www'] });
      const server13 = await rxtlsServer(['--cert', CERT, '--key', KEY, '--http']);
      try {
        const ok = await rxtls(['client', `127.0.0.1:${server13.port}`, '--servername', 'localhost', '--ca', CA, '--max-version', '1.2'], GET);
        expect(ok.stderr).to.include('version: TLSv1.2');
        const refused = await rxtls(['client', `127.0.0.1:${peer.port}`, '--servername', 'localhost', '--ca', CA, '--min-version', '1.3'], GET);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.match(/protocol.version/);
      } finally {
        server13.proc.kill();
        await peer.stop();
      }
    });
  });

  describe('--psk IDENTITY:HEX', () => {
    const PSK = '00112233445566778899aabbccddeeff';

    it('rxtls client --psk (no --ca) fetches the page of openssl s_server -tls1_2 -nocert -psk -www', async function () {
      requirePeer('openssl', this);
      const peer = await startOpensslTls12Server({ args: ['-www', '-nocert', '-psk', PSK, '-psk_identity', 'cli-id', '-cipher', 'PSK-AES128-GCM-SHA256:ECDHE-PSK-CHACHA20-POLY1305'] });
      try {
        const run = await rxtls(['client', `127.0.0.1:${peer.port}`, '--psk', `cli-id:${PSK}`], GET);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/New, TLSv1\.2, Cipher is (ECDHE-)?PSK-/);
        expect(run.stderr).to.include('psk identity: cli-id');
      } finally {
        await peer.stop();
      }
    });

    it('rxtls server --psk alone answers openssl s_client -tls1_2 -psk; a bad --psk is a usage error', async function () {
      requirePeer('openssl', this);
      const server = await rxtlsServer(['--psk', `cli-id:${PSK}`, '--http']);
      try {
        const t = spawnTracked(['openssl', 's_client', '-connect', `127.0.0.1:${server.port}`, '-tls1_2', '-psk', PSK, '-psk_identity', 'cli-id', '-ign_eof']);
        t.proc.stdin!.end(GET);
        const res = await t.exited();
        expect(res.code, t.stderr()).to.equal(0);
        expect(t.stdout()).to.include('PSK identity: cli-id'); // our page
        expect(t.stdout()).to.match(/Cipher suite: TLS_(ECDHE_)?PSK_/);
      } finally {
        server.proc.kill();
      }
      const bad = await rxtls(['client', '127.0.0.1:1', '--psk', 'no-key']);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.include('invalid --psk');
    });
  });
});
