/** Helpers for the DTLS node specs: an echo listener, subscribed clients, a captured ClientHello, polling. */
import dgram from 'node:dgram';
import { EMPTY, catchError, firstValueFrom, lastValueFrom, mergeMap, ReplaySubject, Subject, take, tap, toArray, type Subscription } from 'rxjs';
import { connectDtls } from '../../lib/node/connect-dtls.js';
import type { ConnectDtlsOptions, DtlsListening, ListenDtlsOptions } from '../../lib/node/dtls-options.js';
import { listenDtls } from '../../lib/node/listen-dtls.js';
import type { DatagramChannel } from '../../lib/rx/datagram-channel.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { bytes, text } from './helpers.js';

export const CA = caPem();
export const { cert, key } = serverIdentity('p256');

/** A listener on 127.0.0.1:0 echoing every datagram; resolves once bound. */
export async function echoListener(extra: Partial<ListenDtlsOptions> = {}) {
  const listening = new Subject<DtlsListening>();
  const gotListening = firstValueFrom(listening);
  const channels: DatagramChannel[] = [];
  const sub: Subscription = listenDtls({ host: '127.0.0.1', cert, key, listeningObserver: listening, ...extra })
    .pipe(
      mergeMap((channel) => {
        channels.push(channel);
        // One peer failing must not end the listener: its error stays its own.
        return channel.pipe(
          tap((d) => channel.next(d)),
          catchError(() => EMPTY),
        );
      }),
    )
    .subscribe({ error: () => {} });
  const l = await gotListening;
  return { port: l.port, stats: l.stats, channels, close: () => sub.unsubscribe() };
}

/**
 * A connected client channel, subscribed for good (a channel whose last
 * subscriber leaves closes): what it receives is replayed by `received$`.
 */
export async function client(port: number, extra: Partial<ConnectDtlsOptions> = {}) {
  const channel = await firstValueFrom(connectDtls({ host: '127.0.0.1', port, servername: 'localhost', ca: CA, ...extra }));
  const received = new ReplaySubject<Uint8Array>();
  channel.subscribe({ next: (d) => received.next(d), error: () => {} });
  return Object.assign(channel, { received$: received.asObservable() });
}

/** Sends each text as one datagram and collects as many answers (in arrival order). */
export async function roundTrip(channel: Awaited<ReturnType<typeof client>>, texts: string[], skip = 0): Promise<string[]> {
  const answers = firstValueFrom(channel.received$.pipe(take(skip + texts.length), toArray()));
  for (const t of texts) channel.next(bytes(t));
  return (await answers).slice(skip).map(text);
}

/** Resolves once `cond()` holds (polled). */
export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (const started = Date.now(); !cond(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() - started > ms) throw new Error('condition not reached');
  }
}

/** Every event of `channel` once it has ended. */
export const closed = (channel: DatagramChannel) => lastValueFrom(channel.events$.pipe(toArray()));

/** The first datagram a DTLS client sends: a cookie-less ClientHello. */
export async function captureClientHello(): Promise<Buffer> {
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
  try {
    const first = new Promise<Buffer>((resolve) => sink.once('message', resolve));
    const channel = await client(sink.address().port, { handshakeTimeout: 5000 });
    const hello = await first;
    channel.error(new Error('captured'));
    return hello;
  } finally {
    sink.close();
  }
}
