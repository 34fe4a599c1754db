/**
 * ClientHellos with a hostile pre_shared_key extension (RFC 8446 §4.2.11),
 * built byte by byte (raw-hello.ts), fed to our TLS 1.3 server: binder
 * lengths wrong or lying, zero or many identities, empty identities, binder
 * and identity counts apart, the extension not last, psk_key_exchange_modes
 * missing or empty, trailing bytes; mixed with our real ticket (binder right
 * or wrong) among junk identities. The oracle is the RFC, applied to what we
 * generated: each rule broken names the alert(s) allowed; with none broken,
 * the first of our tickets (with psk_dhe_ke) is selected, read back from the
 * ServerHello the server wrote, and its binder decides (decrypt_error when
 * wrong), else a full handshake. Never another exception, never a hang; the
 * alert goes out in plaintext; the failed session stays failed with the same
 * error; and the one server config shared by every run still resumes a real
 * client at the end.
 *
 * Reproduce with FC_SEED=<seed>; FUZZ_SCALE=<n> multiplies the run counts.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Alert, TlsError, type AlertName } from '../../lib/errors.js';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { resolveServerConfig, type ServerConfig } from '../../lib/tls13/config.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { driveBoth } from '../support/drive.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { memoryPipe } from '../support/memory-pipe.js';
import { connect, payload, transfer } from '../session/pair-helpers.js';
import {
  EXT,
  GROUP,
  cat,
  clientHello,
  ext,
  keyShareExt,
  parseServerHello,
  pskModesExt,
  records,
  resumptionBinder,
  serverNameExt,
  sigAlgsExt,
  splitPlainRecords,
  supportedGroupsExt,
  supportedVersionsExt,
  u16,
  u32,
  u8,
  vec2,
  type RawExtension,
} from './raw-hello.js';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) });

const NOW = 1_750_000_000_000;
const date = () => new Date(NOW);
const clock = () => 0;
const KEY = generateTicketKey((n) => new Uint8Array(n).fill(0x5a));

type Id = { kind: 'ours' } | { kind: 'junk'; bytes: Uint8Array; age: number } | { kind: 'empty' };
interface Binder {
  len: number;
  /** For our ticket at the same index, with len 32: the binder computed from the hello. */
  right: boolean;
}
interface PskCase {
  ids: Id[];
  binders: Binder[];
  idsLenDelta: number;
  bindersLenDelta: number;
  /** The last binder's length byte claims this many bytes more than it has. */
  binderLie: number;
  trailing: number;
  last: boolean;
  modes: 'missing' | number[];
}

const idArb: fc.Arbitrary<Id> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'ours' as const }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('junk' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }), age: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
);
const rare = <T>(usual: T, other: fc.Arbitrary<T>) => fc.oneof({ weight: 10, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });
const binderArb: fc.Arbitrary<Binder> = fc.record({
  len: fc.oneof({ weight: 24, arbitrary: fc.constant(32) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 31 }) }, { weight: 1, arbitrary: fc.integer({ min: 33, max: 255 }) }),
  right: fc.boolean(),
});

/** Ids, then binders: as many as ids (usually), or a different count. */
const pskCaseArb = (ids: fc.Arbitrary<Id[]>): fc.Arbitrary<PskCase> =>
  ids.chain((list) =>
    fc.record({
      ids: fc.constant(list),
      binders: fc.oneof(
        { weight: 10, arbitrary: fc.array(binderArb, { minLength: list.length, maxLength: list.length }) },
        { weight: 1, arbitrary: fc.array(binderArb, { maxLength: 6 }) },
      ),
      idsLenDelta: rare(0, fc.integer({ min: -3, max: 3 })),
      bindersLenDelta: rare(0, fc.integer({ min: -3, max: 3 })),
      binderLie: rare(0, fc.integer({ min: 1, max: 40 })),
      trailing: rare(0, fc.integer({ min: 1, max: 3 })),
      last: rare(true, fc.constant(false)),
      modes: fc.oneof(
        { weight: 12, arbitrary: fc.constant<PskCase['modes']>([1]) },
        { weight: 1, arbitrary: fc.constantFrom<PskCase['modes']>('missing', [], [0], [0, 1], [1, 0], [7]) },
      ),
    }),
  );

let ticket: Tls13SessionTicket;
let config: ServerConfig;

/** The raw hello for `c`, and where its binders list starts (for the right binders). */
function build(c: PskCase): Uint8Array {
  const identity = (id: Id) =>
    id.kind === 'ours'
      ? cat(vec2(ticket.ticket), u32(ticket.ageAdd))
      : id.kind === 'junk'
        ? cat(vec2(id.bytes), u32(id.age))
        : cat(u16(0), u32(0));
  const idsRaw = cat(...c.ids.map(identity));
  const identities = cat(u16(Math.max(0, idsRaw.length + c.idsLenDelta)), idsRaw);
  const entries = c.binders.map((b, i) => cat(u8(i === c.binders.length - 1 ? b.len + c.binderLie : b.len), new Uint8Array(b.len).fill(0xb0 + i)));
  const bindersRaw = cat(...entries);
  const binders = cat(u16(Math.max(0, bindersRaw.length + c.bindersLenDelta)), bindersRaw);
  const psk = ext(EXT.pre_shared_key, cat(identities, binders, new Uint8Array(c.trailing)));
  const tail: RawExtension[] = c.last ? [] : [ext(0xfa0a, new Uint8Array(3))]; // any extension after it
  const before: RawExtension[] = [
    serverNameExt('localhost'),
    supportedVersionsExt(),
    supportedGroupsExt([GROUP.x25519]),
    sigAlgsExt(),
    keyShareExt([{ group: GROUP.x25519, key: new Uint8Array(32).fill(9) }]),
    ...(c.modes === 'missing' ? [] : [pskModesExt(c.modes)]),
  ];
  const raw = clientHello([...before, psk, ...tail]);
  // The truncated hello ends where the binders list begins.
  const tailBytes = tail.reduce((n, e) => n + 4 + e.body.length, 0);
  const bindersAt = raw.length - tailBytes - c.trailing - binders.length;
  const truncated = raw.slice(0, bindersAt);
  let at = bindersAt + 2;
  c.binders.forEach((b, i) => {
    if (b.right && b.len === 32 && c.ids[i]?.kind === 'ours') raw.set(resumptionBinder(ticket.psk, truncated), at + 1);
    at += 1 + b.len + (i === c.binders.length - 1 ? c.binderLie : 0);
  });
  return raw;
}

type Expected = { alerts: AlertName[] } | { resumedAt: number } | { full: true } | { binderFails: true };

/** What RFC 8446 says the server does with `c` (see the file comment). */
function expected(c: PskCase): Expected {
  const alerts = new Set<AlertName>();
  if (!c.last) alerts.add('illegal_parameter');
  if (c.modes === 'missing') alerts.add('missing_extension');
  else if (c.modes.length === 0) alerts.add('decode_error');
  if (c.ids.length === 0 || c.ids.some((i) => i.kind === 'empty')) alerts.add('decode_error');
  // A lying list length shifts the parse: malformed, or (cut at an entry's end) the counts apart as well.
  if (c.idsLenDelta !== 0 || c.bindersLenDelta !== 0) alerts.add('decode_error').add('illegal_parameter');
  if (c.binders.length === 0 || c.binders.some((b) => b.len < 32) || c.binderLie !== 0 || c.trailing !== 0) alerts.add('decode_error');
  if (c.ids.length > 0 && c.binders.length > 0 && c.binders.length !== c.ids.length) alerts.add('illegal_parameter');
  if (alerts.size) return { alerts: [...alerts] };
  if (!(c.modes as number[]).includes(1)) return { full: true };
  const index = c.ids.findIndex((i) => i.kind === 'ours');
  if (index < 0) return { full: true };
  const b = c.binders[index]!;
  return b.right && b.len === 32 ? { resumedAt: index } : { binderFails: true };
}

/** A fresh server on the shared config, fed `hello`: its result or TlsError, and every byte it wrote. */
function feed(hello: Uint8Array) {
  const s = Session.server(config);
  const written: Uint8Array[] = [];
  let fed = false;
  s.setTransport({ push: (b) => (written.push(b.slice()), b.length), pull: () => (fed ? AGAIN : ((fed = true), records(hello))) });
  const started = performance.now();
  let error: TlsError | undefined;
  let result: unknown;
  try {
    result = s.handshake();
  } catch (e) {
    if (!(e instanceof TlsError)) throw e; // anything else is a bug
    error = e;
  }
  return { s, error, result, ms: performance.now() - started, wrote: cat(...written), written };
}

/** Checks one outcome against the model. */
function check(c: PskCase, hello: Uint8Array): void {
  const want = expected(c);
  const got = feed(hello);
  expect(got.ms, 'took too long').to.be.below(2000);
  if ('alerts' in want || 'binderFails' in want) {
    const alerts = 'alerts' in want ? want.alerts : (['decrypt_error'] as AlertName[]);
    expect(got.error, `expected one of ${alerts}, got ${String(got.result)}`).to.be.instanceOf(TlsError);
    expect(alerts).to.include(got.error!.alert);
    // Its alert went out in plaintext (no keys yet), last.
    const last = splitPlainRecords(got.wrote).at(-1);
    expect(last?.type).to.equal(21);
    expect([...last!.body]).to.deep.equal([2, Alert[got.error!.alert as AlertName]]);
    // Sticky: the session answers every later call with the same error and writes nothing more.
    const before = got.written.length;
    expect(() => got.s.handshake()).to.throw(TlsError).that.equals(got.error);
    expect(got.written.length).to.equal(before);
    return;
  }
  expect(got.error, got.error?.message).to.equal(undefined);
  expect(got.result).to.equal(AGAIN); // waiting for the client's Finished
  const first = splitPlainRecords(got.wrote)[0]!;
  expect(first.type).to.equal(22);
  expect(first.body[0]).to.equal(2); // ServerHello
  const sh = parseServerHello(first.body.subarray(4));
  const selected = sh.extensions.find((e) => e.type === EXT.pre_shared_key);
  if ('full' in want) expect(selected, 'a full handshake selects no PSK').to.equal(undefined);
  else expect(selected && (selected.body[0]! << 8) | selected.body[1]!).to.equal(want.resumedAt);
}

describe(`fuzz: hostile pre_shared_key extensions (FC_SEED=${SEED})`, function () {
  this.timeout(120_000);
  before(() => {
    const p = connect({ suites: ['TLS_AES_128_GCM_SHA256'], date, clock }, { ticketKeys: [KEY], date, clock });
    transfer(p.server, p.client, payload(1));
    ticket = p.client.info.tickets[0] as Tls13SessionTicket;
    config = resolveServerConfig({ ...serverIdentity('p256'), minVersion: 'TLSv1.3', ticketKeys: [KEY], date, clock });
  });

  it('the oracle agrees with hand-made cases (our ticket resumes; its wrong binder is decrypt_error)', () => {
    const one = (over: Partial<PskCase>): PskCase => ({ ids: [{ kind: 'ours' }], binders: [{ len: 32, right: true }], idsLenDelta: 0, bindersLenDelta: 0, binderLie: 0, trailing: 0, last: true, modes: [1], ...over });
    for (const c of [
      one({}),
      one({ binders: [{ len: 32, right: false }] }),
      one({ ids: [{ kind: 'junk', bytes: new Uint8Array(40), age: 1 }, { kind: 'ours' }], binders: [{ len: 48, right: false }, { len: 32, right: true }] }),
      one({ last: false }),
      one({ modes: 'missing' }),
      one({ ids: [] }),
    ]) {
      check(c, build(c));
    }
    expect(expected(one({}))).to.deep.equal({ resumedAt: 0 });
  });

  it('few identities, every field mutated', () => {
    const arb = pskCaseArb(fc.array(idArb, { maxLength: 6 }));
    fc.assert(fc.property(arb, (c) => check(c, build(c))), params(500));
    if (process.env.FUZZ_STATS) fc.statistics(arb, (c) => Object.keys(expected(c))[0]! + ('alerts' in expected(c) ? (expected(c) as { alerts: string[] }).alerts.join('+') : ''), 2000);
  });

  it('many identities (up to 300), our ticket anywhere among them or absent', () => {
    const many = fc.array(
      fc.oneof({ weight: 30, arbitrary: fc.record({ kind: fc.constant('junk' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }), age: fc.nat() }) }, { weight: 1, arbitrary: fc.constant({ kind: 'ours' as const }) }),
      { minLength: 1, maxLength: 300 },
    );
    fc.assert(fc.property(pskCaseArb(many), (c) => check(c, build(c))), params(40));
  });

  it('afterwards the shared server config still resumes a real client', () => {
    const client = Session.client({ serverName: 'localhost', ca: caPem(), suites: ['TLS_AES_128_GCM_SHA256'], date, clock, session: ticket });
    const server = Session.server(config);
    const [a, b] = memoryPipe();
    client.setTransport(a);
    server.setTransport(b);
    expect(driveBoth(() => client.handshake(), () => server.handshake())).to.deep.equal(['done', 'done']);
    expect(client.info.resumed).to.equal(true);
    expect(server.info.resumed).to.equal(true);
  });
});
