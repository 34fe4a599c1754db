import { expect } from 'chai';
import { firstValueFrom, ReplaySubject } from 'rxjs';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { connectTls, listenTls } from '../../lib/node/index.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { collect, endSoon, nodeTlsServer, once } from './helpers.js';

const LABELS = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'];
const labels = (lines: string[]) => lines.map((l) => l.split(' ')[0]).sort();

describe('keylog (NSS key-log lines)', () => {
  it("our client's lines equal the secrets node:tls's server reports in 'keylog'", async () => {
    const nodeLines: string[] = [];
    const peer = await nodeTlsServer((socket) => endSoon(socket, 'hi'));
    peer.server.on('keylog', (line: Buffer) => nodeLines.push(line.toString('latin1').trim()));
    try {
      const ours: string[] = [];
      const channel = await firstValueFrom(connectTls({ port: peer.port, ca: caPem(), keylog: (line) => ours.push(line) }));
      await collect(channel);
      expect(labels(ours)).to.deep.equal(LABELS);
      expect([...ours].sort()).to.deep.equal([...nodeLines].sort());
    } finally {
      await peer.close();
    }
  });

  it("our server's lines equal the secrets a node:tls client reports in 'keylog'", async () => {
    const ours: string[] = [];
    const listening = new ReplaySubject<AddressInfo>(1);
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, keylog: (l) => ours.push(l) }).subscribe(
      (channel) => {
        channel.subscribe({ error: () => {} });
        channel.complete();
      },
    );
    try {
      const { port } = await firstValueFrom(listening);
      const nodeLines: string[] = [];
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() });
      client.on('keylog', (line: Buffer) => nodeLines.push(line.toString('latin1').trim()));
      client.resume();
      await once(client, 'end');
      client.end();
      expect(labels(ours)).to.deep.equal(LABELS);
      expect([...ours].sort()).to.deep.equal([...nodeLines].sort());
    } finally {
      sub.unsubscribe();
    }
  });
});
