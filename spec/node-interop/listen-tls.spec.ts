import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, ReplaySubject, Subject, take, tap, toArray } from 'rxjs';
import { connectTls, listenTls, type SecureChannel } from '../../lib/node/index.js';
import { caPem, fixture, serverIdentity } from '../support/fixtures.js';
import { TlsError } from '../../lib/errors.js';
import { collect, once } from './helpers.js';

/** A node:tls client: sends `data`, half-closes, resolves with everything it read. */
function nodeClient(port: number, data: string, options: tls.ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), ...options }, () => socket.end(data));
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

/** Echoes every channel: writes back what it reads; the peer's close_notify closes it. */
const echo = (channel: SecureChannel) => channel.pipe(tap((chunk) => channel.next(chunk))).subscribe({ error: () => {} });

describe('listenTls (with node:tls clients on 127.0.0.1)', () => {
  it('reports the bound address, accepts node:tls clients and echoes', async () => {
    const listening = new ReplaySubject<AddressInfo>(1);
    const channels: SecureChannel[] = [];
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', port: 0, listeningObserver: listening, ALPNProtocols: ['x-echo'] }).subscribe(
      (channel) => {
        channels.push(channel);
        echo(channel);
      },
    );
    try {
      const { port, address } = await firstValueFrom(listening);
      expect(address).to.equal('127.0.0.1');
      expect(port).to.be.greaterThan(0);
      const [a, b] = await Promise.all([nodeClient(port, 'first', { ALPNProtocols: ['x-echo'] }), nodeClient(port, 'second')]);
      expect([a, b]).to.deep.equal(['first', 'second']);
      expect(channels).to.have.length(2);
      expect(channels.map((c) => c.info.alpn).sort()).to.deep.equal(['x-echo', undefined].sort());
    } finally {
      sub.unsubscribe();
    }
  });

  it('unsubscribing closes the listener; channels already accepted live on', async () => {
    const listening = new Subject<AddressInfo>();
    const accepted = new ReplaySubject<SecureChannel>(1);
    const portP = firstValueFrom(listening);
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening }).subscribe(accepted);
    const { port } = await portP;
    const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() });
    await once(client, 'secureConnect');
    const server = await firstValueFrom(accepted);
    sub.unsubscribe();

    // The accepted connection still works...
    server.next(new TextEncoder().encode('still here'));
    expect(String(await once(client, 'data'))).to.equal('still here');
    const closed = firstValueFrom(server.events$.pipe(toArray()));
    server.subscribe({ error: () => {} });
    client.end();
    expect((await closed).at(-1)).to.deep.equal({ type: 'closed' });
    // ...but nobody new gets in.
    const refused = await new Promise<NodeJS.ErrnoException>((resolve) =>
      tls.connect({ host: '127.0.0.1', port, ca: caPem() }).on('error', resolve),
    );
    expect(refused.code).to.equal('ECONNREFUSED');
  });

  it('connects our client to our server over loopback, both ways, with ALPN', async () => {
    const listening = new Subject<AddressInfo>();
    const portP = firstValueFrom(listening);
    const sub = listenTls({ ...serverIdentity('ed25519'), host: '127.0.0.1', listeningObserver: listening, ALPNProtocols: ['b', 'a'] })
      .pipe(take(1))
      .subscribe(echo);
    try {
      const { port } = await portP;
      const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'rxtls.test', ca: caPem(), ALPNProtocols: ['a', 'b'] }));
      const payload = Buffer.alloc(300_000).map((_, i) => i % 251);
      const received = collect(channel);
      channel.next(payload);
      channel.complete();
      expect((await received).equals(payload)).to.equal(true);
      expect(channel.info.alpn).to.equal('b'); // the server's preference wins, as in OpenSSL
      expect(channel.info.signatureScheme).to.equal('ed25519');
    } finally {
      sub.unsubscribe();
    }
  });

  it('fails at once on a bad key', async () => {
    const err = await firstValueFrom(listenTls({ cert: fixture('server-p256.pem'), key: 'not a key' }).pipe(toArray())).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
  });

  it('a node:tls client that rejects our certificate fails the channel', async () => {
    const listening = new Subject<AddressInfo>();
    const portP = firstValueFrom(listening);
    const accepted = new ReplaySubject<SecureChannel>(1);
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening }).subscribe(accepted);
    try {
      const { port } = await portP;
      const clientError = nodeClient(port, 'x', { ca: fixture('other-ca.pem') }).catch((e: Error) => e);
      const channel = await firstValueFrom(accepted);
      const err = await collect(channel).catch((e: unknown) => e);
      // node finishes the handshake, then checks the chain and drops the
      // socket without an alert: we see a truncation.
      expect(err).to.be.instanceOf(TlsError);
      expect((await clientError as NodeJS.ErrnoException).code).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      sub.unsubscribe();
    }
  });
});
