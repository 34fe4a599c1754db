/**
 * Version negotiation seen from both ends (the TLS 1.2 issue's version
 * matrix, client side; the server side is in tls12-server.spec.ts): our
 * client with its default range, TLS 1.2 only and TLS 1.3 only, against
 * node:tls and openssl s_server speaking 1.2 only, 1.3 only or both. Also
 * the TLS 1.2 key log: our CLIENT_RANDOM line carries the master secret
 * openssl reports for the same session.
 */
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, ReplaySubject } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { connectTls, listenTls } from '../../lib/node/index.js';
import { caPem, fixture, fixturePath } from '../support/fixtures.js';
import { requirePeer, startOpensslServer, stopAll } from './peers.js';
import { spawnTracked } from './proc.js';

type Range = { minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3' };
const OURS: Record<string, Range> = { default: {}, '1.2 only': { maxVersion: 'TLSv1.2' }, '1.3 only': { minVersion: 'TLSv1.3' } };
const PEERS: Record<string, { node: Range; openssl: 'tls1_2' | 'tls1_3' | 'any' }> = {
  '1.2 only': { node: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, openssl: 'tls1_2' },
  '1.3 only': { node: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, openssl: 'tls1_3' },
  both: { node: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }, openssl: 'any' },
};
/** What each pairing must give: the version, or the alert that ends it. */
const EXPECTED: Record<string, Record<string, string>> = {
  default: { '1.2 only': 'TLSv1.2', '1.3 only': 'TLSv1.3', both: 'TLSv1.3' },
  '1.2 only': { '1.2 only': 'TLSv1.2', '1.3 only': 'protocol_version', both: 'TLSv1.2' },
  '1.3 only': { '1.2 only': 'protocol_version', '1.3 only': 'TLSv1.3', both: 'TLSv1.3' },
};

/** Our client's outcome against 127.0.0.1:port: the version, or the alert (sent or received). */
async function outcome(port: number, range: Range): Promise<string> {
  const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), ...range }));
  channel.subscribe({ error: () => {} });
  try {
    return (await firstValueFrom(channel.handshake$)).version!;
  } catch (e) {
    expect(e).to.be.instanceOf(TlsError);
    return (e as TlsError).alert;
  } finally {
    channel.complete();
  }
}

describe('TLS 1.2 interop: the version matrix of our client', function () {
  this.timeout(30_000);
  after(() => stopAll());

  for (const [peerName, peer] of Object.entries(PEERS)) {
    describe(`node:tls server, ${peerName}`, () => {
      let server: tls.Server;
      let port: number;
      before(async () => {
        server = tls.createServer({ cert: fixture('server-p256.pem'), key: fixture('server-p256.key'), ...peer.node }, (s) => s.on('error', () => {}).end());
        server.on('tlsClientError', () => {});
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        port = (server.address() as AddressInfo).port;
      });
      after(() => new Promise<void>((r) => server.close(() => r())));
      for (const [ourName, range] of Object.entries(OURS)) {
        it(`our client, ${ourName}: ${EXPECTED[ourName]![peerName]}`, async () => {
          expect(await outcome(port, range)).to.equal(EXPECTED[ourName]![peerName]);
        });
      }
    });

    describe(`openssl s_server, ${peerName}`, () => {
      for (const [ourName, range] of Object.entries(OURS)) {
        it(`our client, ${ourName}: ${EXPECTED[ourName]![peerName]}`, async function () {
          requirePeer('openssl', this);
          const server = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), version: peer.openssl });
          try {
            expect(await outcome(server.port, range)).to.equal(EXPECTED[ourName]![peerName]);
          } finally {
            await server.stop();
          }
        });
      }
    });
  }

  it('TLS 1.2 key log: the master secret in our CLIENT_RANDOM line is the one openssl s_client reports', async function () {
    requirePeer('openssl', this);
    const lines: string[] = [];
    const listening = new ReplaySubject<AddressInfo>(1);
    const sub = listenTls({
      cert: fixture('server-p256.pem'),
      key: fixture('server-p256.key'),
      host: '127.0.0.1',
      keylog: (l) => lines.push(l),
      listeningObserver: listening,
    }).subscribe((ch) => ch.subscribe({ next: () => ch.complete(), error: () => {} }));
    try {
      const { port } = await firstValueFrom(listening);
      const t = spawnTracked(['openssl', 's_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', '-nocommands']);
      t.proc.stdin!.end('x\n');
      await t.exited();
      const master = t.stdout().match(/Master-Key: ([0-9A-F]+)/)?.[1];
      expect(master, t.stdout()).to.have.length(96);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(new RegExp(`^CLIENT_RANDOM [0-9a-f]{64} ${master!.toLowerCase()}$`));
    } finally {
      sub.unsubscribe();
    }
  });
});
