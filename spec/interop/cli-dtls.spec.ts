/**
 * The CLI over DTLS 1.2: `rxtls server --udp --echo` answering `openssl
 * s_client -dtls1_2` line by line, `rxtls client --udp` against `openssl
 * s_server -dtls1_2` (a datagram each way, then close_notify at the end
 * of stdin), and the --udp usage rules.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fixturePath } from '../support/fixtures.js';
import { BIN, CA, rxtls, rxtlsServer } from './cli-run.js';
import { freePort, requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import { runGnutlsDtlsClient } from './dtls-peers.js';

/** Resolves once `read()` matches `pattern`. */
async function waitFor(read: () => string, pattern: string | RegExp, ms = 10_000): Promise<void> {
  const hit = () => (typeof pattern === 'string' ? read().includes(pattern) : pattern.test(read()));
  for (const started = Date.now(); !hit(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > ms) throw new Error(`no ${String(pattern)} within ${ms} ms in:\n${read()}`);
  }
}

describe('interop: rxtls client/server --udp (DTLS 1.2) with openssl', function () {
  this.timeout(20_000);
  after(stopAll);

  it('rxtls server --udp --echo sends each line back to openssl s_client -dtls1_2', async function () {
    requirePeer('openssl', this);
    const server = await rxtlsServer(['--udp', '--echo', '--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key')]);
    try {
      expect(server.stderr()).to.include('(udp)');
      const r = await runOpensslClient({
        port: server.port,
        version: 'dtls1_2',
        args: ['-servername', 'localhost', '-CAfile', CA, '-verify_return_error'],
        input: 'a line over dtls\n',
        closeWhen: 'a line over dtls',
        timeoutMs: 15_000,
      });
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('Verify return code: 0 (ok)').and.include('a line over dtls\n');
    } finally {
      server.proc.kill();
    }
  });

  it('rxtls client --udp talks to openssl s_server -dtls1_2 and sends close_notify at the end of stdin', async function () {
    requirePeer('openssl', this);
    const port = await freePort();
    const server = await startOpensslServer({ port, cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), version: 'any', args: ['-dtls1_2'] });
    const client = spawn(process.execPath, ['--import', 'tsx', BIN, 'client', '--udp', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', CA], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    client.stdout.on('data', (d) => (stdout += d));
    client.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => client.on('close', resolve));
    try {
      await waitFor(() => stderr, 'version: DTLSv1.2');
      client.stdin.write('hello from the rxtls cli\n');
      await server.waitForOutput('hello from the rxtls cli', 10_000);
      server.send('hello from s_server\n');
      await waitFor(() => stdout, 'hello from s_server\n');
      client.stdin.end();
      expect(await exited).to.equal(0);
      await server.waitForOutput(/DONE|shutting down SSL|CONNECTION CLOSED/, 10_000);
    } finally {
      client.kill();
      await server.stop();
    }
  });

  it('rxtls server --udp --echo --psk (no certificate) answers openssl s_client -dtls1_2 -psk', async function () {
    requirePeer('openssl', this);
    const server = await rxtlsServer(['--udp', '--echo', '--psk', 'cli-id:00112233445566778899aabbccddeeff']);
    try {
      const r = await runOpensslClient({
        port: server.port,
        version: 'dtls1_2',
        args: ['-psk_identity', 'cli-id', '-psk', '00112233445566778899aabbccddeeff', '-cipher', 'PSK'],
        input: 'psk line\n',
        closeWhen: 'psk line',
        timeoutMs: 15_000,
      });
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/Cipher is \S*PSK/).and.include('psk line\n');
    } finally {
      server.proc.kill();
    }
  });

  // The "done" line: the CoAP suite, offered by default to a PSK over DTLS (RFC 7252 §9.1.3.1).
  it('rxtls server --udp --psk Client_identity:000102030405060708090a0b0c0d0e0f --echo serves gnutls-cli --udp with PSK-AES-128-CCM-8', async function () {
    requirePeer('gnutls-cli', this);
    const server = await rxtlsServer(['--udp', '--psk', 'Client_identity:000102030405060708090a0b0c0d0e0f', '--echo']);
    try {
      const r = await runGnutlsDtlsClient({
        port: server.port,
        priority: 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CCM-8',
        args: ['--pskusername', 'Client_identity', '--pskkey', '000102030405060708090a0b0c0d0e0f'],
        input: 'coap over dtls\n',
        closeWhen: 'coap over dtls\n',
        timeoutMs: 15_000,
      });
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.include('- Description: (DTLS1.2-X.509)-(PSK)-(AES-128-CCM-8)');
      // gnutls-cli prints what it reads: our echo of its line.
      expect(r.stdout).to.include('\ncoap over dtls\n');
    } finally {
      server.proc.kill();
    }
  });

  it('--help documents --udp and --mtu; TCP-only options and --http are refused with --udp (exit 2)', async () => {
    const help = await rxtls(['--help']);
    expect(help.stdout).to.include('rxtls server --udp').and.include('rxtls client --udp').and.include('--mtu N');
    const http = await rxtls(['server', '--udp', '--port', '0', '--cert', 'c', '--key', 'k', '--http']);
    expect([http.code, http.stderr]).to.satisfy(([code, err]: [number, string]) => code === 2 && err.includes('--http cannot be used with --udp'));
    const sess = await rxtls(['client', '--udp', '127.0.0.1:9', '--insecure', '--sess-out', 'x']);
    expect(sess.code).to.equal(2);
    const mtu = await rxtls(['client', '--udp', '127.0.0.1:9', '--insecure', '--mtu', '20']);
    expect(mtu.stderr).to.include('invalid --mtu');
    const tcpMtu = await rxtls(['client', '127.0.0.1:9', '--insecure', '--mtu', '500']);
    expect(tcpMtu.stderr).to.include('--mtu needs --udp');
  });
});
