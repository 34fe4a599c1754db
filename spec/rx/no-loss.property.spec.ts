/**
 * Property: the RxJS layer loses, duplicates and reorders no byte, whatever
 * the link (latency, short reads, small capacity), a transport that says
 * AGAIN at random and moves random partial amounts, the timing of writes
 * (with KeyUpdates between them), and slow consumers on both sides. Runs in
 * TestScheduler virtual time.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { merge, of, Subject, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { openChannel, pacedRead, type ChannelLink, type ChannelSession } from '../../lib/rx/index.js';
import { virtualStreamLink, type VirtualEndpoint } from '../../lib/testing/index.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { prng } from '../support/memory-pipe.js';
import { PlainSession } from './plain-session.js';

/**
 * A transport that misbehaves within the contract: AGAIN at random although
 * it could proceed (followed, a little later, by the readiness event that
 * AGAIN promises), partial writes of random size, and short reads (at most
 * `maxMove` bytes).
 */
function misbehaving(e: VirtualEndpoint, ts: TestScheduler, rand: () => number, againRate: number, maxMove: number): ChannelLink {
  const readable = new Subject<void>();
  const writable = new Subject<void>();
  const size = (n: number) => 1 + Math.floor(rand() * Math.min(n, maxMove));
  return {
    transport: {
      push(bytes) {
        if (rand() < againRate) {
          ts.schedule(() => writable.next(), Math.floor(rand() * 3));
          return AGAIN;
        }
        // Every push is a scheduler action on the link: cut some, not all, so runs stay fast.
        return e.transport.push(rand() < 0.3 ? bytes.subarray(0, size(bytes.length)) : bytes);
      },
      pull(max) {
        if (rand() < againRate) {
          ts.schedule(() => readable.next(), Math.floor(rand() * 3));
          return AGAIN;
        }
        return e.transport.pull(size(max));
      },
    },
    readiness: {
      readable$: merge(e.readiness.readable$, readable),
      writable$: merge(e.readiness.writable$, writable),
    },
    close: () => e.close(),
    destroy: () => e.close(),
  };
}

const scenario = fc.record({
  latency: fc.integer({ min: 0, max: 20 }),
  chunkSize: fc.integer({ min: 1, max: 3000 }),
  capacity: fc.integer({ min: 64, max: 20_000 }),
  againRate: fc.constantFrom(0, 0.1, 0.3, 0.6),
  maxMove: fc.constantFrom(1, 7, 100, 5000, Infinity),
  seed: fc.integer(),
  /** Client writes: size and the frame it happens at. */
  writes: fc.array(fc.record({ size: fc.integer({ min: 0, max: 4000 }), at: fc.integer({ min: 0, max: 150 }), keyUpdate: fc.boolean() }), {
    minLength: 1,
    maxLength: 6,
  }),
  /** Per-chunk processing time of each side's consumer (0: synchronous). */
  serverDelays: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 }),
  clientDelays: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 }),
  closeAfter: fc.integer({ min: 0, max: 50 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;
type MakeSessions = (ts: TestScheduler) => [ChannelSession, ChannelSession];

/** Runs one scenario: the client writes on schedule and closes, the server echoes; both read slowly. */
function echoScenario(p: Scenario, makeSessions: MakeSessions): void {
  const ts = new TestScheduler((a, b) => {
    expect(a).to.deep.equal(b);
  });
  const rand = prng(p.seed);
  const sent: Uint8Array[] = [];
  const echoed: Uint8Array[] = [];
  const received: Uint8Array[] = [];
  const outcome: string[] = [];
  ts.run(() => {
    const [c, s] = virtualStreamLink({ latency: p.latency, chunkSize: p.chunkSize, capacity: p.capacity }, ts);
    const [clientSession, serverSession] = makeSessions(ts);
    const client = openChannel(clientSession, misbehaving(c, ts, rand, p.againRate, p.maxMove));
    const server = openChannel(serverSession, misbehaving(s, ts, rand, p.againRate, p.maxMove));
    const pace = (delays: number[], i: number) => {
      const d = delays[i % delays.length]!;
      return d === 0 ? of(0) : timer(d, ts);
    };
    const report = (who: string) => ({
      complete: () => outcome.push(`${who} complete`),
      error: (e: unknown) => outcome.push(`${who} error ${e}`),
    });

    // Server: echo each chunk, processing slowly.
    pacedRead(server, (chunk, i) => {
      received.push(chunk);
      server.next(chunk);
      return pace(p.serverDelays, i);
    }).subscribe(report('server'));

    // Client: write on schedule, read the echo slowly, close after the last write.
    pacedRead(client, (chunk, i) => {
      echoed.push(chunk);
      return pace(p.clientDelays, i);
    }).subscribe(report('client'));
    let n = 0;
    // Frame order (stable: equal frames run in scheduling order) is send order.
    for (const w of [...p.writes].sort((x, y) => x.at - y.at)) {
      const chunk = new Uint8Array(w.size);
      for (let i = 0; i < chunk.length; i++) chunk[i] = n++ & 0xff;
      sent.push(chunk);
      ts.schedule(() => {
        client.next(chunk);
        if (w.keyUpdate) client.keyUpdate(true);
      }, w.at);
    }
    ts.schedule(() => client.complete(), Math.max(...p.writes.map((w) => w.at)) + p.closeAfter);
    for (const [who, ch] of [['client', client], ['server', server]] as const) {
      ch.events$.subscribe((e) => e.type === 'closed' && outcome.push(`${who} closed${e.error ? ' ' + e.error : ''}`));
    }
  });
  expect(outcome.sort()).to.deep.equal(['client closed', 'client complete', 'server closed', 'server complete']);
  const all = Buffer.concat(sent);
  expect(Buffer.concat(received).equals(all), 'server got exactly what the client sent').to.equal(true);
  expect(Buffer.concat(echoed).equals(all), 'client got exactly the echo').to.equal(true);
}

describe('SecureChannel: no lost, duplicated or reordered byte (property)', () => {
  it('over TLS 1.3 sessions: random AGAIN, partial moves, slow consumers', function () {
    this.timeout(20_000); // ~1.5 s: a real handshake (~50 ms of noble crypto) per run
    fc.assert(
      fc.property(scenario, (p) =>
        echoScenario(p, (ts) => {
          const clock = () => ts.now();
          return [Session.client({ serverName: 'localhost', ca: caPem(), clock }), Session.server({ ...serverIdentity('p256'), clock })];
        }),
      ),
      { numRuns: 10, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  });

  it('over a crypto-free session with the same contract, many more runs', function () {
    this.timeout(20_000); // ~1.5 s
    fc.assert(
      fc.property(scenario, (p) => echoScenario(p, () => [new PlainSession(), new PlainSession()])),
      { numRuns: 150 },
    );
  });
});
