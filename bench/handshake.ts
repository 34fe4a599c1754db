/**
 * Item 3: sequential TLS 1.3 handshakes per second (X25519, ECDSA P-256
 * certificate, TLS_AES_128_GCM_SHA256) over loopback TCP: rxtls
 * (listenTls/connectTls) with each provider against node:tls, plus the noble
 * crypto-ops bound: in-memory handshakes against a replay of exactly the
 * crypto operations one handshake performs.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { firstValueFrom, Subject, type Subscription } from 'rxjs';
import type { CryptoProvider } from '../lib/crypto/provider.js';
import { connectTls } from '../lib/node/connect-tls.js';
import { listenTls } from '../lib/node/listen-tls.js';
import type { SecureChannel } from '../lib/rx/secure-channel.js';
import { Session } from '../lib/session/session.js';
import { type ClientOptions, type ServerOptions, resolveServerConfig } from '../lib/tls13/config.js';
import { type RecordedOp, recordingProvider } from './crypto-ops.js';
import type { Line } from './stats.js';
import { CA, CERT, KEY, driveBoth, interleavedAsync, memoryPipe } from './support.js';

const SUITE = 'TLS_AES_128_GCM_SHA256' as const;
export const clientOptions = (crypto: CryptoProvider): ClientOptions => ({ crypto, serverName: 'localhost', ca: CA, suites: [SUITE], groups: ['x25519'] });
export const serverOptions = (crypto: CryptoProvider): ServerOptions => ({ crypto, cert: CERT, key: KEY, suites: [SUITE], groups: ['x25519'] });

/** A node:tls server and a function doing one full handshake against it (both sides done), then closing. */
export async function nodeTlsHandshaker(): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const serverDone = new Subject<void>();
  const server = tls.createServer({ cert: CERT, key: KEY, minVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' }, (s) => {
    serverDone.next();
    s.on('error', () => {});
    s.on('end', () => s.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    async handshake() {
      const both = firstValueFrom(serverDone);
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, minVersion: 'TLSv1.3', ciphers: SUITE, ecdhCurve: 'X25519' });
      socket.on('error', () => {});
      await once(socket, 'secureConnect');
      await both;
      socket.destroy();
    },
    close: () => server.close(),
  };
}

/** An rxtls server (listenTls) and one full handshake against it with connectTls, then closing. */
export async function rxtlsHandshaker(crypto: CryptoProvider): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const serverDone = new Subject<void>();
  const port = new Subject<number>();
  const gotPort = firstValueFrom(port);
  const sub: Subscription = listenTls({
    port: 0,
    host: '127.0.0.1',
    cert: CERT,
    key: KEY,
    session: { crypto, suites: [SUITE], groups: ['x25519'] },
    listeningObserver: { next: (a) => port.next(a.port) },
  }).subscribe((channel) => {
    channel.handshake$.subscribe({ next: () => serverDone.next(), error: () => {} });
    channel.subscribe({ error: () => {} });
  });
  const p = await gotPort;
  return {
    async handshake() {
      const both = firstValueFrom(serverDone);
      const channel: SecureChannel = await firstValueFrom(
        connectTls({ host: '127.0.0.1', port: p, servername: 'localhost', ca: CA, session: { crypto, suites: [SUITE], groups: ['x25519'] } }),
      );
      await firstValueFrom(channel.handshake$);
      await both;
      channel.error(new Error('bench: done')); // abort: drop the connection at once, like socket.destroy()
    },
    close: () => sub.unsubscribe(),
  };
}

/** One in-memory handshake (Session pair driven synchronously), with fresh sessions as a server would make them. */
export function memoryHandshake(client: () => Session, server: () => Session): void {
  const c = client();
  const s = server();
  const [a, b] = memoryPipe();
  c.setTransport(a);
  s.setTransport(b);
  driveBoth(
    () => c.handshake(),
    () => s.handshake(),
  );
}

export async function handshakeLines(
  providers: CryptoProvider[],
  timing: { rounds: number; sliceMs: number; slices: number; warmMs: number },
  nobleBound: CryptoProvider | undefined,
): Promise<Line[]> {
  const lines: Line[] = [];
  const node = await nodeTlsHandshaker();
  for (const provider of providers) {
    const rx = await rxtlsHandshaker(provider);
    const r = await interleavedAsync(rx.handshake, node.handshake, timing);
    rx.close();
    lines.push({
      section: 'handshake',
      name: `${provider.name} provider vs node:tls (TCP, sequential)`,
      unit: 'hs/s',
      a: { label: `rxtls ${provider.name}`, ...r.a },
      b: { label: 'node:tls', ...r.b },
      ratio: r.ratio,
      better: 'higher',
      target: provider.name === 'node' ? { min: 1.0, text: '≥ 1.00' } : undefined,
    });
  }
  node.close();

  if (nobleBound) lines.push(await cryptoBoundLine(nobleBound, timing));
  return lines;
}

/**
 * Records one in-memory handshake's crypto operations (server config
 * resolution excluded: that is set-up, not handshake work), then measures
 * in-memory handshakes against replays of those operations.
 */
async function cryptoBoundLine(provider: CryptoProvider, timing: { rounds: number; sliceMs: number; slices: number; warmMs: number }): Promise<Line> {
  const clientOpts = clientOptions(provider);
  const serverOpts = serverOptions(provider);
  const log: RecordedOp[] = [];
  // Server options are resolved outside the recording: certificate parsing and
  // publicKeyOf are configuration work, which a server does once, not per handshake.
  const recorder = recordingProvider(provider, log);
  const s = Session.server({ ...serverOpts, crypto: recorder });
  memoryHandshake(
    () => {
      log.length = 0; // the server's set-up above is not part of a handshake
      return Session.client({ ...clientOpts, crypto: recorder });
    },
    () => s,
  );
  const ops = log.slice();
  const replay = async () => {
    for (const op of ops) op.replay();
  };
  // Per-kind cost, for the notes.
  const perKind = new Map<string, { count: number; ms: number }>();
  for (let r = 0; r < 3; r++) {
    for (const op of ops) {
      const t0 = performance.now();
      op.replay();
      const dt = performance.now() - t0;
      const k = perKind.get(op.kind) ?? { count: 0, ms: 0 };
      k.count += r === 2 ? 1 : 0;
      k.ms += r === 2 ? dt : 0;
      perKind.set(op.kind, k);
    }
  }
  // As listenTls and connectTls do: the server resolves its config once (the bound
  // excludes that set-up too), the client resolves its options per connection.
  const serverConfig = resolveServerConfig(serverOpts);
  const handshake = async () => memoryHandshake(() => Session.client(clientOpts), () => Session.server(serverConfig));
  const r = await interleavedAsync(handshake, replay, timing);
  const breakdown = [...perKind].sort((x, y) => y[1].ms - x[1].ms).map(([k, v]) => `${k} x${v.count} ${v.ms.toFixed(3)}ms`);
  return {
    section: 'handshake',
    name: `${provider.name} handshakes vs its crypto-ops bound (in-memory)`,
    unit: 'hs/s',
    a: { label: 'handshakes', ...r.a },
    b: { label: 'crypto ops only', ...r.b },
    ratio: r.ratio,
    better: 'higher',
    target: { min: 0.85, text: '≥ 0.85' },
    note: `one handshake = ${ops.length} crypto ops: ${breakdown.join('; ')}`,
  };
}
