/**
 * Key schedule cross-check on 127.0.0.1: the NSS key-log lines (SSLKEYLOGFILE
 * format) our Session emits must be exactly the peer's own — node:tls
 * ('keylog' events) and openssl (-keylogfile) — including after a
 * HelloRetryRequest and without middlebox compatibility mode.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { caPem } from '../support/fixtures.js';
import { requirePeer, runOpensslClient, startNodeTlsServer, startOpensslServer, stopAll } from './peers.js';
import { CA_FILE, CERTS, closeGracefully, closeOurs, connectOurs, listenOurs, token, utf8 } from './tls13-support.js';

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .sort();

describe('TLS 1.3 interop: key-log lines match the peer', function () {
  this.timeout(20_000);
  let dir: string;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'rxtls-keylog-'));
  });
  after(async function () {
    await closeOurs();
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, options] of [
    ['defaults', {}],
    ['after a HelloRetryRequest, no middlebox compatibility', { keyShareGroups: ['secp384r1'] as const, middleboxCompat: false }],
  ] as const) {
    it(`our client ↔ node:tls server (${name})`, async function () {
      const theirs: string[] = [];
      const srv = await startNodeTlsServer({ ...CERTS.ed25519, echo: true, ecdhCurve: 'X25519:P-256' });
      srv.server.on('keylog', (line: Buffer) => theirs.push(line.toString('latin1')));
      const end = await connectOurs(srv.port, { ...options, keyShareGroups: options.keyShareGroups ? [...options.keyShareGroups] : undefined });
      const msg = token('keylog');
      await end.driver.send(utf8(msg));
      await end.driver.readBytes(msg.length);
      await closeGracefully(end);
      expect(end.session.info.helloRetry).to.equal('keyShareGroups' in options);
      expect(end.keylog.length).to.be.greaterThan(0);
      expect(lines(end.keylog.join('\n'))).to.deep.equal(lines(theirs.join('')));
    });
  }

  it('node:tls client ↔ our server', async function () {
    const theirs: string[] = [];
    const server = await listenOurs(CERTS.p256);
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: caPem(), minVersion: 'TLSv1.3' });
    socket.on('keylog', (line: Buffer) => theirs.push(line.toString('latin1'))); // fires during the handshake
    try {
      await once(socket, 'secureConnect');
      const end = await server.accepted(0);
      await end.handshake;
      expect(end.keylog.length).to.be.greaterThan(0);
      expect(lines(end.keylog.join('\n'))).to.deep.equal(lines(theirs.join('')));
    } finally {
      socket.destroy();
      await server.close();
    }
  });

  it('openssl s_client -keylogfile ↔ our server', async function () {
    requirePeer('openssl', this);
    const file = join(dir, 's_client.keys');
    const server = await listenOurs(CERTS.ed25519);
    const served = (async () => {
      const end = await server.accepted(0);
      await end.handshake;
      await end.driver.send(utf8('pong-keylog\n'));
      await end.driver.readAll();
      await end.driver.bye();
      return end;
    })();
    const res = await runOpensslClient({
      port: server.port,
      args: ['-keylogfile', file, '-CAfile', CA_FILE, '-servername', 'localhost', '-verify_return_error'],
      closeWhen: 'pong-keylog',
      timeoutMs: 10_000,
    });
    expect(res.code, res.stderr).to.equal(0);
    const end = await served;
    expect(lines(end.keylog.join('\n'))).to.deep.equal(lines(await readFile(file, 'latin1')));
    await server.close();
  });

  it('our client ↔ openssl s_server -keylogfile (HelloRetryRequest)', async function () {
    requirePeer('openssl', this);
    const file = join(dir, 's_server.keys');
    const srv = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, args: ['-keylogfile', file, '-groups', 'P-384'] });
    const end = await connectOurs(srv.port, { keyShareGroups: ['x25519'] });
    expect(end.session.info.helloRetry).to.equal(true);
    await end.driver.send(utf8('ping-keylog\n'));
    await srv.waitForOutput('ping-keylog');
    await closeGracefully(end);
    expect(lines(end.keylog.join('\n'))).to.deep.equal(lines(await readFile(file, 'latin1')));
  });
});
