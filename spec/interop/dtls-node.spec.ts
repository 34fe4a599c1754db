/**
 * connectDtls and listenDtls against OpenSSL's DTLS 1.2 tools on 127.0.0.1:
 * `openssl s_server -dtls1_2` answering our client, `openssl s_client
 * -dtls1_2` (also with -mtu 500 against a listener whose mtu is 500)
 * talking to our listener through its cookie gate.
 */
import { expect } from 'chai';
import { EMPTY, catchError, firstValueFrom, mergeMap, ReplaySubject, Subject, take, tap, toArray, type Subscription } from 'rxjs';
import { connectDtls } from '../../lib/node/connect-dtls.js';
import type { DtlsListening, ListenDtlsOptions } from '../../lib/node/dtls-options.js';
import { listenDtls } from '../../lib/node/listen-dtls.js';
import type { DatagramChannel } from '../../lib/rx/datagram-channel.js';
import { caPem, fixturePath, serverIdentity } from '../support/fixtures.js';
import { freePort, requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';

const CA = caPem();
const { cert, key } = serverIdentity('p256');
const text = (d: Uint8Array) => new TextDecoder().decode(d);

/** Our echo listener on 127.0.0.1; records each datagram's size as it arrives and the negotiated suites. */
async function echoListener(extra: Partial<ListenDtlsOptions> = {}) {
  const listening = new Subject<DtlsListening>();
  const got = firstValueFrom(listening);
  const suites: string[] = [];
  const sub: Subscription = listenDtls({ host: '127.0.0.1', cert, key, listeningObserver: listening, ...extra })
    .pipe(
      mergeMap((channel: DatagramChannel) => {
        channel.handshake$.subscribe({ next: (i) => suites.push(`${i.version} ${i.suite}`), error: () => {} });
        return channel.pipe(
          tap((d) => channel.next(d)),
          catchError(() => EMPTY),
        );
      }),
    )
    .subscribe({ error: () => {} });
  const l = await got;
  return { port: l.port, stats: l.stats, suites, close: () => sub.unsubscribe() };
}

describe('interop: connectDtls / listenDtls with openssl -dtls1_2', function () {
  this.timeout(20_000);
  after(stopAll);

  it('connectDtls → openssl s_server -dtls1_2: handshake, a datagram each way, close_notify', async function () {
    requirePeer('openssl', this);
    const port = await freePort();
    const server = await startOpensslServer({
      port,
      cert: fixturePath('server-p256.pem'),
      key: fixturePath('server-p256.key'),
      version: 'any',
      args: ['-dtls1_2'],
    });
    try {
      const channel = await firstValueFrom(connectDtls({ host: '127.0.0.1', port, servername: 'localhost', ca: CA }));
      const received = new ReplaySubject<Uint8Array>();
      channel.subscribe({ next: (d) => received.next(d), error: (e) => received.error(e) });
      const info = await firstValueFrom(channel.handshake$);
      expect(info.version).to.equal('DTLSv1.2');
      channel.next(new TextEncoder().encode('hello from rxtls\n'));
      await server.waitForOutput('hello from rxtls');
      server.send('hello from openssl\n');
      expect(text(await firstValueFrom(received))).to.equal('hello from openssl\n');
      channel.complete();
      await server.waitForOutput(/DONE|shutting down SSL|CONNECTION CLOSED/);
    } finally {
      await server.stop();
    }
  });

  for (const mtu of [undefined, 500]) {
    it(`openssl s_client -dtls1_2${mtu ? ` -mtu ${mtu}` : ''} → listenDtls${mtu ? ` (mtu ${mtu})` : ''}: cookie exchange, handshake, echo`, async function () {
      requirePeer('openssl', this);
      const server = await echoListener(mtu ? { mtu } : {});
      try {
        const r = await runOpensslClient({
          port: server.port,
          version: 'dtls1_2',
          args: ['-servername', 'localhost', '-CAfile', fixturePath('ca.pem'), '-verify_return_error', ...(mtu ? ['-mtu', String(mtu)] : [])],
          input: 'ping over dtls\n',
          closeWhen: 'ping over dtls', // s_client prints what it receives, not what it sends
          timeoutMs: 15_000,
        });
        expect(r.stdout + r.stderr).to.match(/Verify return code: 0 \(ok\)/);
        expect(r.code).to.equal(0);
        expect(r.stdout).to.include('ping over dtls\n');
        expect(server.stats.helloVerifyRequests).to.equal(1);
        expect(server.stats.admitted).to.equal(1);
        expect(server.suites[0]).to.match(/^DTLSv1\.2 TLS_ECDHE_ECDSA_/);
      } finally {
        server.close();
      }
    });
  }
});
