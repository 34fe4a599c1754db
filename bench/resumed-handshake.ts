/**
 * Sequential TLS 1.3 resumed handshakes per second over loopback TCP: rxtls
 * (connectTls offering a ticket from our own listenTls) against node:tls
 * (the node client's `session` against a node server), per provider, same
 * suite and group as the full-handshake lines (protocols.ts: psk_dhe_ke,
 * so X25519 still runs; only the certificate and its signature go).
 *
 * Each client uses tickets the way its own library does. Ours offers every
 * ticket once (RFC 8446 §C.4): each connection offers the newest ticket the
 * previous one brought, and our server sends two after every handshake, a
 * resumed one too. node's server (OpenSSL) sends none after a resumption
 * (it renews a stateless ticket only when its ticket key asks), so node's
 * client offers the first connection's ticket every time. Either way the
 * server writes one byte after the handshake (after its tickets) and the
 * client's connection ends when it has read it; every connection is checked
 * resumed, on the client and on the server.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { firstValueFrom, Subject, type Subscription } from 'rxjs';
import type { CryptoProvider } from '../lib/crypto/provider.js';
import type { SessionTicket } from '../lib/handshake/session-info.js';
import { connectTls } from '../lib/node/connect-tls.js';
import { listenTls } from '../lib/node/listen-tls.js';
import type { SecureChannel } from '../lib/rx/secure-channel.js';
import { TLS13 } from './protocols.js';
import type { Line } from './stats.js';
import { CA, CERT, KEY, interleavedAsync } from './support.js';

const BYTE = Uint8Array.of(0x2a);

type Timing = { rounds: number; sliceMs: number; slices: number; warmMs: number };

/** What each client saw: throws unless it is a TLS 1.3 resumption with the bench suite and X25519. */
function checkResumed(who: string, got: { version?: string | null; suite?: string; group?: string; resumed: boolean }): void {
  const text = `${got.version} ${got.suite} ${got.group?.toLowerCase()}${got.resumed ? ' resumed' : ' full'}`;
  const want = `${TLS13.version} ${TLS13.suite} x25519 resumed`;
  if (text !== want) throw new Error(`bench: ${who} negotiated ${text}, wanted ${want}`);
}

/** A node:tls server and one resumed handshake against it per call, all with the ticket of one full handshake made first. */
async function nodeTlsResumer(): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const serverDone = new Subject<boolean>();
  const server = tls.createServer({ cert: CERT, key: KEY, ...TLS13.node }, (s) => {
    serverDone.next(s.isSessionReused());
    s.on('error', () => {});
    s.end(BYTE);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  // The first connection, a full handshake, brings the ticket (node emits 'session' after the 'data' that followed it on the wire).
  const firstDone = firstValueFrom(serverDone);
  const first = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, ...TLS13.node });
  const [session] = (await once(first, 'session')) as [Buffer];
  first.destroy();
  await firstDone;
  return {
    async handshake() {
      const serverReused = firstValueFrom(serverDone);
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, ...TLS13.node, session });
      socket.on('error', () => {});
      await once(socket, 'data');
      const group = (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name;
      checkResumed('node:tls client', { version: socket.getProtocol(), suite: socket.getCipher().standardName, group, resumed: socket.isSessionReused() });
      if (!(await serverReused)) throw new Error('bench: node:tls server did not resume');
      socket.destroy();
    },
    close: () => server.close(),
  };
}

/** An rxtls server (listenTls) and one resumed handshake against it per call with connectTls, offering the newest ticket. */
async function rxtlsResumer(crypto: CryptoProvider): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const serverDone = new Subject<boolean>();
  const port = new Subject<number>();
  const gotPort = firstValueFrom(port);
  const sub: Subscription = listenTls({
    port: 0,
    host: '127.0.0.1',
    cert: CERT,
    key: KEY,
    session: { crypto, ...TLS13.rxtls },
    listeningObserver: { next: (a) => port.next(a.port) },
  }).subscribe((channel) => {
    channel.handshake$.subscribe({ next: (info) => (serverDone.next(info.resumed), channel.next(BYTE)), error: () => {} });
    channel.subscribe({ error: () => {} });
  });
  const p = await gotPort;
  const connect = async (session: SessionTicket | undefined): Promise<{ channel: SecureChannel; session: SessionTicket; serverResumed: boolean }> => {
    const serverResumed = firstValueFrom(serverDone);
    const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port: p, servername: 'localhost', ca: CA, session: { crypto, ...TLS13.rxtls, session } }));
    await firstValueFrom(channel); // the tickets came before this byte
    const ticket = channel.info.tickets.at(-1);
    if (!ticket) throw new Error('bench: rxtls client got no ticket before the data');
    return { channel, session: ticket, serverResumed: await serverResumed };
  };
  const first = await connect(undefined);
  first.channel.error(new Error('bench: done'));
  let session = first.session;
  return {
    async handshake() {
      const c = await connect(session);
      checkResumed('rxtls client', c.channel.info);
      if (!c.serverResumed) throw new Error('bench: rxtls server did not resume');
      session = c.session;
      c.channel.error(new Error('bench: done')); // abort: drop the connection at once, like socket.destroy()
    },
    close: () => sub.unsubscribe(),
  };
}

/** One line per provider: rxtls resumed handshakes against node:tls resumed handshakes. */
export async function resumedLines(providers: CryptoProvider[], timing: Timing): Promise<Line[]> {
  const lines: Line[] = [];
  const node = await nodeTlsResumer();
  for (const provider of providers) {
    const rx = await rxtlsResumer(provider);
    const r = await interleavedAsync(rx.handshake, node.handshake, timing);
    rx.close();
    lines.push({
      section: 'handshake',
      name: `${provider.name} provider vs node:tls, resumed with a ticket (TCP, sequential)`,
      unit: 'hs/s',
      a: { label: `rxtls ${provider.name}`, ...r.a },
      b: { label: 'node:tls', ...r.b },
      ratio: r.ratio,
      better: 'higher',
      note: 'psk_dhe_ke with X25519; rxtls offers each ticket once (the newest the previous connection brought; our server sends 2 per handshake), node:tls reuses its one ticket (OpenSSL sends none after a resumption); each client reads one byte written after the handshake',
    });
  }
  node.close();
  return lines;
}
