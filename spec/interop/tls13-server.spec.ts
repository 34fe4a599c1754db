/**
 * Interop matrix, real clients against our TLS 1.3 server on 127.0.0.1
 * (issue 2, part 2): node:tls and `openssl s_client`, for every suite × group
 * × certificate, plus forced HelloRetryRequests (a missing key share, and
 * `helloRetry: 'always'`, the cookie path).
 *
 * The client is restricted (node: `ciphers` + `ecdhCurve`; s_client:
 * `-ciphersuites` + `-groups`), our server runs with its defaults. Each case
 * checks our session.info against the client's own report (node's
 * getCipher()/getEphemeralKeyInfo(); s_client's summary or `-trace`), the
 * ClientHello the client put on the wire, and that the client verified our
 * certificate chain against the test CA.
 */
import { expect } from 'chai';
import { caPem } from '../support/fixtures.js';
import { parseOpensslClientOutput, requirePeer, runNodeTlsClient, runOpensslClient, stopAll } from './peers.js';
import {
  CA_FILE,
  MATRIX,
  CERTS,
  closeOurs,
  GROUPS,
  groupByCode,
  listenOurs,
  suiteByCode,
  text,
  token,
  traceHellos,
  utf8,
  type MatrixCert,
  type OurServer,
} from './tls13-support.js';
import type { ClassicalGroup } from './tls13-support.js';

/** Our side of one connection: read a line, answer "pong:<line>", read to EOF, close. */
async function serveOnce(server: OurServer, index: number) {
  const end = await server.accepted(index);
  await end.handshake;
  let got = '';
  while (!got.includes('\n')) {
    const chunk = await end.driver.readBytes(1);
    if (chunk.length === 0) throw new Error('EOF before the ping line');
    got += text(chunk);
  }
  const line = got.slice(0, got.indexOf('\n'));
  await end.driver.send(utf8(`pong:${line}\n`));
  const rest = await end.driver.readAll(); // until the client's close_notify
  await end.driver.bye();
  return { end, line, rest: text(rest) };
}

describe('TLS 1.3 interop: our server', function () {
  this.timeout(20_000);

  const servers = new Map<MatrixCert, Promise<OurServer>>();
  const counts = new Map<MatrixCert, number>();
  /** One of our servers per certificate, default options; returns it and the index of the next connection. */
  async function serverFor(cert: MatrixCert): Promise<[OurServer, number]> {
    if (!servers.has(cert)) servers.set(cert, listenOurs({ cert: CERTS[cert].cert, key: CERTS[cert].key }));
    const index = counts.get(cert) ?? 0;
    counts.set(cert, index + 1);
    return [await servers.get(cert)!, index];
  }

  after(async function () {
    await closeOurs();
    await stopAll();
  });

  describe('↔ node:tls client', function () {
    for (const [cert, group, suite] of MATRIX) {
      it(`${suite} × ${group} × ${cert}`, async function () {
        const [server, index] = await serverFor(cert);
        const ping = token('ping');
        const served = serveOnce(server, index);
        const res = await runNodeTlsClient({
          port: server.port,
          servername: 'localhost',
          ca: caPem(),
          rejectUnauthorized: true,
          ciphers: suite,
          ecdhCurve: GROUPS[group].node,
          input: ping + '\n',
          closeWhen: `pong:${ping}\n`,
          timeoutMs: 10_000,
        });
        const { end, line } = await served;

        // Peer side: what node negotiated, verified and offered.
        expect(res.authorized, String(res.authorizationError)).to.equal(true);
        expect(res.protocol).to.equal('TLSv1.3');
        expect(res.ephemeralKeyInfo).to.have.property('name', GROUPS[group].nodeEphemeral);
        expect(res.cipher.standardName).to.equal(suite);
        const [hello, ...more] = end.tap.hellos();
        expect(more).to.have.length(0);
        expect(hello!.suites.map(suiteByCode)).to.include(suite);
        expect(hello!.shareGroups.map(groupByCode)).to.deep.equal([group]);

        expect(end.session.info).to.include({
          version: res.protocol,
          suite: res.cipher.standardName,
          group,
          signatureScheme: CERTS[cert].scheme,
          serverName: hello!.serverName,
          helloRetry: false,
        });
        expect(end.session.info.serverName).to.equal('localhost');
        expect(line).to.equal(ping);
        expect(res.data.toString()).to.equal(`pong:${ping}\n`);
      });
    }

    it('HelloRetryRequest: node sends an X25519 share, our server takes P-256 only', async function () {
      const server = await listenOurs({ ...CERTS.p256, groups: ['secp256r1'] });
      const ping = token('ping');
      const served = serveOnce(server, 0);
      const res = await runNodeTlsClient({
        port: server.port,
        ecdhCurve: 'X25519:P-256',
        input: ping + '\n',
        closeWhen: `pong:${ping}\n`,
        timeoutMs: 10_000,
      });
      const { end } = await served;
      const hellos = end.tap.hellos();
      expect(hellos.map((h) => h.shareGroups.map(groupByCode))).to.deep.equal([['x25519'], ['secp256r1']]);
      expect(hellos[0]!.cookie).to.equal(undefined);
      expect(hellos[1]!.cookie, 'second ClientHello echoes our cookie').to.not.equal(undefined);
      expect(res.ephemeralKeyInfo).to.have.property('name', GROUPS.secp256r1.nodeEphemeral);
      expect(end.session.info).to.include({ helloRetry: true, group: 'secp256r1', suite: res.cipher.standardName });
      expect(res.data.toString()).to.equal(`pong:${ping}\n`);
      await server.close();
    });

    it("helloRetry: 'always' (cookie only, node's share was fine)", async function () {
      const server = await listenOurs({ ...CERTS.p256, helloRetry: 'always' });
      const ping = token('ping');
      const served = serveOnce(server, 0);
      const res = await runNodeTlsClient({ port: server.port, input: ping + '\n', closeWhen: `pong:${ping}\n`, timeoutMs: 10_000 });
      const { end } = await served;
      const hellos = end.tap.hellos();
      expect(hellos).to.have.length(2);
      expect(hellos[1]!.shareGroups).to.deep.equal(hellos[0]!.shareGroups);
      expect(hellos[1]!.cookie).to.not.equal(undefined);
      expect(res.ephemeralKeyInfo).to.have.property('name', GROUPS[groupByCode(hellos[1]!.shareGroups[0]!) as ClassicalGroup].nodeEphemeral);
      expect(end.session.info).to.include({ helloRetry: true, group: groupByCode(hellos[1]!.shareGroups[0]!) });
      expect(res.data.toString()).to.equal(`pong:${ping}\n`);
      await server.close();
    });
  });

  describe('↔ openssl s_client -tls1_3', function () {
    before(function () {
      requirePeer('openssl', this);
    });

    const verifyArgs = ['-CAfile', CA_FILE, '-verify_return_error', '-servername', 'localhost'];

    for (const [cert, group, suite] of MATRIX) {
      it(`${suite} × ${group} × ${cert}`, async function () {
        const [server, index] = await serverFor(cert);
        const ping = token('ping');
        const served = serveOnce(server, index);
        const res = await runOpensslClient({
          port: server.port,
          args: ['-ciphersuites', suite, '-groups', GROUPS[group].openssl, ...verifyArgs],
          input: ping + '\n',
          closeWhen: `pong:${ping}\n`,
          timeoutMs: 10_000,
        });
        const { end, line } = await served;
        expect(res.code, res.stderr).to.equal(0);

        const summary = parseOpensslClientOutput(res.stdout);
        expect(summary).to.include({ protocol: 'TLSv1.3', cipher: suite, group, verifyCode: 0, peerSignatureType: CERTS[cert].opensslSigType });
        expect(end.session.info).to.include({
          version: summary.protocol,
          suite: summary.cipher,
          group: summary.group,
          signatureScheme: CERTS[cert].scheme,
          serverName: 'localhost',
          helloRetry: false,
        });
        expect(line).to.equal(ping);
        expect(res.stdout).to.contain(`pong:${ping}\n`);
        // Every NewSessionTicket we sent (decrypted off the wire) reached s_client.
        const ticketsSent = end.sent.decrypt('server', suite, end.keylog).filter((e) => e.kind === 'handshake' && e.type === 4).length;
        expect(ticketsSent).to.be.greaterThan(0);
        expect(res.stdout.match(/^Post-Handshake New Session Ticket arrived:$/gm)).to.have.length(ticketsSent);
      });
    }

    it('HelloRetryRequest: s_client -groups X25519:P-256 sends an X25519 share, our server takes P-256 only', async function () {
      const server = await listenOurs({ ...CERTS.p256, groups: ['secp256r1'] });
      const ping = token('ping');
      const served = serveOnce(server, 0);
      const res = await runOpensslClient({
        port: server.port,
        args: ['-groups', 'X25519:P-256', '-trace', ...verifyArgs],
        input: ping + '\n',
        closeWhen: `pong:${ping}\n`,
        timeoutMs: 10_000,
      });
      const { end } = await served;
      expect(res.code, res.stderr).to.equal(0);
      const hellos = traceHellos(res.stdout);
      expect(hellos.map((h) => `${h.dir} ${h.kind} ${h.shareGroups.map(groupByCode).join(',')}${h.cookie ? ' +cookie' : ''}`)).to.deep.equal([
        'Sent ClientHello x25519',
        'Received HelloRetryRequest secp256r1 +cookie',
        'Sent ClientHello secp256r1 +cookie',
        'Received ServerHello secp256r1',
      ]);
      const summary = parseOpensslClientOutput(res.stdout);
      expect(summary.verifyCode).to.equal(0);
      expect(end.session.info).to.include({ helloRetry: true, group: summary.group, suite: summary.cipher });
      await server.close();
    });

    it("helloRetry: 'always': s_client answers a cookie-only HelloRetryRequest", async function () {
      const server = await listenOurs({ ...CERTS.ed25519, helloRetry: 'always' });
      const ping = token('ping');
      const served = serveOnce(server, 0);
      const res = await runOpensslClient({
        port: server.port,
        args: ['-trace', ...verifyArgs],
        input: ping + '\n',
        closeWhen: `pong:${ping}\n`,
        timeoutMs: 10_000,
      });
      const { end } = await served;
      expect(res.code, res.stderr).to.equal(0);
      const hellos = traceHellos(res.stdout);
      expect(hellos.map((h) => `${h.dir} ${h.kind}${h.cookie ? ' +cookie' : ''}`)).to.deep.equal([
        'Sent ClientHello',
        'Received HelloRetryRequest +cookie',
        'Sent ClientHello +cookie',
        'Received ServerHello',
      ]);
      expect(hellos[1]!.shareGroups, 'no key_share in a cookie-only HRR').to.deep.equal([]);
      expect(hellos[2]!.shareGroups).to.deep.equal(hellos[0]!.shareGroups);
      const summary = parseOpensslClientOutput(res.stdout);
      expect(summary.verifyCode).to.equal(0);
      expect(end.session.info).to.include({ helloRetry: true, group: summary.group, suite: summary.cipher });
      await server.close();
    });
  });
});
