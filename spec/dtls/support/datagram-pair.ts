/**
 * Two DTLS sessions over an in-memory datagram wire with a manual clock:
 * datagrams cross instantly unless a `drop` rule eats them; `run()` steps
 * both sessions and advances the clock to the next deadline while neither
 * can move. For protocol specs that need exact control; the RxJS-level specs
 * use virtualDatagramLink.
 */
import { AGAIN, type Again, type DatagramTransport, EOF } from '../../../lib/session/contract.js';
import { Session } from '../../../lib/session/session.js';
import type { DatagramSession } from '../../../lib/session/datagram-session.js';
import type { ClientOptions, ServerOptions } from '../../../lib/tls13/config.js';
import { caPem, serverIdentity } from '../../support/fixtures.js';
import { CookieJar } from '../../../lib/dtls/cookie.js';
import { cookieGate } from '../../../lib/dtls/cookie-gate.js';
import { nobleCrypto } from '../../../lib/crypto/noble/index.js';

/**
 * What listenDtls does in front of a server session: until a ClientHello
 * carries a valid cookie, datagrams go to the stateless gate (which answers
 * HelloVerifyRequests itself), not to the session.
 */
export function behindCookieGate(inner: DatagramTransport, jar: CookieJar, address = '192.0.2.1:5684'): DatagramTransport {
  let accepted = false;
  return {
    push: (d) => inner.push(d),
    pull: () => {
      for (;;) {
        const d = inner.pull();
        if (accepted || d === AGAIN || d === EOF) return d;
        const v = cookieGate(jar, address, d);
        if (v.verdict === 'accept') {
          accepted = true;
          return d;
        }
        if (v.verdict === 'reply') inner.push(v.datagram);
      }
    },
  };
}

export type Side = 'client' | 'server';

export interface WireEvent {
  at: number;
  from: Side;
  /** 1-based count of the datagrams this side sent. */
  index: number;
  bytes: Uint8Array;
  dropped: boolean;
}

export class DatagramWire {
  now = 0;
  readonly log: WireEvent[] = [];
  private readonly queues: Record<Side, Uint8Array[]> = { client: [], server: [] };
  private readonly sent: Record<Side, number> = { client: 0, server: 0 };

  constructor(private readonly drop: (from: Side, index: number, bytes: Uint8Array) => boolean = () => false) {}

  end(side: Side): DatagramTransport {
    const other: Side = side === 'client' ? 'server' : 'client';
    return {
      push: (d) => {
        const index = ++this.sent[side];
        const dropped = this.drop(side, index, d);
        this.log.push({ at: this.now, from: side, index, bytes: d.slice(), dropped });
        if (!dropped) this.queues[other].push(d.slice());
        return d.length;
      },
      pull: () => this.queues[side].shift() ?? AGAIN,
    };
  }

  /** Injects a datagram as if `from` sent it. */
  inject(from: Side, d: Uint8Array): void {
    this.queues[from === 'client' ? 'server' : 'client'].push(d);
  }

  waiting(side: Side): number {
    return this.queues[side].length;
  }
}

export const dtlsClientOptions = (o: Partial<ClientOptions> = {}) => ({ protocol: 'dtls' as const, serverName: 'localhost', ca: caPem(), ...o });
export const dtlsServerOptions = (o: Partial<ServerOptions> = {}) => ({ protocol: 'dtls' as const, ...serverIdentity('p256'), ...o });

export interface DtlsPair {
  wire: DatagramWire;
  client: DatagramSession;
  server: DatagramSession;
}

export function dtlsPair(
  opts: {
    client?: Record<string, unknown>;
    server?: Record<string, unknown>;
    drop?: (from: Side, index: number, bytes: Uint8Array) => boolean;
    /** Put the stateless cookie exchange in front of the server. */
    cookie?: boolean;
  } = {},
): DtlsPair {
  const wire = new DatagramWire(opts.drop);
  const clock = () => wire.now;
  const client = Session.client({ ...dtlsClientOptions(), clock, ...opts.client } as any) as DatagramSession;
  const server = Session.server({ ...dtlsServerOptions(), clock, ...opts.server } as any) as DatagramSession;
  client.setTransport(wire.end('client'));
  const jar = new CookieJar(nobleCrypto, nobleCrypto.random, clock);
  server.setTransport(opts.cookie ? behindCookieGate(wire.end('server'), jar) : wire.end('server'));
  return { wire, client, server };
}

/**
 * Steps both handshakes until both are done, advancing the clock to the
 * earliest deadline whenever neither can move; throws past `limitMs`.
 */
export function runHandshake(p: DtlsPair, limitMs = 120_000): { client: number; server: number } {
  const doneAt: Partial<Record<Side, number>> = {};
  const step = (side: Side, s: DatagramSession): 'done' | Again => {
    if (doneAt[side] !== undefined) {
      // A finished side still answers repeated flights while it reads.
      const r = s.recv();
      if (r !== AGAIN && r !== EOF) throw new Error('unexpected data');
      return 'done';
    }
    const r = s.handshake();
    if (r === 'done') doneAt[side] = p.wire.now;
    return r;
  };
  for (let rounds = 0; rounds < 100_000; rounds++) {
    step('client', p.client);
    step('server', p.server);
    if (doneAt.client !== undefined && doneAt.server !== undefined && !p.wire.waiting('client') && !p.wire.waiting('server')) {
      return { client: doneAt.client, server: doneAt.server };
    }
    if (p.wire.waiting('client') || p.wire.waiting('server')) continue;
    const waits = [p.client.timeout(), p.server.timeout()].filter((t): t is number => t !== undefined);
    if (waits.length === 0) throw new Error(`stalled at ${p.wire.now} ms: no deadline and nothing in flight`);
    p.wire.now += Math.max(0, Math.min(...waits));
    if (p.wire.now > limitMs) throw new Error(`no handshake by ${limitMs} ms`);
  }
  throw new Error('too many rounds');
}
