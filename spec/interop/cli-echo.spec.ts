/**
 * The echo of `rxtls server --echo` (bin/cli/echo.ts), in-process over
 * listenTls: a client that writes and never reads must make the server stop
 * reading (TCP back-pressure reaches the client) instead of buffering what
 * it cannot send; once the client reads, everything comes back.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import tls from 'node:tls';
import { EMPTY, catchError, mergeMap, type Subscription } from 'rxjs';
import { echo } from '../../bin/cli/echo.js';
import { listenTls, nodeCrypto } from '../../lib/node/index.js';
import type { SecureChannel } from '../../lib/rx/secure-channel.js';
import { caPem, serverIdentity } from '../support/fixtures.js';

const MARK = 64 * 1024;
const RECORD = 16 * 1024;
const TOTAL = 32 * 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rxtls server --echo back-pressure (bin/cli/echo.ts)', function () {
  this.timeout(30_000);
  let listener: Subscription | undefined;
  let client: tls.TLSSocket | undefined;
  // Also after a failure: an open socket would keep mocha from exiting.
  afterEach(() => {
    client?.destroy();
    listener?.unsubscribe();
  });

  /** Listens with echo(); reports the channel, what it echoed and the largest bufferedAmount seen after each next(). */
  async function echoServer() {
    const stats = { channel: undefined as SecureChannel | undefined, echoed: 0, maxBuffered: 0, failure: undefined as unknown };
    const port = await new Promise<number>((resolve, reject) => {
      listener = listenTls({
        port: 0,
        host: '127.0.0.1',
        ...serverIdentity('p256'),
        session: { crypto: nodeCrypto },
        listeningObserver: { next: (a) => resolve(a.port) },
      })
        .pipe(
          mergeMap((channel) => {
            stats.channel = channel;
            const next = channel.next.bind(channel);
            channel.next = (chunk: Uint8Array) => {
              next(chunk);
              stats.echoed += chunk.length;
              stats.maxBuffered = Math.max(stats.maxBuffered, channel.bufferedAmount);
            };
            return echo(channel, { highWaterMark: MARK }).pipe(
              catchError((e) => {
                stats.failure = e;
                return EMPTY;
              }),
            );
          }),
        )
        .subscribe({ error: reject });
    });
    return { port, stats };
  }

  it('stops reading a client that writes 32 MiB and never reads (bufferedAmount <= mark + one record); all 32 MiB come back once it reads', async () => {
    const { port, stats } = await echoServer();
    client = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: caPem() });
    client.pause(); // never reads, for now
    await once(client, 'secureConnect');

    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    let written = 0;
    const pump = () => {
      while (written < TOTAL) {
        written += chunk.length;
        if (!client!.write(chunk)) return void client!.once('drain', pump);
      }
      client!.end();
    };
    pump();

    // Wait until the server has stopped reading: nothing echoed for 500 ms.
    let last = -1;
    for (let still = 0; still < 5; await sleep(100)) {
      still = stats.echoed === last ? still + 1 : 0;
      last = stats.echoed;
    }
    expect(stats.failure).to.equal(undefined);
    expect(stats.channel!.isPaused, 'the server paused reading').to.equal(true);
    expect(stats.echoed, 'the server stopped short of everything').to.be.below(TOTAL);
    expect(written, 'the client could not write it all either').to.be.below(TOTAL);
    expect(stats.maxBuffered, 'bufferedAmount bound').to.be.at.most(MARK + RECORD);

    // Now read: the echo resumes on drain$, and every byte comes back.
    let back = 0;
    client.on('data', (d: Buffer) => (back += d.length));
    client.resume();
    await once(client, 'end');
    expect(back).to.equal(TOTAL);
    expect(stats.echoed).to.equal(TOTAL);
    expect(stats.maxBuffered, 'bufferedAmount bound').to.be.at.most(MARK + RECORD);
    expect(stats.failure).to.equal(undefined);
  });
});
