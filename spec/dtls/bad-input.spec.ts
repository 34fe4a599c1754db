/**
 * DTLS 1.2 against hostile datagrams: the state-fuzzing bug patterns
 * published for DTLS stacks (messages and ChangeCipherSpec out of order or
 * repeated, wrong message_seq, application data during the handshake), and
 * random, truncated and mutated datagrams from fast-check. Invalid records are
 * dropped and counted; nothing but a typed TlsError ever leaves a session.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { encodeHandshakeHeader } from '../../lib/wire/handshake-header.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { dtlsPair, runHandshake, type DtlsPair } from './support/datagram-pair.js';

/** A plaintext (epoch 0) DTLS 1.2 record with sequence number `seq`. */
function plainRecord(type: number, content: Uint8Array, seq = 1000, epoch = 0): Uint8Array {
  const h = new Uint8Array(13);
  h[0] = type;
  h[1] = 0xfe;
  h[2] = 0xfd;
  h[3] = epoch >> 8;
  h[4] = epoch & 0xff;
  h[9] = seq >> 8;
  h[10] = seq & 0xff;
  h[11] = content.length >> 8;
  h[12] = content.length & 0xff;
  return concatBytes(h, content);
}

const fragment = (type: number, messageSeq: number, body: Uint8Array) =>
  concatBytes(encodeHandshakeHeader({ type, length: body.length, messageSeq }, 'dtls'), body);

/** Runs the client until the server's first flight is in, then lets `inject` act on the server before the rest. */
function midHandshake(inject: (p: DtlsPair) => void): DtlsPair {
  const p = dtlsPair();
  expect(p.client.handshake()).to.equal(AGAIN); // ClientHello
  expect(p.server.handshake()).to.equal(AGAIN); // ServerHello .. ServerHelloDone
  inject(p);
  return p;
}

function exchange(p: DtlsPair): void {
  p.client.send(Uint8Array.of(1, 2, 3));
  expect([...(p.server.recv() as Uint8Array)]).to.deep.equal([1, 2, 3]);
}

describe('DTLS 1.2 against the state-fuzzing bug patterns', () => {
  it('drops a ChangeCipherSpec that comes before the ClientKeyExchange, and completes', () => {
    const p = midHandshake((p) => p.wire.inject('client', plainRecord(20, Uint8Array.of(1))));
    expect(p.server.handshake()).to.equal(AGAIN);
    expect(p.server.discarded).to.equal(1);
    runHandshake(p);
    exchange(p);
  });

  it('drops a forged Finished under the next epoch before the ChangeCipherSpec (it never authenticates)', () => {
    const p = midHandshake((p) => p.wire.inject('client', plainRecord(22, new Uint8Array(40), 0, 1)));
    runHandshake(p);
    expect(p.server.discarded).to.equal(1);
    exchange(p);
  });

  it('refuses a plaintext Finished in place of the ClientKeyExchange with unexpected_message, and tells the peer', () => {
    const p = midHandshake((p) => p.wire.inject('client', plainRecord(22, fragment(20, 1, new Uint8Array(12)))));
    expect(() => p.server.handshake()).to.throw(TlsError).with.property('alert', 'unexpected_message');
    expect(() => p.client.handshake()).to.throw(TlsError).with.property('code', 'ERR_TLS_PEER_ALERT_UNEXPECTED_MESSAGE');
  });

  it('ignores repeated ChangeCipherSpec and Finished (the whole client flight twice)', () => {
    const p = dtlsPair();
    p.client.handshake();
    p.server.handshake();
    p.client.handshake(); // ClientKeyExchange, ChangeCipherSpec, Finished
    const flight = p.wire.log.at(-1)!.bytes;
    p.wire.inject('client', flight);
    runHandshake(p);
    exchange(p);
    // The copy's Finished is a replayed epoch-1 record; its epoch-0 records are older than the server's read epoch and ignored.
    expect(p.server.discarded).to.equal(1);
  });

  it('drops a first ClientHello that claims to follow more cookie rounds than a client makes', () => {
    const p = dtlsPair();
    p.client.handshake();
    const hello = p.wire.log[0]!.bytes.slice();
    hello[13 + 5] = 200; // message_seq 200
    const fresh = dtlsPair();
    fresh.wire.inject('client', hello);
    expect(fresh.server.handshake()).to.equal(AGAIN);
    expect(fresh.server.discarded).to.equal(1);
    expect(fresh.wire.log).to.have.length(0);
  });

  it('drops handshake fragments with a message_seq far ahead', () => {
    const p = midHandshake((p) => p.wire.inject('client', plainRecord(22, fragment(16, 200, new Uint8Array(33)))));
    expect(p.server.handshake()).to.equal(AGAIN);
    expect(p.server.discarded).to.equal(1);
    runHandshake(p);
  });

  it('drops application data during the handshake, plaintext or not', () => {
    const p = midHandshake((p) => {
      p.wire.inject('client', plainRecord(23, new Uint8Array(10)));
      p.wire.inject('client', plainRecord(23, new Uint8Array(40), 0, 1));
    });
    runHandshake(p);
    expect(p.server.discarded).to.equal(2);
    expect(p.server.pending()).to.equal(0);
    exchange(p);
  });
});

/** Feeds `datagrams` to the side, returning what happened: only drops or a TlsError may come out. */
function feed(p: DtlsPair, side: 'client' | 'server', datagrams: Uint8Array[]): 'ok' | TlsError {
  for (const d of datagrams) p.wire.inject(side === 'server' ? 'client' : 'server', d);
  try {
    if (side === 'server') p.server.handshake();
    else p.client.handshake();
    return 'ok';
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
}

const mutate = (d: Uint8Array, at: number, xor: number) => {
  const m = d.slice();
  m[at % m.length]! ^= xor || 1;
  return m;
};

describe('DTLS 1.2 under fast-check datagrams', () => {
  it('mid-handshake: random, truncated and mutated datagrams only drop, or fail with a TlsError, and never hang', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.tuple(fc.nat(), fc.nat(255), fc.nat(1500)).map((t) => t)), { maxLength: 6 }),
        fc.constantFrom<'client' | 'server'>('client', 'server'),
        (inputs, side) => {
          const p = dtlsPair();
          p.client.handshake();
          p.server.handshake();
          const real = p.wire.log.map((e) => e.bytes);
          const datagrams = inputs.map((x) => {
            if (x instanceof Uint8Array) return x;
            const [pick, xor, cut] = x;
            const base = real[pick % real.length]!;
            return pick % 3 === 0 ? base.subarray(0, cut % base.length) : mutate(base, cut, xor);
          });
          if (feed(p, side, datagrams) !== 'ok') return;
          // Unauthenticated epoch-0 input may still end the handshake with a TlsError (a forged message in sequence), never otherwise.
          try {
            runHandshake(p);
          } catch (e) {
            if (!(e instanceof TlsError)) throw e;
          }
        },
      ),
      { numRuns: 60, seed: 424242 },
    );
  });

  it('after the handshake: every datagram that is not a real record is dropped and the session goes on', () => {
    const p = dtlsPair();
    runHandshake(p);
    const start = p.wire.log.length;
    p.client.send(Uint8Array.of(9));
    const record = p.wire.log[start]!.bytes;
    p.server.recv();
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, x]) => mutate(record, at, x))), (d) => {
        const before = p.server.discarded;
        p.wire.inject('client', d);
        expect(p.server.recv()).to.equal(AGAIN);
        expect(p.server.discarded).to.be.at.most(before + 1);
      }),
      { numRuns: 300, seed: 7 },
    );
    exchange(p);
  });
});
