/**
 * RSA interop on 127.0.0.1 (issue 11, "Signatures" and "Keys"): certificates
 * made here with the openssl CLI (rsa-certs.ts).
 *  - our client against openssl s_server -tls1_3 / -tls1_2 and node:tls:
 *    RSA-2048/3072/4096 leaves under an RSA root, an RSASSA-PSS leaf, an
 *    ECDSA leaf under the RSA root, a P-521 leaf under a P-384 root signed
 *    with SHA-512, every ECDHE_RSA suite, PSS and PKCS#1 v1.5 ServerKeyExchange;
 *  - our server with an RSA-2048 key (PKCS#8 and PKCS#1 PEM) against openssl
 *    s_client -tls1_3 / -tls1_2, node:tls and gnutls-cli;
 *  - the refusals: a 1024-bit RSA leaf and a SHA-1-signed leaf, each with its
 *    alert, code and a message naming the reason.
 * Both crypto providers take turns as ours.
 */
import { expect } from 'chai';
import tls from 'node:tls';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { TlsError } from '../../lib/errors.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import type { ClientOptions } from '../../lib/tls13/config.js';
import { parseGnutlsDescription, parseOpensslClientOutput, requirePeer, runGnutlsClient, startNodeTlsServer, startOpensslServer, stopAll, type OpensslServer } from './peers.js';
import { type LeafName, type RsaPki, makeRsaPki, pkcs1Pem } from './rsa-certs.js';
import { runOpensslClientAt } from './tls12-client-peers.js';
import { TLS12_SUITES, gnutlsTls12Priority } from './tls12-peers.js';
import { closeGracefully, closeOurs, connectOurs, listenOurs, nodeClient, text, token, utf8, type OurEnd } from './tls13-support.js';

const RSA_SUITES: Tls12SuiteName[] = ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'];
const PROVIDERS: CryptoProvider[] = [nobleCrypto, nodeCrypto];

describe('RSA interop: RSA and RSA-PSS certificates, ECDHE_RSA, refusals', function () {
  this.timeout(30_000);
  let pki: RsaPki;
  const servers = new Map<string, Promise<OpensslServer>>();

  before(function () {
    requirePeer('openssl', this);
    this.timeout(120_000);
    pki = makeRsaPki();
  });
  after(async () => {
    await closeOurs();
    await stopAll();
    pki?.remove();
  });

  /** One s_server per (leaf, version, extra args), shared by the cases that use it. */
  function opensslServer(name: LeafName, version: 'tls1_3' | 'tls1_2', args: string[] = []): Promise<OpensslServer> {
    const id = `${name}/${version}/${args.join(' ')}`;
    if (!servers.has(id)) {
      const { certFile, keyFile } = pki.leaves[name];
      // SECLEVEL 0 lets s_server load the 1024-bit and SHA-1 leaves we must refuse.
      servers.set(id, startOpensslServer({ cert: certFile, key: keyFile, version, args: ['-cipher', 'DEFAULT:@SECLEVEL=0', ...args] }));
    }
    return servers.get(id)!;
  }

  /** Our client against `srv`: data both ways, then close_notify both ways. */
  async function exchange(srv: OpensslServer, options: Partial<ClientOptions>): Promise<OurEnd> {
    const end = await connectOurs(srv.port, { ca: pki.ca, ...options });
    const ping = token('ping');
    await end.driver.send(utf8(`${ping}\n`));
    await srv.waitForOutput(ping);
    const pong = token('pong');
    srv.send(`${pong}\n`);
    expect(text(await end.driver.readBytes(pong.length + 1))).to.equal(`${pong}\n`);
    await closeGracefully(end);
    return end;
  }

  async function clientError(port: number, options: Partial<ClientOptions>): Promise<TlsError> {
    try {
      await connectOurs(port, { ca: pki.ca, ...options });
    } catch (e) {
      if (e instanceof TlsError) return e;
      throw e;
    }
    expect.fail('our handshake succeeded');
  }

  describe('our client against openssl s_server', () => {
    for (const crypto of PROVIDERS) {
      describe(`${crypto.name} provider`, () => {
        for (const [leaf, scheme] of [['rsa2048', 'rsa_pss_rsae_sha256'], ['rsa3072', 'rsa_pss_rsae_sha256'], ['rsa4096', 'rsa_pss_rsae_sha256'], ['rsaPss', 'rsa_pss_pss_sha256'], ['ecUnderRsa', 'ecdsa_secp256r1_sha256'], ['p521', 'ecdsa_secp521r1_sha512']] as const) {
          it(`TLS 1.3, ${leaf}: CertificateVerify ${scheme}, chain verified`, async () => {
            const end = await exchange(await opensslServer(leaf, 'tls1_3'), { crypto });
            expect(end.session.info).to.include({ version: 'TLSv1.3', signatureScheme: scheme });
          });
        }

        for (const suite of RSA_SUITES) {
          it(`TLS 1.2, ${suite}, RSA-2048: ServerKeyExchange signed with RSA-PSS`, async () => {
            const end = await exchange(await opensslServer('rsa2048', 'tls1_2'), { crypto, suites: [suite] });
            expect(end.session.info).to.include({ version: 'TLSv1.2', suite, signatureScheme: 'rsa_pss_rsae_sha256' });
          });
        }

        it('TLS 1.2, PKCS#1 v1.5 ServerKeyExchange when we offer only rsa_pkcs1_sha384', async () => {
          const end = await exchange(await opensslServer('rsa3072', 'tls1_2'), { crypto, signatureSchemes: ['rsa_pkcs1_sha384'] });
          expect(end.session.info).to.include({ version: 'TLSv1.2', signatureScheme: 'rsa_pkcs1_sha384' });
        });

        it('TLS 1.2, RSASSA-PSS certificate: rsa_pss_pss_sha256', async () => {
          const end = await exchange(await opensslServer('rsaPss', 'tls1_2'), { crypto });
          expect(end.session.info).to.include({ version: 'TLSv1.2', signatureScheme: 'rsa_pss_pss_sha256' });
        });
      });
    }

    it('refuses a 1024-bit RSA leaf: unsupported_certificate naming the size', async () => {
      const srv = await opensslServer('rsa1024', 'tls1_3');
      const e = await clientError(srv.port, {});
      expect(e.alert).to.equal('unsupported_certificate');
      expect(e.code).to.equal('EE_KEY_TOO_SMALL');
      expect(e.message).to.match(/RSA \(1024-bit modulus is too small: at least 2048 bits are required\)/);
      await srv.waitForOutput(/alert unsupported certificate|unsupported certificate/i);
    });

    it('s_server does not even send a SHA-1-signed chain to a client whose signature_algorithms lack SHA-1 (ours never list it)', async () => {
      const srv = await opensslServer('sha1', 'tls1_3');
      const e = await clientError(srv.port, {});
      expect(e.alert).to.equal('handshake_failure');
      expect(e.fromPeer).to.equal(true);
    });

    // OpenSSL will not serve it to us (above), so our own server does, over a real socket.
    it('refuses a SHA-1-signed leaf: bad_certificate, CA_MD_TOO_WEAK, naming sha1WithRSAEncryption; the server gets the alert', async () => {
      const server = await listenOurs({ cert: pki.leaves.sha1.cert, key: pki.leaves.sha1.key });
      const e = await clientError(server.port, {});
      expect(e.alert).to.equal('bad_certificate');
      expect(e.code).to.equal('CA_MD_TOO_WEAK');
      expect(e.message).to.match(/signed with sha1WithRSAEncryption, which is refused: SHA-1 and MD5 signatures can be forged/);
      const conn = await server.accepted(0);
      const theirs = await conn.handshake.then(() => undefined, (x: unknown) => x);
      expect(theirs).to.be.instanceOf(TlsError);
      expect(theirs).to.include({ alert: 'bad_certificate', fromPeer: true });
      await server.close();
    });
  });

  describe('our client against node:tls', () => {
    for (const [version, leaf] of [['TLSv1.3', 'rsa4096'], ['TLSv1.2', 'rsa3072']] as const) {
      it(`${version}, ${leaf}`, async () => {
        const server = await startNodeTlsServer({ cert: pki.leaves[leaf].cert, key: pki.leaves[leaf].key, minVersion: version, maxVersion: version, echo: true });
        const end = await connectOurs(server.port, { ca: pki.ca });
        const msg = token('node');
        await end.driver.send(utf8(msg));
        expect(text(await end.driver.readBytes(msg.length))).to.equal(msg);
        expect(end.session.info).to.include({ version, signatureScheme: 'rsa_pss_rsae_sha256' });
        await end.driver.bye();
        await server.stop();
      });
    }
  });

  describe('our server with an RSA-2048 key', () => {
    const identity = () => ({ cert: pki.leaves.rsa2048.cert, key: pki.leaves.rsa2048.key });

    for (const crypto of PROVIDERS) {
      it(`openssl s_client -tls1_3 verifies us (${crypto.name}; key as PKCS#1 "RSA PRIVATE KEY")`, async () => {
        const server = await listenOurs({ cert: pki.leaves.rsa2048.cert, key: pkcs1Pem(pki, 'rsa2048'), crypto });
        const msg = token('sc13');
        const run = runOpensslClientAt('TLSv1.3', { port: server.port, args: ['-CAfile', pki.caFile, '-verify_return_error', '-servername', 'localhost'], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
        const conn = await server.accepted(0);
        await conn.handshake;
        const got = await conn.driver.readBytes(msg.length + 1);
        await conn.driver.send(got);
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        expect(parseOpensslClientOutput(r.stdout + r.stderr)).to.deep.include({ protocol: 'TLSv1.3', verifyCode: 0 });
        expect(r.stdout + r.stderr).to.match(/Peer signature type: RSA-PSS/);
        expect(conn.session.info).to.include({ version: 'TLSv1.3', signatureScheme: 'rsa_pss_rsae_sha256' });
        await server.close();
      });
    }

    for (const suite of RSA_SUITES) {
      for (const [sigalgs, scheme] of [['RSA-PSS+SHA256', 'rsa_pss_rsae_sha256'], ['RSA+SHA512', 'rsa_pkcs1_sha512']] as const) {
        it(`openssl s_client -tls1_2 ${suite}, -sigalgs ${sigalgs}`, async () => {
          const server = await listenOurs(identity());
          const msg = token('sc12');
          const run = runOpensslClientAt('TLSv1.2', {
            port: server.port,
            args: ['-cipher', TLS12_SUITES[suite].openssl, '-sigalgs', sigalgs, '-CAfile', pki.caFile, '-verify_return_error', '-servername', 'localhost'],
            input: `${msg}\n`,
            closeWhen: msg,
            timeoutMs: 15_000,
          });
          const conn = await server.accepted(0);
          await conn.handshake;
          await conn.driver.send(await conn.driver.readBytes(msg.length + 1));
          const r = await run;
          expect(r.code, r.stderr).to.equal(0);
          expect(parseOpensslClientOutput(r.stdout + r.stderr)).to.deep.include({ protocol: 'TLSv1.2', cipher: TLS12_SUITES[suite].openssl, verifyCode: 0 });
          expect(conn.session.info).to.include({ version: 'TLSv1.2', suite, signatureScheme: scheme });
          await server.close();
        });
      }
    }

    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      it(`node:tls ${version} client verifies us`, async () => {
        const server = await listenOurs(identity());
        const socket = await nodeClient({ port: server.port, ca: pki.ca, servername: 'localhost', minVersion: version, maxVersion: version });
        const conn = await server.accepted(0);
        await conn.handshake;
        expect(socket.authorized).to.equal(true);
        expect(socket.getProtocol()).to.equal(version);
        expect(conn.session.info.signatureScheme).to.equal('rsa_pss_rsae_sha256');
        socket.destroy();
        await server.close();
      });

      it(`gnutls-cli ${version} verifies us`, async function () {
        requirePeer('gnutls-cli', this);
        const server = await listenOurs(identity());
        const msg = token('gnutls');
        const priority = version === 'TLSv1.2' ? gnutlsTls12Priority() : 'NORMAL:-VERS-ALL:+VERS-TLS1.3';
        const run = runGnutlsClient({ port: server.port, priority, insecure: false, args: [`--x509cafile=${pki.caFile}`, '--sni-hostname=localhost', '--verify-hostname=localhost'], input: `${msg}\n`, closeWhen: msg, timeoutMs: 15_000 });
        const conn = await server.accepted(0);
        await conn.handshake;
        await conn.driver.send(await conn.driver.readBytes(msg.length + 1));
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        expect(parseGnutlsDescription(r.stdout).signature).to.match(/RSA-PSS-RSAE-SHA256|RSA-PSS-SHA256/);
        expect(conn.session.info).to.include({ version, signatureScheme: 'rsa_pss_rsae_sha256' });
        await server.close();
      });
    }
  });

  it('node:tls accepts the same chain we build (sanity of the generated PKI)', async () => {
    const server = await startNodeTlsServer({ cert: pki.leaves.ecUnderRsa.cert, key: pki.leaves.ecUnderRsa.key, echo: true });
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: pki.ca, servername: 'localhost' });
    await new Promise((r, j) => socket.once('secureConnect', r).once('error', j));
    expect(socket.authorized).to.equal(true);
    socket.destroy();
    await server.stop();
  });
});
