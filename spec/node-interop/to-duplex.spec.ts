import { expect } from 'chai';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { firstValueFrom, ReplaySubject, tap } from 'rxjs';
import { connectTls, listenTls, toDuplex, type ConnectTlsOptions, type SecureChannel } from '../../lib/node/index.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { once } from './helpers.js';

/** An https.request whose connection is ours: `createConnection` hands node a toDuplex() over connectTls(). */
function request(options: https.RequestOptions, tlsOptions: ConnectTlsOptions, body?: Buffer) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = https.request({
      ...options,
      createConnection: (_opts: unknown, callback: (err: Error | null, socket?: Duplex) => void) => {
        connectTls(tlsOptions).subscribe({ next: (channel) => callback(null, toDuplex(channel)), error: (err: Error) => callback(err) });
        return undefined;
      },
    } as https.RequestOptions);
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

describe('toDuplex', () => {
  let server: https.Server;
  let port: number;
  before(async () => {
    server = https.createServer({ ...serverIdentity('p256') }, (req, res) => {
      if (req.method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        req.pipe(res); // echo the body
      } else {
        res.end(`hello from ${req.url} over ${(req.socket as import('node:tls').TLSSocket).getProtocol()}`);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('carries https.request({ createConnection }) to a node https server', async () => {
    const res = await request({ host: 'localhost', port, path: '/hello' }, { host: '127.0.0.1', port, servername: 'localhost', ca: caPem() });
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.equal('hello from /hello over TLSv1.3');
  });

  it('streams a large request body and its echo with back-pressure both ways', async () => {
    const body = Buffer.alloc(3_000_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 13) % 256;
    const res = await request(
      { host: 'localhost', port, path: '/echo', method: 'POST', headers: { 'content-length': body.length } },
      { host: '127.0.0.1', port, ca: caPem() },
      body,
    );
    expect(res.status).to.equal(200);
    expect(res.body.equals(body)).to.equal(true);
  });

  it('works with stream.pipeline, end() sends close_notify, the peer close ends it', async () => {
    const listening = new ReplaySubject<AddressInfo>(1);
    const events: string[] = [];
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening }).subscribe((channel: SecureChannel) => {
      channel.events$.subscribe((e) => events.push(e.type === 'alert' ? `${e.alert}:${e.fromPeer ? 'peer' : 'us'}` : e.type));
      channel.pipe(tap((c) => channel.next(Buffer.from(Buffer.from(c).toString().toUpperCase())))).subscribe();
    });
    try {
      const { port: echoPort } = await firstValueFrom(listening);
      const duplex = toDuplex(await firstValueFrom(connectTls({ host: '127.0.0.1', port: echoPort, ca: caPem() })));
      const out = new PassThrough();
      const collected: Buffer[] = [];
      out.on('data', (d: Buffer) => collected.push(d));
      const source = new PassThrough();
      source.end('shout this');
      await Promise.all([pipeline(source, duplex), pipeline(duplex, out)]);
      expect(Buffer.concat(collected).toString()).to.equal('SHOUT THIS');
      if (!duplex.destroyed) await once(duplex, 'close');
      expect(events).to.deep.equal(['handshake', 'close_notify:peer', 'close_notify:us', 'closed']);
    } finally {
      sub.unsubscribe();
    }
  });

  it('destroy(err) aborts the channel', async () => {
    const listening = new ReplaySubject<AddressInfo>(1);
    const serverError = new ReplaySubject<unknown>(1);
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening }).subscribe((channel) =>
      channel.subscribe({ error: (e) => serverError.next(e) }),
    );
    try {
      const { port: p } = await firstValueFrom(listening);
      const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port: p, ca: caPem() }));
      await firstValueFrom(channel.handshake$);
      const duplex = toDuplex(channel);
      duplex.on('error', () => {});
      duplex.destroy(new Error('boom'));
      expect(channel.closed).to.equal(true);
      expect(String(await firstValueFrom(serverError))).to.contain('without close_notify');
    } finally {
      sub.unsubscribe();
    }
  });
});
