/**
 * The DTLS demo (`npm run demo:dtls`): a DTLS 1.2 client and server on
 * DatagramChannels, first over a `virtualDatagramLink` with 50 ms latency in
 * RxJS virtual time, then over real UDP on 127.0.0.1 (node:dgram, real
 * timers). Both networks lose the server's first flight once and the
 * client's Finished flight once, so the RFC 6347 timers (1 s, doubling) have
 * to recover them. It prints who sent what when, which datagrams were lost,
 * when each handshake completed, and an echoed message.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NEVER, Subject, VirtualTimeScheduler } from 'rxjs';
import { AGAIN, Session, type DatagramTransport } from '../lib/index.js';
import { openDatagramChannel, type DatagramChannel, type DatagramChannelLink } from '../lib/rx/index.js';
import { virtualDatagramLink, type LinkSide } from '../lib/testing/index.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../spec/fixtures/${name}`, import.meta.url)), 'utf8');
const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const LATENCY = 50;
const MESSAGE = 'hello over DTLS';

// --- Reading the datagrams for the timeline ---

const HANDSHAKE_TYPES: Record<number, string> = {
  1: 'ClientHello', 2: 'ServerHello', 3: 'HelloVerifyRequest', 4: 'NewSessionTicket', 11: 'Certificate',
  12: 'ServerKeyExchange', 13: 'CertificateRequest', 14: 'ServerHelloDone', 15: 'CertificateVerify',
  16: 'ClientKeyExchange', 20: 'Finished',
};
const CONTENT_TYPES: Record<number, string> = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData' };

/**
 * The records of one datagram: each has a 13-byte header (type, version,
 * epoch at 3..4, sequence number, length at 11..12). In epoch 0 a handshake
 * record starts with the DTLS handshake header (message type at 13); records
 * of epoch 1 and later are encrypted.
 */
function describeDatagram(d: Uint8Array): string {
  const parts: string[] = [];
  for (let at = 0; at + 13 <= d.length; at += 13 + ((d[at + 11]! << 8) | d[at + 12]!)) {
    const type = d[at]!;
    const epoch = (d[at + 3]! << 8) | d[at + 4]!;
    if (epoch > 0) parts.push(`encrypted record (epoch ${epoch})`);
    else if (type === 22) parts.push(HANDSHAKE_TYPES[d[at + 13]!] ?? `handshake type ${d[at + 13]}`);
    else parts.push(CONTENT_TYPES[type] ?? `record type ${type}`);
  }
  return parts.join(', ');
}

/** The handshake flight of a datagram: 'server hello' (ServerHello..Done), 'client finished' (ClientKeyExchange, CCS, Finished), or other. */
function flightOf(d: Uint8Array): 'server hello' | 'client finished' | undefined {
  if (d[0] !== 22 || d[4] !== 0) return undefined;
  if (d[13] === 2) return 'server hello';
  if (d[13] === 16) return 'client finished';
  return undefined;
}

/**
 * The scripted loss: every datagram of the server's first flight and of the
 * client's Finished flight sent within 100 ms of that flight's first one
 * (copies of a flight sent together, e.g. in several datagrams, all go) is
 * lost; later transmissions get through.
 */
function scriptedLoss(now: () => number) {
  const firstSent = new Map<string, number>();
  return (d: Uint8Array): boolean => {
    const flight = flightOf(d);
    if (!flight) return false;
    if (!firstSent.has(flight)) firstSent.set(flight, now());
    return now() - firstSent.get(flight)! < 100;
  };
}

/** Prints one line per datagram a side sends, marking flights sent again and datagrams lost. */
function timeline(now: () => number) {
  const seen = new Set<string>();
  const line = (who: string, what: string) => console.log(`  t=${String(Math.round(now())).padStart(5)} ms  ${who.padEnd(6)} ${what}`);
  return {
    line,
    sent(side: 'client' | 'server', d: Uint8Array, lost: boolean): void {
      const what = describeDatagram(d);
      const again = what.startsWith('encrypted') ? false : seen.has(`${side} ${what}`);
      seen.add(`${side} ${what}`);
      line(side, `→ ${what} (${d.length} bytes)${again ? '  [retransmission]' : ''}${lost ? '  ✗ LOST' : ''}`);
    },
  };
}

/** Client and server channels, the echo, and a promise settled once both are closed. */
function converse(client: DatagramChannel, server: DatagramChannel, line: (who: string, what: string) => void): Promise<void> {
  client.handshake$.subscribe((i) => line('client', `handshake done: ${i.version} ${i.suite} ${i.group}`));
  server.handshake$.subscribe(() => line('server', 'handshake done'));
  server.subscribe((m) => {
    line('server', `got "${decode(m)}", echoing it`);
    server.next(m);
  });
  client.subscribe((m) => {
    line('client', `got the echo "${decode(m)}", closing`);
    client.complete();
  });
  client.next(encode(MESSAGE)); // queued until the handshake is done
  const closed = (who: string, ch: DatagramChannel) =>
    new Promise<void>((resolve, reject) =>
      ch.events$.subscribe((e) => {
        if (e.type !== 'closed') return;
        line(who, e.error ? `failed: ${(e.error as Error).message}` : 'closed');
        if (e.error) reject(e.error);
        else resolve();
      }),
    );
  return Promise.all([closed('client', client), closed('server', server)]).then(() => undefined);
}

const clientOptions = { protocol: 'dtls' as const, serverName: 'localhost', ca: fixture('ca.pem') };
const serverOptions = { protocol: 'dtls' as const, cert: fixture('server-p256.pem'), key: fixture('server-p256.key') };

// --- 1. Virtual time ---

async function overVirtualLink(): Promise<void> {
  console.log(`1. DTLS 1.2 over a virtualDatagramLink, ${LATENCY} ms latency, in virtual time`);
  console.log("   (a side resends its flight when its timer fires and when the peer's previous flight comes again)\n");
  const scheduler = new VirtualTimeScheduler();
  const now = () => scheduler.now();
  const loses = scriptedLoss(now);
  const [c, s] = virtualDatagramLink({ latency: LATENCY, script: { drop: (_side, _i, d) => loses(d) } }, scheduler);
  const log = timeline(now);
  for (const [side, end] of [['client', c], ['server', s]] as const) {
    const push = end.transport.push;
    end.transport.push = (d) => {
      const lostBefore = end.stats.dropped.script;
      const r = push(d);
      log.sent(side, d, end.stats.dropped.script > lostBefore);
      return r;
    };
  }
  const client = openDatagramChannel(Session.client({ ...clientOptions, clock: now }), c, { scheduler });
  const server = openDatagramChannel(Session.server({ ...serverOptions, clock: now }), s, { scheduler });
  const done = converse(client, server, log.line);
  const real = performance.now();
  scheduler.flush();
  await done;
  console.log(`\n  ${scheduler.now()} virtual ms ran in ${(performance.now() - real).toFixed(0)} real ms\n`);
}

// --- 2. Real UDP ---

/** A node:dgram socket on 127.0.0.1 as a channel link (the lead's connectDtls/listenDtls will do this properly). */
async function udpLink(side: 'client' | 'server', log: ReturnType<typeof timeline>, loses: (d: Uint8Array) => boolean, peerPort?: number) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const readable$ = new Subject<void>();
  const inbox: Uint8Array[] = [];
  let peer = peerPort;
  socket.on('message', (m, from) => {
    peer ??= from.port; // the server answers whoever spoke first
    inbox.push(new Uint8Array(m));
    readable$.next();
  });
  // socket.send() is asynchronous: close only once the last datagram (our close_notify) has left.
  let sending = 0;
  let closing = false;
  const closeWhenSent = () => closing && sending === 0 && socket.close();
  const transport: DatagramTransport = {
    push: (d) => {
      if (peer === undefined) return AGAIN;
      const lost = loses(d);
      log.sent(side, d, lost);
      if (!lost) {
        sending++;
        socket.send(d, peer, '127.0.0.1', () => {
          sending--;
          closeWhenSent();
        });
      }
      return d.length;
    },
    pull: () => inbox.shift() ?? AGAIN,
  };
  const destroy = () => {
    closing = true;
    closeWhenSent();
  };
  const link: DatagramChannelLink = { transport, readiness: { readable$, writable$: NEVER }, destroy };
  return { link, port: socket.address().port };
}

async function overUdp(): Promise<void> {
  console.log('2. The same over real UDP on 127.0.0.1 (node:dgram), real timers\n');
  const start = performance.now();
  const now = () => performance.now() - start;
  const log = timeline(now);
  const loses = scriptedLoss(now);
  const serverEnd = await udpLink('server', log, loses);
  const clientEnd = await udpLink('client', log, loses, serverEnd.port);
  const server = openDatagramChannel(Session.server(serverOptions), serverEnd.link);
  const client = openDatagramChannel(Session.client(clientOptions), clientEnd.link);
  await converse(client, server, log.line);
  console.log(`\n  ${now().toFixed(0)} real ms`);
}

const watchdog = setTimeout(() => {
  console.error('demo:dtls: no result within 20 s');
  process.exit(1);
}, 20_000);
watchdog.unref();

try {
  await overVirtualLink();
  await overUdp();
} catch (e) {
  console.error('demo:dtls failed:', e);
  process.exitCode = 1;
}
