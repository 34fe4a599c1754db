/**
 * KeyUpdate both ways (issue 2, part 4), on 127.0.0.1.
 *
 * Evidence comes from outside our implementation: the records on the wire,
 * decrypted by an independent node:crypto opener (tls13-support.ts WireTap)
 * that follows each sender's KeyUpdates, and openssl's own `-trace` of the
 * KeyUpdate messages it sent and received. Data must keep flowing in both
 * directions under the new keys.
 *
 * Peer-initiated updates use openssl's interactive commands ("k": KeyUpdate,
 * "K": KeyUpdate with update_requested). node:tls has no public KeyUpdate API,
 * so against node only our side initiates (node must still answer).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { SuiteName } from '../../lib/tls13/suites.js';
import { caPem } from '../support/fixtures.js';
import { requirePeer, startNodeTlsServer, startOpensslServer, stopAll, type OpensslServer } from './peers.js';
import { spawnTracked } from './proc.js';
import {
  CA_FILE,
  CERTS,
  closeGracefully,
  closeOurs,
  connectOurs,
  dataByGeneration,
  keyUpdates,
  listenOurs,
  nodeClient,
  sha256,
  text,
  token,
  traceKeyUpdates,
  utf8,
  waitFor,
  type OurEnd,
} from './tls13-support.js';

/** Reads one "\n"-terminated line (without the newline) from our session. */
async function readLine(end: OurEnd): Promise<string> {
  let got = '';
  while (!got.includes('\n')) {
    const chunk = await end.driver.readBytes(1);
    if (chunk.length === 0) throw new Error(`EOF before a whole line; got ${JSON.stringify(got)}`);
    got += text(chunk);
  }
  expect(got.indexOf('\n'), 'one line at a time').to.equal(got.length - 1);
  return got.slice(0, -1);
}

describe('TLS 1.3 interop: KeyUpdate', function () {
  this.timeout(20_000);

  after(async function () {
    await closeOurs();
    await stopAll();
  });

  describe('node:tls (we initiate; node has no KeyUpdate API)', function () {
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] as SuiteName[]) {
      it(`our client keyUpdate(true) mid-stream: node answers and echoes under new keys (${suite})`, async function () {
        const srv = await startNodeTlsServer({ ...CERTS.p256, echo: true });
        const end = await connectOurs(srv.port, { suites: [suite] });
        const [m1, m2, m3] = [token('before'), token('after'), token('later')];
        await end.driver.send(utf8(m1));
        expect(text(await end.driver.readBytes(m1.length))).to.equal(m1);
        await end.driver.until(() => end.session.keyUpdate(true));
        await end.driver.send(utf8(m2));
        expect(text(await end.driver.readBytes(m2.length))).to.equal(m2);
        await end.driver.send(utf8(m3));
        expect(text(await end.driver.readBytes(m3.length))).to.equal(m3);
        const conn = await srv.waitForConnection(0);
        expect(conn.data.toString()).to.equal(m1 + m2 + m3);

        // Our stream: one KeyUpdate asking for an answer, our data after it under key generation 1.
        const ours = end.sent.decrypt('client', suite, end.keylog);
        expect(keyUpdates(ours)).to.deep.equal([{ requested: true, generation: 0 }]);
        expect(Object.fromEntries(dataByGeneration(ours))).to.deep.equal({ 0: m1, 1: m2 + m3 });
        // Node's stream: it answered with its own KeyUpdate (not requesting one back) and kept echoing.
        const theirs = end.tap.decrypt('server', suite, end.keylog);
        expect(keyUpdates(theirs)).to.deep.equal([{ requested: false, generation: 0 }]);
        expect(Object.fromEntries(dataByGeneration(theirs))).to.deep.equal({ 0: m1, 1: m2 + m3 });
        await closeGracefully(end);
      });
    }

    it('keyUpdateAfterRecords: our client updates its key by itself every N records; node follows', async function () {
      const srv = await startNodeTlsServer({ ...CERTS.p256, echo: true });
      const every = 8;
      const end = await connectOurs(srv.port, { keyUpdateAfterRecords: every });
      const suite = end.session.info.suite as SuiteName;
      const data = randomBytes(40 * 16384); // 40 full records
      await end.driver.send(data);
      const echoed = await end.driver.readBytes(data.length);
      expect(sha256(echoed)).to.equal(sha256(data));
      const conn = await srv.waitForConnection(0);
      expect(sha256(conn.data)).to.equal(sha256(data));

      const ours = end.sent.decrypt('client', suite, end.keylog);
      const updates = keyUpdates(ours);
      const records = ours.filter((e) => e.kind === 'data').length;
      expect(updates.length).to.equal(Math.ceil(records / every) - 1);
      expect(updates.every((u) => !u.requested)).to.equal(true);
      // No generation carries more than `every` records.
      const perGeneration = new Map<number, number>();
      for (const e of ours) if (e.kind === 'data') perGeneration.set(e.generation, (perGeneration.get(e.generation) ?? 0) + 1);
      expect(Math.max(...perGeneration.values())).to.be.at.most(every);
      // Node was not asked to update, so it did not.
      expect(keyUpdates(end.tap.decrypt('server', suite, end.keylog))).to.deep.equal([]);
      await closeGracefully(end);
    });

    it('our server keyUpdate(true) mid-stream: the node:tls client answers and keeps echoing', async function () {
      const server = await listenOurs({ ...CERTS.ed25519, suites: ['TLS_CHACHA20_POLY1305_SHA256'] });
      const socket = await nodeClient({ port: server.port, servername: 'localhost', ca: caPem() });
      socket.on('data', (d: Buffer) => socket.write(d)); // the client echoes
      const end = await server.accepted(0);
      await end.handshake;
      const [m1, m2, m3] = [token('before'), token('after'), token('later')];
      await end.driver.send(utf8(m1));
      expect(text(await end.driver.readBytes(m1.length))).to.equal(m1);
      await end.driver.until(() => end.session.keyUpdate(true));
      await end.driver.send(utf8(m2));
      expect(text(await end.driver.readBytes(m2.length))).to.equal(m2);
      await end.driver.send(utf8(m3));
      expect(text(await end.driver.readBytes(m3.length))).to.equal(m3);

      const suite = end.session.info.suite as SuiteName;
      const ours = end.sent.decrypt('server', suite, end.keylog);
      expect(keyUpdates(ours)).to.deep.equal([{ requested: true, generation: 0 }]);
      expect(Object.fromEntries(dataByGeneration(ours))).to.deep.equal({ 0: m1, 1: m2 + m3 });
      const theirs = end.tap.decrypt('client', suite, end.keylog);
      expect(keyUpdates(theirs)).to.deep.equal([{ requested: false, generation: 0 }]);
      expect(Object.fromEntries(dataByGeneration(theirs))).to.deep.equal({ 0: m1, 1: m2 + m3 });
      socket.end();
      await end.driver.readAll();
      await end.driver.bye();
      await server.close();
    });
  });

  describe('openssl', function () {
    before(function () {
      requirePeer('openssl', this);
    });

    it('our client keyUpdate(true): s_server logs it, answers, and data flows both ways', async function () {
      const srv = await startOpensslServer({ ...files('p256'), args: ['-trace'] });
      const end = await connectOurs(srv.port);
      const suite = end.session.info.suite as SuiteName;
      const [p1, p2, q2] = [token('ping'), token('ping'), token('pong')];
      await end.driver.send(utf8(p1 + '\n'));
      await srv.waitForOutput(p1);
      await end.driver.until(() => end.session.keyUpdate(true));
      await end.driver.send(utf8(p2 + '\n'));
      await srv.waitForOutput(p2);
      srv.send(q2 + '\n');
      expect(await readLine(end)).to.equal(q2);
      await closeGracefully(end);

      expect(traceKeyUpdates(await flushedOutput(srv))).to.deep.equal([
        { dir: 'Received', requested: true },
        { dir: 'Sent', requested: false },
      ]);
      const theirs = end.tap.decrypt('server', suite, end.keylog);
      expect(keyUpdates(theirs)).to.deep.equal([{ requested: false, generation: 0 }]);
      expect(dataByGeneration(theirs).get(1)).to.equal(q2 + '\n');
    });

    for (const cmd of ['K', 'k'] as const) {
      const requested = cmd === 'K';
      it(`s_server "${cmd}" (KeyUpdate${requested ? ' with update_requested' : ''}): our client ${requested ? 'answers' : 'does not answer'}; data flows both ways`, async function () {
        const srv = await startOpensslServer({ ...files('ed25519'), args: ['-trace'] });
        const end = await connectOurs(srv.port);
        const suite = end.session.info.suite as SuiteName;
        const [p1, q1, q2, p2] = [token('ping'), token('pong'), token('pong'), token('ping')];
        await end.driver.send(utf8(p1 + '\n'));
        await srv.waitForOutput(p1);
        srv.send(q1 + '\n');
        expect(await readLine(end)).to.equal(q1);
        srv.send(`${cmd}\n`);
        // s_server drops whatever follows the command in the same read, so wait for the KeyUpdate to arrive.
        await waitFor(() => keyUpdates(end.tap.decrypt('server', suite, end.keylog)).length === 1, 'the KeyUpdate from s_server');
        srv.send(q2 + '\n');
        expect(await readLine(end)).to.equal(q2); // processes the KeyUpdate (and answers it if asked)
        await end.driver.send(utf8(p2 + '\n'));
        await srv.waitForOutput(p2);

        const theirs = end.tap.decrypt('server', suite, end.keylog);
        expect(keyUpdates(theirs)).to.deep.equal([{ requested, generation: 0 }]);
        expect(Object.fromEntries(dataByGeneration(theirs))).to.deep.equal({ 0: q1 + '\n', 1: q2 + '\n' });
        const ours = end.sent.decrypt('client', suite, end.keylog);
        expect(keyUpdates(ours)).to.deep.equal(requested ? [{ requested: false, generation: 0 }] : []);
        expect(Object.fromEntries(dataByGeneration(ours))).to.deep.equal(requested ? { 0: p1 + '\n', 1: p2 + '\n' } : { 0: p1 + '\n' + p2 + '\n' });
        await closeGracefully(end);
        expect(traceKeyUpdates(await flushedOutput(srv))).to.deep.equal([
          { dir: 'Sent', requested },
          ...(requested ? [{ dir: 'Received', requested: false }] : []),
        ]);
      });
    }

    /** s_client with command letters on, stdin under the test's control. */
    function sClient(port: number) {
      const argv = ['openssl', 's_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-trace', '-CAfile', CA_FILE, '-servername', 'localhost', '-verify_return_error'];
      const t = spawnTracked(argv);
      return { t, type: (line: string) => void t.proc.stdin!.write(line + '\n') };
    }

    it('s_client "K": our server answers the requested update; data flows both ways', async function () {
      const server = await listenOurs(CERTS.p256);
      const { t, type } = sClient(server.port);
      const end = await server.accepted(0);
      await end.handshake;
      const suite = end.session.info.suite as SuiteName;
      const [p1, q1, p2, q2] = [token('ping'), token('pong'), token('ping'), token('pong')];
      type(p1);
      expect(await readLine(end)).to.equal(p1);
      await end.driver.send(utf8(q1 + '\n'));
      await t.waitForOutput(q1, 5000);
      type('K');
      // s_client drops whatever follows the command letter in the same read: wait for it to act first.
      await t.waitForOutput('KEYUPDATE', 5000);
      type(p2);
      expect(await readLine(end)).to.equal(p2); // after the KeyUpdate, under the client's new key
      await end.driver.send(utf8(q2 + '\n'));
      await t.waitForOutput(q2, 5000);
      t.proc.stdin!.end(); // s_client sends close_notify
      await end.driver.readAll();
      await end.driver.bye();
      expect((await t.exited()).code, t.stderr()).to.equal(0);

      expect(traceKeyUpdates(t.stdout())).to.deep.equal([
        { dir: 'Sent', requested: true },
        { dir: 'Received', requested: false },
      ]);
      const theirs = end.tap.decrypt('client', suite, end.keylog);
      expect(keyUpdates(theirs)).to.deep.equal([{ requested: true, generation: 0 }]);
      expect(dataByGeneration(theirs).get(1)).to.equal(p2 + '\n');
      const ours = end.sent.decrypt('server', suite, end.keylog);
      expect(keyUpdates(ours)).to.deep.equal([{ requested: false, generation: 0 }]);
      expect(Object.fromEntries(dataByGeneration(ours))).to.deep.equal({ 0: q1 + '\n', 1: q2 + '\n' });
      await server.close();
    });

    it('our server keyUpdate(true): s_client logs it and answers; data flows both ways', async function () {
      const server = await listenOurs(CERTS.ed25519);
      const { t, type } = sClient(server.port);
      const end = await server.accepted(0);
      await end.handshake;
      const suite = end.session.info.suite as SuiteName;
      const [p1, q1, p2] = [token('ping'), token('pong'), token('ping')];
      type(p1);
      expect(await readLine(end)).to.equal(p1);
      await end.driver.until(() => end.session.keyUpdate(true));
      await end.driver.send(utf8(q1 + '\n'));
      await t.waitForOutput(q1, 5000);
      type(p2); // s_client's answering KeyUpdate goes out at the latest with this
      expect(await readLine(end)).to.equal(p2);
      t.proc.stdin!.end();
      await end.driver.readAll();
      await end.driver.bye();
      expect((await t.exited()).code, t.stderr()).to.equal(0);

      expect(traceKeyUpdates(t.stdout())).to.deep.equal([
        { dir: 'Received', requested: true },
        { dir: 'Sent', requested: false },
      ]);
      const theirs = end.tap.decrypt('client', suite, end.keylog);
      expect(keyUpdates(theirs)).to.deep.equal([{ requested: false, generation: 0 }]);
      expect(Object.fromEntries(dataByGeneration(theirs))).to.deep.equal({ 0: p1 + '\n', 1: p2 + '\n' });
      await server.close();
    });
  });
});

/**
 * s_server's output once the (only) connection got our close_notify. Its
 * -trace lines go through buffered stdio and may lag behind the data it
 * writes; it flushes when it prints DONE for the close_notify.
 */
async function flushedOutput(srv: OpensslServer): Promise<string> {
  await srv.waitForOutput(/^DONE$/m);
  return srv.output();
}

function files(cert: keyof typeof CERTS) {
  return { cert: CERTS[cert].certFile, key: CERTS[cert].keyFile };
}

