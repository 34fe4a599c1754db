/**
 * DTLS 1.2 with pre-shared keys (the CoAP suites of RFC 7252 and the other
 * PSK suites) and with ECDHE_ECDSA CCM_8, against OpenSSL and GnuTLS over
 * real UDP on 127.0.0.1, in both roles (gnutls-serv inside a private network
 * namespace, with our client beside it) and with a 500-byte MTU. Each case
 * reads from the peer's side: the line we sent in its output, the suite it
 * names, and the line it sent arriving here.
 */
import { expect } from 'chai';
import { EOF } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GNUTLS_DTLS12_PRIORITY,
  UdpRelay,
  parseGnutlsServerDebug,
  parseOpensslDtlsClientOutput,
  runGnutlsDtlsClient,
  runOpensslDtlsClient,
  runOurDtlsClientIn,
  startGnutlsDtlsServer,
  stopAll,
} from './dtls-peers.js';
import { requireNetns, requirePeer } from './peers.js';
import { spawnTracked } from './proc.js';
import { TLS12_SUITES } from './tls12-peers.js';
import { freeUdpPort } from './dtls-peers.js';
import { CERTS, text, token, utf8 } from './tls13-support.js';

// The identity and key of the example (and of many CoAP tutorials).
const ID = 'Client_identity';
const HEX = '000102030405060708090a0b0c0d0e0f';
const KEY = new Uint8Array(Buffer.from(HEX, 'hex'));
const clock = () => performance.now();
const sessions = new Set<UdpSession>();

const PSK_CASES: Array<{ suite: Tls12SuiteName; mtu?: number }> = [
  { suite: 'TLS_PSK_WITH_AES_128_CCM_8' },
  { suite: 'TLS_PSK_WITH_AES_128_CCM_8', mtu: 500 },
  { suite: 'TLS_PSK_WITH_AES_128_GCM_SHA256' },
  { suite: 'TLS_PSK_WITH_AES_128_GCM_SHA256', mtu: 500 },
  { suite: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256' },
];
const label = (c: { suite: Tls12SuiteName; mtu?: number }) => `${c.suite}${c.mtu ? ', MTU 500' : ''}`;

function track(u: UdpSession): UdpSession {
  sessions.add(u);
  return u;
}

function pskServer(suite: Tls12SuiteName, mtu?: number): UdpSession {
  const lookup = (identity: Uint8Array) => (Buffer.from(identity).toString() === ID ? KEY : undefined);
  return track(new UdpSession(Session.server({ protocol: 'dtls', psk: lookup, suites: [suite], clock, mtu })));
}

async function readLine(u: UdpSession, want: string): Promise<string> {
  let got = '';
  while (!got.includes(want)) {
    const r = await u.recv(5000);
    if (r === EOF) throw new Error(`EOF before ${want}`);
    got += text(r);
  }
  return got;
}

/** A relay that only watches (to check datagram sizes), when an MTU is set. */
async function watched(port: number, mtu?: number): Promise<{ port: number; relay?: UdpRelay }> {
  if (!mtu) return { port };
  const relay = new UdpRelay(port, () => false);
  return { port: await relay.open(), relay };
}

function expectWithin(relay: UdpRelay | undefined, mtu?: number): void {
  if (!relay) return;
  relay.close();
  expect(relay.log.length).to.be.greaterThan(3);
  for (const e of relay.log) expect(e.size).to.be.at.most(mtu!);
}

describe('interop: DTLS 1.2 PSK and CCM_8 suites', function () {
  this.timeout(15_000);
  afterEach(() => {
    for (const u of sessions) u.close();
    sessions.clear();
  });
  after(stopAll);

  describe('our server ↔ gnutls-cli --udp --pskusername --pskkey', () => {
    before(function () {
      requirePeer('gnutls-cli', this);
    });
    for (const c of PSK_CASES) {
      it(label(c), async function () {
        // gnutls-cli 3.7.9 crashes after any ECDHE-PSK handshake (seen over TLS as well): that suite is proved with openssl.
        if (c.suite.startsWith('TLS_ECDHE_PSK')) this.skip();
        const u = pskServer(c.suite, c.mtu);
        const { port, relay } = await watched(await u.open(), c.mtu);
        const ours = token('from-rxtls');
        const theirs = token('from-gnutls');
        const client = runGnutlsDtlsClient({
          port,
          priority: `${GNUTLS_DTLS12_PRIORITY}:-KX-ALL:+PSK:-CIPHER-ALL:+${TLS12_SUITES[c.suite].gnutls}`,
          args: ['--pskusername', ID, '--pskkey', HEX, ...(c.mtu ? [`--mtu=${c.mtu}`] : [])],
          input: `${theirs}\n`,
          closeWhen: ours,
          timeoutMs: 10_000,
        });
        await u.handshake();
        expect(await readLine(u, theirs)).to.equal(`${theirs}\n`);
        u.session.send(utf8(`${ours}\n`));
        expect(await u.recv(5000)).to.equal(EOF);
        u.session.bye();
        const r = await client;
        expect(r.code, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout).to.include(ours);
        // A PSK session has no signature part: "- Description: (DTLS1.2-X.509)-(PSK)-(AES-128-CCM-8)".
        expect(r.stdout).to.include(`- Description: (DTLS1.2-X.509)-(PSK)-(${TLS12_SUITES[c.suite].gnutls})`);
        expect(r.stdout).to.include(`PSK authentication. Connected as '${ID}'`);
        expect(u.session.info.suite).to.equal(c.suite);
        expect(u.session.info.pskIdentity).to.equal(ID);
        expectWithin(relay, c.mtu);
      });
    }
  });

  describe('our server ↔ openssl s_client -dtls1_2 -psk', () => {
    before(function () {
      requirePeer('openssl', this);
    });
    for (const c of PSK_CASES) {
      it(label(c), async () => {
        const u = pskServer(c.suite, c.mtu);
        const { port, relay } = await watched(await u.open(), c.mtu);
        const ours = token('from-rxtls');
        const theirs = token('from-openssl');
        const client = runOpensslDtlsClient({
          port,
          args: ['-psk', HEX, '-psk_identity', ID, '-cipher', TLS12_SUITES[c.suite].openssl, ...(c.mtu ? ['-mtu', String(c.mtu)] : [])],
          input: `${theirs}\n`,
          closeWhen: ours,
          timeoutMs: 10_000,
        });
        await u.handshake();
        expect(await readLine(u, theirs)).to.equal(`${theirs}\n`);
        u.session.send(utf8(`${ours}\n`));
        expect(await u.recv(5000)).to.equal(EOF);
        u.session.bye();
        const r = await client;
        expect(r.stdout).to.include(ours);
        expect(parseOpensslDtlsClientOutput(r.stdout)).to.deep.include({ protocol: 'DTLSv1.2', cipher: TLS12_SUITES[c.suite].openssl });
        expectWithin(relay, c.mtu);
      });
    }
  });

  describe('our client ↔ openssl s_server -dtls1_2 -psk', () => {
    before(function () {
      requirePeer('openssl', this);
    });
    const cases: Array<{ suite: Tls12SuiteName; mtu?: number; cert?: boolean }> = [...PSK_CASES, { suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', cert: true }];
    for (const c of cases) {
      it(label(c), async () => {
        const port = await freeUdpPort();
        const auth = c.cert ? ['-cert', 'spec/fixtures/server-p256.pem', '-key', 'spec/fixtures/server-p256.key'] : ['-nocert', '-psk', HEX, '-psk_identity', ID];
        const server = spawnTracked(['openssl', 's_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, ...auth, '-cipher', TLS12_SUITES[c.suite].openssl, ...(c.mtu ? ['-mtu', String(c.mtu)] : [])]);
        await server.waitForOutput(/^ACCEPT$/m, 5000);
        const { port: via, relay } = await watched(port, c.mtu);
        const options = c.cert
          ? { serverName: 'localhost', ca: caPem(), suites: [c.suite] }
          : { psk: { identity: ID, key: KEY }, suites: [c.suite] };
        const u = track(new UdpSession(Session.client({ protocol: 'dtls', clock, mtu: c.mtu, ...options })));
        await u.open(via);
        try {
          await u.handshake();
          expect(u.session.info.suite).to.equal(c.suite);
          const ours = token('from-rxtls');
          u.session.send(utf8(`${ours}\n`));
          await server.waitForOutput(ours, 5000);
          const theirs = token('from-openssl');
          server.proc.stdin!.write(`${theirs}\n`);
          expect(await readLine(u, theirs)).to.equal(`${theirs}\n`);
          expect(server.output()).to.match(new RegExp(`CIPHER is ${TLS12_SUITES[c.suite].openssl}`));
          expectWithin(relay, c.mtu);
        } finally {
          await server.stop();
        }
      });
    }
  });

  describe('our client ↔ gnutls-serv --udp --echo --pskpasswd (private netns)', () => {
    before(async function () {
      requirePeer('gnutls-serv', this);
      await requireNetns(this);
    });
    for (const c of PSK_CASES.filter((c) => !c.suite.startsWith('TLS_ECDHE_PSK'))) {
      it(label(c), async () => {
        const dir = await mkdtemp(join(tmpdir(), 'rxtls-psk-'));
        const passwd = join(dir, 'psk.passwd');
        await writeFile(passwd, `${ID}:${HEX}\n`);
        const server = await startGnutlsDtlsServer({
          cert: CERTS.p256.certFile,
          key: CERTS.p256.keyFile,
          priority: `${GNUTLS_DTLS12_PRIORITY}:-KX-ALL:+PSK:-CIPHER-ALL:+${TLS12_SUITES[c.suite].gnutls}`,
          args: [`--pskpasswd=${passwd}`, ...(c.mtu ? [`--mtu=${c.mtu}`] : [])],
        });
        try {
          const message = `${token('from-rxtls')}\n`;
          const { result, exec } = await runOurDtlsClientIn(server.netns, {
            port: server.netnsPort,
            message,
            expect: message,
            mtu: c.mtu,
            timeoutMs: 12_000,
            psk: { identity: ID, keyHex: HEX, suites: [c.suite] },
          });
          const detail = `ours: ${exec.stdout}${exec.stderr}`;
          expect(result.ok, detail).to.equal(true);
          expect(result).to.include({ version: 'DTLSv1.2', suite: c.suite });
          expect(result.received, detail).to.equal(message);
          // Its side: our line arrived, and it selected the PSK suite.
          const out = server.output();
          expect(out).to.match(new RegExp(`^received\\[[0-9a-f]+\\]: ${message.trim()}$`, 'm'));
          expect(parseGnutlsServerDebug(out).suite).to.match(/^GNUTLS_PSK_AES_128_(CCM_8|GCM_SHA256)$/);
          if (c.mtu) {
            expect(result.maxReceived).to.be.at.most(c.mtu);
            expect(result.maxSent).to.be.at.most(c.mtu);
          }
        } finally {
          await server.stop();
          await rm(dir, { recursive: true, force: true });
        }
      });
    }
  });
});
