/**
 * The `rxtls` command line against real peers (issue 2, "Done means"):
 * `rxtls server --http` answers `openssl s_client -tls1_3` and Node's
 * https.get; `rxtls client` fetches the page of `openssl s_server -www`;
 * failures exit non-zero and name the alert; --keylog writes NSS lines.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '../support/fixtures.js';
import { freePort, parseOpensslClientOutput, requirePeer, runOpensslClient, runNodeTlsClient, startOpensslServer, stopAll } from './peers.js';

const BIN = fileURLToPath(new URL('../../bin/rxtls.ts', import.meta.url));
const CA = fixturePath('ca.pem');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function rxtls(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => (p.kill('SIGKILL'), reject(new Error(`rxtls ${args.join(' ')} timed out: ${stderr}`))), 20_000);
    p.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    p.stdin.end(input);
  });
}

/** Starts `rxtls server` and resolves once it says it listens. */
async function rxtlsServer(args: string[]): Promise<{ proc: ChildProcess; port: number; stderr: () => string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', BIN, 'server', '--port', String(port), ...args], { stdio: 'pipe' });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rxtls server did not start: ${stderr}`)), 20_000);
    proc.stderr!.on('data', (d) => {
      stderr += d;
      if (stderr.includes('listening on')) (clearTimeout(timer), resolve());
    });
    proc.on('exit', () => reject(new Error(`rxtls server exited: ${stderr}`)));
  });
  return { proc, port, stderr: () => stderr };
}

function httpsGet(port: number): Promise<{ status?: number; body: string; alpn: string | false | null | undefined }> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions & { ALPNProtocols: string[] } = {
      host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(CA), path: '/', agent: false, ALPNProtocols: ['http/1.1'],
    };
    const req = https.get(options, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, alpn: (res.socket as import('node:tls').TLSSocket).alpnProtocol }));
    });
    req.on('error', reject);
  });
}

describe('rxtls CLI', function () {
  this.timeout(60_000);
  after(() => stopAll());

  describe('rxtls server --http (ECDSA P-256)', () => {
    let server: Awaited<ReturnType<typeof rxtlsServer>>;
    const dir = mkdtempSync(join(tmpdir(), 'rxtls-cli-'));
    const keylog = join(dir, 'keys.log');
    before(async () => {
      server = await rxtlsServer([
        '--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key'),
        '--http', '--alpn', 'http/1.1', '--keylog', keylog,
      ]);
    });
    after(() => {
      server?.proc.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers openssl s_client -tls1_3 with a page naming the negotiated parameters', async function () {
      requirePeer('openssl', this);
      const r = await runOpensslClient({
        port: server.port,
        args: ['-CAfile', CA, '-servername', 'localhost', '-verify_return_error', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-groups', 'P-384'],
        input: 'GET / HTTP/1.0\r\n\r\n',
        timeoutMs: 15_000,
      });
      expect(r.stdout).to.include('HTTP/1.0 200 OK');
      const peer = parseOpensslClientOutput(r.stdout + r.stderr);
      expect(peer).to.include({ protocol: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256', group: 'secp384r1', verifyCode: 0 });
      expect(r.stdout).to.include('Cipher suite: TLS_CHACHA20_POLY1305_SHA256').and.include('Group: secp384r1');
    });

    it("answers Node's https.get (verifying with the CA) and negotiates ALPN", async () => {
      const res = await httpsGet(server.port);
      expect(res.status).to.equal(200);
      expect(res.alpn).to.equal('http/1.1');
      expect(res.body).to.include('Protocol: TLSv1.3').and.include('ALPN: http/1.1').and.include('Server name: localhost');
    });

    it('writes NSS key-log lines with --keylog', () => {
      const lines = readFileSync(keylog, 'utf8').trim().split('\n');
      for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) {
        expect(lines.some((l) => new RegExp(`^${label} [0-9a-f]{64} [0-9a-f]{64,96}$`).test(l)), label).to.equal(true);
      }
    });
  });

  it('rxtls server --echo echoes to a node:tls client', async () => {
    const server = await rxtlsServer(['--cert', fixturePath('server-ed25519.pem'), '--key', fixturePath('server-ed25519.key'), '--echo']);
    try {
      const r = await runNodeTlsClient({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca: readFileSync(CA), input: 'echo me\n', closeWhen: 'echo me\n', timeoutMs: 10_000 });
      expect(r.data.toString()).to.equal('echo me\n');
      expect(r.protocol).to.equal('TLSv1.3');
    } finally {
      server.proc.kill();
    }
  });

  describe('rxtls client', () => {
    it('fetches the page of openssl s_server -tls1_3 -www and reports the parameters on stderr', async function () {
      requirePeer('openssl', this);
      const s = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), www: true });
      const r = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'localhost', '--ca', CA], 'GET / HTTP/1.0\r\n\r\n');
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^HTTP\/1\.0 200 ok/i);
      // s_server -www describes the connection from its side: the same suite we report.
      const suite = /suite: (\S+)/.exec(r.stderr)![1]!;
      expect(r.stdout).to.include(suite);
      expect(r.stderr).to.include('version: TLSv1.3');
      await s.stop();
    });

    it('exits non-zero and names the alert when the certificate does not match', async function () {
      requirePeer('openssl', this);
      const s = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), www: true });
      const r = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'not-this.example', '--ca', CA]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('certificate_unknown').and.include('not-this.example');
      await s.stop();
    });

    it('exits non-zero and names the alert the server sent (no common group)', async function () {
      requirePeer('openssl', this);
      const s = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), www: true, args: ['-groups', 'ffdhe2048'] });
      const r = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'localhost', '--ca', CA]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/TLS alert \w+ \(received from the peer\)/);
      await s.stop();
    });

    it('refuses to run without --ca or --insecure (usage error, exit 2)', async () => {
      const r = await rxtls(['client', '127.0.0.1:1']);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include('--insecure');
    });
  });
});
