/**
 * DTLS 1.2 interop with GnuTLS, over real UDP sockets:
 *  - our server ↔ `gnutls-cli --udp` on 127.0.0.1, verifying our P-256
 *    certificate against the test CA, a line each way, close_notify in each
 *    direction, each of our suites forced by priority, and --mtu 500;
 *  - our client ↔ `gnutls-serv --udp --echo` (with its cookie exchange).
 *    gnutls-serv binds every interface, so it runs in a private network
 *    namespace, and so does our client: dtls-client-main.ts as a node process
 *    in there (the TCP forwarder of netns.ts does not carry UDP).
 *
 * The peer's side: gnutls-cli prints what we sent and its "- Description:"
 * line (version, key exchange, signature, cipher); gnutls-serv echoes what
 * we sent and prints its own description of the session.
 */
import { expect } from 'chai';
import { EOF } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { serverIdentity } from '../support/fixtures.js';
import { GNUTLS_DTLS12_PRIORITY, UdpRelay, parseGnutlsServerDebug, runGnutlsDtlsClient, runOurDtlsClientIn, startGnutlsDtlsServer, stopAll } from './dtls-peers.js';
import { parseGnutlsDescription, requireNetns, requirePeer } from './peers.js';
import { TLS12_SUITES, TLS12_SUITE_NAMES } from './tls12-peers.js';
import { CA_FILE, CERTS, text, token, utf8 } from './tls13-support.js';

const clock = () => performance.now();
const sessions = new Set<UdpSession>();

function ourServer(mtu?: number): UdpSession {
  const u = new UdpSession(Session.server({ protocol: 'dtls', ...serverIdentity('p256'), clock, mtu }));
  sessions.add(u);
  return u;
}

async function readUntil(u: UdpSession, want: string): Promise<string> {
  let got = '';
  while (!got.includes(want)) {
    const r = await u.recv(5000);
    if (r === EOF) throw new Error(`EOF before ${JSON.stringify(want)}; got ${JSON.stringify(got)}`);
    got += text(r);
  }
  return got;
}

const verifyArgs = [`--x509cafile=${CA_FILE}`, '--sni-hostname=localhost', '--verify-hostname=localhost'];

describe('interop: DTLS 1.2, our server ↔ gnutls-cli --udp', function () {
  this.timeout(15_000);
  before(function () {
    requirePeer('gnutls-cli', this);
  });
  afterEach(() => {
    for (const u of sessions) u.close();
    sessions.clear();
  });
  after(stopAll);

  const cases: Array<{ label: string; suite?: Tls12SuiteName; mtu?: number }> = [
    { label: 'default priority' },
    ...TLS12_SUITE_NAMES.map((suite) => ({ label: `only ${TLS12_SUITES[suite].gnutls}`, suite })),
    { label: '--mtu 500 (and our mtu 500)', mtu: 500 },
  ];

  for (const c of cases) {
    it(`${c.label}: verifies our certificate, a line each way, its close_notify reaches our recv()`, async () => {
      const u = ourServer(c.mtu);
      const serverPort = await u.open();
      const relay = c.mtu ? new UdpRelay(serverPort, () => false) : undefined;
      const port = relay ? await relay.open() : serverPort;
      const ours = token('from-rxtls');
      const theirs = token('from-gnutls');
      const client = runGnutlsDtlsClient({
        port,
        insecure: false,
        priority: c.suite ? `${GNUTLS_DTLS12_PRIORITY}:-CIPHER-ALL:+${TLS12_SUITES[c.suite].gnutls}` : undefined,
        args: [...verifyArgs, ...(c.mtu ? [`--mtu=${c.mtu}`] : [])],
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
      expect(out).to.match(/Status: The certificate is trusted/);
      const said = parseGnutlsDescription(r.stdout);
      expect(said, out).to.deep.include({ protocol: 'DTLS1.2', signature: 'ECDSA-SHA256', cipher: TLS12_SUITES[u.session.info.suite as Tls12SuiteName].gnutls });
      if (c.suite) expect(u.session.info.suite).to.equal(c.suite);
      if (relay) {
        relay.close();
        for (const e of relay.log) expect(e.size).to.be.at.most(c.mtu!);
        const ourCert = relay.log.filter((e) => e.direction === 'to-client').flatMap((e) => e.records.flatMap((r) => r.handshake)).filter((h) => h.msgType === 11);
        expect(ourCert.some((h) => h.fragmentOffset > 0)).to.equal(true);
      }
    });
  }

  it('our close_notify ends gnutls-cli (exit 0)', async () => {
    const u = ourServer();
    const port = await u.open();
    const theirs = token('from-gnutls');
    const client = runGnutlsDtlsClient({ port, insecure: false, args: verifyArgs, input: `${theirs}\n`, timeoutMs: 10_000 });
    await u.handshake();
    await readUntil(u, theirs);
    expect(u.session.bye()).to.equal('done');
    const r = await client;
    const out = r.stdout + r.stderr;
    expect(r.code, out).to.equal(0);
    expect(out).to.match(/Peer has closed the GnuTLS connection/);
  });
});

describe('interop: DTLS 1.2, our client ↔ gnutls-serv --udp --echo (private netns)', function () {
  this.timeout(15_000);
  before(async function () {
    requirePeer('gnutls-serv', this);
    await requireNetns(this);
  });
  after(stopAll);

  for (const mtu of [undefined, 500]) {
    it(`handshake and echo round trip${mtu ? ' with --mtu 500 (and our mtu 500)' : ''}`, async () => {
      const server = await startGnutlsDtlsServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, args: mtu ? [`--mtu=${mtu}`] : [] });
      try {
        const message = `${token('from-rxtls')}\n`;
        const { result, exec } = await runOurDtlsClientIn(server.netns, { port: server.netnsPort, message, expect: message, mtu, timeoutMs: 12_000 });
        const detail = `ours: ${exec.stdout}${exec.stderr}\ngnutls-serv:\n${server.output().split('\n').filter((l) => !l.startsWith('|<')).join('\n')}`;
        expect(result.ok, detail).to.equal(true);
        expect(result).to.include({ version: 'DTLSv1.2', bye: 'done' });
        expect(result.received, detail).to.equal(message);
        // Its side: it asked for a cookie, printed our line, and selected DTLS 1.2 and our suite.
        const out = server.output();
        expect(out).to.include('Sending hello verify request');
        expect(out).to.match(new RegExp(`^received\\[[0-9a-f]+\\]: ${message.trim()}$`, 'm'));
        // Our close_notify: it prints EOF (and closes without answering, so we don't wait for one).
        await server.waitForOutput(/^EOF$/m, 3000);
        const said = parseGnutlsServerDebug(out);
        expect(said.version, detail).to.equal('DTLS1.2');
        expect(said.suite).to.equal(`GNUTLS_ECDHE_ECDSA_${TLS12_SUITES[result.suite as Tls12SuiteName].gnutls.replace(/-/g, '_')}${result.suite === 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384' ? '_SHA384' : result.suite === 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' ? '_SHA256' : ''}`);
        if (mtu) {
          expect(result.maxReceived).to.be.at.most(mtu);
          expect(result.maxSent).to.be.at.most(mtu);
        }
      } finally {
        await server.stop();
      }
    });
  }
});
