/**
 * toDuplex() as node:http(s) and agents use a socket: req.setTimeout, a
 * keep-alive Agent reusing the connection, an http server reading
 * remoteAddress over listenTls, the TLSSocket getters, and a large body
 * piped to a slow reader.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tls from 'node:tls';
import { firstValueFrom, ReplaySubject, type Subscription } from 'rxjs';
import { connectTls, listenTls, toDuplex, type ConnectTlsOptions, type SecureChannel, type SecureDuplex } from '../../lib/node/index.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { once } from './helpers.js';

/** An https.Agent whose connections are ours. */
class RxtlsAgent extends https.Agent {
  created = 0;
  constructor(
    private readonly tlsOptions: ConnectTlsOptions,
    options: https.AgentOptions,
  ) {
    super(options);
  }
  override createConnection(_options: unknown, callback?: (err: Error | null, socket: Duplex) => void): undefined {
    this.created++;
    connectTls(this.tlsOptions).subscribe({ next: (channel) => callback!(null, toDuplex(channel)), error: (err: Error) => callback!(err, undefined as never) });
    return undefined;
  }
}

function get(options: https.RequestOptions): Promise<{ req: http.ClientRequest; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ req, status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** listenTls on 127.0.0.1 whose channels become toDuplex() streams given to `onDuplex`. */
async function rxtlsServer(onDuplex: (duplex: SecureDuplex, channel: SecureChannel) => void, extra: { ALPNProtocols?: string[] } = {}) {
  const listening = new ReplaySubject<AddressInfo>(1);
  const sub: Subscription = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, ...extra }).subscribe((channel) =>
    onDuplex(toDuplex(channel), channel),
  );
  const { port } = await firstValueFrom(listening);
  return { port, close: () => sub.unsubscribe() };
}

describe('toDuplex as a socket for node:http(s)', () => {
  let server: https.Server;
  let port: number;
  before(async () => {
    server = https.createServer({ ...serverIdentity('p256'), keepAliveTimeout: 5000 }, (req, res) => {
      if (req.url === '/never') return; // never answers
      res.end(`hello ${req.url}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('req.setTimeout fires on an idle connection (the timeout event comes from the TLS stream)', async () => {
    const started = Date.now();
    const err = await new Promise<Error>((resolve) => {
      const req = https.request({
        host: 'localhost',
        port,
        path: '/never',
        createConnection: (_o: unknown, cb: (err: Error | null, s?: SecureDuplex) => void) => {
          connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() }).subscribe({ next: (ch) => cb(null, toDuplex(ch)), error: (e: Error) => cb(e) });
          return undefined;
        },
      } as https.RequestOptions);
      req.setTimeout(300, () => req.destroy(new Error('request timed out')));
      req.on('error', resolve);
      req.end();
    });
    expect(err.message).to.equal('request timed out');
    expect(Date.now() - started).to.be.within(250, 5000);
  });

  it('a keep-alive Agent reuses one connection for two requests (setKeepAlive, unref, ref, setTimeout)', async () => {
    const agent = new RxtlsAgent({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() }, { keepAlive: true, timeout: 10_000 });
    try {
      const first = await get({ host: 'localhost', port, path: '/one', agent });
      const second = await get({ host: 'localhost', port, path: '/two', agent });
      expect([first.body, second.body]).to.deep.equal(['hello /one', 'hello /two']);
      expect(second.req.reusedSocket).to.equal(true);
      expect(second.req.socket).to.equal(first.req.socket);
      expect(agent.created).to.equal(1);
      const socket = second.req.socket as unknown as SecureDuplex;
      expect(socket.encrypted).to.equal(true);
      expect(socket.authorized).to.equal(true);
      expect(socket.getProtocol()).to.equal('TLSv1.3');
      expect(socket.remoteAddress).to.equal('127.0.0.1');
      expect(socket.remotePort).to.equal(port);
      expect(socket.timeout).to.be.greaterThan(0); // the agent's idle timeout (from the server's Keep-Alive hint)
    } finally {
      agent.destroy();
    }
  });
});

describe('toDuplex under an http server over listenTls', () => {
  it('the server sees remoteAddress, remotePort, encrypted, ALPN and the protocol', async () => {
    const app = http.createServer((req, res) => {
      const s = req.socket as unknown as SecureDuplex;
      res.end(JSON.stringify({ address: s.remoteAddress, port: s.remotePort, family: s.remoteFamily, local: s.localPort, encrypted: s.encrypted, alpn: s.alpnProtocol, protocol: s.getProtocol(), cipher: s.getCipher()?.name, authorized: s.authorized, peer: s.getPeerCertificate() }));
    });
    const served = await rxtlsServer((duplex) => app.emit('connection', duplex), { ALPNProtocols: ['http/1.1'] });
    try {
      const agent = new https.Agent({ keepAlive: false });
      let clientPort = 0;
      const res = await new Promise<string>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: served.port, servername: 'localhost', ca: caPem(), ALPNProtocols: ['http/1.1'], agent, path: '/' } as https.RequestOptions, (r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve(body));
        });
        req.on('socket', (s: tls.TLSSocket) => s.once('connect', () => (clientPort = s.localPort!)));
        req.on('error', reject);
      });
      const seen = JSON.parse(res) as Record<string, unknown>;
      expect(seen).to.deep.include({ address: '127.0.0.1', port: clientPort, family: 'IPv4', local: served.port, encrypted: true, alpn: 'http/1.1', protocol: 'TLSv1.3', authorized: false });
      expect(seen['cipher']).to.match(/^TLS_/);
      expect(seen['peer']).to.deep.equal({}); // no client certificate
      agent.destroy();
    } finally {
      served.close();
      app.close();
    }
  });

  it('the http server keep-alive timeout closes an idle connection (it calls setTimeout on the duplex)', async () => {
    const app = http.createServer((_req, res) => res.end('ok'));
    app.keepAliveTimeout = 300;
    const served = await rxtlsServer((duplex) => app.emit('connection', duplex));
    try {
      // A client that keeps the connection open and waits: only the server's idle timer can end it.
      const client = tls.connect({ host: '127.0.0.1', port: served.port, servername: 'localhost', ca: caPem() });
      await once(client, 'secureConnect');
      let response = '';
      client.on('data', (d: Buffer) => (response += d.toString()));
      client.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
      const t0 = Date.now();
      await once(client, 'end');
      expect(response).to.match(/^HTTP\/1\.1 200 OK/).and.match(/keep-alive/i);
      expect(Date.now() - t0).to.be.within(250, 3000);
      client.destroy();
    } finally {
      served.close();
    }
  });
});

describe('toDuplex for ws-style upgrades', () => {
  it('an http Upgrade over toDuplex on both sides hands each side the duplex, then raw bytes flow (what ws does)', async () => {
    const app = http.createServer((_req, res) => res.writeHead(426).end());
    app.on('upgrade', (req: http.IncomingMessage, socket: SecureDuplex, head: Buffer) => {
      // As ws's handleUpgrade: timeouts off, no Nagle, then the 101 and raw frames.
      socket.setTimeout(0);
      socket.setNoDelay(true);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-echo\r\nConnection: Upgrade\r\n\r\n`);
      if (head.length) socket.write(head);
      socket.on('data', (d: Buffer) => socket.write(Buffer.from(d.toString().toUpperCase())));
      socket.on('error', () => {});
      expect(req.headers.upgrade).to.equal('x-echo');
    });
    const served = await rxtlsServer((duplex) => app.emit('connection', duplex));
    try {
      const { socket, head } = await new Promise<{ socket: SecureDuplex; head: Buffer }>((resolve, reject) => {
        const req = http.request({
          host: 'localhost',
          port: served.port,
          headers: { Connection: 'Upgrade', Upgrade: 'x-echo' },
          createConnection: (_o: unknown, cb: (err: Error | null, s?: SecureDuplex) => void) => {
            connectTls({ host: '127.0.0.1', port: served.port, servername: 'localhost', ca: caPem() }).subscribe({ next: (ch) => cb(null, toDuplex(ch)), error: (e: Error) => cb(e) });
            return undefined;
          },
        } as http.RequestOptions);
        req.on('upgrade', (res: http.IncomingMessage, s: SecureDuplex, h: Buffer) => {
          expect(res.statusCode).to.equal(101);
          resolve({ socket: s, head: h });
        });
        req.on('error', reject);
        req.end();
      });
      expect(head.length).to.equal(0);
      expect(socket.encrypted).to.equal(true);
      socket.write('frame one');
      expect(String(await once(socket, 'data'))).to.equal('FRAME ONE');
      socket.destroy();
    } finally {
      served.close();
    }
  });
});

describe('toDuplex socket surface', () => {
  it('setTimeout emits timeout after inactivity, activity postpones it, 0 turns it off', async () => {
    const served = await rxtlsServer((duplex) => {
      duplex.on('error', () => {});
      duplex.on('data', (d: Buffer) => duplex.write(d)); // echo
    });
    try {
      const duplex = toDuplex(await firstValueFrom(connectTls({ host: '127.0.0.1', port: served.port, servername: 'localhost', ca: caPem() })));
      duplex.on('data', () => {});
      await once(duplex, 'secureConnect');
      expect(duplex.setTimeout(150)).to.equal(duplex);
      const t0 = Date.now();
      // Activity every 50 ms for 300 ms keeps it quiet...
      for (let i = 0; i < 6; i++) {
        duplex.write('ping');
        await new Promise((r) => setTimeout(r, 50));
      }
      let fired = 0;
      duplex.on('timeout', () => fired++);
      expect(fired).to.equal(0);
      // ...then silence fires it once.
      await once(duplex, 'timeout');
      expect(Date.now() - t0).to.be.greaterThan(400);
      await new Promise((r) => setTimeout(r, 250));
      expect(fired, 'once per quiet period').to.equal(1);
      // Activity re-arms it.
      duplex.write('ping');
      await once(duplex, 'timeout');
      expect(fired).to.equal(2);
      duplex.setTimeout(0);
      duplex.write('ping');
      await new Promise((r) => setTimeout(r, 250));
      expect(fired, 'off').to.equal(2);
      expect(duplex.readyState).to.equal('open');
      expect(duplex.connecting).to.equal(false);
      expect(duplex.pending).to.equal(false);
      expect(duplex.address()).to.include({ address: '127.0.0.1', family: 'IPv4' });
      expect(duplex.localAddress).to.equal('127.0.0.1');
      expect(duplex.bytesWritten).to.be.greaterThan(0);
      expect(duplex.bytesRead).to.be.greaterThan(0);
      expect(duplex.setKeepAlive(true, 1000)).to.equal(duplex);
      expect(duplex.setNoDelay(true)).to.equal(duplex);
      expect(duplex.unref()).to.equal(duplex);
      expect(duplex.ref()).to.equal(duplex);
      expect(duplex.isSessionReused()).to.equal(false);
      expect(duplex.servername).to.equal('localhost');
      const cert = duplex.getPeerCertificate() as tls.PeerCertificate;
      expect(cert.subject.CN).to.equal('localhost');
      expect(tls.checkServerIdentity('localhost', cert)).to.equal(undefined);
      duplex.destroy();
    } finally {
      served.close();
    }
  });

  it('reports TLS facts as null/false before the handshake', async () => {
    const served = await rxtlsServer(() => {});
    try {
      const duplex = toDuplex(await firstValueFrom(connectTls({ host: '127.0.0.1', port: served.port, ca: caPem() })));
      expect(duplex.alpnProtocol).to.equal(null);
      expect(duplex.getProtocol()).to.equal(null);
      expect(duplex.authorized).to.equal(false);
      expect(duplex.getCipher()).to.equal(undefined);
      await once(duplex, 'secureConnect');
      expect(duplex.alpnProtocol).to.equal(false); // none negotiated
      expect(duplex.authorized).to.equal(true);
      duplex.destroy();
    } finally {
      served.close();
    }
  });

  it('a large body piped through toDuplex reaches a slow reader intact (pipeline, back-pressure both ends)', async function () {
    this.timeout(20_000);
    const total = 8 * 1024 * 1024;
    const sent = createHash('sha256');
    const served = await rxtlsServer((duplex) => {
      duplex.on('error', () => {});
      let offset = 0;
      const body = Readable.from(
        (function* () {
          while (offset < total) {
            const piece = Buffer.alloc(Math.min(100_000, total - offset), offset / 100_000);
            offset += piece.length;
            sent.update(piece);
            yield piece;
          }
        })(),
      );
      void pipeline(body, duplex).catch(() => {});
    });
    try {
      const duplex = toDuplex(await firstValueFrom(connectTls({ host: '127.0.0.1', port: served.port, ca: caPem(), highWaterMark: 64 * 1024 })));
      const got = createHash('sha256');
      let received = 0;
      let chunks = 0;
      const slow = new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _e, cb) {
          got.update(chunk);
          received += chunk.length;
          // Every 32nd chunk takes a while: the sender must wait, not buffer or drop.
          if (++chunks % 32 === 0) setTimeout(cb, 20);
          else cb();
        },
      });
      await pipeline(duplex, slow);
      expect(received).to.equal(total);
      expect(got.digest('hex')).to.equal(sent.digest('hex'));
    } finally {
      served.close();
    }
  });
});
