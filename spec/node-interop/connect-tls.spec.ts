import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, lastValueFrom, map, of, timer, toArray } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { connectTls, pacedRead, type ChannelEvent } from '../../lib/node/index.js';
import { caPem, fixture } from '../support/fixtures.js';
import { bytes, collect, endSoon, nodeTlsServer, text } from './helpers.js';

const eventName = (e: ChannelEvent) => (e.type === 'alert' ? `${e.alert}:${e.fromPeer ? 'peer' : 'us'}` : e.type);

describe('connectTls (against node:tls on 127.0.0.1)', () => {
  it('handshakes, echoes data both ways and closes with close_notify on both sides', async () => {
    const peer = await nodeTlsServer((socket) => socket.pipe(socket), { ALPNProtocols: ['http/1.1'] });
    try {
      const channel = await firstValueFrom(
        connectTls({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: caPem(), ALPNProtocols: ['h2', 'http/1.1'] }),
      );
      const events = lastValueFrom(channel.events$.pipe(map(eventName), toArray()));
      const received = collect(channel);
      const big = Buffer.alloc(200_000, 7);
      channel.next(bytes('hello '));
      channel.next(big);
      channel.complete();
      const info = await firstValueFrom(channel.handshake$);
      expect(info.version).to.equal('TLSv1.3');
      expect(info.alpn).to.equal('http/1.1');
      expect((await received).equals(Buffer.concat([Buffer.from('hello '), big]))).to.equal(true);
      expect(await events).to.deep.equal(['handshake', 'close_notify:us', 'close_notify:peer', 'closed']);
      expect(channel.closed).to.equal(true);
    } finally {
      await peer.close();
    }
  });

  it('fails the channel with a TlsError when the certificate does not chain to `ca`', async () => {
    const peer = await nodeTlsServer((socket) => socket.on('error', () => {}));
    try {
      const channel = await firstValueFrom(connectTls({ port: peer.port, ca: fixture('other-ca.pem') }));
      const err = await firstValueFrom(channel.handshake$).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TlsError);
      expect((err as TlsError).alert).to.equal('unknown_ca');
    } finally {
      await peer.close();
    }
  });

  it('rejectUnauthorized: false connects without `ca`', async () => {
    const peer = await nodeTlsServer((socket) => endSoon(socket, 'hi'));
    try {
      const channel = await firstValueFrom(connectTls({ port: peer.port, rejectUnauthorized: false }));
      expect(text(await collect(channel))).to.equal('hi');
      expect(channel.info.peerCertificates).to.have.length(1);
    } finally {
      await peer.close();
    }
  });

  it('checkServerIdentity gets a node-style certificate and can veto', async () => {
    const peer = await nodeTlsServer((socket) => endSoon(socket, 'hi'));
    try {
      const seen: Array<[string, tls.PeerCertificate]> = [];
      const accept = await firstValueFrom(
        connectTls({ port: peer.port, ca: caPem(), checkServerIdentity: (host, cert) => (seen.push([host, cert]), tls.checkServerIdentity(host, cert)) }),
      );
      expect(text(await collect(accept))).to.equal('hi');
      const [host, cert] = seen[0]!;
      expect(host).to.equal('localhost');
      expect(cert.subject.CN).to.equal('localhost');
      expect(cert.subjectaltname).to.contain('DNS:rxtls.test');
      expect(tls.checkServerIdentity('example.com', cert)).to.be.instanceOf(Error);

      const pinned = new Error('not the pinned key');
      const veto = await firstValueFrom(connectTls({ port: peer.port, ca: caPem(), checkServerIdentity: () => pinned }));
      expect(await collect(veto).catch((e: unknown) => e)).to.equal(pinned);

      // As in node, rejectUnauthorized: false skips it.
      const ignored = await firstValueFrom(connectTls({ port: peer.port, rejectUnauthorized: false, checkServerIdentity: () => pinned }));
      expect(text(await collect(ignored))).to.equal('hi');
    } finally {
      await peer.close();
    }
  });

  it('errors the channel as truncation when the server drops TCP without close_notify', async () => {
    const peer = await nodeTlsServer((socket) => socket.write('partial', () => setTimeout(() => socket.destroy(), 20)));
    try {
      const channel = await firstValueFrom(connectTls({ port: peer.port, ca: caPem() }));
      const chunks: string[] = [];
      const err = await lastValueFrom(channel.pipe(map((c) => chunks.push(text(c))))).catch((e: unknown) => e);
      expect(chunks.join('')).to.equal('partial');
      expect(err).to.be.instanceOf(TlsError);
      expect((err as TlsError).code).to.equal('ERR_TLS_PREMATURE_TERMINATION');
    } finally {
      await peer.close();
    }
  });

  it('reports a refused connection as an error of the Observable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const err = await firstValueFrom(connectTls({ host: '127.0.0.1', port, ca: caPem() })).catch((e: NodeJS.ErrnoException) => e);
    expect((err as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
  });

  it('a slow consumer stops reading the socket: the server blocks, then everything arrives intact', async function () {
    this.timeout(20_000);
    const total = 16 * 1024 * 1024;
    let serverBlocked = 0;
    let serverWritten = 0;
    const sent = createHash('sha256');
    const peer = await nodeTlsServer((socket) => {
      const piece = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (serverWritten < total) {
          piece.fill(serverWritten / piece.length);
          sent.update(piece);
          serverWritten += piece.length;
          if (!socket.write(piece)) {
            serverBlocked++;
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    try {
      const channel = await firstValueFrom(connectTls({ port: peer.port, ca: caPem(), highWaterMark: 64 * 1024 }));
      const got = createHash('sha256');
      let received = 0;
      const writtenWhilePaused: number[] = [];
      const sample = () => writtenWhilePaused.push(serverWritten);
      await lastValueFrom(
        pacedRead(channel, (chunk, i) => {
          got.update(chunk);
          received += chunk.length;
          if (i !== 0) return of(0);
          // The first chunk takes 600 ms: meanwhile the server must run into
          // back-pressure and stall (socket buffers fill, then no progress).
          timer(300).subscribe(sample);
          return timer(600).pipe(map(sample));
        }),
        { defaultValue: 0 },
      );
      expect(received).to.equal(total);
      expect(got.digest('hex')).to.equal(sent.digest('hex'));
      expect(serverBlocked).to.be.greaterThan(0);
      const [early, late] = writtenWhilePaused;
      expect(late, 'the server made no progress while we did not read').to.equal(early);
      expect(late).to.be.lessThan(total);
    } finally {
      await peer.close();
    }
  });
});
