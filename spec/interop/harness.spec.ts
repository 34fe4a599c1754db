/**
 * Self-tests of the interop harness (peers.ts / netns.ts) using only external
 * tools and node:tls, so the harness is known-good before rxtls specs rely on it.
 */
import { expect } from 'chai';
import net from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ExecTimeoutError,
  execInPrivateNetns,
  freePort,
  liveProcessCount,
  makeTempCert,
  parseGnutlsDescription,
  parseOpensslClientOutput,
  parseOpensslServerOutput,
  requireNetns,
  requirePeer,
  runGnutlsClient,
  runNodeTlsClient,
  runOpensslClient,
  startGnutlsServer,
  startNodeTlsServer,
  startOpensslServer,
  stopAll,
  which,
  type TempCert,
} from './peers.js';
import type { LoopbackMethod } from './netns.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('interop harness', function () {
  let cert: TempCert;

  before(async function () {
    requirePeer('openssl', this);
    cert = await makeTempCert();
  });

  after(async function () {
    await stopAll();
    await cert?.cleanup();
    expect(liveProcessCount(), 'processes left behind').to.equal(0);
  });

  it('freePort returns a bindable 127.0.0.1 port', async function () {
    const port = await freePort();
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    await new Promise<void>((r) => srv.close(() => r()));
  });

  describe('openssl', function () {
    it('s_server <-> node:tls client exchange data over TLS 1.3', async function () {
      const server = await startOpensslServer({ cert: cert.cert, key: cert.key });
      const client = runNodeTlsClient({ port: server.port, input: 'ping-from-node\n', closeWhen: 'pong-from-openssl', timeoutMs: 5000 });
      // s_server prints received application data on stdout...
      await server.waitForOutput('ping-from-node');
      // ...and sends what we write to its stdin.
      server.send('pong-from-openssl\n');
      const res = await client;
      expect(res.protocol).to.equal('TLSv1.3');
      expect(res.data.toString()).to.equal('pong-from-openssl\n');
      expect(parseOpensslServerOutput(server.output()).cipher).to.equal(res.cipher.standardName);
      await server.stop();
      expect(server.proc.exitCode !== null || server.proc.signalCode !== null).to.equal(true);
    });

    it('s_server -www answers s_client, which exits when the server closes', async function () {
      const server = await startOpensslServer({ cert: cert.cert, key: cert.key, www: true });
      const res = await runOpensslClient({ port: server.port, input: 'GET / HTTP/1.0\r\n\r\n', timeoutMs: 5000 });
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stdout).to.contain('HTTP/1.0 200 ok');
      const summary = parseOpensslClientOutput(res.stdout);
      expect(summary.protocol).to.equal('TLSv1.3');
      expect(summary.cipher).to.match(/^TLS_/);
      expect(summary.group).to.equal('x25519'); // OpenSSL's default first group
      expect(summary.verifyCode).to.equal(18); // self-signed
    });

    it('s_client <-> node:tls server: echo, group and cipher are parsed', async function () {
      const server = await startNodeTlsServer({ cert: [await readText(cert.cert)], key: [await readText(cert.key)], echo: true });
      // A payload starting with "Q" would quit s_client if command letters were on.
      const res = await runOpensslClient({
        port: server.port,
        input: 'Q-ping-from-s_client\n',
        closeWhen: 'Q-ping-from-s_client',
        args: ['-groups', 'P-256', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'],
        timeoutMs: 5000,
      });
      expect(res.code, res.stderr).to.equal(0);
      expect(server.received().toString()).to.equal('Q-ping-from-s_client\n');
      const summary = parseOpensslClientOutput(res.stdout);
      expect(summary).to.include({ protocol: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256', group: 'secp256r1' });
      expect(server.connections[0]!.cipher.standardName).to.equal('TLS_CHACHA20_POLY1305_SHA256');

      // -brief prints its summary on stderr, in a different format.
      const brief = await runOpensslClient({
        port: server.port,
        input: 'brief-token\n',
        closeWhen: 'brief-token',
        args: ['-brief', '-groups', 'X25519'],
        timeoutMs: 5000,
      });
      expect(parseOpensslClientOutput(brief.stdout + brief.stderr)).to.include({
        protocol: 'TLSv1.3',
        group: 'x25519',
        peerSignatureType: 'ECDSA',
      });
      await server.stop();
    });

    it('runOpensslClient kills a client that overruns its timeout and reports its output', async function () {
      // Plain s_server never closes the connection, and there's no closeWhen.
      const server = await startOpensslServer({ cert: cert.cert, key: cert.key });
      const err = await runOpensslClient({ port: server.port, timeoutMs: 400 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ExecTimeoutError);
      expect((err as ExecTimeoutError).stdout).to.contain('CONNECTED');
      await server.stop();
    });
  });

  describe('gnutls in a private network namespace', function () {
    before(async function () {
      await requireNetns(this);
      requirePeer('gnutls-serv', this);
      requirePeer('gnutls-cli', this);
    });

    it('the namespace has only loopback, and it is up', async function () {
      const dev = await execInPrivateNetns(['cat', '/proc/net/dev'], { timeoutMs: 5000 });
      const ifaces = dev.stdout.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean);
      expect(ifaces).to.deep.equal(['lo']);
    });

    for (const method of ['ip', 'ifconfig', 'python3'] as LoopbackMethod[]) {
      it(`brings lo up with ${method}`, async function () {
        if (!which(method)) this.skip();
        // A TCP round trip over 127.0.0.1 inside the namespace proves lo is up.
        const script =
          "const net=require('node:net');const s=net.createServer(c=>c.end('lo-ok')).listen(0,'127.0.0.1',()=>" +
          "net.connect(s.address().port,'127.0.0.1').on('data',d=>{process.stdout.write(d);process.exit(0)}))";
        const r = await execInPrivateNetns([process.execPath, '-e', script], { timeoutMs: 5000, loopback: method });
        expect(r.stdout, r.stderr).to.equal('lo-ok');
      });
    }

    it('gnutls-serv --echo and gnutls-cli talk inside one namespace (one-shot)', async function () {
      // 5556 = 0x15B4; poll the namespace's own /proc/net/tcp for the LISTEN (0A) socket.
      const script = [
        'gnutls-serv --port=5556 --echo --x509certfile="$1" --x509keyfile="$2" >/dev/null 2>&1 &',
        'i=0; until grep -q ":15B4 [0-9A-F:]* 0A" /proc/net/tcp; do i=$((i+1)); [ $i -gt 100 ] && exit 90; sleep 0.02; done',
        // Keep stdin open briefly: gnutls-cli sends close_notify at EOF.
        "(printf 'hello-netns\\n'; sleep 0.3) | gnutls-cli --port=5556 --insecure --priority=NORMAL:-VERS-ALL:+VERS-TLS1.3 127.0.0.1",
        'rc=$?; kill $!; exit $rc',
      ].join('\n');
      const r = await execInPrivateNetns(['sh', '-c', script, 'sh', cert.cert, cert.key], { timeoutMs: 8000 });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('hello-netns');
      expect(parseGnutlsDescription(r.stdout).protocol).to.equal('TLS1.3');
    });

    it('startGnutlsServer is reachable from the main namespace (node:tls, s_client, gnutls-cli)', async function () {
      const gs = await startGnutlsServer({ cert: cert.cert, key: cert.key });

      const viaNode = await runNodeTlsClient({ port: gs.port, input: 'ping-gnutls\n', closeWhen: 'ping-gnutls\n', timeoutMs: 5000 });
      expect(viaNode.protocol).to.equal('TLSv1.3');
      expect(viaNode.data.toString()).to.equal('ping-gnutls\n');
      // gnutls-serv logs each connection's parameters (it flushes per line).
      await gs.waitForOutput('- Description:');
      expect(parseGnutlsDescription(gs.output())).to.deep.equal({
        protocol: 'TLS1.3',
        group: 'x25519',
        signature: 'ECDSA-SECP256R1-SHA256',
        cipher: 'AES-256-GCM',
      });

      const viaOpenssl = await runOpensslClient({ port: gs.port, input: 'ping-s_client\n', closeWhen: 'ping-s_client', timeoutMs: 5000 });
      expect(viaOpenssl.code, viaOpenssl.stderr).to.equal(0);
      expect(parseOpensslClientOutput(viaOpenssl.stdout).protocol).to.equal('TLSv1.3');

      const viaGnutls = await runGnutlsClient({
        port: gs.port,
        input: 'ping-gnutls-cli\n',
        closeWhen: 'ping-gnutls-cli',
        args: ['--priority=NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP384R1'],
        timeoutMs: 5000,
      });
      expect(viaGnutls.code, viaGnutls.stderr).to.equal(0);
      expect(parseGnutlsDescription(viaGnutls.stdout)).to.include({ protocol: 'TLS1.3', group: 'secp384r1' });
      await gs.stop();
    });

    it('a node --import tsx script inside the namespace reaches gnutls-serv', async function () {
      const gs = await startGnutlsServer({ cert: cert.cert, key: cert.key });
      // .mts so the temp script is ESM wherever it lives; an in-repo .ts works the same way.
      const probe = join(cert.dir, 'probe.mts');
      await writeFile(
        probe,
        `import tls from 'node:tls';
const port: number = Number(process.argv[2]);
let protocol: string | null = null; // getProtocol() is null once closed, so keep it
const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
  protocol = s.getProtocol();
  s.write('ping-probe\\n');
});
let data = '';
s.on('data', (d: Buffer) => { data += d; if (data.includes('\\n')) s.end(); });
s.on('close', () => console.log(JSON.stringify({ protocol, data })));
`,
      );
      const r = await gs.netns.exec([process.execPath, '--import', 'tsx', probe, String(gs.netnsPort)], {
        cwd: repoRoot, // --import tsx resolves from here
        timeoutMs: 10_000,
      });
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({ protocol: 'TLSv1.3', data: 'ping-probe\n' });
      await gs.stop();
    });

    it('gnutls-cli (main namespace) <-> node:tls server', async function () {
      const server = await startNodeTlsServer({ cert: [await readText(cert.cert)], key: [await readText(cert.key)], echo: true });
      const r = await runGnutlsClient({ port: server.port, input: 'ping-cli\n', closeWhen: 'ping-cli', timeoutMs: 5000 });
      expect(r.code, r.stderr).to.equal(0);
      expect(server.received().toString()).to.equal('ping-cli\n');
      expect(parseGnutlsDescription(r.stdout).protocol).to.equal('TLS1.3');
      await server.stop();
    });
  });
});

function readText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
