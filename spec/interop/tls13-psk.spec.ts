/**
 * TLS 1.3 external PSKs (RFC 8446 §4.2.11, "ext binder") against real peers
 * on loopback, both roles, with the `psk` options the TLS 1.2 PSK suites use:
 * - our client against `openssl s_server -tls1_3 -nocert -psk` and
 *   gnutls-serv --pskpasswd (in a private network namespace);
 * - `openssl s_client -tls1_3 -psk` (also -allow_no_dhe_kex: psk_ke) and
 *   `gnutls-cli --pskusername/--pskkey` against our PSK-only server;
 * - a wrong key: decrypt_error, read by openssl.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { requirePeer, runGnutlsClient, runOpensslClient, startGnutlsServer, startOpensslServer, stopAll } from './peers.js';
import { type OurServer, closeOurs, connectOurs, listenOurs, text, token, utf8, echoLine } from './tls13-support.js';

const ID = 'rxtls-client';
const HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const KEY = new Uint8Array(Buffer.from(HEX, 'hex'));
const WRONG_HEX = `ff${HEX.slice(2)}`;
const lookup = (identity: Uint8Array) => (Buffer.from(identity).toString() === ID ? KEY : undefined);
const pskClient: Partial<ClientOptions> = { ca: undefined, psk: { identity: ID, key: KEY } };
const GNUTLS_TLS13_PSK = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+ECDHE-PSK:+PSK';



describe('TLS 1.3 external PSK interop', function () {
  this.timeout(30_000);
  let ours: OurServer | undefined;
  afterEach(async () => {
    await ours?.close();
    ours = undefined;
    await closeOurs();
  });
  after(() => stopAll());

  async function serve(options: Partial<ServerOptions> = {}): Promise<OurServer> {
    ours = await listenOurs({ cert: undefined, key: undefined, psk: lookup, ...options });
    return ours;
  }

  describe('openssl', () => {
    beforeEach(function () {
      requirePeer('openssl', this);
    });

    it('our client against openssl s_server -tls1_3 -nocert -psk: TLS 1.3 on the PSK, data both ways', async () => {
      const server = await startOpensslServer({ args: ['-nocert', '-psk', HEX, '-psk_identity', ID] });
      const end = await connectOurs(server.port, pskClient);
      expect(end.session.info).to.include({ version: 'TLSv1.3', pskIdentity: ID, resumed: false });
      expect(end.session.info.peerCertificates).to.deep.equal([]);
      const msg = token('to-openssl');
      await end.driver.send(utf8(`${msg}\n`));
      await server.waitForOutput(msg);
      const back = token('from-openssl');
      server.send(`${back}\n`);
      expect(text(await end.driver.readBytes(back.length + 1))).to.equal(`${back}\n`);
      await end.driver.bye();
      await server.stop();
    });

    it('openssl s_client -tls1_3 -psk against our PSK-only server: psk_dhe_ke, data both ways', async () => {
      const server = await serve();
      const msg = token('s_client');
      const run = runOpensslClient({ port: server.port, args: ['-psk', HEX, '-psk_identity', ID], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
      const conn = await server.accepted(0);
      await echoLine(conn, msg);
      const r = await run;
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/TLSv1\.3/);
      expect(conn.session.info).to.include({ version: 'TLSv1.3', pskIdentity: ID });
      expect(conn.session.info.group).to.be.a('string');
    });

    it('openssl s_client -allow_no_dhe_kex against our server allowing psk_ke: no key exchange at all', async () => {
      const server = await serve({ pskModes: ['psk_ke', 'psk_dhe_ke'] });
      const msg = token('psk-ke');
      const run = runOpensslClient({ port: server.port, args: ['-psk', HEX, '-psk_identity', ID, '-allow_no_dhe_kex'], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
      const conn = await server.accepted(0);
      await echoLine(conn, msg);
      const r = await run;
      expect(r.code, r.stderr).to.equal(0);
      expect(conn.session.info).to.include({ pskIdentity: ID, group: undefined });
      // s_client names no ephemeral key: there was none.
      expect(r.stdout).to.not.match(/Server Temp Key/);
    });

    it('a wrong key: our server answers decrypt_error (the binder), which s_client reports', async () => {
      const server = await serve();
      const run = runOpensslClient({ port: server.port, args: ['-psk', WRONG_HEX, '-psk_identity', ID], timeoutMs: 15_000 });
      const conn = await server.accepted(0);
      const err = await conn.handshake.then(() => undefined, (e: unknown) => e);
      expect(err).to.include({ alert: 'decrypt_error', fromPeer: false });
      const r = await run;
      expect(r.stdout + r.stderr).to.match(/decrypt error/);
    });
  });

  describe('gnutls', () => {
    let dir: string;
    before(function () {
      requirePeer('gnutls-cli', this);
      requirePeer('gnutls-serv', this);
      dir = mkdtempSync(join(tmpdir(), 'rxtls-psk13-'));
      writeFileSync(join(dir, 'psk.passwd'), `${ID}:${HEX}\n`);
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    it('gnutls-cli --pskusername/--pskkey (TLS 1.3 only) against our PSK-only server: data both ways', async () => {
      const server = await serve();
      const msg = token('gnutls-cli');
      const run = runGnutlsClient({ port: server.port, priority: GNUTLS_TLS13_PSK, args: [`--pskusername=${ID}`, `--pskkey=${HEX}`], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
      const conn = await server.accepted(0);
      await echoLine(conn, msg);
      const r = await run;
      expect(r.code === 0 || r.signal === 'SIGSEGV', `${r.code} ${r.signal} ${r.stderr}`).to.equal(true);
      // gnutls-cli 3.7.9's Description line says X.509 for TLS 1.3 whatever authenticated; this line is the one it prints for a PSK.
      expect(r.stdout).to.include(`PSK authentication. Connected as '${ID}'`);
      expect(r.stdout).to.match(/Description: \(TLS1\.3/);
      expect(conn.session.info).to.include({ version: 'TLSv1.3', pskIdentity: ID });
    });

    it('our client against gnutls-serv --pskpasswd (TLS 1.3 only): data both ways (gnutls-serv echoes)', async () => {
      const server = await startGnutlsServer({ priority: GNUTLS_TLS13_PSK, args: [`--pskpasswd=${join(dir, 'psk.passwd')}`] });
      const end = await connectOurs(server.port, pskClient);
      expect(end.session.info).to.include({ version: 'TLSv1.3', pskIdentity: ID });
      const msg = token('to-gnutls');
      await end.driver.send(utf8(`${msg}\n`));
      expect(text(await end.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
      await end.driver.bye();
      await server.stop();
    });
  });
});
