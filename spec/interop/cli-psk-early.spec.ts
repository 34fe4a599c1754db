/**
 * The CLI's TLS 1.3 PSK and 0-RTT options against openssl:
 * - `rxtls client --psk ID:HEX` against `openssl s_server -tls1_3 -nocert -psk`
 *   and `openssl s_client -tls1_3 -psk` against `rxtls server --psk` (alone);
 * - `rxtls client --sess-in F --early-data FILE` against `openssl s_server
 *   -early_data`, which prints the early data it read; stderr says
 *   "early data: accepted".
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '../support/fixtures.js';
import { rxtls, rxtlsServer } from './cli-run.js';
import { requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import { token } from './tls13-support.js';

const ID = 'cli-psk';
const HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

describe('rxtls CLI: TLS 1.3 --psk and --early-data (openssl)', function () {
  this.timeout(30_000);
  let dir: string;
  before(function () {
    requirePeer('openssl', this);
    dir = mkdtempSync(join(tmpdir(), 'rxtls-cli-psk-'));
  });
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await stopAll();
  });

  it('rxtls client --psk against openssl s_server -tls1_3 -nocert -psk: TLS 1.3, the identity on stderr, the line reaches s_server', async () => {
    const server = await startOpensslServer({ args: ['-nocert', '-psk', HEX, '-psk_identity', ID] });
    try {
      const line = token('psk-line');
      const run = rxtls(['client', `127.0.0.1:${server.port}`, '--psk', `${ID}:${HEX}`], `${line}\n`);
      await server.waitForOutput(line);
      server.send('Q\n');
      const r = await run;
      expect(r.stderr).to.match(/version: TLSv1\.3/);
      expect(r.stderr).to.include(`psk identity: ${ID}`);
    } finally {
      await server.stop();
    }
  });

  it('openssl s_client -tls1_3 -psk against rxtls server --psk (no certificate): TLS 1.3, the line echoed', async () => {
    const server = await rxtlsServer(['--psk', `${ID}:${HEX}`, '--echo']);
    try {
      const line = token('s-client-psk');
      const r = await runOpensslClient({ port: server.port, args: ['-psk', HEX, '-psk_identity', ID], input: `${line}\n`, closeWhen: line, timeoutMs: 10_000 });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/TLSv1\.3/);
      expect(r.stdout).to.include(line);
    } finally {
      server.proc.kill();
    }
  });

  it('rxtls client --sess-in F --early-data FILE against openssl s_server -early_data: accepted, s_server read it', async () => {
    const server = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), args: ['-early_data'] });
    try {
      const session = join(dir, 'session.json');
      const args = ['client', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', fixturePath('ca.pem')];
      const first = rxtls([...args, '--sess-out', session], 'first\n');
      await server.waitForOutput('first');
      server.send('q\n'); // q: close this connection, keep serving
      expect((await first).stderr).to.include('resumed: no');
      const early = token('cli-early');
      const file = join(dir, 'early.txt');
      writeFileSync(file, `${early}\n`);
      const second = rxtls([...args, '--sess-in', session, '--early-data', file], '');
      await server.waitForOutput(/Early data received:[\s\S]*End of early data/);
      await server.waitForOutput(early);
      server.send('q\n');
      const r = await second;
      expect(r.stderr).to.include('resumed: yes');
      expect(r.stderr).to.include('early data: accepted');
    } finally {
      await server.stop();
    }
  });

  it('--early-data without --sess-in is a usage error', async () => {
    const r = await rxtls(['client', '127.0.0.1:1', '--early-data', '/dev/null'], '');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('--early-data needs --sess-in');
  });
});
