/** Client/server Session pairs over misbehaving in-memory transports. */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { AGAIN, EOF, type Again } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { type ClientOptions, type ServerConfig, type ServerOptions, isResolvedConfig } from '../../lib/tls13/config.js';
import { driveBoth } from '../support/drive.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { memoryPipe, type PipeEnd, type PipeOptions } from '../support/memory-pipe.js';
import { WireTap } from './wire-tap.js';

export interface Pair {
  client: Session;
  server: Session;
  /** The client's and the server's transport ends. */
  clientEnd: PipeEnd;
  serverEnd: PipeEnd;
  tap: WireTap;
  /** Key-log lines the server produced (the client's go to the tap). */
  serverKeylog: string[];
}

export const defaultClient = (): ClientOptions => ({ serverName: 'localhost', ca: caPem() });
export const defaultServer = (): ServerOptions => serverIdentity('p256');

export function makePair(client: Partial<ClientOptions> = {}, server: Partial<ServerOptions> | ServerConfig = {}, pipe: PipeOptions = {}): Pair {
  const tap = new WireTap();
  const serverKeylog: string[] = [];
  const c = Session.client({ ...defaultClient(), keylog: tap.keylog, ...client });
  // A resolved config (one per listener, as a fleet server keeps it) is used as it is.
  const s = isResolvedConfig(server) ? Session.server(server as ServerConfig) : Session.server({ ...defaultServer(), keylog: (l) => serverKeylog.push(l), ...(server as Partial<ServerOptions>) });
  const [a, b] = memoryPipe(pipe);
  const clientEnd = tap.wrap('client', a);
  const serverEnd = tap.wrap('server', b);
  c.setTransport(clientEnd);
  s.setTransport(serverEnd);
  return { client: c, server: s, clientEnd, serverEnd, tap, serverKeylog };
}

export function handshake(p: Pair): void {
  const [c, s] = driveBoth(() => p.client.handshake(), () => p.server.handshake());
  expect(c).to.equal('done');
  expect(s).to.equal('done');
}

export function connect(client: Partial<ClientOptions> = {}, server: Partial<ServerOptions> | ServerConfig = {}, pipe: PipeOptions = {}): Pair {
  const p = makePair(client, server, pipe);
  handshake(p);
  return p;
}

export const payload = (n: number, seed = 0) => {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

/** Counts AGAINs seen by transfer(), to prove the resume paths ran. */
export const stats = { sendAgain: 0, recvAgain: 0 };

/**
 * Sends `data` from one session and reads it on the other, resuming an
 * interrupted send() with send() (no data) and calling recv() until all came.
 */
export function transfer(from: Session, to: Session, data: Uint8Array, maxSteps = 5_000_000): void {
  let sent: number | Again = from.send(data);
  const parts: Uint8Array[] = [];
  let got = 0;
  for (let i = 0; ; i++) {
    if (i > maxSteps) throw new Error(`transfer of ${data.length} bytes stalled (sent=${String(sent)}, got=${got})`);
    // No chai in this loop: it runs once per byte in one-byte mode.
    if (sent === AGAIN) {
      stats.sendAgain++;
      if (from.direction() !== 'write') throw new Error('send() returned AGAIN but direction() is not write');
      sent = from.send();
    }
    if (got < data.length) {
      const r = to.recv();
      if (r === AGAIN) {
        stats.recvAgain++;
      } else if (r === EOF) {
        throw new Error(`EOF after ${got} of ${data.length} bytes`);
      } else {
        if (r.length === 0) throw new Error('recv() returned an empty chunk');
        parts.push(r);
        got += r.length;
      }
    }
    if (sent !== AGAIN && got >= data.length) break;
  }
  expect(sent).to.equal(data.length);
  expect(got).to.equal(data.length);
  const all = Buffer.concat(parts);
  expect(Buffer.compare(all, data), `payload of ${data.length} bytes differs`).to.equal(0);
}

/** Reads on `s` until EOF; fails on data. */
export function recvUntilEof(s: Session): 'eof' | Again {
  const r = s.recv();
  if (r === AGAIN) return AGAIN;
  if (r === EOF) return 'eof';
  throw new Error(`unexpected ${r.length} bytes of data`);
}

/** Runs `f` and returns the TlsError it throws. */
export function tlsErrorOf(f: () => unknown): TlsError {
  try {
    f();
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
  expect.fail('expected a TlsError');
}

/**
 * Drives both handshakes until each side either finished or threw; returns
 * what happened on each side.
 */
export function handshakeOutcome(p: Pair, maxSteps = 1_000_000): { client: 'done' | TlsError; server: 'done' | TlsError } {
  const step = (f: () => 'done' | Again) => (): 'done' | TlsError | Again => {
    try {
      return f();
    } catch (e) {
      if (e instanceof TlsError) return e;
      throw e;
    }
  };
  // A side that finished while the other failed keeps waiting for data it will
  // never get; stop after the other side settled and this one stopped progressing.
  const c = step(() => p.client.handshake());
  const s = step(() => p.server.handshake());
  let rc: 'done' | TlsError | Again = AGAIN;
  let rs: 'done' | TlsError | Again = AGAIN;
  let settledAt = Infinity;
  for (let i = 0; i < maxSteps && (rc === AGAIN || rs === AGAIN) && i < settledAt + 20_000; i++) {
    if (rc === AGAIN) rc = c();
    if (rs === AGAIN) rs = s();
    if (settledAt === Infinity && (rc !== AGAIN || rs !== AGAIN)) settledAt = i;
  }
  if (rc === AGAIN || rs === AGAIN) {
    return { client: rc === AGAIN ? stalled('client') : rc, server: rs === AGAIN ? stalled('server') : rs };
  }
  return { client: rc, server: rs };
}

function stalled(who: string): TlsError {
  return new TlsError('internal_error', `${who} handshake still waiting (AGAIN)`);
}

/** Both ways, then close_notify from the client: the server reads EOF, and goes on reading EOF. */
export function exchangeAndClose(p: Pair, sizes: number[], seed: number): void {
  for (const [i, n] of sizes.entries()) {
    transfer(p.client, p.server, payload(n, seed + i));
    transfer(p.server, p.client, payload(n, seed + 100 + i));
  }
  const [bye, eof] = driveBoth(() => p.client.bye(), () => recvUntilEof(p.server));
  expect(bye).to.equal('done');
  expect(eof).to.equal('eof');
  expect(p.server.recv()).to.equal(EOF);
}
