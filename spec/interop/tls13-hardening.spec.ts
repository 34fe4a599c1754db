/**
 * Our server against peers that cannot or will not speak TLS 1.3 as we do,
 * from the peer's side: what openssl s_client and node:tls report, and the
 * raw bytes a node:net socket reads back (issue "Field-ready TLS 1.3",
 * points 3a-3c). openssl s_server answers the first three cases below with
 * the same `15 03 03 00 02 02 46` (protocol_version) and an HTTP request
 * with nothing at all; node:tls likewise. We answer an HTTP request with
 * unexpected_message (RFC 8446 §5: a record type we do not know), at once.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { TlsError } from '../../lib/errors.js';
import type { GroupName } from '../../lib/crypto/provider.js';
import { requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import { execTracked } from './proc.js';
import { CA_FILE, CERTS, closeOurs, listenOurs, text, token, utf8, type OurServer } from './tls13-support.js';

const PROTOCOL_VERSION = '15030300020246';
const UNEXPECTED_MESSAGE = '1503030002020a';

/**
 * Writes `bytes` on a plain TCP connection and reads what comes back until
 * `want` bytes came, the peer closed, or `waitMs` passed.
 */
async function rawExchange(port: number, bytes: Uint8Array, want = 7, waitMs = 3000): Promise<{ got: string; ms: number; closed: boolean }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  let closed = false;
  const t0 = performance.now();
  socket.write(bytes);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    const done = () => (clearTimeout(timer), resolve());
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (Buffer.concat(chunks).length >= want) done();
    });
    socket.on('error', done);
    socket.on('close', () => ((closed = true), done()));
  });
  const ms = performance.now() - t0;
  socket.destroy();
  return { got: Buffer.concat(chunks).toString('hex'), ms, closed };
}

/** A TLS 1.2-only ClientHello (no supported_versions), built by hand: what a TLS 1.2 client sends. */
function tls12Hello(legacyVersion = 0x0303, withSupportedVersions = false): Uint8Array {
  const ext = (type: number, body: number[]) => [type >> 8, type & 0xff, body.length >> 8, body.length & 0xff, ...body];
  const exts = [
    ...ext(10, [0, 4, 0, 0x1d, 0, 0x17]), // supported_groups: x25519, P-256
    ...ext(13, [0, 4, 4, 3, 8, 4]), // signature_algorithms
    ...ext(11, [1, 0]), // ec_point_formats
    ...ext(0xff01, [0]), // renegotiation_info
    ...(withSupportedVersions ? ext(43, [2, 3, 4]) : []),
    ...(withSupportedVersions ? ext(51, [0, 36, 0, 0x1d, 0, 32, ...new Array(32).fill(9)]) : []),
  ];
  const body = [legacyVersion >> 8, legacyVersion & 0xff, ...new Array(32).fill(7), 0, 0, 6, 0xc0, 0x2b, 0xc0, 0x2f, 0x13, 0x01, 1, 0, exts.length >> 8, exts.length & 0xff, ...exts];
  const msg = [1, 0, body.length >> 8, body.length & 0xff, ...body];
  return Uint8Array.from([22, 3, 1, msg.length >> 8, msg.length & 0xff, ...msg]);
}

describe('TLS 1.3 interop: what our TLS 1.3-only server answers to hellos it cannot take, seen by the peer', function () {
  this.timeout(30_000);
  let server: OurServer;
  let ours: Promise<TlsError>;

  // A server per test: its first connection's failure is the one the test caused.
  beforeEach(async function () {
    // A TLS 1.3-only server: what it answers to hellos it cannot take (a TLS 1.2 one among them).
    server = await listenOurs({ ...CERTS.p256, minVersion: 'TLSv1.3' });
    ours = server.accepted(0).then((end) =>
      end.handshake.then(
        () => {
          throw new Error('our handshake completed');
        },
        (e: unknown) => {
          expect(e).to.be.instanceOf(TlsError);
          return e as TlsError;
        },
      ),
    );
    ours.catch(() => {}); // awaited by the test
  });
  afterEach(async function () {
    await server.close();
  });
  after(async function () {
    await closeOurs();
    await stopAll();
  });

  describe('a TLS 1.2 client: protocol_version', function () {
    it('openssl s_client -tls1_2 reports "alert protocol version" (70)', async function () {
      requirePeer('openssl', this);
      // Not runOpensslClient: it passes -tls1_3, and s_client takes one protocol flag.
      const res = await execTracked(['openssl', 's_client', '-connect', `127.0.0.1:${server.port}`, '-tls1_2', '-servername', 'localhost'], {
        endStdin: 'never',
        timeoutMs: 10_000,
      });
      expect(res.code).to.equal(1);
      expect(res.stderr).to.match(/alert protocol version.*SSL alert number 70/);
      expect((await ours).alert).to.equal('protocol_version');
    });

    it('node:tls with maxVersion TLSv1.2 gets ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', async function () {
      const socket = tls.connect({ host: '127.0.0.1', port: server.port, maxVersion: 'TLSv1.2', ca: CERTS.p256.cert, servername: 'localhost' });
      const [err] = (await once(socket, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
      socket.destroy();
      expect(err.code).to.equal('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
      expect((await ours).alert).to.equal('protocol_version');
    });

    it('raw bytes: a TLS 1.2 hello is answered with 15 03 03 00 02 02 46, as openssl s_server answers', async function () {
      const r = await rawExchange(server.port, tls12Hello());
      expect(r.got).to.equal(PROTOCOL_VERSION);
      expect((await ours).message).to.match(/no version in common/);
    });
  });

  describe('legacy_version, SSL 2.0, not TLS at all: refused at once (raw bytes read back)', function () {
    it('legacy_version 0x0300 (SSL 3.0), even with supported_versions offering 1.3: protocol_version', async function () {
      const r = await rawExchange(server.port, tls12Hello(0x0300, true));
      expect(r.got).to.equal(PROTOCOL_VERSION);
      expect((await ours).message).to.match(/legacy_version 0x0300/);
    });

    it('an SSL 2.0 ClientHello (80 2e 01 ...): protocol_version within a second, not after the 772 bytes it spells', async function () {
      // Only its first 11 bytes: we must not wait for the rest.
      const r = await rawExchange(server.port, Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10));
      expect(r.got).to.equal(PROTOCOL_VERSION);
      expect(r.ms).to.be.below(1000);
      expect((await ours).alert).to.equal('protocol_version');
    });

    it('an HTTP request: unexpected_message within a second (it used to wait for the 8,239 bytes "GET " spells)', async function () {
      const r = await rawExchange(server.port, utf8('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      expect(r.got).to.equal(UNEXPECTED_MESSAGE);
      expect(r.ms).to.be.below(1000);
      expect((await ours).message).to.match(/does not speak TLS/);
    });

    it('a ChangeCipherSpec before the ClientHello: unexpected_message (node:tls answers the same)', async function () {
      const r = await rawExchange(server.port, Uint8Array.of(20, 3, 3, 0, 1, 1));
      expect(r.got).to.equal(UNEXPECTED_MESSAGE);
      expect((await ours).message).to.match(/before the ClientHello/);
    });

    it('a ClientHello header announcing 200,000 bytes: illegal_parameter from its first 9 bytes', async function () {
      const n = 200_000;
      const r = await rawExchange(server.port, Uint8Array.of(22, 3, 1, 0, 4, 1, n >> 16, (n >> 8) & 0xff, n & 0xff));
      expect(r.got).to.equal('1503030002022f');
      expect((await ours).alert).to.equal('illegal_parameter');
    });
  });
});

describe('TLS 1.3 interop: early data our server declines (openssl s_client -early_data)', function () {
  this.timeout(30_000);
  let dir: string;
  let sessionFile: string;
  let earlyFile: string;

  before(async function () {
    requirePeer('openssl', this);
    dir = await mkdtemp(join(tmpdir(), 'rxtls-early-'));
    sessionFile = join(dir, 'session.pem');
    earlyFile = join(dir, 'early.txt');
    await writeFile(earlyFile, 'GET /early HTTP/1.1\r\nHost: localhost\r\n\r\n'.repeat(20));
    // A ticket that allows 0-RTT, from openssl s_server -early_data: s_client will resume with it and send early data.
    const srv = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, args: ['-early_data'] });
    const done = token('tickets-read');
    const client = runOpensslClient({
      port: srv.port,
      args: ['-sess_out', sessionFile, '-servername', 'localhost', '-CAfile', CA_FILE],
      closeWhen: done,
      timeoutMs: 10_000,
    });
    // Once the handshake is done, a line from s_server: it follows the tickets, so when s_client prints it, it stored them.
    await srv.waitForOutput(/^CIPHER is /m);
    srv.send(done + '\n');
    const res = await client;
    await srv.stop();
    expect(res.code, res.stderr).to.equal(0);
    expect(await readFile(sessionFile, 'utf8')).to.match(/BEGIN SSL SESSION PARAMETERS/);
    const session = await execTracked(['openssl', 'sess_id', '-in', sessionFile, '-noout', '-text'], { timeoutMs: 5000 });
    expect(session.stdout).to.match(/Max Early Data: 16384/);
  });

  after(async function () {
    await closeOurs();
    await stopAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [what, options] of [
    ['after a full ServerHello: records that do not decrypt under the handshake key are skipped', {}],
    ['after a HelloRetryRequest (we take P-384 only): application_data before the second ClientHello is skipped', { groups: ['secp384r1'] as GroupName[] }],
  ] as const) {
    it(what, async function () {
      const server = await listenOurs({ ...CERTS.p256, ...options });
      const line = token('after-early');
      const served = (async () => {
        const end = await server.accepted(0);
        await end.handshake;
        const got = text(await end.driver.readBytes(line.length + 1));
        await end.driver.send(utf8(`pong:${got}`));
        // What s_client sent: its ClientHello(s), and protected records before it had any key of ours.
        const types = end.tap.records().map((r) => (r.type === 22 && r.fragment[0] === 1 ? 'hello' : r.type === 23 ? 'data' : String(r.type)));
        return { got, retry: end.session.info.helloRetry, types };
      })();
      const res = await runOpensslClient({
        port: server.port,
        args: ['-sess_in', sessionFile, '-early_data', earlyFile, '-servername', 'localhost', '-CAfile', CA_FILE, '-verify_return_error'],
        input: line + '\n',
        closeWhen: `pong:${line}`,
        timeoutMs: 10_000,
      });
      // s_client's view: it sent early data, we declined it, and the connection carried on.
      expect(res.stdout + res.stderr).to.match(/Early data was rejected/);
      expect(res.code, res.stderr).to.equal(0);
      const { got, retry, types } = await served;
      expect(got).to.equal(line + '\n');
      expect(retry).to.equal('groups' in options);
      // Early data right behind the (first) ClientHello; after a HelloRetryRequest, before the second one.
      const first = types.indexOf('hello');
      expect(types.slice(first + 1).find((t) => t !== '20')).to.equal('data');
      if (retry) expect(types.slice(first + 1, types.indexOf('hello', first + 1))).to.include('data');
      await server.close();
    });
  }
});
