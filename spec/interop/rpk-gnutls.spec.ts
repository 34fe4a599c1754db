/**
 * Raw public keys (RFC 7250) against GnuTLS, the one peer here that speaks
 * them (OpenSSL 3.0 does not): gnutls-serv --rawpkfile/--rawpkkeyfile with
 * +CTYPE-SRV-RAWPK (in a private network namespace) serving our client, and
 * gnutls-cli asking our server (`rawPublicKey: true`) for its raw key, in
 * TLS 1.3, TLS 1.2 and DTLS 1.2 (--udp). Each side's own report says which
 * certificate type it saw: gnutls' "- Description: (TLS1.3-X.509-Raw Public
 * Key)" (client type, then server type), our info.peerCertificateType.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { EOF } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { fixture, fixturePath } from '../support/fixtures.js';
import { GNUTLS_DTLS12_PRIORITY, runGnutlsDtlsClient, runOurDtlsClientIn, startGnutlsDtlsServer, stopAll as stopDtls } from './dtls-peers.js';
import { requireNetns, requirePeer, runGnutlsClient, startGnutlsServer, stopAll } from './peers.js';
import { CERTS, closeOurs, connectOurs, listenOurs, text, token, utf8 } from './tls13-support.js';

const SPKI_PEM = createPublicKey(fixture('server-p256.pem')).export({ type: 'spki', format: 'pem' }) as string;
const SPKI_DER = new Uint8Array(createPublicKey(fixture('server-p256.pem')).export({ type: 'spki', format: 'der' }));
const OTHER_PEM = createPublicKey(fixture('untrusted.pem')).export({ type: 'spki', format: 'pem' }) as string;

const STREAM = [
  { name: 'TLS 1.3', ours: 'TLSv1.3' as const, gnutls: 'TLS1.3' },
  { name: 'TLS 1.2', ours: 'TLSv1.2' as const, gnutls: 'TLS1.2' },
];
const priority = (version: string) => `NORMAL:-VERS-ALL:+VERS-${version}:+CTYPE-SRV-RAWPK`;

describe('RFC 7250 raw public keys interop: GnuTLS', function () {
  this.timeout(30_000);
  let dir: string;
  let pubFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rxtls-rpk-'));
    pubFile = join(dir, 'server-p256.pub.pem');
    await writeFile(pubFile, SPKI_PEM);
  });
  after(async () => {
    await closeOurs();
    await stopAll();
    await stopDtls();
    await rm(dir, { recursive: true, force: true });
  });
  const rawpkArgs = () => [`--rawpkfile=${pubFile}`, `--rawpkkeyfile=${fixturePath('server-p256.key')}`];

  for (const v of STREAM) {
    describe(`${v.name}: our client -> gnutls-serv --rawpkfile (private netns)`, () => {
      before(async function () {
        requirePeer('gnutls-serv', this);
        await requireNetns(this);
      });

      it('authenticates gnutls-serv by its raw key alone (no ca, no name), and data flows', async () => {
        const server = await startGnutlsServer({ priority: priority(v.gnutls), args: rawpkArgs() });
        try {
          const end = await connectOurs(server.port, { ca: undefined, serverName: undefined, serverRawPublicKey: SPKI_PEM, maxVersion: v.ours, minVersion: v.ours });
          expect(end.session.info).to.include({ version: v.ours, peerCertificateType: 'RawPublicKey' });
          expect(end.session.info.peerRawPublicKey).to.deep.equal(SPKI_DER);
          const msg = token('rpk');
          await end.driver.send(utf8(`${msg}\n`));
          expect(text(await end.driver.readBytes(msg.length + 1))).to.equal(`${msg}\n`);
          await server.waitForOutput(/- Description: .*Raw Public Key\)/);
          expect(server.output()).to.match(new RegExp(`- Description: \\(${v.gnutls.replace('.', '\\.')}-X\\.509-Raw Public Key\\)`));
          await end.driver.bye();
        } finally {
          await server.stop();
        }
      });

      it('refuses gnutls-serv when its raw key is not the configured one (bad_certificate)', async () => {
        const server = await startGnutlsServer({ priority: priority(v.gnutls), args: rawpkArgs() });
        try {
          const err = await connectOurs(server.port, { ca: undefined, serverName: undefined, serverRawPublicKey: OTHER_PEM, maxVersion: v.ours, minVersion: v.ours }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err).to.be.instanceOf(TlsError);
          expect(err).to.include({ alert: 'bad_certificate', code: 'ERR_TLS_RAW_PUBLIC_KEY_MISMATCH' });
        } finally {
          await server.stop();
        }
      });

      it('falls back to X.509 with a gnutls-serv that has no raw key, when we also have `ca`', async () => {
        const server = await startGnutlsServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, priority: `NORMAL:-VERS-ALL:+VERS-${v.gnutls}` });
        try {
          const end = await connectOurs(server.port, { serverRawPublicKey: SPKI_PEM, maxVersion: v.ours, minVersion: v.ours });
          expect(end.session.info).to.include({ version: v.ours, peerCertificateType: 'X509' });
          expect(end.session.info.peerCertificates).to.have.length(1);
          await end.driver.bye();
        } finally {
          await server.stop();
        }
      });
    });

    describe(`${v.name}: gnutls-cli +CTYPE-SRV-RAWPK -> our server (rawPublicKey: true)`, () => {
      before(function () {
        requirePeer('gnutls-cli', this);
      });

      it('gets our raw public key instead of the chain', async () => {
        const ours = await listenOurs({ cert: CERTS.p256.cert, key: CERTS.p256.key, rawPublicKey: true });
        try {
          const msg = token('rpk-cli');
          // --insecure: gnutls-cli has no option to pin a raw key (it would use TOFU); what it received is what we check.
          const run = runGnutlsClient({ port: ours.port, priority: priority(v.gnutls), input: `${msg}\n`, closeWhen: msg, timeoutMs: 10_000 });
          const conn = await ours.accepted(0);
          await conn.handshake;
          await conn.driver.send(await conn.driver.readBytes(msg.length + 1));
          const r = await run;
          expect(r.code, r.stderr).to.equal(0);
          expect(r.stdout).to.include('- Certificate type: Raw Public Key');
          expect(r.stdout).to.include('- Got 1 Raw public-key(s).');
          expect(r.stdout).to.include(`- Description: (${v.gnutls}-X.509-Raw Public Key)`);
          expect(r.stdout).to.include(msg);
          expect(conn.session.info.version).to.equal(v.ours);
        } finally {
          await ours.close();
        }
      });
    });
  }

  describe('DTLS 1.2: our client -> gnutls-serv --udp --rawpkfile (private netns)', () => {
    before(async function () {
      requirePeer('gnutls-serv', this);
      await requireNetns(this);
    });

    it('authenticates gnutls-serv by its raw key, through its cookie exchange', async () => {
      const server = await startGnutlsDtlsServer({ priority: `${GNUTLS_DTLS12_PRIORITY}:+CTYPE-SRV-RAWPK`, args: rawpkArgs() });
      try {
        const message = `${token('rpk-dtls')}\n`;
        const { result, exec } = await runOurDtlsClientIn(server.netns, { port: server.netnsPort, message, expect: message, timeoutMs: 12_000, serverRawPublicKey: SPKI_PEM });
        const detail = `ours: ${exec.stdout}${exec.stderr}`;
        expect(result.ok, detail).to.equal(true);
        expect(result).to.include({ version: 'DTLSv1.2', peerCertificateType: 'RawPublicKey', peerRawPublicKeyHex: Buffer.from(SPKI_DER).toString('hex') });
        expect(result.received, detail).to.equal(message);
        expect(server.output()).to.match(new RegExp(`^received\\[[0-9a-f]+\\]: ${message.trim()}$`, 'm'));
      } finally {
        await server.stop();
      }
    });
  });

  describe('DTLS 1.2: gnutls-cli --udp +CTYPE-SRV-RAWPK -> our server (rawPublicKey: true)', () => {
    let u: UdpSession | undefined;
    before(function () {
      requirePeer('gnutls-cli', this);
    });
    afterEach(() => u?.close());

    it('gets our raw public key instead of the chain', async () => {
      u = new UdpSession(Session.server({ protocol: 'dtls', cert: CERTS.p256.cert, key: CERTS.p256.key, rawPublicKey: true, clock: () => performance.now() }));
      const port = await u.open();
      const ours = token('from-rxtls');
      const theirs = token('from-gnutls');
      const client = runGnutlsDtlsClient({ port, priority: `${GNUTLS_DTLS12_PRIORITY}:+CTYPE-SRV-RAWPK`, input: `${theirs}\n`, closeWhen: ours, timeoutMs: 10_000 });
      await u.handshake();
      let got = '';
      while (!got.includes(theirs)) {
        const r = await u.recv(5000);
        if (r === EOF) throw new Error('EOF before the line from gnutls-cli');
        got += text(r);
      }
      u.session.send(utf8(`${ours}\n`));
      expect(await u.recv(5000)).to.equal(EOF);
      u.session.bye();
      const r = await client;
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.include('- Certificate type: Raw Public Key');
      expect(r.stdout).to.include('- Description: (DTLS1.2-X.509-Raw Public Key)');
      expect(r.stdout).to.include(ours);
    });
  });
});
