/**
 * The `rxtls` command line against real peers (issue 2, "Done means"):
 * `rxtls server --http` answers `openssl s_client -tls1_3` and Node's
 * https.get; `rxtls client` fetches the page of `openssl s_server -www`;
 * failures exit non-zero and name the alert; --keylog writes NSS lines.
 * "Field-ready TLS 1.3": --help/--version, usage errors (exit 2), one-line
 * startup errors naming the file (exit 1); the client delivers every byte
 * through a slow stdout pipe and exits 1 on EPIPE; --http offers ALPN
 * http/1.1 by default.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageVersion } from '../../bin/cli/version.js';
import { fixturePath } from '../support/fixtures.js';
import { freePort, parseOpensslClientOutput, requirePeer, runOpensslClient, runNodeTlsClient, startOpensslServer, stopAll } from './peers.js';
import { spawnTracked } from './proc.js';

import { BIN, CA, httpsGet, rxtls, rxtlsServer, type Run } from './cli-run.js';
const PACKAGE = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };

/**
 * `rxtls client ARGS < input | sh -c READER`: the client's stdout is a pipe
 * into `sh -c reader` (e.g. 'sleep 1; cat > out', a reader that starts late).
 */
function clientIntoReader(args: string[], inputFile: string, reader: string): Promise<{ code: number | null; stderr: string; readerCode: number | null }> {
  return new Promise((resolve, reject) => {
    const sink = spawn('sh', ['-c', reader], { stdio: ['pipe', 'ignore', 'inherit'] });
    const input = openSync(inputFile, 'r');
    const p = spawn(process.execPath, ['--import', 'tsx', BIN, 'client', ...args], { stdio: [input, sink.stdin!, 'pipe'] });
    closeSync(input);
    sink.stdin!.destroy(); // the client holds the pipe now; the reader sees EOF when it exits
    let stderr = '';
    p.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => (p.kill('SIGKILL'), sink.kill('SIGKILL'), reject(new Error(`rxtls client timed out: ${stderr}`))), 30_000);
    const exits = [p, sink].map((c) => new Promise<number | null>((r) => c.on('close', (code) => r(code))));
    void Promise.all(exits).then(([code, readerCode]) => (clearTimeout(timer), resolve({ code: code!, stderr, readerCode: readerCode! })));
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

    it('answers 431 to a request head longer than 16 KiB instead of collecting it', async () => {
      const r = await runNodeTlsClient({ port: server.port, servername: 'localhost', ca: readFileSync(CA), input: 'x'.repeat(20_000), timeoutMs: 10_000 });
      expect(r.data.toString()).to.match(/^HTTP\/1\.0 431 /);
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

    it('without --ca verifies against the default roots: a private CA is unknown_ca (exit 1)', async function () {
      requirePeer('openssl', this);
      const s = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), www: true });
      const r = await rxtls(['client', `127.0.0.1:${s.port}`, '--servername', 'localhost']);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include('unknown_ca').and.include('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      await s.stop();
    });
  });

  describe('usage, --help, --version and startup errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxtls-cli-args-'));
    const garbageKey = join(dir, 'garbage.key');
    writeFileSync(garbageKey, 'this is not a key\n');
    const p256 = fixturePath('server-p256.pem');
    const p256Key = fixturePath('server-p256.key');
    const serve = (...more: string[]) => ['server', '--port', '0', ...more];
    // Every run at once (each is a tsx start-up, ~1 s): the its below only look at the results.
    const cases = {
      help: ['--help'],
      h: ['-h'],
      serverHelp: ['server', '--help'],
      version: ['--version'],
      badPort: ['server', '--port', '80a', '--cert', p256, '--key', p256Key, '--echo'],
      bigPort: ['server', '--port', '65536', '--cert', p256, '--key', p256Key, '--echo'],
      unknownFlag: serve('--cert', p256, '--key', p256Key, '--echo', '--verbose'),
      echoAndHttp: serve('--cert', p256, '--key', p256Key, '--echo', '--http'),
      caAndInsecure: ['client', '127.0.0.1:1', '--ca', CA, '--insecure'],
      noCert: serve('--cert', join(dir, 'missing.pem'), '--key', p256Key, '--echo'),
      garbageKey: serve('--cert', p256, '--key', garbageKey, '--echo'),
      keyIsDir: serve('--cert', p256, '--key', dir, '--echo'),
      mismatch: serve('--cert', p256, '--key', fixturePath('server-p384.key'), '--echo'),
      noCa: ['client', '127.0.0.1:1', '--ca', join(dir, 'missing-ca.pem')],
    } satisfies Record<string, string[]>;
    const runs = {} as Record<keyof typeof cases, Run>;
    before(async function () {
      this.timeout(60_000);
      await Promise.all(Object.entries(cases).map(async ([name, args]) => (runs[name as keyof typeof cases] = await rxtls(args))));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Exit 1 with exactly one line on stderr and no stack trace. */
    const oneLineFailure = (r: Run) => {
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1);
      expect(r.stderr).to.not.match(/^\s+at |TLS alert|sent to the peer/m);
    };
    /** Exit 2 with the problem, then the usage, on stderr. */
    const usageError = (r: Run, problem: string | RegExp) => {
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.split('\n')[0]).to.match(typeof problem === 'string' ? new RegExp(problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : problem);
      expect(r.stderr).to.include('usage:');
      expect(r.stdout).to.equal('');
    };

    it('--help, -h and server --help print the usage on stdout and exit 0', () => {
      for (const r of [runs.help, runs.h, runs.serverHelp]) {
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.include('usage:').and.include('rxtls server --port P').and.include('rxtls client HOST:PORT');
        expect(r.stderr).to.equal('');
      }
    });

    it('--version prints the version of package.json', () => {
      expect(runs.version.code).to.equal(0);
      expect(runs.version.stdout).to.equal(`rxtls ${PACKAGE.version}\n`);
    });

    it('finds package.json by walking up from the bin file (as from dist/bin/cli/ after the build)', () => {
      const root = join(dir, 'pkg');
      mkdirSync(join(root, 'dist', 'bin', 'cli'), { recursive: true });
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'rxtls', version: '9.8.7' }));
      writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ type: 'module' })); // not ours: skipped
      expect(packageVersion(pathToFileURL(join(root, 'dist', 'bin', 'cli', 'version.js')).href)).to.equal('9.8.7');
      expect(packageVersion()).to.equal(PACKAGE.version);
    });

    it('an invalid --port is said to be invalid (not missing)', () => {
      usageError(runs.badPort, 'invalid --port: "80a"');
      usageError(runs.bigPort, 'invalid --port: "65536"');
      expect(runs.badPort.stderr + runs.bigPort.stderr).to.not.include('required');
    });

    it('an unknown flag is a usage error', () => usageError(runs.unknownFlag, 'unknown option --verbose'));

    it('conflicting flags are usage errors: --echo with --http, --ca with --insecure', () => {
      usageError(runs.echoAndHttp, '--echo and --http cannot be used together');
      usageError(runs.caAndInsecure, '--ca and --insecure cannot be used together');
    });

    it('a missing certificate or CA file is one line naming the file', () => {
      oneLineFailure(runs.noCert);
      expect(runs.noCert.stderr).to.include(`--cert ${join(dir, 'missing.pem')}`).and.include('no such file');
      oneLineFailure(runs.noCa);
      expect(runs.noCa.stderr).to.include(`--ca ${join(dir, 'missing-ca.pem')}`).and.include('no such file');
    });

    it('an unreadable or garbage key is one line naming the file', () => {
      oneLineFailure(runs.garbageKey);
      expect(runs.garbageKey.stderr).to.include(`--key ${garbageKey} holds no private key`);
      oneLineFailure(runs.keyIsDir);
      expect(runs.keyIsDir.stderr).to.include(`--key ${dir}`).and.include('is a directory');
    });

    it('a key that is not the certificate\'s is one line naming both files', () => {
      oneLineFailure(runs.mismatch);
      expect(runs.mismatch.stderr).to.include(`--key ${fixturePath('server-p384.key')} does not match the certificate in --cert ${p256}`);
    });
  });

  describe('back-pressure and exit through pipes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxtls-cli-pipe-'));
    const input = join(dir, 'input.bin');
    const bytes = randomBytes(2_000_000);
    writeFileSync(input, bytes);
    const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    let echoServer: Awaited<ReturnType<typeof rxtlsServer>>;
    before(async () => {
      echoServer = await rxtlsServer(['--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key'), '--echo']);
    });
    after(() => {
      echoServer?.proc.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers all 2,000,000 echoed bytes into a pipe read only after 1 s, then exits 0', async () => {
      const out = join(dir, 'echoed.bin');
      const r = await clientIntoReader([`127.0.0.1:${echoServer.port}`, '--servername', 'localhost', '--ca', CA], input, `sleep 1; exec cat > '${out}'`);
      expect(r.code, r.stderr).to.equal(0);
      const got = readFileSync(out);
      expect(got.length).to.equal(2_000_000);
      expect(sha256(got)).to.equal(sha256(bytes));
    });

    it('delivers a 2,000,000-byte file from openssl s_server -WWW into a slow pipe', async function () {
      requirePeer('openssl', this);
      const www = join(dir, 'www');
      mkdirSync(www, { recursive: true });
      writeFileSync(join(www, 'big.bin'), bytes);
      const port = await freePort();
      const t = spawnTracked(
        ['openssl', 's_server', '-accept', `127.0.0.1:${port}`, '-cert', fixturePath('server-p256.pem'), '-key', fixturePath('server-p256.key'), '-tls1_3', '-WWW'],
        { cwd: www },
      );
      try {
        await t.waitForOutput(/^ACCEPT$/m, 5000);
        const request = join(dir, 'request.txt');
        writeFileSync(request, 'GET /big.bin HTTP/1.0\r\n\r\n');
        const out = join(dir, 'fetched.bin');
        const r = await clientIntoReader([`127.0.0.1:${port}`, '--servername', 'localhost', '--ca', CA], request, `sleep 1; exec cat > '${out}'`);
        expect(r.code, r.stderr).to.equal(0);
        const got = readFileSync(out);
        const body = got.subarray(got.indexOf('\r\n\r\n') + 4);
        expect(got.subarray(0, 15).toString()).to.match(/^HTTP\/1\.0 200/);
        expect(body.length).to.equal(2_000_000);
        expect(sha256(body)).to.equal(sha256(bytes));
      } finally {
        await t.stop();
      }
    });

    it('reads stdin only as fast as the server takes the bytes (a server that never reads stalls it)', async () => {
      // A TLS server that accepts and never reads; we feed the client's stdin as fast as it takes it.
      const sink = tls.createServer({ cert: readFileSync(fixturePath('server-p256.pem')), key: readFileSync(fixturePath('server-p256.key')) }, (c) => c.pause());
      await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
      const port = (sink.address() as AddressInfo).port;
      const p = spawn(process.execPath, ['--import', 'tsx', BIN, 'client', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', CA], { stdio: ['pipe', 'ignore', 'pipe'] });
      try {
        const offered = 64 * 1024 * 1024;
        const chunk = Buffer.alloc(256 * 1024, 0x61);
        let taken = 0;
        p.stdin.on('error', () => {});
        const pump = () => {
          while (taken < offered) {
            taken += chunk.length;
            if (!p.stdin.write(chunk)) return void p.stdin.once('drain', pump);
          }
        };
        pump();
        // Until it stops taking: no progress for 500 ms (the start-up and handshake come first).
        let last = -1;
        for (let still = 0; still < 5; await new Promise((r) => setTimeout(r, 100))) {
          still = taken === last && taken > chunk.length ? still + 1 : 0;
          last = taken;
        }
        // What it took sits in kernel socket buffers, at most 64 KiB in the channel and a pipe's worth in node.
        expect(taken).to.be.below(offered / 2);
      } finally {
        p.kill('SIGKILL');
        sink.close();
      }
    });

    it('exits 1 with one line when stdout is closed early (EPIPE)', async () => {
      const r = await clientIntoReader([`127.0.0.1:${echoServer.port}`, '--servername', 'localhost', '--ca', CA], input, 'head -c 10 > /dev/null');
      expect(r.code, r.stderr).to.equal(1);
      const last = r.stderr.trimEnd().split('\n').at(-1)!;
      expect(last).to.match(/^rxtls client: cannot write to stdout: .*EPIPE/);
      expect(r.stderr).to.not.match(/^\s+at /m);
    });

    it('exits 0 once the server closed, although stdin is still open', async () => {
      const server = await rxtlsServer(['--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key'), '--http']);
      try {
        const p = spawn(process.execPath, ['--import', 'tsx', BIN, 'client', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', CA], { stdio: 'pipe' });
        let stdout = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stdin.write('GET / HTTP/1.0\r\n\r\n'); // and no end()
        const code = await new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
          p.on('close', (c) => (clearTimeout(timer), resolve(c)));
        });
        expect(code).to.equal(0);
        expect(stdout).to.match(/^HTTP\/1\.0 200 OK/).and.include('</html>');
      } finally {
        server.proc.kill();
      }
    });
  });

  it('rxtls server --http offers ALPN http/1.1 when --alpn is not given', async function () {
    requirePeer('openssl', this);
    const server = await rxtlsServer(['--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key'), '--http']);
    try {
      const r = await runOpensslClient({
        port: server.port,
        args: ['-CAfile', CA, '-servername', 'localhost', '-alpn', 'http/1.1'],
        input: 'GET / HTTP/1.0\r\n\r\n',
        timeoutMs: 15_000,
      });
      expect(r.stdout + r.stderr).to.include('ALPN protocol: http/1.1');
      expect(r.stdout).to.include('ALPN: http/1.1');
    } finally {
      server.proc.kill();
    }
  });
});
