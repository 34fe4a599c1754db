/**
 * TLS 1.3 resumption against node:tls (OpenSSL) both ways: node's client
 * resumes with a ticket our server issued (its `session` event and option),
 * and our client resumes with a ticket node's server issued (`info.tickets`
 * and our `session` option). Neither side knows the other's ticket format.
 */
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, ReplaySubject } from 'rxjs';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { connectTls, listenTls, type SecureChannel } from '../../lib/node/index.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { collect, endSoon, nodeTlsServer, text } from './helpers.js';

describe('TLS 1.3 resumption with node:tls', () => {
  it('node:tls client resumes with the ticket our server issued (isSessionReused)', async () => {
    const listening = new ReplaySubject<AddressInfo>(1);
    const channels: SecureChannel[] = [];
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening }).subscribe((channel) => {
      channels.push(channel);
      channel.subscribe({ error: () => {} });
      channel.next(new TextEncoder().encode('hi'));
    });
    try {
      const { port } = await firstValueFrom(listening);
      const connect = (session?: Buffer) =>
        new Promise<{ reused: boolean; session?: Buffer; version: string | null }>((resolve, reject) => {
          let got: Buffer | undefined;
          const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), minVersion: 'TLSv1.3', session });
          socket.on('session', (s: Buffer) => (got ??= s));
          socket.on('error', reject);
          socket.once('data', () => {
            setTimeout(() => {
              resolve({ reused: socket.isSessionReused(), session: got, version: socket.getProtocol() });
              socket.end();
            }, 30);
          });
        });
      const first = await connect();
      expect(first).to.include({ reused: false, version: 'TLSv1.3' });
      expect(first.session).to.be.instanceOf(Buffer);
      const second = await connect(first.session);
      expect(second).to.include({ reused: true, version: 'TLSv1.3' });
      expect(channels.map((c) => c.info.resumed)).to.deep.equal([false, true]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('our client resumes with the ticket node:tls issued', async () => {
    const reused: boolean[] = [];
    const peer = await nodeTlsServer((socket) => {
      reused.push(socket.isSessionReused());
      endSoon(socket, 'hi');
    });
    try {
      const first = await firstValueFrom(connectTls({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: caPem() }));
      expect(text(await collect(first))).to.equal('hi');
      expect(first.info.resumed).to.equal(false);
      const ticket = first.info.tickets[0] as Tls13SessionTicket;
      expect(ticket).to.include({ version: 'TLSv1.3' });
      const second = await firstValueFrom(connectTls({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: caPem(), session: { session: ticket } }));
      expect(text(await collect(second))).to.equal('hi');
      expect(second.info.resumed).to.equal(true);
      expect(reused).to.deep.equal([false, true]);
    } finally {
      await peer.close();
    }
  });
});
