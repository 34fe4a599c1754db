/**
 * Mutual TLS on 127.0.0.1 against real peers (issue 11, "Mutual TLS"), TLS 1.3
 * and 1.2, ECDSA and RSA client certificates under a client root →
 * intermediate chain made with the openssl CLI (mtls-pki.ts):
 *  - our client (cert/key) against node:tls with requestCert, against
 *    openssl s_server -Verify 1 -verify_return_error and against gnutls-serv
 *    --require-client-cert --verify-client-cert (in a private namespace);
 *  - our server (requestCert, ca) against node:tls, openssl s_client -cert
 *    and gnutls-cli --x509certfile/--x509keyfile clients;
 *  - refusals read on the peer's side: no certificate (certificate_required in
 *    1.3, handshake_failure in 1.2) and an untrusted one (unknown_ca).
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { TlsError } from '../../lib/errors.js';
import type { ServerOptions } from '../../lib/tls13/config.js';
import { caPem, fixturePath, serverIdentity } from '../support/fixtures.js';
import { type ClientKind, type ClientPki, makeClientPki } from './mtls-pki.js';
import { requireNetns, requirePeer, runGnutlsClient, runNodeTlsClient, runOpensslClient, startGnutlsServer, startNodeTlsServer, startOpensslServer, stopAll } from './peers.js';
import { gnutlsTls12Priority } from './tls12-peers.js';
import { GNUTLS_TLS13_PRIORITY } from './peers.js';
import { closeGracefully, closeOurs, connectOurs, listenOurs, text, token, utf8 } from './tls13-support.js';

const VERSIONS = [
  { name: 'TLSv1.3', openssl: 'tls1_3', missing: 'certificate_required', opensslMissing: /certificate required/i, nodeMissing: /CERTIFICATE_REQUIRED|certificate required/i },
  { name: 'TLSv1.2', openssl: 'tls1_2', missing: 'handshake_failure', opensslMissing: /handshake failure/i, nodeMissing: /HANDSHAKE_FAILURE|handshake failure/i },
] as const;
const KINDS: ClientKind[] = ['ecdsa', 'rsa'];
const SERVER_CERT = fixturePath('server-p256.pem');
const SERVER_KEY = fixturePath('server-p256.key');

const leafCn = (der: Uint8Array) => /CN=([^\n,]+)/.exec(new X509Certificate(der).subject)?.[1];

describe('mutual TLS interop: node:tls, openssl, gnutls', function () {
  this.timeout(30_000);
  let pki: ClientPki;

  before(function () {
    this.timeout(60_000);
    requirePeer('openssl', this);
    pki = makeClientPki();
  });
  after(async () => {
    await closeOurs();
    await stopAll();
    pki?.cleanup();
  });

  for (const v of VERSIONS) {
    const range = { minVersion: v.name, maxVersion: v.name } as const;
    const requireClients = (): Partial<ServerOptions> => ({ ...serverIdentity('p256'), ...range, requestCert: true, ca: pki.root });

    describe(`${v.name}`, () => {
      for (const kind of KINDS) {
        it(`our client with an ${kind} certificate, against node:tls with requestCert`, async () => {
          const client = pki.clients[kind];
          const server = await startNodeTlsServer({ cert: serverIdentity('p256').cert, key: serverIdentity('p256').key, requestCert: true, rejectUnauthorized: true, ca: pki.root, ...range, echo: true });
          const end = await connectOurs(server.port, { ...range, cert: client.chain, key: client.key });
          const ping = token('ping');
          await end.driver.send(utf8(ping));
          expect(text(await end.driver.readBytes(ping.length))).to.equal(ping);
          const conn = await server.waitForConnection(0);
          expect(conn.socket.authorized, String(conn.socket.authorizationError)).to.equal(true);
          expect(conn.socket.getPeerCertificate().subject.CN).to.equal(client.cn);
          expect(end.session.info.version).to.equal(v.name);
          await closeGracefully(end);
          await server.stop();
        });

        it(`node:tls client with an ${kind} certificate, against our server`, async () => {
          const client = pki.clients[kind];
          const server = await listenOurs(requireClients() as ServerOptions);
          const ping = token('ping');
          const run = runNodeTlsClient({ port: server.port, ...range, cert: client.chain, key: client.key, ca: caPem(), servername: 'localhost', rejectUnauthorized: true, input: ping, timeoutMs: 15_000 });
          const conn = await server.accepted(0);
          await conn.handshake;
          expect(text(await conn.driver.readBytes(ping.length))).to.equal(ping);
          await conn.driver.bye();
          const r = await run;
          expect(r.authorized).to.equal(true);
          expect(conn.session.info.authorized).to.equal(true);
          expect(conn.session.info.peerCertificates).to.have.length(2);
          expect(leafCn(conn.session.info.peerCertificates[0]!)).to.equal(client.cn);
          await server.close();
        });

        it(`our client with an ${kind} certificate, against openssl s_server -Verify 1 -verify_return_error`, async () => {
          const client = pki.clients[kind];
          const srv = await startOpensslServer({ cert: SERVER_CERT, key: SERVER_KEY, version: v.openssl, args: ['-Verify', '1', '-verify_return_error', '-CAfile', pki.rootFile] });
          const end = await connectOurs(srv.port, { ...range, cert: client.chain, key: client.key });
          const ping = token('ping');
          await end.driver.send(utf8(`${ping}\n`));
          await srv.waitForOutput(ping);
          const pong = token('pong');
          srv.send(`${pong}\n`);
          expect(text(await end.driver.readBytes(pong.length + 1))).to.equal(`${pong}\n`);
          expect(srv.output()).to.match(new RegExp(`CN ?= ?${client.cn}`));
          expect(srv.output()).to.not.match(/verify error/);
          await closeGracefully(end);
          await srv.stop();
        });

        it(`openssl s_client -cert -cert_chain -key (${kind}) against our server`, async () => {
          const client = pki.clients[kind];
          const server = await listenOurs(requireClients() as ServerOptions);
          const ping = token('ping');
          const run = runOpensslClient({
            port: server.port,
            version: v.openssl,
            args: ['-cert', client.leafFile, '-cert_chain', client.intermediateFile, '-key', client.keyFile, '-CAfile', fixturePath('ca.pem'), '-servername', 'localhost'],
            input: `${ping}\n`,
            closeWhen: 'pong-',
            timeoutMs: 15_000,
          });
          const conn = await server.accepted(0);
          await conn.handshake;
          expect(text(await conn.driver.readBytes(ping.length + 1))).to.equal(`${ping}\n`);
          await conn.driver.send(utf8(`${token('pong')}\n`));
          await conn.driver.readAll();
          const r = await run;
          expect(r.code, r.stderr).to.equal(0);
          expect(conn.session.info.authorized).to.equal(true);
          expect(leafCn(conn.session.info.peerCertificates[0]!)).to.equal(client.cn);
          await server.close();
        });

        it(`our client with an ${kind} certificate, against gnutls-serv --require-client-cert (private netns)`, async function () {
          requirePeer('gnutls-serv', this);
          await requireNetns(this);
          const client = pki.clients[kind];
          const priority = v.name === 'TLSv1.3' ? GNUTLS_TLS13_PRIORITY : gnutlsTls12Priority();
          const srv = await startGnutlsServer({ cert: SERVER_CERT, key: SERVER_KEY, priority, args: ['--require-client-cert', '--verify-client-cert', `--x509cafile=${pki.rootFile}`] });
          try {
            const end = await connectOurs(srv.port, { ...range, cert: client.chain, key: client.key });
            const ping = token('ping');
            await end.driver.send(utf8(`${ping}\n`));
            expect(text(await end.driver.readBytes(ping.length + 1))).to.equal(`${ping}\n`); // its echo: it took our chain
            expect(end.session.info.version).to.equal(v.name);
            await closeGracefully(end);
          } finally {
            await srv.stop();
          }
        });

        it(`gnutls-cli --x509certfile --x509keyfile (${kind}) against our server`, async function () {
          requirePeer('gnutls-cli', this);
          const client = pki.clients[kind];
          const server = await listenOurs(requireClients() as ServerOptions);
          const msg = token('hello');
          const priority = v.name === 'TLSv1.3' ? GNUTLS_TLS13_PRIORITY : gnutlsTls12Priority();
          const run = runGnutlsClient({
            port: server.port,
            priority,
            insecure: false,
            args: [`--x509cafile=${fixturePath('ca.pem')}`, `--x509certfile=${client.chainFile}`, `--x509keyfile=${client.keyFile}`, '--sni-hostname=localhost', '--verify-hostname=localhost'],
            input: `${msg}\n`,
            closeWhen: msg,
            timeoutMs: 15_000,
          });
          const conn = await server.accepted(0);
          await conn.handshake;
          await conn.driver.send(await conn.driver.readBytes(msg.length + 1));
          const r = await run;
          expect(r.code, r.stderr).to.equal(0);
          expect(conn.session.info.authorized).to.equal(true);
          expect(leafCn(conn.session.info.peerCertificates[0]!)).to.equal(client.cn);
          await server.close();
        });
      }

      describe('refusals, read on the peer side', () => {
        it(`node:tls client without a certificate gets ${v.missing}`, async () => {
          const server = await listenOurs(requireClients() as ServerOptions);
          const run = runNodeTlsClient({ port: server.port, ...range, ca: caPem(), servername: 'localhost', rejectUnauthorized: true, input: 'x', timeoutMs: 15_000 });
          const conn = await server.accepted(0);
          const ours = await conn.handshake.then(() => undefined, (e: unknown) => e);
          expect(ours).to.be.instanceOf(TlsError);
          expect((ours as TlsError).alert).to.equal(v.missing);
          const theirs = await run.then(() => undefined, (e: Error) => e);
          expect(String((theirs as { code?: string })?.code) + String(theirs?.message)).to.match(v.nodeMissing);
          await server.close();
        });

        it('node:tls client with an untrusted certificate gets unknown_ca', async () => {
          const server = await listenOurs(requireClients() as ServerOptions);
          const run = runNodeTlsClient({ port: server.port, ...range, cert: pki.stranger.chain, key: pki.stranger.key, ca: caPem(), servername: 'localhost', input: 'x', timeoutMs: 15_000 });
          const conn = await server.accepted(0);
          const ours = await conn.handshake.then(() => undefined, (e: unknown) => e);
          expect((ours as TlsError).alert).to.equal('unknown_ca');
          const theirs = await run.then(() => undefined, (e: Error) => e);
          expect(String((theirs as { code?: string })?.code) + String(theirs?.message)).to.match(/UNKNOWN_CA|unknown ca/i);
          await server.close();
        });

        it(`openssl s_client without a certificate gets ${v.missing}; with an untrusted one, unknown_ca`, async () => {
          for (const [args, expected] of [
            [[], v.opensslMissing],
            [['-cert', pki.stranger.leafFile, '-key', pki.stranger.keyFile], /unknown ca/i],
          ] as const) {
            const server = await listenOurs(requireClients() as ServerOptions);
            const run = runOpensslClient({ port: server.port, version: v.openssl, args: [...args, '-CAfile', fixturePath('ca.pem'), '-servername', 'localhost'], input: 'x\n', timeoutMs: 15_000 });
            const conn = await server.accepted(0);
            await conn.handshake.then(() => expect.fail('our server accepted'), () => {});
            const r = await run;
            expect(r.stdout + r.stderr).to.match(expected);
            await server.close();
          }
        });

        it(`our client without a certificate, against openssl s_server -Verify 1, gets ${v.missing}; with an untrusted one, unknown_ca`, async () => {
          const srv = await startOpensslServer({ cert: SERVER_CERT, key: SERVER_KEY, version: v.openssl, args: ['-Verify', '1', '-verify_return_error', '-CAfile', pki.rootFile] });
          for (const [options, alert] of [
            [{}, v.missing],
            [{ cert: pki.stranger.chain, key: pki.stranger.key }, 'unknown_ca'],
          ] as const) {
            const failure = await (async () => {
              // TLS 1.3: our handshake is done once our Finished is out; the refusal comes as we read.
              const end = await connectOurs(srv.port, { ...range, ...options });
              await end.driver.readAll();
            })().then(() => undefined, (e: unknown) => e);
            expect(failure, String(failure)).to.be.instanceOf(TlsError);
            expect((failure as TlsError).alert).to.equal(alert);
            expect((failure as TlsError).fromPeer).to.equal(true);
          }
          await srv.stop();
        });

        it('our client with an untrusted certificate, against gnutls-serv --require-client-cert --verify-client-cert, is refused', async function () {
          requirePeer('gnutls-serv', this);
          await requireNetns(this);
          const priority = v.name === 'TLSv1.3' ? GNUTLS_TLS13_PRIORITY : gnutlsTls12Priority();
          const srv = await startGnutlsServer({ cert: SERVER_CERT, key: SERVER_KEY, priority, args: ['--require-client-cert', '--verify-client-cert', `--x509cafile=${pki.rootFile}`] });
          try {
            const failure = await (async () => {
              const end = await connectOurs(srv.port, { ...range, cert: pki.stranger.chain, key: pki.stranger.key });
              await end.driver.readAll();
            })().then(() => undefined, (e: unknown) => e);
            expect(failure, String(failure)).to.be.instanceOf(TlsError);
            expect((failure as TlsError).fromPeer, String(failure)).to.equal(true);
          } finally {
            await srv.stop();
          }
        });
      });
    });
  }
});
