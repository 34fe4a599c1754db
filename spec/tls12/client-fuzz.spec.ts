/**
 * Bad input for the TLS 1.2 client: a real `openssl s_server -tls1_2`
 * conversation, recorded once (client-openssl-flight.json, see
 * client-record-flight.ts), replayed to a client built with the recording's
 * seeded randomness, then mutated by fast-check: bytes flipped, cut, added
 * or removed anywhere in the stream; one handshake message's body changed
 * and framed again with consistent lengths; records dropped, repeated or
 * swapped; the whole stream cut into chunks of any size.
 *
 * Oracle: the client either completes and reads exactly the recorded data
 * (a change it may ignore, such as a plaintext record's version byte), or
 * fails with a TlsError naming an alert that fits a malformed or hostile
 * peer (never internal_error, never another exception), after a bounded
 * number of steps (replay() counts them; there is no timer to hang on).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { REPLAY, recordedServerBytes, replay, type ReplayResult } from './client-replay.js';

/** Alerts our client may send about what a server sent (or report as a premature end). */
const OUR_ALERTS = new Set([
  'decode_error',
  'illegal_parameter',
  'unexpected_message',
  'handshake_failure',
  'decrypt_error',
  'bad_record_mac',
  'record_overflow',
  'unsupported_extension',
  'protocol_version',
  'bad_certificate',
  'unsupported_certificate',
  'certificate_unknown',
  'certificate_expired',
  'unknown_ca',
  'close_notify', // ERR_TLS_PREMATURE_TERMINATION: the stream ended first
]);

const RECORDED = recordedServerBytes();
const ORIGINAL = replay(RECORDED);

interface Rec {
  type: number;
  version: number;
  fragment: Uint8Array;
}

function records(bytes: Uint8Array): Rec[] {
  const out: Rec[] = [];
  for (let o = 0; o + 5 <= bytes.length; ) {
    const len = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    out.push({ type: bytes[o]!, version: (bytes[o + 1]! << 8) | bytes[o + 2]!, fragment: bytes.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

function encodeRecords(rs: Rec[]): Uint8Array {
  return concatBytes(...rs.map((r) => concatBytes(Uint8Array.of(r.type, r.version >> 8, r.version & 0xff, r.fragment.length >> 8, r.fragment.length & 0xff), r.fragment)));
}

const RECORDS = records(RECORDED);
const CCS_INDEX = RECORDS.findIndex((r) => r.type === 20);
/** The server's plaintext handshake messages, before its ChangeCipherSpec. */
const MESSAGES = (() => {
  const hs = concatBytes(...RECORDS.slice(0, CCS_INDEX).map((r) => r.fragment));
  const out: Array<{ type: number; body: Uint8Array }> = [];
  for (let o = 0; o + 4 <= hs.length; ) {
    const len = (hs[o + 1]! << 16) | (hs[o + 2]! << 8) | hs[o + 3]!;
    out.push({ type: hs[o]!, body: hs.subarray(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return out;
})();

/** The stream with the plaintext messages replaced (one record each), the protected records as recorded. */
function withMessages(messages: Array<{ type: number; body: Uint8Array }>): Uint8Array {
  const plain = messages.map((m) => ({
    type: 22,
    version: 0x0303,
    fragment: concatBytes(Uint8Array.of(m.type, m.body.length >> 16, (m.body.length >> 8) & 0xff, m.body.length & 0xff), m.body),
  }));
  return encodeRecords([...plain, ...RECORDS.slice(CCS_INDEX)]);
}

/** The oracle (see the module comment). */
function check(r: ReplayResult): void {
  if (r.outcome instanceof TlsError) {
    const e = r.outcome;
    if (e.fromPeer) return; // a mutation made a record an alert: the server's to name
    if (!OUR_ALERTS.has(e.alert)) throw new Error(`unexpected alert ${e.alert}: ${e.message}`);
    // What completes must carry exactly the recorded data: nothing forged gets through.
    if (r.handshake && r.data !== REPLAY.serverData.slice(0, r.data.length)) throw new Error(`forged data ${JSON.stringify(r.data)}`);
    return;
  }
  throw new Error(`not a TlsError: ${String((r.outcome as Error)?.stack ?? r.outcome)}`);
}

const byteArb = fc.integer({ min: 0, max: 255 });
const bytesArb = fc.uint8Array({ minLength: 0, maxLength: 40 });

type ByteEdit =
  | { op: 'set'; at: number; value: number }
  | { op: 'xor'; at: number; mask: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number };

/** A relative position in [0, 1): unbiased, so edits land all over the stream rather than near its start. */
const position = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);
const byteEditArb: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: position, value: byteArb }),
  fc.record({ op: fc.constant('xor' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: position, bytes: bytesArb }),
  fc.record({ op: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: position }),
).map((e) => e as ByteEdit);

/** Applies an edit at a relative position of `limit` bytes of `b` (the whole of it by default). */
function applyEdit(b: Uint8Array, e: ByteEdit, limit = b.length): Uint8Array {
  const at = Math.floor(e.at * Math.max(1, Math.min(limit, b.length)));
  switch (e.op) {
    case 'set':
    case 'xor': {
      const out = b.slice();
      if (at < out.length) out[at] = e.op === 'set' ? e.value : out[at]! ^ e.mask;
      return out;
    }
    case 'insert':
      return concatBytes(b.subarray(0, at), e.bytes, b.subarray(at));
    case 'delete':
      return concatBytes(b.subarray(0, at), b.subarray(at + e.length));
    case 'truncate':
      return b.subarray(0, at);
  }
}

const PLAINTEXT_LENGTH = encodeRecords(RECORDS.slice(0, CCS_INDEX)).length;

describe('TLS 1.2 client: a recorded openssl server, mutated', function () {
  this.timeout(120_000);

  it('the recording replays: handshake, the data, then the end without close_notify', () => {
    expect(ORIGINAL.handshake).to.equal(true);
    expect(ORIGINAL.data).to.equal(REPLAY.serverData);
    expect(ORIGINAL.outcome).to.include({ code: 'ERR_TLS_PREMATURE_TERMINATION' });
    expect(ORIGINAL.session.info).to.include({ version: 'TLSv1.2', suite: REPLAY.suite, group: 'x25519', extendedMasterSecret: true });
    // ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, NewSessionTicket.
    expect(MESSAGES.map((m) => m.type)).to.deep.equal([2, 11, 12, 14, 4]);
  });

  it('any chunking of the stream: the same result', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), (chunk) => {
        const r = replay(RECORDED, chunk);
        expect([r.handshake, r.data]).to.deep.equal([true, REPLAY.serverData]);
      }),
      { numRuns: 40 },
    );
  });

  it('bytes changed anywhere in the stream', () => {
    fc.assert(
      fc.property(fc.array(byteEditArb, { minLength: 1, maxLength: 4 }), (es) => check(replay(es.reduce((b, e) => applyEdit(b, e), RECORDED)))),
      { numRuns: 300 },
    );
  });

  it('bytes changed in the plaintext flight (ServerHello to NewSessionTicket)', () => {
    fc.assert(
      fc.property(fc.array(byteEditArb, { minLength: 1, maxLength: 3 }), (es) => check(replay(es.reduce((b, e) => applyEdit(b, e, PLAINTEXT_LENGTH), RECORDED)))),
      { numRuns: 400 },
    );
  });

  it('one handshake message changed, framed again with consistent lengths', () => {
    const bodyEdit = fc.oneof(
      byteEditArb.map((e) => (b: Uint8Array) => applyEdit(b, e)),
      fc.uint8Array({ maxLength: 300 }).map((r) => () => r),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MESSAGES.length - 1 }), fc.array(bodyEdit, { minLength: 1, maxLength: 3 }), (i, fs) => {
        const messages = MESSAGES.map((m, j) => (j === i ? { type: m.type, body: fs.reduce((b, f) => f(b), m.body) } : m));
        check(replay(withMessages(messages)));
      }),
      { numRuns: 400 },
    );
  });

  it('a message of another type in its place', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MESSAGES.length - 1 }), fc.constantFrom(0, 1, 2, 4, 8, 11, 12, 13, 14, 15, 16, 20, 24, 255), (i, type) => {
        check(replay(withMessages(MESSAGES.map((m, j) => (j === i ? { type, body: m.body } : m)))));
      }),
      { numRuns: 150 },
    );
  });

  it('records dropped, repeated or swapped', () => {
    const n = RECORDS.length;
    const op = fc.oneof(
      fc.record({ op: fc.constant('drop' as const), i: fc.integer({ min: 0, max: n - 1 }) }),
      fc.record({ op: fc.constant('repeat' as const), i: fc.integer({ min: 0, max: n - 1 }) }),
      fc.record({ op: fc.constant('swap' as const), i: fc.integer({ min: 0, max: n - 2 }) }),
    );
    fc.assert(
      fc.property(op, ({ op, i }) => {
        const rs = RECORDS.slice();
        if (op === 'drop') rs.splice(i, 1);
        if (op === 'repeat') rs.splice(i, 0, rs[i]!);
        if (op === 'swap') [rs[i], rs[i + 1]] = [rs[i + 1]!, rs[i]!];
        const r = replay(encodeRecords(rs));
        check(r);
        // Only the recorded conversation completes the handshake.
        expect(r.handshake && r.data === REPLAY.serverData && !(op === 'repeat' && i >= n - 1)).to.equal(false);
      }),
      { numRuns: 120 },
    );
  });
});
