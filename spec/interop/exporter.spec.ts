/**
 * Keying material exporters (RFC 5705 for TLS 1.2, RFC 8446 §7.5 for TLS
 * 1.3) against real peers on 127.0.0.1, both roles, both versions: each peer
 * prints what it exported (openssl's -keymatexport: "Keying material: HEX";
 * gnutls's --keymatexport: "- Key material: hex"; node:tls's
 * tlsSocket.exportKeyingMaterial(length, label, context)) and our session
 * must export the same bytes. The command-line tools export without a
 * context; node:tls is asked with and without one, since in TLS 1.2 "no
 * context" and "empty context" differ.
 */
import { expect } from 'chai';
import tls from 'node:tls';
import { GNUTLS_TLS13_PRIORITY, requirePeer, runGnutlsClient, runOpensslClient, startGnutlsServer, startNodeTlsServer, startOpensslServer, stopAll } from './peers.js';
import { runOpensslClientAt } from './tls12-client-peers.js';
import { GNUTLS_TLS12_PRIORITY } from './tls12-peers.js';
import { CERTS, closeOurs, connectOurs, listenOurs, nodeClient, text, token, utf8, type OurEnd, type OurServer, echoLine } from './tls13-support.js';

const LABEL = 'EXPORTER-rxtls-interop';
const LENGTH = 32;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const P256 = { cert: CERTS.p256.cert, key: CERTS.p256.key };

type Version = 'TLSv1.2' | 'TLSv1.3';
const VERSIONS: Version[] = ['TLSv1.2', 'TLSv1.3'];
const OPENSSL_FLAG: Record<Version, 'tls1_2' | 'tls1_3'> = { 'TLSv1.2': 'tls1_2', 'TLSv1.3': 'tls1_3' };
const GNUTLS_PRIORITY: Record<Version, string> = { 'TLSv1.2': GNUTLS_TLS12_PRIORITY, 'TLSv1.3': GNUTLS_TLS13_PRIORITY };
const OPENSSL_ARGS = ['-keymatexport', LABEL, '-keymatexportlen', String(LENGTH)];
const GNUTLS_ARGS = [`--keymatexport=${LABEL}`, `--keymatexportsize=${LENGTH}`];

/** openssl prints "    Keying material: 68C2...", upper-case hex; gnutls "- Key material: 26af...". */
const OPENSSL_KEYMAT = /Keying material: ([0-9A-F]+)/;
const GNUTLS_KEYMAT = /- Key material: ([0-9a-fA-F]+)/;

function printed(output: string, pattern: RegExp): string {
  const m = pattern.exec(output);
  if (!m) expect.fail(`no keying material in the peer's output:\n${output}`);
  return m[1]!.toLowerCase();
}

/** Ours exported over the label, no context. */
const ourExport = (end: OurEnd, context?: Uint8Array) => hex(end.session.exportKeyingMaterial(LABEL, context, LENGTH));


describe('keying material exporters: interop', function () {
  this.timeout(30_000);
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  describe('OpenSSL (-keymatexport)', () => {
    before(function () {
      requirePeer('openssl', this);
    });

    for (const version of VERSIONS) {
      it(`our client -> openssl s_server -${OPENSSL_FLAG[version]}`, async () => {
        const server = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, version: OPENSSL_FLAG[version], args: OPENSSL_ARGS });
        const end = await connectOurs(server.port, { minVersion: version, maxVersion: version });
        expect(end.session.info.version).to.equal(version);
        const theirs = printed(await server.waitForOutput(OPENSSL_KEYMAT), OPENSSL_KEYMAT);
        expect(ourExport(end)).to.equal(theirs);
        await end.driver.bye();
        await server.stop();
      });

      it(`openssl s_client -${OPENSSL_FLAG[version]} -> our server`, async () => {
        const ours = await listenOurs(P256);
        const msg = token('keymat');
        const args = [...OPENSSL_ARGS, '-servername', 'localhost'];
        const run = version === 'TLSv1.3'
          ? runOpensslClient({ port: ours.port, args, input: `${msg}\n`, closeWhen: msg, timeoutMs: 10_000 })
          : runOpensslClientAt('TLSv1.2', { port: ours.port, args, input: `${msg}\n`, closeWhen: msg, timeoutMs: 10_000 });
        const conn = await ours.accepted(0);
        await echoLine(conn, msg);
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        expect(conn.session.info.version).to.equal(version);
        expect(ourExport(conn)).to.equal(printed(r.stdout, OPENSSL_KEYMAT));
        await ours.close();
      });
    }
  });

  describe('GnuTLS (--keymatexport)', () => {
    for (const version of VERSIONS) {
      it(`our client -> gnutls-serv (${version})`, async function () {
        requirePeer('gnutls-serv', this);
        const server = await startGnutlsServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, priority: GNUTLS_PRIORITY[version], args: GNUTLS_ARGS });
        const end = await connectOurs(server.port, { minVersion: version, maxVersion: version });
        expect(end.session.info.version).to.equal(version);
        // gnutls-serv --echo: a line round trip makes sure its connection report is out.
        await end.driver.send(utf8('ping\n'));
        expect(text(await end.driver.readBytes(5))).to.equal('ping\n');
        const theirs = printed(await server.waitForOutput(GNUTLS_KEYMAT), GNUTLS_KEYMAT);
        expect(ourExport(end)).to.equal(theirs);
        await end.driver.bye();
        await server.stop();
      });

      it(`gnutls-cli -> our server (${version})`, async function () {
        requirePeer('gnutls-cli', this);
        const ours = await listenOurs(P256);
        const msg = token('keymat');
        const run = runGnutlsClient({ port: ours.port, priority: GNUTLS_PRIORITY[version], args: GNUTLS_ARGS, input: `${msg}\n`, closeWhen: msg, timeoutMs: 10_000 });
        const conn = await ours.accepted(0);
        await echoLine(conn, msg);
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        expect(conn.session.info.version).to.equal(version);
        expect(ourExport(conn)).to.equal(printed(r.stdout, GNUTLS_KEYMAT));
        await ours.close();
      });
    }
  });

  describe('node:tls (tlsSocket.exportKeyingMaterial)', () => {
    const CONTEXTS: Array<[string, Uint8Array | undefined]> = [
      ['no context', undefined],
      ['empty context', new Uint8Array(0)],
      ['a context', utf8('rxtls context bytes')],
    ];
    const nodeExport = (socket: tls.TLSSocket, context: Uint8Array | undefined) =>
      // @types/node wants a context, but node passes none to OpenSSL when it is left out (TLS 1.2's "no context").
      hex(context === undefined ? (socket.exportKeyingMaterial as (length: number, label: string) => Buffer)(LENGTH, LABEL) : socket.exportKeyingMaterial(LENGTH, LABEL, Buffer.from(context)));

    for (const version of VERSIONS) {
      it(`our client -> node:tls server (${version}), each context`, async () => {
        const server = await startNodeTlsServer({ ...P256, minVersion: version, maxVersion: version });
        const end = await connectOurs(server.port, { minVersion: version, maxVersion: version });
        const conn = await server.waitForConnection(0);
        expect(end.session.info.version).to.equal(version);
        for (const [what, context] of CONTEXTS) expect(ourExport(end, context), what).to.equal(nodeExport(conn.socket, context));
        await end.driver.bye();
        await server.stop();
      });

      it(`node:tls client -> our server (${version}), each context`, async () => {
        const ours: OurServer = await listenOurs(P256);
        const socket = await nodeClient({ port: ours.port, minVersion: version, maxVersion: version, rejectUnauthorized: false, servername: 'localhost' });
        const conn = await ours.accepted(0);
        await conn.handshake;
        expect(socket.getProtocol()).to.equal(version);
        for (const [what, context] of CONTEXTS) expect(ourExport(conn, context), what).to.equal(nodeExport(socket, context));
        socket.destroy();
        await ours.close();
      });
    }
  });
});
