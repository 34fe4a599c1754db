/**
 * toDuplex(channel) emits node:tls's 'session' event for each ticket a
 * node:tls server sends; the ticket resumes a later connectTls, which the
 * server's isSessionReused() confirms.
 */
import { expect } from 'chai';
import { firstValueFrom } from 'rxjs';
import type { SessionTicket, Tls13SessionTicket } from '../../lib/session/contract.js';
import { connectTls, toDuplex } from '../../lib/node/index.js';
import { caPem } from '../support/fixtures.js';
import { endSoon, nodeTlsServer } from './helpers.js';

describe("toDuplex: the 'session' event", () => {
  it('emits each ticket the node:tls server sent, and one of them resumes', async () => {
    const reused: boolean[] = [];
    const peer = await nodeTlsServer((socket) => {
      reused.push(socket.isSessionReused());
      endSoon(socket, 'hi');
    });
    try {
      const connect = async (session?: Tls13SessionTicket) => {
        const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: caPem(), session: { session } }));
        const duplex = toDuplex(channel);
        const tickets: SessionTicket[] = [];
        duplex.on('session', (t: SessionTicket) => tickets.push(t));
        let data = '';
        duplex.on('data', (c: Buffer) => (data += c.toString()));
        await new Promise((resolve, reject) => duplex.on('end', resolve).on('error', reject));
        await new Promise((resolve) => setImmediate(resolve)); // the last 'session' events are on the next tick
        return { data, tickets, info: channel.info };
      };
      const first = await connect();
      expect(first.data).to.equal('hi');
      expect(first.tickets.length).to.be.greaterThan(0);
      expect(first.tickets).to.deep.equal(first.info.tickets);
      const second = await connect(first.tickets[0] as Tls13SessionTicket);
      expect(second.data).to.equal('hi');
      expect(second.info.resumed).to.equal(true);
      expect(reused).to.deep.equal([false, true]);
    } finally {
      await peer.close();
    }
  });
});
