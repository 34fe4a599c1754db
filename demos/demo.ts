/**
 * The main demo (`npm run demo`): an rxtls server and an rxtls client on
 * 127.0.0.1 complete a TLS 1.3 handshake through the RxJS pipeline,
 * exchange messages and close with close_notify both ways. It prints a
 * transcript and exits 0.
 *
 * The certificates are the test fixtures (a throwaway CA): never use them
 * for anything real.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, lastValueFrom, map, mergeMap, reduce, share, take, tap } from 'rxjs';
import { connectTls, listenTls } from '../lib/node/index.js';
import type { SessionInfo } from '../lib/session/contract.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../spec/fixtures/${name}`, import.meta.url)), 'utf8');
const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const started = performance.now();
const log = (who: string, what: string) => console.log(`[${(performance.now() - started).toFixed(1).padStart(7)} ms] ${who.padEnd(6)} ${what}`);
const describe = (i: SessionInfo) =>
  `${i.version} ${i.suite} group=${i.group} signature=${i.signatureScheme} ALPN=${i.alpn ?? '-'} SNI=${i.serverName ?? '-'}`;

const MESSAGES = ['hello from the rxtls client', 'TLS 1.3 in TypeScript, on @noble crypto', 'driven by RxJS'];

async function main(): Promise<void> {
  console.log('rxtls demo: TLS 1.3 client and server over the RxJS pipeline on 127.0.0.1\n');
  let resolvePort!: (port: number) => void;
  const port = new Promise<number>((r) => (resolvePort = r));

  // The server: one SecureChannel per connection; it answers each message in upper case.
  const server$ = listenTls({
    host: '127.0.0.1',
    port: 0,
    cert: fixture('server-p256.pem'),
    key: fixture('server-p256.key'),
    ALPNProtocols: ['rxtls-demo', 'http/1.1'],
    listeningObserver: { next: (a) => (log('server', `listening on ${a.address}:${a.port}`), resolvePort(a.port)) },
  }).pipe(
    take(1),
    mergeMap((channel) => {
      channel.handshake$.subscribe((info) => log('server', `handshake done: ${describe(info)}`));
      return channel.pipe(
        tap((chunk) => {
          log('server', `got "${decode(chunk)}" (${chunk.length} bytes), answering`);
          channel.next(encode(decode(chunk).toUpperCase()));
        }),
        reduce((n, chunk) => n + chunk.length, 0),
      );
    }),
    share(),
  );
  const serverReceived = lastValueFrom(server$);

  // The client: connect, send every message, read the answers, close.
  const connectAt = performance.now();
  const channel = await firstValueFrom(
    connectTls({ host: '127.0.0.1', port: await port, servername: 'localhost', ca: fixture('ca.pem'), ALPNProtocols: ['rxtls-demo'] }),
  );
  log('client', 'connected, handshake running');
  const info = await firstValueFrom(channel.handshake$);
  const handshakeMs = performance.now() - connectAt;
  log('client', `handshake done: ${describe(info)}`);

  let answers = 0;
  const clientReceived = lastValueFrom(
    channel.pipe(
      tap((chunk) => {
        log('client', `got "${decode(chunk)}"`);
        if (++answers === MESSAGES.length) channel.complete(); // close_notify once every answer is in
      }),
      map((chunk) => chunk.length),
      reduce((a, b) => a + b, 0),
    ),
  );
  let sent = 0;
  for (const m of MESSAGES) {
    log('client', `sends "${m}"`);
    channel.next(encode(m));
    sent += encode(m).length;
  }
  const [received, atServer] = await Promise.all([clientReceived, serverReceived]);
  log('both', 'closed with close_notify both ways');

  console.log(`
negotiated    ${info.version}, ${info.suite}, group ${info.group}, ALPN ${info.alpn}
certificate   ${info.signatureScheme}, verified against the demo CA for "${info.serverName}"
handshake     ${handshakeMs.toFixed(1)} ms from connect() to the client's Finished
bytes         client sent ${sent}, server received ${atServer}, client received ${received}
tickets       ${info.tickets.length} session tickets kept by the client`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('demo failed:', e);
    process.exit(1);
  },
);
