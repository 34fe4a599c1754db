/**
 * connectDtls ↔ listenDtls over real UDP sockets on 127.0.0.1: handshake,
 * datagrams both ways, close_notify, a second client on the same listener,
 * the cookie exchange as a raw client sees it, the peer cap, idle timeout,
 * unsubscribing, aborting, and refused options.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { firstValueFrom, lastValueFrom, ReplaySubject, Subject, tap } from 'rxjs';
import { connectDtls } from '../../lib/node/connect-dtls.js';
import type { DtlsListening } from '../../lib/node/dtls-options.js';
import { listenDtls } from '../../lib/node/listen-dtls.js';
import { type DatagramChannel, openDatagramChannel } from '../../lib/rx/datagram-channel.js';
import { udpLink } from '../../lib/node/udp-link.js';
import { Session } from '../../lib/session/session.js';
import { bytes, text } from './helpers.js';
import { CA, captureClientHello, cert, client, closed, echoListener, key, roundTrip, until } from './dtls-support.js';

describe('node: connectDtls ↔ listenDtls (real UDP on 127.0.0.1)', function () {
  this.timeout(20_000);
  let server: Awaited<ReturnType<typeof echoListener>> | undefined;
  afterEach(() => server?.close());

  it('handshakes DTLS 1.2, echoes datagrams one by one, and closes with close_notify both ways', async () => {
    server = await echoListener();
    const channel = await client(server.port);
    const info = await firstValueFrom(channel.handshake$);
    expect(info.version).to.equal('DTLSv1.2');
    expect(await roundTrip(channel, ['one', 'two', 'three'])).to.have.members(['one', 'two', 'three']);
    const serverSide = server.channels[0]!;
    const serverEvents = closed(serverSide);
    const events = closed(channel);
    channel.complete();
    expect((await events).map((e) => e.type)).to.include('closed');
    const seen = await serverEvents;
    expect(seen).to.deep.include({ type: 'alert', alert: 'close_notify', fromPeer: true });
    expect(seen.at(-1)).to.deep.equal({ type: 'closed' });
    await until(() => server!.stats.peers === 0);
  });

  it('serves a second client on the same listener, each with its own session', async () => {
    server = await echoListener();
    const [a, b] = await Promise.all([client(server.port), client(server.port)]);
    expect(await roundTrip(a, ['from a'])).to.deep.equal(['from a']);
    expect(await roundTrip(b, ['from b'])).to.deep.equal(['from b']);
    expect(server.stats.peers).to.equal(2);
    expect(server.stats.admitted).to.equal(2);
    // Each client made one cookie round.
    expect(server.stats.helloVerifyRequests).to.equal(2);
    a.complete();
    b.complete();
    await until(() => server!.stats.peers === 0);
  });

  it('answers a cookie-less ClientHello with a HelloVerifyRequest and keeps no state for it', async () => {
    server = await echoListener();
    const hello = await captureClientHello();
    const raw = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', resolve));
    try {
      const reply = new Promise<Buffer>((resolve) => raw.once('message', resolve));
      raw.send(hello, server.port, '127.0.0.1');
      const d = await reply;
      // content type handshake (22), version DTLS 1.0 (0xfeff), epoch 0, and handshake type hello_verify_request (3).
      expect([d[0], d.readUInt16BE(1), d.readUInt16BE(3), d[13]]).to.deep.equal([22, 0xfeff, 0, 3]);
      expect(server.stats.helloVerifyRequests).to.equal(1);
      expect(server.stats.peers).to.equal(0);
      expect(server.stats.admitted).to.equal(0);
      // Anything else from an unknown address is dropped without an answer.
      raw.send(Buffer.from('not dtls'), server.port, '127.0.0.1');
      await until(() => server!.stats.gateDrops === 1);
      expect(server.stats.peers).to.equal(0);
    } finally {
      raw.close();
    }
  });

  it('with cookie: false, admits the first ClientHello at once (no HelloVerifyRequest)', async () => {
    server = await echoListener({ cookie: false });
    const channel = await client(server.port);
    expect(await roundTrip(channel, ['no cookie'])).to.deep.equal(['no cookie']);
    expect(server.stats.helloVerifyRequests).to.equal(0);
    channel.complete();
  });

  it('ignores new addresses beyond maxPeers', async () => {
    server = await echoListener({ maxPeers: 1 });
    const a = await client(server.port);
    expect(await roundTrip(a, ['first'])).to.deep.equal(['first']);
    const b = await client(server.port, { handshakeTimeout: 700, retransmit: { initialMs: 200 } });
    const err = await firstValueFrom(b.handshake$).catch((e: unknown) => e);
    expect((err as { code?: string }).code).to.equal('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(server.stats.full).to.be.greaterThan(0);
    expect(server.stats.peers).to.equal(1);
    a.complete();
  });

  it('forgets a peer after idleTimeout: its channel errors and the address starts over', async () => {
    server = await echoListener({ idleTimeout: 300 });
    const a = await client(server.port);
    expect(await roundTrip(a, ['before'])).to.deep.equal(['before']);
    const serverSide = server.channels[0]!;
    const ended = closed(serverSide);
    const events = await ended;
    expect(events.at(-1)!.type).to.equal('closed');
    expect((events.at(-1) as { error?: unknown }).error).to.be.an('error');
    expect(server.stats.peers).to.equal(0);
    // The forgotten client's datagrams now meet the gate (not a ClientHello: dropped); the listener serves on.
    a.next(bytes('after'));
    await until(() => server!.stats.gateDrops === 1);
    const b = await client(server.port);
    expect(await roundTrip(b, ['still serving'])).to.deep.equal(['still serving']);
    a.error(new Error('done'));
    b.complete();
  });

  it('unsubscribing the listener sends close_notify on established channels and closes the socket', async () => {
    server = await echoListener();
    const a = await client(server.port);
    expect(await roundTrip(a, ['x'])).to.deep.equal(['x']);
    const events = closed(a);
    server.close();
    const seen = await events;
    expect(seen).to.deep.include({ type: 'alert', alert: 'close_notify', fromPeer: true });
    expect(seen.at(-1)).to.deep.equal({ type: 'closed' });
  });

  it('signal: aborting errors the listener and its channels with an AbortError', async () => {
    const ac = new AbortController();
    const listening = new Subject<DtlsListening>();
    const gotListening = firstValueFrom(listening);
    const emitted: DatagramChannel[] = [];
    const result = lastValueFrom(listenDtls({ host: '127.0.0.1', cert, key, signal: ac.signal, listeningObserver: listening }).pipe(tap((c) => emitted.push(c)))).catch((e: unknown) => e);
    const { port } = await gotListening;
    const a = await client(port);
    await firstValueFrom(a.handshake$);
    await until(() => emitted.length === 1);
    const serverEnd = closed(emitted[0]!);
    ac.abort();
    expect((await result as Error).name).to.equal('AbortError');
    expect(((await serverEnd).at(-1) as { error?: Error }).error?.name).to.equal('AbortError');
    a.error(new Error('done'));
  });

  it('a new client on the address of an established association (RFC 6347 §4.2.8) gets through the cookie gate and replaces it', async () => {
    server = await echoListener();
    /** A DTLS client bound to `localPort` (connectDtls picks its own port). */
    const clientFrom = async (localPort: number) => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(localPort, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => socket.connect(server!.port, '127.0.0.1', resolve));
      const session = Session.client({ protocol: 'dtls', serverName: 'localhost', ca: CA });
      const channel = openDatagramChannel(session, udpLink(socket));
      const received = new ReplaySubject<Uint8Array>();
      channel.subscribe({ next: (d) => received.next(d), error: () => {} });
      return { channel, port: socket.address().port, received };
    };
    const first = await clientFrom(0);
    await firstValueFrom(first.channel.handshake$);
    const oldServerSide = closed(server.channels[0]!);
    first.channel.error(new Error('crash: no close_notify')); // the association stays on the server
    expect(server.stats.peers).to.equal(1);
    const second = await clientFrom(first.port);
    await firstValueFrom(second.channel.handshake$);
    second.channel.next(bytes('after restart'));
    expect(text(await firstValueFrom(second.received))).to.equal('after restart');
    expect(server.stats.replaced).to.equal(1);
    expect(server.stats.helloVerifyRequests).to.equal(2);
    expect((await oldServerSide).at(-1)!.type).to.equal('closed');
    second.channel.complete();
  });

  it('psk: a PSK-only listener and a PSK client (no certificates) handshake and exchange datagrams', async () => {
    const psk = { identity: 'dtls-client', key: new Uint8Array(32).fill(7) };
    server = await echoListener({ cert: undefined, key: undefined, psk: (id) => (new TextDecoder().decode(id) === psk.identity ? psk.key : undefined) });
    const channel = await client(server.port, { ca: undefined, psk });
    const info = await firstValueFrom(channel.handshake$);
    expect(info.pskIdentity).to.equal('dtls-client');
    expect(await roundTrip(channel, ['psk datagram'])).to.deep.equal(['psk datagram']);
    channel.complete();
  });

  it('refuses unknown and TLS-only options, and reports a bind error (EADDRINUSE) as an error of the Observable', async () => {
    type Refusal = Error & { code?: string };
    const bad = (o: object, kind: 'connect' | 'listen'): Promise<Refusal> =>
      firstValueFrom<unknown>(kind === 'connect' ? connectDtls(o as never) : listenDtls(o as never)).then(
        () => new Error('accepted') as Refusal,
        (e: unknown) => e as Refusal,
      );
    expect((await bad({ port: 1, servrname: 'x', ca: CA }, 'connect')).message).to.include("did you mean 'servername'");
    expect((await bad({ port: 1, ca: CA, allowHalfOpen: true }, 'connect')).code).to.equal('ERR_TLS_UNSUPPORTED_OPTION');
    expect((await bad({ cert, key, maxConnections: 3 }, 'listen')).message).to.include('maxPeers');
    expect((await bad({ cert, key, mtu: 10 }, 'listen')).code).to.equal('ERR_INVALID_ARG_VALUE');
    server = await echoListener();
    const err = await bad({ host: '127.0.0.1', port: server.port, cert, key }, 'listen');
    expect(err.code).to.equal('EADDRINUSE');
  });

  it('a client of a closed port fails its channel with the ICMP refusal (ECONNREFUSED)', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const channel = await client(port);
    const err = (await firstValueFrom(channel.handshake$).catch((e: unknown) => e)) as Error & { cause?: { code?: string } };
    expect(JSON.stringify({ m: err.message, c: err.cause?.code })).to.include('ECONNREFUSED');
  });
});
