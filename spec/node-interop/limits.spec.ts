/**
 * Limits an operator expects: a client handshake timeout against a server
 * that accepts and never answers, listenTls's maxConnections and
 * maxConcurrentHandshakes, and the turn budget that spreads handshake work
 * over event-loop turns.
 */
import { expect } from 'chai';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, Subject, type Subscription } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { connectTls, listenTls, type ListenTlsOptions, type SecureChannel } from '../../lib/node/index.js';
import { TurnBudget } from '../../lib/node/handshake-limiter.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { once } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** listenTls on 127.0.0.1; `channels` has every accepted channel. */
async function listen(options: Partial<ListenTlsOptions>) {
  const listening = new Subject<AddressInfo>();
  const portP = firstValueFrom(listening);
  const channels: SecureChannel[] = [];
  const sub: Subscription = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, ...options }).subscribe((channel) => {
    channels.push(channel);
    channel.subscribe({ error: () => {} });
  });
  const { port } = await portP;
  return { port, channels, close: () => sub.unsubscribe() };
}

/** A node:tls client; resolves 'secure' on secureConnect or the error's code. */
function nodeClient(port: number): { socket: tls.TLSSocket; result: Promise<string> } {
  const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() });
  const result = new Promise<string>((resolve) => {
    socket.once('secureConnect', () => resolve('secure'));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
  return { socket, result };
}

/** Resolves with `value` if `p` has not settled within `ms`. */
const within = <T>(p: Promise<T>, ms: number, value: T) => Promise.race([p, sleep(ms).then(() => value)]);

describe('limits', () => {
  describe('connectTls handshakeTimeout', () => {
    let silent: Server;
    let port: number;
    const accepted: Socket[] = [];
    before(async () => {
      silent = createServer((s) => {
        accepted.push(s);
        s.resume(); // reads the ClientHello, never answers
        s.on('error', () => {});
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as AddressInfo).port;
    });
    after(() => {
      for (const s of accepted) s.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('a server that accepts and never answers fails the handshake with ERR_TLS_HANDSHAKE_TIMEOUT', async () => {
      const t0 = Date.now();
      const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), handshakeTimeout: 200 }));
      const err = await firstValueFrom(channel.handshake$).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TlsError);
      expect((err as TlsError).code).to.equal('ERR_TLS_HANDSHAKE_TIMEOUT');
      expect(Date.now() - t0).to.be.within(150, 5000);
      expect(channel.closed).to.equal(true);
      // The server side sees the connection end.
      const serverSide = accepted.at(-1)!;
      if (!serverSide.readableEnded && !serverSide.destroyed) await once(serverSide, 'end');
    });
  });

  describe('listenTls', () => {
    it('maxConnections: connections beyond it are closed at once; a freed place is reusable', async () => {
      const server = await listen({ maxConnections: 2 });
      try {
        const a = nodeClient(server.port);
        const b = nodeClient(server.port);
        expect(await Promise.all([a.result, b.result])).to.deep.equal(['secure', 'secure']);
        const c = nodeClient(server.port);
        expect(await c.result).to.not.equal('secure');
        a.socket.destroy();
        await sleep(100); // the server sees the close
        const d = nodeClient(server.port);
        expect(await d.result).to.equal('secure');
        b.socket.destroy();
        d.socket.destroy();
      } finally {
        server.close();
      }
    });

    it('maxConcurrentHandshakes: beyond it a connection waits until a handshake ends; idle TCP connections hold no slot', async () => {
      const server = await listen({ maxConcurrentHandshakes: 1 });
      const raw: Socket[] = [];
      try {
        // An idle TCP connection (nothing sent) does not take the slot.
        const idle = connect({ host: '127.0.0.1', port: server.port });
        raw.push(idle);
        await once(idle, 'connect');
        const first = nodeClient(server.port);
        expect(await first.result).to.equal('secure');
        first.socket.destroy();

        // A client that sends the start of a record and stalls holds the only slot...
        const stalled = connect({ host: '127.0.0.1', port: server.port });
        raw.push(stalled);
        stalled.on('error', () => {});
        await once(stalled, 'connect');
        stalled.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
        await sleep(50);
        // ...so the next handshake waits...
        const waiting = nodeClient(server.port);
        expect(await within(waiting.result, 300, 'still waiting')).to.equal('still waiting');
        // ...until the stalled one ends and frees it.
        stalled.destroy();
        expect(await waiting.result).to.equal('secure');
        waiting.socket.destroy();
      } finally {
        for (const s of raw) s.destroy();
        server.close();
      }
    });

    it('a waiting connection that gives up leaves the queue (the next one gets the slot)', async () => {
      const server = await listen({ maxConcurrentHandshakes: 1 });
      const stalled = connect({ host: '127.0.0.1', port: server.port });
      stalled.on('error', () => {});
      try {
        await once(stalled, 'connect');
        stalled.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
        await sleep(50);
        const quitter = nodeClient(server.port);
        quitter.socket.on('error', () => {});
        await sleep(100);
        expect(server.channels).to.have.length(2);
        quitter.socket.destroy();
        await sleep(100);
        expect(server.channels[1]!.closed, 'the quitter is gone from the server at once').to.equal(true);
        const next = nodeClient(server.port);
        await sleep(100);
        stalled.destroy();
        expect(await next.result).to.equal('secure');
        next.socket.destroy();
      } finally {
        stalled.destroy();
        server.close();
      }
    });
  });

  describe('TurnBudget', () => {
    it('runs work at once while the turn has budget, then on later turns in order, letting timers run between', async () => {
      const budget = new TurnBudget(4);
      const busy = (ms: number) => {
        const end = performance.now() + ms;
        while (performance.now() < end);
      };
      const order: number[] = [];
      let doneWhenTimerRan = -1;
      await sleep(0); // start from a fresh turn
      setTimeout(() => (doneWhenTimerRan = order.length), 0);
      for (let i = 0; i < 30; i++) budget.run(() => (busy(1), order.push(i)));
      const ranAtOnce = order.length;
      expect(ranAtOnce).to.be.within(1, 5); // about 4 ms worth, not 30 ms
      while (order.length < 30) await new Promise((r) => setImmediate(r));
      expect(order).to.deep.equal([...Array(30).keys()]);
      expect(doneWhenTimerRan, 'a timer ran before all the work was done').to.be.within(ranAtOnce, 29);
    });
  });
});
