/**
 * Bulk data (issue 2, part 5): 1 MiB of random bytes each way at once (the
 * peer starts sending as soon as the handshake is done, while we send ours),
 * compared by SHA-256, against node:tls in both roles and every suite.
 *
 * Against openssl, s_client's stdout is text mixed with its own messages, so
 * the openssl case carries 1 MiB of base64 lines each way instead and
 * compares the decoded bytes.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { caPem } from '../support/fixtures.js';
import { requirePeer, startNodeTlsServer, stopAll } from './peers.js';
import { spawnTracked } from './proc.js';
import {
  CA_FILE,
  CERTS,
  closeOurs,
  collect,
  connectOurs,
  listenOurs,
  nodeClient,
  sha256,
  SUITE_NAMES,
  text,
  utf8,
  waitFor,
} from './tls13-support.js';

const MiB = 1024 * 1024;

describe('TLS 1.3 interop: 1 MiB each way', function () {
  this.timeout(30_000);

  after(async function () {
    await closeOurs();
    await stopAll();
  });

  for (const suite of SUITE_NAMES) {
    it(`our client ↔ node:tls server (${suite})`, async function () {
      const fromNode = randomBytes(MiB);
      const fromUs = randomBytes(MiB);
      const srv = await startNodeTlsServer({ ...CERTS.p256, onConnection: (socket) => socket.write(fromNode) });
      const end = await connectOurs(srv.port, { suites: [suite] });
      expect(end.session.info.suite).to.equal(suite);
      await end.driver.send(fromUs);
      const got = await end.driver.readBytes(MiB);
      expect(got.length).to.equal(MiB);
      expect(sha256(got)).to.equal(sha256(fromNode));
      const conn = await srv.waitForConnection(0);
      await waitFor(() => conn.data.length >= MiB, 'node to receive 1 MiB');
      expect(conn.data.length).to.equal(MiB);
      expect(sha256(conn.data)).to.equal(sha256(fromUs));
      expect(conn.cipher.standardName).to.equal(suite);
      await end.driver.bye();
      expect(await end.driver.readAll()).to.have.length(0);
    });

    it(`node:tls client ↔ our server (${suite})`, async function () {
      const fromNode = randomBytes(MiB);
      const fromUs = randomBytes(MiB);
      const server = await listenOurs({ ...CERTS.ed25519, suites: [suite] });
      const socket = await nodeClient({ port: server.port, servername: 'localhost', ca: caPem() });
      const got = collect(socket);
      socket.write(fromNode);
      const end = await server.accepted(0);
      await end.handshake;
      expect(socket.getCipher().standardName).to.equal(suite);
      await end.driver.send(fromUs);
      const received = await end.driver.readBytes(MiB);
      expect(received.length).to.equal(MiB);
      expect(sha256(received)).to.equal(sha256(fromNode));
      const nodeGot = await got.until(MiB);
      expect(nodeGot.length).to.equal(MiB);
      expect(sha256(nodeGot)).to.equal(sha256(fromUs));
      socket.end();
      expect(await end.driver.readAll()).to.have.length(0);
      await end.driver.bye();
      await server.close();
    });
  }

  it('openssl s_client ↔ our server: 1 MiB of base64 lines each way', async function () {
    requirePeer('openssl', this);
    const lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,64}/g) ?? []).join('\n') + '\n';
    const fromClient = randomBytes((3 * MiB) / 4); // 1 MiB as base64
    const fromUs = randomBytes((3 * MiB) / 4);
    const clientText = lines(fromClient);
    const ourText = `BEGIN-BULK\n${lines(fromUs)}END-BULK\n`;

    const server = await listenOurs(CERTS.p256);
    // -quiet: no session dump on stdout, and (-ign_eof) stdin's EOF does not close: we do.
    const t = spawnTracked(['openssl', 's_client', '-connect', `127.0.0.1:${server.port}`, '-tls1_3', '-quiet', '-CAfile', CA_FILE, '-servername', 'localhost', '-verify_return_error']);
    const end = await server.accepted(0);
    await end.handshake;
    t.proc.stdin!.end(clientText);
    await end.driver.send(utf8(ourText));
    const received = text(await end.driver.readBytes(clientText.length));
    expect(received.length).to.equal(clientText.length);
    expect(sha256(Buffer.from(received.replace(/\n/g, ''), 'base64'))).to.equal(sha256(fromClient));

    await t.waitForOutput('END-BULK\n', 20_000);
    await end.driver.bye();
    const { code } = await t.exited();
    expect(code, t.stderr()).to.equal(0);
    const out = t.stdout();
    const body = out.slice(out.indexOf('BEGIN-BULK\n') + 'BEGIN-BULK\n'.length, out.indexOf('END-BULK\n'));
    expect(sha256(Buffer.from(body.replace(/\n/g, ''), 'base64'))).to.equal(sha256(fromUs));
    expect(body.split('\n').every((l) => /^[A-Za-z0-9+/=]{0,64}$/.test(l)), 'nothing interleaved in the data').to.equal(true);
    await server.close();
  });
});
