/**
 * DTLS 1.2 interop with OpenSSL on 127.0.0.1, over real UDP sockets (our
 * DatagramSession driven by spec/dtls/support/udp-session.ts):
 *  - our client ↔ `openssl s_server -dtls1_2` (ECDSA P-256 fixture cert):
 *    data both ways, our close_notify seen by s_server, each of our suites
 *    forced with -cipher, -listen (stateless cookie exchange), -mtu 500;
 *  - retransmission through a relay that drops the server's first flight, or
 *    our ClientKeyExchange..Finished flight, once;
 *  - our server ↔ `openssl s_client -dtls1_2` verifying our certificate
 *    against the test CA, data both ways, close_notify in each direction,
 *    and -mtu 500.
 *
 * Each case reads the peer's side: what s_server / s_client printed of our
 * data, and the version and suite from its own output (s_server's session
 * PEM and "CIPHER is", s_client's summary).
 */
import { expect } from 'chai';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { EOF } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import {
  type DtlsPeerServer,
  type RelayDirection,
  UdpRelay,
  dtlsRecords,
  parseOpensslDtlsClientOutput,
  parseOpensslSession,
  runOpensslDtlsClient,
  startOpensslDtlsServer,
  stopAll,
} from './dtls-peers.js';
import { requirePeer } from './peers.js';
import { TLS12_SUITES, TLS12_SUITE_NAMES } from './tls12-peers.js';
import { CA_FILE, CERTS, text, token, utf8 } from './tls13-support.js';

const P256 = { cert: CERTS.p256.certFile, key: CERTS.p256.keyFile };
const clock = () => performance.now();

const sessions = new Set<UdpSession>();
function ourClient(port: number, mtu?: number): UdpSession {
  const u = new UdpSession(Session.client({ protocol: 'dtls', serverName: 'localhost', ca: caPem(), clock, mtu }));
  sessions.add(u);
  return u;
}
function closeSessions(): void {
  for (const u of sessions) u.close();
  sessions.clear();
}

/** Polls the server's output after `mark` (its length when this connection began) for `pattern`. */
async function outputAfter(server: DtlsPeerServer, mark: number, pattern: string | RegExp, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = server.output().slice(mark);
    if (typeof pattern === 'string' ? out.includes(pattern) : pattern.test(out)) return out;
    if (Date.now() > deadline) throw new Error(`no ${String(pattern)} from the peer within ${timeoutMs} ms; its output:\n${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads records until `want` has arrived (utf8). */
async function readUntil(u: UdpSession, want: string): Promise<string> {
  let got = '';
  while (!got.includes(want)) {
    const r = await u.recv(5000);
    if (r === EOF) throw new Error(`EOF before ${JSON.stringify(want)}; got ${JSON.stringify(got)}`);
    got += text(r);
  }
  return got;
}

/**
 * One association with s_server: handshake, a line each way (s_server prints
 * ours; we read the one typed into its stdin), our close_notify (s_server
 * prints DONE). Returns s_server's output for this association.
 */
async function converse(server: DtlsPeerServer, opts: { mtu?: number; port?: number } = {}): Promise<{ u: UdpSession; out: string }> {
  const mark = server.output().length;
  const u = ourClient(server.port, opts.mtu);
  await u.open(opts.port ?? server.port);
  await u.handshake();
  expect(u.session.info.version).to.equal('DTLSv1.2');

  const ours = token('from-rxtls');
  u.session.send(utf8(`${ours}\n`));
  await outputAfter(server, mark, ours);

  const theirs = token('from-openssl');
  server.send(`${theirs}\n`);
  expect(await readUntil(u, theirs)).to.equal(`${theirs}\n`);

  expect(u.session.bye()).to.equal('done');
  const out = await outputAfter(server, mark, /^DONE$/m);
  u.close();
  return { u, out };
}

/** What s_server says this association negotiated. */
function serverSays(out: string) {
  return { ...parseOpensslSession(out), cipher: /^CIPHER is (\S+)/m.exec(out)?.[1] };
}

describe('interop: DTLS 1.2, our client ↔ openssl s_server -dtls1_2', function () {
  this.timeout(15_000);
  before(function () {
    requirePeer('openssl', this);
  });
  afterEach(closeSessions);
  after(stopAll);

  describe('one s_server for several associations', () => {
    let server: DtlsPeerServer;
    before(async () => {
      server = await startOpensslDtlsServer(P256);
    });
    after(() => server?.stop());

    it('handshakes, carries a line each way, and s_server sees our close_notify', async () => {
      const { u, out } = await converse(server);
      const said = serverSays(out);
      expect(said.version).to.equal('DTLSv1.2');
      expect(said.suite).to.equal(TLS12_SUITES[u.session.info.suite as Tls12SuiteName].code);
      expect(said.cipher).to.equal(TLS12_SUITES[u.session.info.suite as Tls12SuiteName].openssl);
      expect(u.session.info).to.include({ signatureScheme: 'ecdsa_secp256r1_sha256' });
    });

    it('serves a second association after the first one closed', async () => {
      const { out } = await converse(server);
      expect(serverSays(out).version).to.equal('DTLSv1.2');
    });
  });

  for (const suite of TLS12_SUITE_NAMES) {
    it(`negotiates ${suite} when s_server allows only ${TLS12_SUITES[suite].openssl}`, async () => {
      const server = await startOpensslDtlsServer({ ...P256, args: ['-cipher', TLS12_SUITES[suite].openssl] });
      try {
        const { u, out } = await converse(server);
        expect(u.session.info.suite).to.equal(suite);
        expect(serverSays(out)).to.include({ version: 'DTLSv1.2', suite: TLS12_SUITES[suite].code, cipher: TLS12_SUITES[suite].openssl });
      } finally {
        await server.stop();
      }
    });
  }

  it('-listen: answers the stateless HelloVerifyRequest and completes', async () => {
    const server = await startOpensslDtlsServer({ ...P256, args: ['-listen'] });
    try {
      // A pass-through relay to see the cookie exchange on the wire.
      const relay = new UdpRelay(server.port, () => false);
      const port = await relay.open();
      const { out } = await converse(server, { port });
      relay.close();
      expect(serverSays(out).version).to.equal('DTLSv1.2');
      const hello = (dir: RelayDirection, type: number) =>
        relay.log.filter((e) => e.direction === dir && e.records.some((r) => r.handshake.some((h) => h.msgType === type)));
      // ClientHello, HelloVerifyRequest (type 3), ClientHello with the cookie, ServerHello.
      expect(hello('to-client', 3)).to.have.length(1);
      expect(hello('to-server', 1)).to.have.length(2);
      expect(hello('to-server', 1)[1]!.records[0]!.handshake[0]!.messageSeq).to.equal(1);
    } finally {
      await server.stop();
    }
  });

  it('-mtu 500 (and our mtu 500): a fragmented server flight, every datagram within 500 bytes', async () => {
    const server = await startOpensslDtlsServer({ ...P256, args: ['-mtu', '500'] });
    try {
      const sizes: Record<RelayDirection, number[]> = { 'to-client': [], 'to-server': [] };
      const relay = new UdpRelay(server.port, (d, dir) => (sizes[dir].push(d.length), false));
      const port = await relay.open();
      const { u, out } = await converse(server, { mtu: 500, port });
      relay.close();
      expect(serverSays(out).version).to.equal('DTLSv1.2');
      expect(Math.max(...sizes['to-client'])).to.be.at.most(500);
      expect(Math.max(...sizes['to-server'])).to.be.at.most(500);
      expect(u.session.mtu).to.equal(500);
      // Its Certificate (11) came in more than one fragment.
      const certFragments = relay.log
        .filter((e) => e.direction === 'to-client')
        .flatMap((e) => e.records.flatMap((r) => r.handshake))
        .filter((h) => h.msgType === 11);
      expect(certFragments.length).to.be.greaterThan(1);
      expect(certFragments.some((h) => h.fragmentOffset > 0)).to.equal(true);
    } finally {
      await server.stop();
    }
  });

  describe('retransmission through a lossy relay', () => {
    let server: DtlsPeerServer;
    before(async () => {
      server = await startOpensslDtlsServer(P256);
    });
    after(() => server?.stop());

    /**
     * Drops, in `direction`, every datagram carrying part of a flight (`inFlight`)
     * from the first one until the other side shows it noticed: it repeats a
     * handshake message it had sent before (its timer or the loss made it
     * retransmit). So exactly one transmission of the flight is lost, however
     * the sender cuts it (openssl refragments its resent flight after a loss).
     */
    function dropOneFlight(direction: RelayDirection, inFlight: (records: ReturnType<typeof dtlsRecords>) => boolean) {
      let state: 'before' | 'dropping' | 'after' = 'before';
      const otherSent = new Set<string>();
      return (d: Uint8Array, dir: RelayDirection): boolean => {
        const records = dtlsRecords(d);
        if (dir !== direction) {
          const keys = records.flatMap((r) => r.handshake.map((h) => `${h.msgType}/${h.messageSeq}`));
          if (state === 'dropping' && keys.some((k) => otherSent.has(k))) state = 'after';
          for (const k of keys) otherSent.add(k);
          return false;
        }
        if (state === 'after' || !inFlight(records)) return false;
        state = 'dropping';
        return true;
      };
    }
    const carries = (types: number[]) => (records: ReturnType<typeof dtlsRecords>) => records.some((r) => r.handshake.some((h) => types.includes(h.msgType)));

    it("completes when the server's first flight (ServerHello..ServerHelloDone) is lost once", async () => {
      const relay = new UdpRelay(server.port, dropOneFlight('to-client', carries([2, 11, 12, 14])));
      const port = await relay.open();
      const started = performance.now();
      const { out } = await converse(server, { port });
      relay.close();
      expect(serverSays(out).version).to.equal('DTLSv1.2');
      expect(relay.dropped.length).to.be.greaterThan(0);
      // Our ClientHello went out twice: our timer fired (about 1 s).
      const hellos = relay.log.filter((e) => e.direction === 'to-server' && e.records.some((r) => r.handshake.some((h) => h.msgType === 1)));
      expect(hellos.length).to.be.at.least(2);
      expect(performance.now() - started).to.be.within(900, 8000);
    });

    it('completes when our ClientKeyExchange..Finished flight is lost once', async () => {
      const relay = new UdpRelay(server.port, dropOneFlight('to-server', (rs) => carries([16])(rs) || rs.some((r) => r.type === 20 || r.epoch === 1)));
      const port = await relay.open();
      const { out } = await converse(server, { port });
      relay.close();
      expect(serverSays(out).version).to.equal('DTLSv1.2');
      expect(relay.dropped.length).to.be.greaterThan(0);
      // The server resent its flight (its ServerHello twice) and we resent ours.
      const serverHellos = relay.log.filter((e) => e.direction === 'to-client' && e.records.some((r) => r.handshake.some((h) => h.msgType === 2)));
      expect(serverHellos.length).to.be.at.least(2);
      const ckes = relay.log.filter((e) => e.direction === 'to-server' && e.records.some((r) => r.handshake.some((h) => h.msgType === 16)));
      expect(ckes.length).to.be.at.least(2);
    });
  });
});

describe('interop: DTLS 1.2, our server ↔ openssl s_client -dtls1_2', function () {
  this.timeout(15_000);
  before(function () {
    requirePeer('openssl', this);
  });
  afterEach(closeSessions);
  after(stopAll);

  function ourServer(mtu?: number): UdpSession {
    const u = new UdpSession(Session.server({ protocol: 'dtls', ...serverIdentity('p256'), clock, mtu }));
    sessions.add(u);
    return u;
  }

  const verifyArgs = ['-CAfile', CA_FILE, '-verify_return_error', '-servername', 'localhost'];

  for (const mtu of [undefined, 500]) {
    const label = mtu ? ' with -mtu 500 (and our mtu 500)' : '';
    it(`verifies our certificate, carries a line each way, and closes on its EOF (our recv() sees close_notify)${label}`, async () => {
      const u = ourServer(mtu);
      const serverPort = await u.open();
      // With an MTU, s_client talks to us through a pass-through relay that notes what each side sent.
      const relay = mtu ? new UdpRelay(serverPort, () => false) : undefined;
      const port = relay ? await relay.open() : serverPort;
      const ours = token('from-rxtls');
      const theirs = token('from-s_client');
      // s_client sends its line after the handshake, prints ours, then (closeWhen) gets EOF and sends close_notify.
      const client = runOpensslDtlsClient({
        port,
        args: [...verifyArgs, ...(mtu ? ['-mtu', String(mtu)] : [])],
        input: `${theirs}\n`,
        closeWhen: ours,
        timeoutMs: 10_000,
      });
      await u.handshake();
      expect(await readUntil(u, theirs)).to.equal(`${theirs}\n`);
      u.session.send(utf8(`${ours}\n`));
      expect(await u.recv(5000)).to.equal(EOF);
      // Answer its close_notify with ours, as an application does on EOF.
      expect(u.session.bye()).to.equal('done');
      const r = await client;
      const out = r.stdout + r.stderr;
      expect(r.code, out).to.equal(0);
      expect(r.stdout).to.include(ours);
      const said = parseOpensslDtlsClientOutput(out);
      expect(said, out).to.deep.equal({
        protocol: 'DTLSv1.2',
        cipher: TLS12_SUITES[u.session.info.suite as Tls12SuiteName].openssl,
        verifyCode: 0,
        extendedMasterSecret: true,
      });
      expect(out).to.match(/^DONE$/m);
      if (relay) {
        relay.close();
        for (const e of relay.log) expect(e.size).to.be.at.most(mtu!);
        // Our Certificate (11) went out in several fragments.
        const ourCert = relay.log.filter((e) => e.direction === 'to-client').flatMap((e) => e.records.flatMap((r) => r.handshake)).filter((h) => h.msgType === 11);
        expect(ourCert.some((h) => h.fragmentOffset > 0)).to.equal(true);
      }
    });
  }

  it('our close_notify ends s_client ("closed", exit 0)', async () => {
    const u = ourServer();
    const port = await u.open();
    const theirs = token('from-s_client');
    const client = runOpensslDtlsClient({ port, args: verifyArgs, input: `${theirs}\n`, timeoutMs: 10_000 });
    await u.handshake();
    await readUntil(u, theirs);
    expect(u.session.bye()).to.equal('done');
    const r = await client;
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout + r.stderr).to.match(/^closed$/m);
    expect(parseOpensslDtlsClientOutput(r.stdout + r.stderr).protocol).to.equal('DTLSv1.2');
  });
});
