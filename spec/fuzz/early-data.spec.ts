/**
 * fast-check: 0-RTT records that are not what our client sent. A real
 * client's first flight (ClientHello, ChangeCipherSpec, early data records)
 * reaches a server that accepts early data with its early data records
 * mutated, truncated, reordered, dropped or joined by random ones. The
 * server only ever fails with a TlsError (bad_record_mac, unexpected_message,
 * record_overflow, decode_error, protocol_version), never with anything else, never hangs, and
 * never delivers early data the client did not send: what it delivers is a
 * prefix of what was sent.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { RecordReader } from '../../lib/record/record-reader.js';
import { AGAIN, type Transport } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { resolveServerConfig, type ServerOptions } from '../../lib/tls13/config.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { connect, payload, transfer } from '../session/pair-helpers.js';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
// A truncated record leaves the next header misaligned: framing errors (protocol_version for a bad version field) are fine too.
const ALLOWED = ['bad_record_mac', 'unexpected_message', 'record_overflow', 'decode_error', 'protocol_version'];
const options: Partial<ServerOptions> = { ...serverIdentity('p256'), ticketKeys: [generateTicketKey((n) => new Uint8Array(n).fill(11))], maxEarlyData: 4096 };
const header = (type: number, length: number) => Uint8Array.of(type, 3, 3, length >> 8, length & 0xff);

/** The ticket, and the client's first flight split into records: hello, CCS, then the early data records of `chunks`. */
function firstFlight(chunks: string[]): { records: Uint8Array[]; early: string } {
  const first = connect({}, resolveServerConfig(options as ServerOptions));
  transfer(first.server, first.client, payload(1));
  const session = first.client.info.tickets[0] as Tls13SessionTicket;
  const client = Session.client({ serverName: 'localhost', ca: caPem(), session, earlyData: true });
  const sent: Uint8Array[] = [];
  client.setTransport({ push: (b) => (sent.push(b.slice()), b.length), pull: () => AGAIN });
  client.handshake();
  for (const c of chunks) client.sendEarlyData(new TextEncoder().encode(c));
  const reader = new RecordReader();
  reader.feed(concatBytes(...sent));
  const records: Uint8Array[] = [];
  for (let r = reader.next(); r; r = reader.next()) records.push(concatBytes(r.header, r.fragment));
  return { records, early: chunks.join('') };
}

// Made in before(): the ticket's age in the hello must agree with the server's clock within the freshness window.
let flight: { records: Uint8Array[]; early: string };
let hello: Uint8Array, ccs: Uint8Array, earlyRecords: Uint8Array[];

type Edit =
  | { kind: 'flip'; record: number; at: number; bit: number }
  | { kind: 'truncate'; record: number; keep: number }
  | { kind: 'drop'; record: number }
  | { kind: 'swap'; record: number }
  | { kind: 'random'; at: number; type: number; body: Uint8Array };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), record: fc.nat(), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), record: fc.nat(), keep: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), record: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), record: fc.nat() }),
  fc.record({ kind: fc.constant('random' as const), at: fc.nat(), type: fc.constantFrom(23, 23, 22, 21, 20, 99), body: fc.uint8Array({ maxLength: 300 }) }),
);

function applyEdits(edits: Edit[]): Uint8Array[] {
  const recs: Uint8Array[] = earlyRecords.map((r) => r.slice());
  for (const e of edits) {
    if (recs.length === 0 && e.kind !== 'random') continue;
    const i = e.kind === 'random' ? e.at % (recs.length + 1) : e.record % recs.length;
    if (e.kind === 'flip') recs[i]![e.at % recs[i]!.length]! ^= 1 << e.bit;
    else if (e.kind === 'truncate') recs[i] = recs[i]!.slice(0, e.keep % recs[i]!.length);
    else if (e.kind === 'drop') recs.splice(i, 1);
    else if (e.kind === 'swap' && i + 1 < recs.length) [recs[i], recs[i + 1]] = [recs[i + 1]!, recs[i]!];
    else if (e.kind === 'random') recs.splice(i, 0, concatBytes(header(e.type, e.body.length), e.body));
  }
  return recs;
}

/** What the server makes of `bytes`: its error (if any) and the early data it delivered. */
function serve(bytes: Uint8Array): { error?: unknown; early: string } {
  const server = Session.server(resolveServerConfig(options as ServerOptions));
  let left: Uint8Array | undefined = bytes;
  const transport: Transport = { push: (b) => b.length, pull: () => (left ? ((left = undefined), bytes) : AGAIN) };
  server.setTransport(transport);
  const got: Uint8Array[] = [];
  let error: unknown;
  try {
    for (let i = 0; i < 4 && server.handshake() === AGAIN; i++) for (let c = server.recvEarlyData(); c; c = server.recvEarlyData()) got.push(c);
  } catch (e) {
    error = e;
  }
  for (let c = server.recvEarlyData(); c; c = server.recvEarlyData()) got.push(c);
  return { error, early: new TextDecoder().decode(concatBytes(...got)) };
}

describe('fuzz: 0-RTT early data records into our server', function () {
  this.timeout(60_000);
  before(() => {
    flight = firstFlight(['GET /a ', 'HTTP/1.1\r\n', 'Host: x\r\n\r\n']);
    [hello, ccs, ...earlyRecords] = flight.records as [Uint8Array, Uint8Array, ...Uint8Array[]];
  });

  it('the real flight: every early byte delivered, no error', () => {
    expect(earlyRecords.length).to.equal(3);
    expect(serve(concatBytes(hello!, ccs!, ...earlyRecords))).to.deep.equal({ error: undefined, early: flight.early });
  });

  it(`mutated early records: only the allowed TlsErrors, and only a prefix of the real early data (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 4 }), (edits) => {
        const { error, early } = serve(concatBytes(hello!, ccs!, ...applyEdits(edits)));
        if (error !== undefined) {
          expect(error).to.be.instanceOf(TlsError);
          // An inserted alert record is the "peer's" alert (a close_notify there ends the handshake: handshake_failure).
          if (!(error as TlsError).fromPeer && (error as TlsError).alert !== 'handshake_failure') expect(ALLOWED).to.include((error as TlsError).alert);
        }
        expect(flight.early.startsWith(early), `delivered ${JSON.stringify(early)}`).to.equal(true);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});
