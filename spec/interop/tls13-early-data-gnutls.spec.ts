/**
 * TLS 1.3 0-RTT against GnuTLS, both roles: `gnutls-cli --resume
 * --earlydata=FILE` against our listenTls server with `maxEarlyData` (our
 * server reads the file's bytes on earlyData$ and echoes them; gnutls-cli
 * prints the echo on its resumed connection), and our client resuming
 * against `gnutls-serv --earlydata --echo` (in a private network namespace)
 * with its first line sent as early data, which gnutls-serv takes
 * (`info.earlyData`; it reads early data apart and does not echo it), then
 * verifies our Finished over the EndOfEarlyData and echoes the 1-RTT data.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, ReplaySubject, take } from 'rxjs';
import { connectTls, listenTls, type SecureChannel } from '../../lib/node/index.js';
import { caPem, fixturePath, serverIdentity } from '../support/fixtures.js';
import { text } from '../node-interop/helpers.js';
import { GNUTLS_TLS13_PRIORITY, requirePeer, runGnutlsClient, startGnutlsServer, stopAll } from './peers.js';
import { token } from './tls13-support.js';

describe('TLS 1.3 0-RTT interop with GnuTLS', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'rxtls-gnutls-early-'))));
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stopAll();
  });

  it('gnutls-cli --resume --earlydata against our server: read on earlyData$, echoed on the resumed connection', async function () {
    requirePeer('gnutls-cli', this);
    const listening = new ReplaySubject<AddressInfo>(1);
    const channels: SecureChannel[] = [];
    const early: string[] = [];
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, session: { maxEarlyData: 16384 } }).subscribe((channel) => {
      channels.push(channel);
      channel.earlyData$.subscribe((chunk) => (early.push(text(chunk)), channel.next(chunk)));
      channel.subscribe({ next: (chunk) => channel.next(chunk), error: () => {} });
    });
    try {
      const { port } = await firstValueFrom(listening);
      const line = token('gnutls-early');
      const file = join(dir, 'early.txt');
      writeFileSync(file, `${line}\n`);
      const run = await runGnutlsClient({
        port,
        insecure: false,
        priority: GNUTLS_TLS13_PRIORITY,
        args: ['--resume', `--earlydata=${file}`, `--x509cafile=${fixturePath('ca.pem')}`, '--sni-hostname=localhost', '--verify-hostname=localhost'],
        input: 'stdin-line\n',
        closeWhen: line,
        timeoutMs: 15_000,
      });
      expect(run.stdout).to.match(/This is a resumed session/);
      expect(run.stdout).to.include(line);
      expect(early).to.deep.equal([`${line}\n`]);
      expect(channels.map((c) => [c.info.resumed, c.info.earlyData])).to.deep.equal([
        [false, undefined],
        [true, true],
      ]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('our client against gnutls-serv --earlydata --echo: its early data is taken (info.earlyData), the 1-RTT data after it echoed', async function () {
    requirePeer('gnutls-serv', this);
    const server = await startGnutlsServer({
      cert: fixturePath('server-p256.pem'),
      key: fixturePath('server-p256.key'),
      priority: GNUTLS_TLS13_PRIORITY,
      args: ['--earlydata', '--maxearlydata=16384'],
    });
    try {
      const connect = (session?: Parameters<typeof connectTls>[0]['session']) =>
        firstValueFrom(connectTls({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: caPem(), session }));
      const first = await connect();
      first.subscribe({ error: () => {} });
      const ticket = await firstValueFrom(first.session$.pipe(take(1)));
      expect(ticket).to.include({ version: 'TLSv1.3' });
      expect((ticket as { maxEarlyData: number }).maxEarlyData).to.be.greaterThan(0);
      first.complete();
      const second = await connect({ session: ticket, earlyData: true });
      second.next(new TextEncoder().encode(`${token('our-early')}\n`));
      const info = await firstValueFrom(second.handshake$);
      // gnutls-serv took the early data (early_data in its EncryptedExtensions) and then our Finished,
      // whose transcript holds the EndOfEarlyData we sent under the early key.
      expect(info).to.include({ resumed: true, earlyData: true });
      // gnutls-serv --echo reads early data apart and does not echo it; 1-RTT data after it is echoed.
      const line = token('one-rtt');
      second.next(new TextEncoder().encode(`${line}\n`));
      const echoed = await new Promise<string>((resolve, reject) => {
        let got = '';
        second.subscribe({ next: (c) => (got += text(c)).includes('\n') && resolve(got), error: reject });
      });
      expect(echoed).to.equal(`${line}\n`);
      second.complete();
    } finally {
      await server.stop();
    }
  });
});
