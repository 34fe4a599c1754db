/**
 * SecureChannel.session$ against a node:tls server (real sockets on
 * 127.0.0.1): the tickets node sends come out of session$, and one of them
 * resumes, as node's isSessionReused() says.
 */
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import type { Tls13SessionTicket } from '../../lib/session/contract.js';
import { connectTls } from '../../lib/node/index.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { collect, text } from './helpers.js';

describe('SecureChannel.session$ with node:tls', () => {
  it('against node:tls: the tickets it sends come out of session$, and one of them resumes (isSessionReused)', async () => {
    const reused: boolean[] = [];
    const server = tls.createServer({ ...serverIdentity('p256'), minVersion: 'TLSv1.3' }, (socket) => {
      reused.push(socket.isSessionReused());
      socket.on('error', () => {});
      socket.write('hi', () => setTimeout(() => socket.end(), 50));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const connect = async (session?: Tls13SessionTicket) => {
        const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), session: { session } }));
        const tickets = lastValueFrom(channel.session$.pipe(toArray()));
        const data = text(await collect(channel));
        return { data, tickets: await tickets, info: channel.info };
      };
      const first = await connect();
      expect(first.data).to.equal('hi');
      expect(first.tickets.length).to.be.greaterThan(0); // OpenSSL's default: 2
      expect(first.tickets).to.deep.equal(first.info.tickets);
      expect(first.tickets.every((t) => t.version === 'TLSv1.3')).to.equal(true);
      const second = await connect(first.tickets[0] as Tls13SessionTicket);
      expect(second.info.resumed).to.equal(true);
      expect(reused).to.deep.equal([false, true]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
