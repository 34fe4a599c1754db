/**
 * Item 3: sequential handshakes per second over loopback TCP, per protocol
 * version (protocols.ts: TLS 1.3 with TLS_AES_128_GCM_SHA256, TLS 1.2 with
 * TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256; X25519 and the ECDSA P-256
 * certificate for both): rxtls (listenTls/connectTls) with each provider
 * against node:tls, every one a full handshake (each connection is checked:
 * version, suite, group, not resumed); plus the noble crypto-ops bound
 * (TLS 1.3): in-memory handshakes against a replay of exactly the crypto
 * operations one handshake performs.
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
import { type Protocol, TLS13, checkNodeTls, checkRxtls } from './protocols.js';
import type { Line } from './stats.js';
import { CA, CERT, KEY, driveBoth, interleavedAsync, memoryPipe } from './support.js';

/** In-memory TLS 1.3 sessions (the crypto-ops bound, channel.ts). */
export const clientOptions = (crypto: CryptoProvider): ClientOptions => ({ crypto, serverName: 'localhost', ca: CA, ...TLS13.rxtls });
export const serverOptions = (crypto: CryptoProvider): ServerOptions => ({ crypto, cert: CERT, key: KEY, ...TLS13.rxtls });

/**
 * A node:tls server and a function doing one full handshake of `protocol`
 * against it (both sides done), then closing. The client is given no
 * session, so node:tls does not resume.
 */
export async function nodeTlsHandshaker(protocol: Protocol): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const serverDone = new Subject<void>();
  const server = tls.createServer({ cert: CERT, key: KEY, ...protocol.node }, (s) => {
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
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, ...protocol.node });
      socket.on('error', () => {});
      await once(socket, 'secureConnect');
      checkNodeTls(protocol, socket);
      await both;
      socket.destroy();
    },
    close: () => server.close(),
  };
}

/** An rxtls server (listenTls) and one full handshake of `protocol` against it with connectTls (no `session`: no resumption), then closing. */
export async function rxtlsHandshaker(crypto: CryptoProvider, protocol: Protocol): Promise<{ handshake: () => Promise<void>; close: () => void }> {
  const serverDone = new Subject<void>();
  const port = new Subject<number>();
  const gotPort = firstValueFrom(port);
  const sub: Subscription = listenTls({
    port: 0,
    host: '127.0.0.1',
    cert: CERT,
    key: KEY,
    session: { crypto, ...protocol.rxtls },
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
        connectTls({ host: '127.0.0.1', port: p, servername: 'localhost', ca: CA, session: { crypto, ...protocol.rxtls } }),
      );
      checkRxtls(protocol, await firstValueFrom(channel.handshake$));
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

/**
 * One line per provider: rxtls against node:tls, both speaking `protocol`.
 * `nobleBound` adds the in-memory crypto-ops bound (TLS 1.3 sessions).
 * `target` is the node provider's goal, if any.
 */
export async function handshakeLines(
  protocol: Protocol,
  providers: CryptoProvider[],
  timing: { rounds: number; sliceMs: number; slices: number; warmMs: number },
  nobleBound: CryptoProvider | undefined,
  target?: Line['target'],
): Promise<Line[]> {
  const lines: Line[] = [];
  const node = await nodeTlsHandshaker(protocol);
  for (const provider of providers) {
    const rx = await rxtlsHandshaker(provider, protocol);
    const r = await interleavedAsync(rx.handshake, node.handshake, timing);
    rx.close();
    lines.push({
      section: 'handshake',
      name: `${protocol.prefix}${provider.name} provider vs node:tls (TCP, sequential)`,
      unit: 'hs/s',
      a: { label: `rxtls ${provider.name}`, ...r.a },
      b: { label: 'node:tls', ...r.b },
      ratio: r.ratio,
      better: 'higher',
      target: provider.name === 'node' ? target : undefined,
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
