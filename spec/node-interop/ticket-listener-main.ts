/**
 * A listenTls server in its own process, for the spec that resumes a ticket
 * from one listener on another (shared-ticket-keys.spec.ts). Run as
 * `node --import tsx ticket-listener-main.ts '<json>'` with
 * { nodeKeysHex?: string } (node:tls's 48-byte `ticketKeys` option) or
 * { keys?: Array<{ nameHex, keyHex }> } (`session: { ticketKeys }`).
 * Prints `{"port":N}` once listening, then per connection, once its handshake
 * is done, `{"resumed":bool,"version":"TLSv1.3"}` (what this server saw), and
 * writes "hi" and closes. Exits when its stdin ends.
 */
import '../support/default-crypto.js';
import { listenTls } from '../../lib/node/index.js';
import { serverIdentity } from '../support/fixtures.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as { nodeKeysHex?: string; keys?: Array<{ nameHex: string; keyHex: string }> };
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const print = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const sub = listenTls({
  ...serverIdentity('p256'),
  host: '127.0.0.1',
  ticketKeys: opts.nodeKeysHex ? hex(opts.nodeKeysHex) : undefined,
  session: opts.keys ? { ticketKeys: opts.keys.map((k) => ({ name: hex(k.nameHex), key: hex(k.keyHex) })) } : {},
  listeningObserver: { next: (a) => print({ port: a.port }) },
}).subscribe({
  next: (channel) => {
    channel.subscribe({ error: (e: unknown) => print({ error: String(e) }) });
    channel.handshake$.subscribe({
      next: (info) => {
        print({ resumed: info.resumed, version: info.version });
        channel.next(new TextEncoder().encode('hi'));
        channel.complete();
      },
      error: (e: unknown) => print({ error: String(e) }),
    });
  },
  error: (e: unknown) => print({ error: String(e) }),
});
process.stdin.on('end', () => {
  sub.unsubscribe();
  process.exit(0);
});
process.stdin.resume();
