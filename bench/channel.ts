/**
 * Item 4: the RxJS SecureChannel pipeline against the bare Session, moving
 * the same bytes client -> server over the same kind of in-memory link
 * (virtualStreamLink on the asap scheduler: readiness events are microtasks,
 * no timers). The bare driver is what the channel does minus RxJS: send()
 * until AGAIN, wait for the readiness event in the session's direction,
 * resume; the reader drains recv() on every readable event.
 */
import { asapScheduler, firstValueFrom, type Subscription } from 'rxjs';
import type { CryptoProvider } from '../lib/crypto/provider.js';
import { openChannel } from '../lib/rx/secure-channel.js';
import { AGAIN, EOF } from '../lib/session/contract.js';
import { Session } from '../lib/session/session.js';
import { virtualStreamLink, type VirtualEndpoint } from '../lib/testing/virtual-stream-link.js';
import { clientOptions, serverOptions } from './handshake.js';
import { type Line, MiB, sideBySide } from './stats.js';

const link = () => virtualStreamLink({ capacity: 256 * 1024 }, asapScheduler);

/** Waits for the next readiness event in the direction the session waits for. */
function wake(session: Session, end: VirtualEndpoint, then: () => void): Subscription {
  const events$ = session.direction() === 'write' ? end.readiness.writable$ : end.readiness.readable$;
  let sub: Subscription | undefined;
  let fired = false;
  sub = events$.subscribe(() => {
    fired = true;
    sub?.unsubscribe();
    then();
  });
  if (fired) sub.unsubscribe();
  return sub;
}

/** Runs a non-blocking call until it is done, resuming on readiness. */
function until(session: Session, end: VirtualEndpoint, op: () => unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const step = () => {
      try {
        if (op() === AGAIN) wake(session, end, step);
        else resolve();
      } catch (e) {
        reject(e);
      }
    };
    step();
  });
}

async function bareTransfer(crypto: CryptoProvider, bytes: number, write: number): Promise<number> {
  const [c, s] = link();
  const client = Session.client(clientOptions(crypto));
  const server = Session.server(serverOptions(crypto));
  client.setTransport(c.transport);
  server.setTransport(s.transport);
  await Promise.all([until(client, c, () => client.handshake()), until(server, s, () => server.handshake())]);
  const chunk = new Uint8Array(write).fill(0x61);
  const t0 = performance.now();
  let got = 0;
  const received = new Promise<void>((resolve, reject) => {
    const drain = () => {
      try {
        for (;;) {
          const r = server.recv();
          if (r === AGAIN) break;
          if (r === EOF) throw new Error('unexpected EOF');
          got += r.length;
        }
      } catch (e) {
        reject(e);
        return;
      }
      if (got >= bytes) resolve();
      else wake(server, s, drain);
    };
    drain();
  });
  let sent = 0;
  const sending = new Promise<void>((resolve, reject) => {
    let resume = false;
    const pump = () => {
      try {
        while (sent < bytes) {
          const r = resume ? client.send() : client.send(chunk);
          if (r === AGAIN) {
            resume = true;
            wake(client, c, pump);
            return;
          }
          resume = false;
          sent += chunk.length;
        }
        resolve();
      } catch (e) {
        reject(e);
      }
    };
    pump();
  });
  await Promise.all([sending, received]);
  return (bytes * 1000) / (performance.now() - t0);
}

async function channelTransfer(crypto: CryptoProvider, bytes: number, write: number): Promise<number> {
  const [c, s] = link();
  const client = openChannel(Session.client(clientOptions(crypto)), c);
  const server = openChannel(Session.server(serverOptions(crypto)), s);
  let got = 0;
  let done!: () => void;
  const received = new Promise<void>((resolve) => (done = resolve));
  server.subscribe({ next: (chunk) => ((got += chunk.length), got >= bytes && done()), error: () => {} });
  client.subscribe({ error: () => {} });
  await Promise.all([firstValueFrom(client.handshake$), firstValueFrom(server.handshake$)]);
  const chunk = new Uint8Array(write).fill(0x61);
  const t0 = performance.now();
  for (let sent = 0; sent < bytes; sent += write) {
    client.next(chunk);
    if (client.bufferedAmount > 0) await firstValueFrom(client.drain$);
  }
  await received;
  const rate = (bytes * 1000) / (performance.now() - t0);
  client.error(new Error('bench: done'));
  server.error(new Error('bench: done'));
  return rate;
}

export async function channelLines(runs: { provider: CryptoProvider; bytes: number; write: number }[], rounds: number): Promise<Line[]> {
  const lines: Line[] = [];
  for (const { provider, bytes, write } of runs) {
    await channelTransfer(provider, bytes / 8, write);
    await bareTransfer(provider, bytes / 8, write);
    const r = await sideBySide(rounds, () => channelTransfer(provider, bytes, write), () => bareTransfer(provider, bytes, write));
    lines.push({
      section: 'channel',
      name: `${provider.name} provider, ${bytes / MiB} MiB in ${write >= 1024 ? `${write / 1024} KiB` : `${write} B`} writes (in-memory)`,
      unit: 'MB/s',
      a: { label: 'SecureChannel', ...r.a },
      b: { label: 'bare Session', ...r.b },
      ratio: r.ratio,
      better: 'higher',
      target: { min: 0.95, text: '≥ 0.95' },
    });
  }
  return lines;
}
