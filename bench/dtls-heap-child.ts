/**
 * The listener side of the DTLS heap bench (dtls.ts), run with --expose-gc:
 * listenDtls or listenTls (node crypto provider, the TLS 1.2 bench suite)
 * keeping every channel; the parent opens the peers and asks for the
 * retained memory (heap + external) after full GCs.
 */
import { firstValueFrom, type Observable, Subject } from 'rxjs';
import type { DatagramChannel } from '../lib/rx/datagram-channel.js';
import type { SecureChannel } from '../lib/rx/secure-channel.js';
import { nodeCrypto } from '../lib/crypto/node/index.js';
import { listenDtls } from '../lib/node/listen-dtls.js';
import { listenTls } from '../lib/node/listen-tls.js';
import { DTLS_SESSION } from './dtls.js';
import { TLS12 } from './protocols.js';
import { CERT, KEY } from './support.js';

export type DtlsHeapCommand = { cmd: 'listen'; kind: 'dtls' | 'tls' } | { cmd: 'measure' } | { cmd: 'exit' };

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('dtls-heap-child needs --expose-gc');

const keep: unknown[] = [];
let established = 0;

process.on('message', async (m: DtlsHeapCommand) => {
  if (m.cmd === 'exit') process.exit(0);
  if (m.cmd === 'measure') {
    for (let i = 0; i < 4; i++) {
      gc!();
      await new Promise((r) => setImmediate(r));
    }
    const mem = process.memoryUsage();
    process.send!({ retained: mem.heapUsed + mem.external, established });
    return;
  }
  const listening = new Subject<{ port: number }>();
  const port = firstValueFrom(listening);
  const common = { host: '127.0.0.1', cert: CERT, key: KEY, listeningObserver: listening };
  const channels: Observable<DatagramChannel | SecureChannel> =
    m.kind === 'dtls'
      ? listenDtls({ ...common, session: DTLS_SESSION })
      : listenTls({ ...common, session: { crypto: nodeCrypto, ...TLS12.rxtls } });
  channels.subscribe((channel) => {
    keep.push(channel);
    channel.subscribe({ error: () => {} });
    channel.handshake$.subscribe({ next: () => established++, error: () => {} });
  });
  process.send!({ port: (await port).port });
});
