/**
 * TLS 1.2 interop: real clients against our server on 127.0.0.1 (our
 * Session over a socket): openssl s_client -tls1_2, node:tls with
 * maxVersion TLSv1.2 and gnutls-cli with a TLS 1.2-only priority, for every
 * suite × group with the P-256 certificate, verified against the test CA.
 * Then resumption by ticket (each client's own report of it), the extended
 * master secret refusal, renegotiation refused, the downgrade sentinel
 * (a client that offered TLS 1.3 through a hello-rewriting relay notices
 * it), and the version matrix of our server's range against each client's.
 *
 * Each case reads what the *client* says it negotiated (s_client's summary,
 * node's getProtocol()/getCipher()/getEphemeralKeyInfo(), gnutls-cli's
 * "- Description:" line) and compares it with our session.info.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { TlsError } from '../../lib/errors.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import type { ServerOptions, TlsVersionName } from '../../lib/tls13/config.js';
import { caPem } from '../support/fixtures.js';
import { type ExecResult, parseGnutlsDescription, parseOpensslClientOutput, requirePeer, runGnutlsClient, stopAll } from './peers.js';
import { type ClientVersion, TLS12_SUITE_NAMES, gnutlsTls12Priority, runOpensslClientAt, startOpensslClient } from './tls12-client-peers.js';
import { TLS12_SUITES } from './tls12-peers.js';
import { CA_FILE, CERTS, GROUPS, GROUP_NAMES, closeOurs, collect, listenOurs, nodeClient, token, type ClassicalGroup, type OurServer, type Accepted, echoLine } from './tls13-support.js';

const P256 = { cert: CERTS.p256.cert, key: CERTS.p256.key };
/** One ticket key for every connection of a server: each Session resolves its own config, and would otherwise make its own key. */
const ticketKeys = () => [generateTicketKey((n) => new Uint8Array(randomBytes(n)))];
const DOWNGRD = '444f574e47524401';

let ours: OurServer | undefined;
async function serve(options: Partial<ServerOptions> = {}): Promise<OurServer> {
  ours = await listenOurs({ ...P256, ...options });
  return ours;
}



/** Our handshake's failure. */
async function handshakeError(conn: Accepted): Promise<TlsError> {
  try {
    await conn.handshake;
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
  expect.fail('our handshake succeeded');
}

function expectOurInfo(conn: Accepted, suite: Tls12SuiteName, group: ClassicalGroup): void {
  expect(conn.session.info).to.include({
    version: 'TLSv1.2',
    suite,
    group,
    signatureScheme: 'ecdsa_secp256r1_sha256',
    extendedMasterSecret: true,
    resumed: false,
  });
}

const OPENSSL_GROUP: Record<ClassicalGroup, string> = Object.fromEntries(Object.entries(GROUPS).map(([g, n]) => [g, n.openssl])) as Record<ClassicalGroup, string>;
const NODE_GROUP: Record<ClassicalGroup, string> = Object.fromEntries(Object.entries(GROUPS).map(([g, n]) => [g, n.node])) as Record<ClassicalGroup, string>;

const openssl = (r: ExecResult) => parseOpensslClientOutput(r.stdout + r.stderr);

/** The ServerHello.random in raw server-to-client bytes (the first handshake record starts with the ServerHello). */
function serverHelloRandom(bytes: Buffer): Buffer {
  expect(bytes[0], 'first record is a handshake record').to.equal(22);
  expect(bytes[5], 'first message is a ServerHello').to.equal(2);
  return bytes.subarray(5 + 4 + 2, 5 + 4 + 2 + 32);
}

describe('TLS 1.2 interop: real clients against our server', function () {
  this.timeout(30_000);
  afterEach(async () => {
    await ours?.close();
    ours = undefined;
  });
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  /**
   * In TLS 1.2 supported_groups also names the curves a client accepts in
   * certificates (RFC 8422 §4): each client offers the group under test and
   * P-256, our certificate's curve; our server offers the group alone, so it
   * is the one the key exchange uses.
   */
  const withCertCurve = (group: ClassicalGroup, names: Record<ClassicalGroup, string>, sep: string) =>
    group === 'secp256r1' ? names[group] : `${names[group]}${sep}${names.secp256r1}`;

  describe('every suite × group, P-256 certificate verified against the CA, data both ways', () => {
    for (const suite of TLS12_SUITE_NAMES) {
      for (const group of GROUP_NAMES) {
        it(`openssl s_client -tls1_2: ${suite} × ${group}`, async function () {
          requirePeer('openssl', this);
          const server = await serve({ groups: [group] });
          const msg = token('s_client');
          const run = runOpensslClientAt('TLSv1.2', {
            port: server.port,
            args: ['-cipher', TLS12_SUITES[suite].openssl, '-groups', withCertCurve(group, OPENSSL_GROUP, ':'), '-CAfile', CA_FILE, '-verify_return_error', '-servername', 'localhost'],
            input: `${msg}\n`,
            closeWhen: msg,
            timeoutMs: 15_000,
          });
          const conn = await server.accepted(0);
          await echoLine(conn, msg);
          const r = await run;
          expect(r.code, r.stderr).to.equal(0);
          expect(openssl(r)).to.deep.include({ protocol: 'TLSv1.2', cipher: TLS12_SUITES[suite].openssl, group, verifyCode: 0 });
          expect(r.stdout).to.match(/^\s+Protocol\s+: TLSv1\.2$/m);
          expect(r.stdout).to.match(/Extended master secret: yes/);
          expect(r.stdout).to.match(/Secure Renegotiation IS supported/);
          expect(r.stdout).to.include(msg);
          expectOurInfo(conn, suite, group);
          expect(conn.session.info.serverName).to.equal('localhost');
        });

        it(`node:tls maxVersion TLSv1.2: ${suite} × ${group}`, async () => {
          const server = await serve({ groups: [group] });
          const socket = await nodeClient({
            port: server.port,
            minVersion: 'TLSv1.2',
            maxVersion: 'TLSv1.2',
            ciphers: TLS12_SUITES[suite].openssl,
            ecdhCurve: withCertCurve(group, NODE_GROUP, ':'),
            ca: caPem(),
            servername: 'localhost',
          });
          expect(socket.authorized).to.equal(true);
          expect(socket.getProtocol()).to.equal('TLSv1.2');
          expect(socket.getCipher()).to.include({ name: TLS12_SUITES[suite].openssl, standardName: suite });
          expect(socket.getEphemeralKeyInfo()).to.include({ name: GROUPS[group].nodeEphemeral });
          const msg = token('node');
          const received = collect(socket);
          socket.write(`${msg}\n`);
          const conn = await server.accepted(0);
          const serving = echoLine(conn, msg);
          await received.until(msg.length + 1);
          expect(received.text()).to.equal(`${msg}\n`);
          socket.end();
          await serving;
          expectOurInfo(conn, suite, group);
        });

        it(`gnutls-cli (TLS 1.2 priority): ${suite} × ${group}`, async function () {
          requirePeer('gnutls-cli', this);
          const server = await serve({ groups: [group] });
          const msg = token('gnutls');
          const run = runGnutlsClient({
            port: server.port,
            insecure: false,
            priority: gnutlsTls12Priority(suite, group === 'secp256r1' ? [group] : [group, 'secp256r1']),
            args: [`--x509cafile=${CA_FILE}`, '--sni-hostname=localhost', '--verify-hostname=localhost'],
            input: `${msg}\n`,
            closeWhen: msg,
            timeoutMs: 15_000,
          });
          const conn = await server.accepted(0);
          await echoLine(conn, msg);
          const r = await run;
          expect(r.code, r.stderr).to.equal(0);
          expect(parseGnutlsDescription(r.stdout)).to.deep.include({ protocol: 'TLS1.2', group, cipher: TLS12_SUITES[suite].gnutls });
          expect(r.stdout).to.match(/- Options: .*extended master secret/);
          expect(r.stdout).to.match(/- Options: .*safe renegotiation/);
          expectOurInfo(conn, suite, group);
        });
      }
    }

    it('ALPN and SNI with node:tls and s_client', async function () {
      requirePeer('openssl', this);
      const server = await serve({ alpn: ['h2', 'http/1.1'] });
      const socket = await nodeClient({ port: server.port, maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1', 'h2'], ca: caPem(), servername: 'localhost' });
      expect(socket.alpnProtocol).to.equal('h2');
      const first = await server.accepted(0);
      await first.handshake;
      expect(first.session.info).to.include({ alpn: 'h2', serverName: 'localhost' });
      socket.end();
      const run = runOpensslClientAt('TLSv1.2', { port: server.port, args: ['-alpn', 'http/1.1', '-servername', 'rxtls.test'], input: 'x\n', closeWhen: /x/, timeoutMs: 15_000 });
      const second = await server.accepted(1);
      await echoLine(second, 'x');
      const r = await run;
      expect(r.stdout).to.match(/ALPN protocol: http\/1\.1/);
      expect(second.session.info).to.include({ alpn: 'http/1.1', serverName: 'rxtls.test' });
    });
  });

  describe('P-384 and Ed25519 certificates (RFC 8422 §5.1.3: EdDSA with the ECDSA suites)', () => {
    for (const [cert, scheme, opensslSig, gnutlsSig] of [
      ['p384', 'ecdsa_secp384r1_sha384', 'ECDSA', 'ECDSA-SHA384'],
      ['ed25519', 'ed25519', 'ed25519', 'EdDSA-Ed25519'],
    ] as const) {
      it(`${cert}: node:tls, s_client and gnutls-cli verify it against the CA`, async function () {
        requirePeer('openssl', this);
        requirePeer('gnutls-cli', this);
        const server = await serve({ cert: CERTS[cert].cert, key: CERTS[cert].key });
        const socket = await nodeClient({ port: server.port, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ca: caPem(), servername: 'localhost' });
        expect(socket.authorized).to.equal(true);
        expect(socket.getProtocol()).to.equal('TLSv1.2');
        const first = await server.accepted(0);
        await first.handshake;
        expect(first.session.info).to.include({ version: 'TLSv1.2', signatureScheme: scheme });
        socket.end();
        const run = runOpensslClientAt('TLSv1.2', { port: server.port, args: ['-CAfile', CA_FILE, '-verify_return_error', '-servername', 'localhost'], input: 'o\n', closeWhen: /^o$/m, timeoutMs: 15_000 });
        await echoLine(await server.accepted(1), 'o');
        const r = await run;
        expect(openssl(r)).to.deep.include({ protocol: 'TLSv1.2', verifyCode: 0, peerSignatureType: opensslSig });
        const g = runGnutlsClient({ port: server.port, insecure: false, priority: gnutlsTls12Priority(), args: [`--x509cafile=${CA_FILE}`, '--verify-hostname=localhost'], input: 'g\n', closeWhen: 'g', timeoutMs: 15_000 });
        await echoLine(await server.accepted(2), 'g');
        const gr = await g;
        expect(gr.code, gr.stderr).to.equal(0);
        expect(parseGnutlsDescription(gr.stdout)).to.deep.include({ protocol: 'TLS1.2', signature: gnutlsSig });
      });
    }
  });

  describe("the certificate's curve (RFC 8422 §4)", () => {
    it('openssl s_client -groups X25519 (no P-256 for our certificate): handshake_failure from us', async function () {
      requirePeer('openssl', this);
      const server = await serve();
      const run = runOpensslClientAt('TLSv1.2', { port: server.port, args: ['-groups', 'X25519'], timeoutMs: 15_000 });
      const err = await handshakeError(await server.accepted(0));
      expect(err.alert).to.equal('handshake_failure');
      expect(err.message).to.match(/certificate's curve/);
      const r = await run;
      expect(r.stdout + r.stderr).to.match(/alert handshake failure/);
    });

    it('gnutls-cli, which does not check this itself (GnuTLS issue 792), is refused the same way', async function () {
      requirePeer('gnutls-cli', this);
      const server = await serve();
      const run = runGnutlsClient({ port: server.port, priority: gnutlsTls12Priority(undefined, ['x25519']), timeoutMs: 15_000 });
      expect((await handshakeError(await server.accepted(0))).alert).to.equal('handshake_failure');
      const r = await run;
      expect(r.stdout + r.stderr).to.match(/Received alert \[40\]/);
    });
  });

  describe('resumption by session ticket (RFC 5077)', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rxtls-tls12-sess-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('openssl s_client -sess_out, then -sess_in: "Reused, TLSv1.2", and resumed on our side', async function () {
      requirePeer('openssl', this);
      const server = await serve({ ticketKeys: ticketKeys() });
      const file = join(dir, 'openssl.sess');
      const args = ['-CAfile', CA_FILE, '-servername', 'localhost'];
      for (const [i, sess] of [[0, '-sess_out'], [1, '-sess_in']] as const) {
        const msg = token(`resume${i}`);
        const run = runOpensslClientAt('TLSv1.2', { port: server.port, args: [...args, sess, file], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
        const conn = await server.accepted(i);
        await echoLine(conn, msg);
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        if (i === 0) {
          expect(r.stdout).to.match(/^New, TLSv1\.2, Cipher is /m);
          expect(r.stdout).to.match(/TLS session ticket lifetime hint: 7200/);
          expect(conn.session.info.resumed).to.equal(false);
        } else {
          expect(r.stdout).to.match(/^Reused, TLSv1\.2, Cipher is /m);
          expect(conn.session.info).to.include({ resumed: true, version: 'TLSv1.2', extendedMasterSecret: true, serverName: 'localhost' });
        }
      }
    });

    it('a ticket from a server with other keys (a restart, a rotation out): s_client gets a full handshake', async function () {
      requirePeer('openssl', this);
      const file = join(dir, 'stale.sess');
      const first = await serve({ ticketKeys: ticketKeys() });
      const run1 = runOpensslClientAt('TLSv1.2', { port: first.port, args: ['-sess_out', file], input: 'a\n', closeWhen: /^a$/m, timeoutMs: 15_000 });
      await echoLine(await first.accepted(0), 'a');
      expect((await run1).code).to.equal(0);
      await first.close();
      const second = await serve({ ticketKeys: ticketKeys() });
      const run2 = runOpensslClientAt('TLSv1.2', { port: second.port, args: ['-sess_in', file], input: 'b\n', closeWhen: /^b$/m, timeoutMs: 15_000 });
      const conn = await second.accepted(0);
      await echoLine(conn, 'b');
      const r = await run2;
      expect(r.stdout).to.match(/^New, TLSv1\.2/m);
      expect(conn.session.info.resumed).to.equal(false);
    });

    it("node:tls: the 'session' event, then the session option: isSessionReused()", async () => {
      const server = await serve({ ticketKeys: ticketKeys() });
      const opts = { port: server.port, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ca: caPem(), servername: 'localhost' } as const;
      const sessions: Buffer[] = [];
      const socket = tls.connect({ host: '127.0.0.1', ...opts });
      socket.on('session', (s) => sessions.push(s));
      await once(socket, 'secureConnect');
      const first = await server.accepted(0);
      await first.handshake;
      await new Promise((r) => setTimeout(r, 50)).then(() => expect(sessions.length).to.be.greaterThan(0));
      expect(socket.isSessionReused()).to.equal(false);
      socket.end();
      const again = await nodeClient({ ...opts, session: sessions.at(-1) });
      expect(again.isSessionReused()).to.equal(true);
      expect(again.getProtocol()).to.equal('TLSv1.2');
      const second = await server.accepted(1);
      await second.handshake;
      expect(second.session.info.resumed).to.equal(true);
      // Data still flows on the resumed session.
      const received = collect(again);
      again.write('resumed\n');
      const serving = echoLine(second, 'resumed');
      await received.until(8);
      again.end();
      await serving;
    });

    it('gnutls-cli --resume: "This is a resumed session"', async function () {
      requirePeer('gnutls-cli', this);
      const server = await serve({ ticketKeys: ticketKeys() });
      const msg = token('gnutls-resume');
      const run = runGnutlsClient({ port: server.port, priority: gnutlsTls12Priority(), args: ['--resume'], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
      const first = await server.accepted(0);
      await first.handshake;
      const second = await server.accepted(1);
      await echoLine(second, msg);
      const r = await run;
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/\*\*\* This is a resumed session/);
      expect(first.session.info.resumed).to.equal(false);
      expect(second.session.info.resumed).to.equal(true);
    });
  });

  describe('the extended master secret (RFC 7627)', () => {
    it('gnutls-cli with %NO_SESSION_HASH: handshake_failure by default', async function () {
      requirePeer('gnutls-cli', this);
      const server = await serve();
      const run = runGnutlsClient({ port: server.port, priority: gnutlsTls12Priority(undefined, undefined, ':%NO_SESSION_HASH'), timeoutMs: 15_000 });
      const err = await handshakeError(await server.accepted(0));
      expect(err.alert).to.equal('handshake_failure');
      expect(err.message).to.match(/client does not support the extended master secret \(RFC 7627\)/);
      const r = await run;
      expect(r.code).to.not.equal(0);
      expect(r.stdout + r.stderr).to.match(/Received alert \[40\]: Handshake failed/);
    });

    it('... and accepted with allowLegacyNoExtendedMasterSecret', async function () {
      requirePeer('gnutls-cli', this);
      const server = await serve({ allowLegacyNoExtendedMasterSecret: true });
      const run = runGnutlsClient({ port: server.port, priority: gnutlsTls12Priority(undefined, undefined, ':%NO_SESSION_HASH'), input: 'legacy\n', closeWhen: 'legacy', timeoutMs: 15_000 });
      const conn = await server.accepted(0);
      await echoLine(conn, 'legacy');
      const r = await run;
      expect(r.code, r.stderr).to.equal(0);
      expect(parseGnutlsDescription(r.stdout).protocol).to.equal('TLS1.2');
      expect(r.stdout).to.not.match(/- Options: .*extended master secret/);
      expect(conn.session.info).to.include({ version: 'TLSv1.2', extendedMasterSecret: false });
    });
  });

  describe('renegotiation is refused with a no_renegotiation warning (RFC 5746 §4.5)', () => {
    it("openssl s_client's R command: it reads our warning, then gives up with a fatal handshake_failure of its own", async function () {
      requirePeer('openssl', this);
      const server = await serve();
      const client = startOpensslClient('TLSv1.2', { port: server.port, commands: true, args: ['-msg', '-servername', 'localhost'], timeoutMs: 15_000 });
      const conn = await server.accepted(0);
      await conn.handshake;
      await client.process.waitForOutput(/^\s+Verify return code/m, 10_000);
      client.write('R\n');
      let err: unknown;
      await conn.driver.readAll().catch((e) => (err = e));
      const r = await client.result;
      expect(r.stderr).to.match(/^RENEGOTIATING$/m);
      // s_client -msg decodes what it received: our warning, under the session's keys.
      expect(r.stdout).to.match(/<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation/);
      // OpenSSL treats a refused renegotiation it asked for as fatal (rec_layer_s3.c: "no renegotiation").
      expect(r.stdout).to.match(/>>> TLS 1\.2, Alert \[length 0002\], fatal handshake_failure/);
      expect(r.stderr).to.match(/no renegotiation/);
      expect(err).to.be.instanceOf(TlsError);
      expect(err).to.include({ alert: 'handshake_failure', fromPeer: true });
    });

    it('node:tls renegotiate(): the same, as an EPROTO-style error on the socket', async () => {
      const server = await serve();
      const socket = await nodeClient({ port: server.port, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', rejectUnauthorized: false });
      const conn = await server.accepted(0);
      await conn.handshake;
      const error = once(socket, 'error');
      let err: unknown;
      const reading = conn.driver.readAll().catch((e) => (err = e));
      expect(socket.renegotiate({ rejectUnauthorized: false }, () => {})).to.equal(true);
      const [e] = (await error) as [Error];
      expect(e.message).to.match(/no renegotiation/);
      await reading;
      expect(err).to.include({ alert: 'handshake_failure', fromPeer: true });
    });

    it('gnutls-cli --rehandshake: every hello gets our warning (gnutls-cli retries on warnings, then gives up)', async function () {
      requirePeer('gnutls-cli', this);
      const server = await serve();
      const run = runGnutlsClient({ port: server.port, priority: gnutlsTls12Priority(), args: ['--rehandshake'], timeoutMs: 15_000 });
      const conn = await server.accepted(0);
      await conn.handshake;
      await conn.driver.readAll().catch(() => {});
      const r = await run;
      expect(r.stdout).to.match(/\*\*\* Received alert \[100\]: No renegotiation is allowed/);
      expect(r.stdout + r.stderr).to.match(/ReHandshake has failed/);
    });
  });

  describe('the downgrade sentinel (RFC 8446 §4.1.3)', () => {
    /** node:tls through a relay that keeps what the server sent, so the raw ServerHello can be read. */
    async function throughRelay(port: number, options: tls.ConnectionOptions) {
      const r = await relay(port);
      const socket = tls.connect({ host: '127.0.0.1', port: r.port, ca: caPem(), servername: 'localhost', ...options });
      await once(socket, 'secureConnect');
      socket.on('error', () => {}); // the relay resets it when the test closes the relay
      return { socket, relay: r };
    }

    it('a TLS 1.2-only node client handshakes with a server that could do 1.3: ServerHello.random ends in DOWNGRD 01', async () => {
      const server = await serve();
      const { socket, relay: r } = await throughRelay(server.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
      expect(socket.getProtocol()).to.equal('TLSv1.2');
      expect(serverHelloRandom(r.toClient()).subarray(24).toString('hex')).to.equal(DOWNGRD);
      socket.end();
      await r.close();
    });

    it('a TLS 1.2-only server (maxVersion) sends no sentinel', async () => {
      const server = await serve({ maxVersion: 'TLSv1.2' });
      const { socket, relay: r } = await throughRelay(server.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
      expect(socket.getProtocol()).to.equal('TLSv1.2');
      expect(serverHelloRandom(r.toClient()).subarray(24).toString('hex')).to.not.equal(DOWNGRD);
      socket.end();
      await r.close();
    });

    for (const [who, runClient] of [
      ['node:tls (default 1.2-1.3)', async (port: number) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: caPem(), servername: 'localhost' });
        const [e] = (await once(socket, 'error')) as [Error & { code?: string }];
        return `${e.code} ${e.message}`;
      }],
      ['openssl s_client (default 1.2-1.3)', async (port: number) => {
        const r = await runOpensslClientAt('any', { port, args: ['-servername', 'localhost'], timeoutMs: 15_000 });
        return r.stdout + r.stderr;
      }],
    ] as const) {
      it(`${who} that offered TLS 1.3 through a relay hiding it (supported_versions renamed) notices the downgrade at the ServerHello`, async function () {
        if (who.startsWith('openssl')) requirePeer('openssl', this);
        const server = await serve();
        const r = await relay(server.port, hideSupportedVersions);
        try {
          const said = await runClient(r.port);
          expect(said).to.match(/inappropriate fallback|INAPPROPRIATE_FALLBACK/i);
          // Our side saw a TLS 1.2 client; the client aborts with illegal_parameter (RFC 8446 §4.1.3) before answering our flight.
          const conn = await server.accepted(0);
          const err = await handshakeError(conn);
          expect(conn.session.info.version).to.equal('TLSv1.2');
          expect(err).to.include({ alert: 'illegal_parameter', fromPeer: true });
        } finally {
          await r.close();
        }
      });
    }
  });

  describe('the version matrix: our range × the client\'s', () => {
    const SERVERS: Array<[string, Partial<ServerOptions>, Record<ClientVersion, TlsVersionName | 'protocol_version'>]> = [
      ['default (1.2-1.3)', {}, { 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3', any: 'TLSv1.3' }],
      ['minVersion TLSv1.3', { minVersion: 'TLSv1.3' }, { 'TLSv1.2': 'protocol_version', 'TLSv1.3': 'TLSv1.3', any: 'TLSv1.3' }],
      ['maxVersion TLSv1.2', { maxVersion: 'TLSv1.2' }, { 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'protocol_version', any: 'TLSv1.2' }],
    ];
    const NODE_RANGE: Record<ClientVersion, tls.ConnectionOptions> = {
      'TLSv1.2': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
      'TLSv1.3': { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
      any: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
    };

    for (const [name, options, expected] of SERVERS) {
      for (const client of ['TLSv1.2', 'TLSv1.3', 'any'] as const) {
        const want = expected[client];
        it(`server ${name} × openssl s_client ${client}: ${want}`, async function () {
          requirePeer('openssl', this);
          const server = await serve(options);
          const run = runOpensslClientAt(client, { port: server.port, args: ['-CAfile', CA_FILE, '-servername', 'localhost'], input: 'v\n', closeWhen: /^v$/m, timeoutMs: 15_000 });
          const conn = await server.accepted(0);
          if (want === 'protocol_version') {
            expect((await handshakeError(conn)).alert).to.equal('protocol_version');
            const r = await run;
            expect(r.code).to.not.equal(0);
            expect(r.stdout + r.stderr).to.match(/alert protocol version|tlsv1 alert protocol version/);
            return;
          }
          await echoLine(conn, 'v');
          const r = await run;
          expect(openssl(r).protocol).to.equal(want);
          expect(conn.session.info.version).to.equal(want);
        });

        it(`server ${name} × node:tls ${client}: ${want}`, async () => {
          const server = await serve(options);
          const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: caPem(), servername: 'localhost', ...NODE_RANGE[client] });
          const outcome = await new Promise<string | null | undefined>((resolve) => {
            socket.once('secureConnect', () => resolve(socket.getProtocol()));
            socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
          });
          const conn = await server.accepted(0);
          if (want === 'protocol_version') {
            expect(outcome).to.equal('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
            expect((await handshakeError(conn)).alert).to.equal('protocol_version');
            return;
          }
          expect(outcome).to.equal(want);
          await conn.handshake;
          expect(conn.session.info.version).to.equal(want);
          socket.end();
        });
      }
    }
  });
});

/**
 * A TCP relay to 127.0.0.1:`target` that keeps the bytes going to the
 * client, and passes the client's first chunk (its ClientHello, whole on
 * loopback) through `rewrite`.
 */
async function relay(target: number, rewrite: (first: Buffer) => Buffer = (b) => b): Promise<{ port: number; toClient(): Buffer; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const received: Buffer[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    let first = true;
    client.on('data', (d: Buffer) => {
      upstream.write(first ? rewrite(d) : d);
      first = false;
    });
    upstream.on('data', (d: Buffer) => {
      received.push(d);
      client.write(d);
    });
    const close = () => (client.destroy(), upstream.destroy());
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    toClient: () => Buffer.concat(received),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The ClientHello in `record` with its supported_versions extension renamed to an unknown type (0x7a7a). */
function hideSupportedVersions(record: Buffer): Buffer {
  const out = Buffer.from(record);
  let o = 5 + 4 + 2 + 32; // record header, handshake header, legacy_version, random
  o += 1 + out[o]!; // session id
  o += 2 + out.readUInt16BE(o); // cipher suites
  o += 1 + out[o]!; // compression methods
  const end = o + 2 + out.readUInt16BE(o);
  for (o += 2; o < end; o += 4 + out.readUInt16BE(o + 2)) {
    if (out.readUInt16BE(o) === 43) out.writeUInt16BE(0x7a7a, o);
  }
  return out;
}
