/**
 * Key shares of the wrong size, both ways (fast-check):
 *
 *  - our server fed ClientHellos (built byte by byte, raw-hello.ts) whose
 *    X25519MLKEM768 / X25519 / P-256 shares have any size: the size the group
 *    requires (1216 / 32 / 65 bytes, a real key) gives a ServerHello whose
 *    share, read from the wire, has the group's server size (1120 / 32 / 65);
 *    another size is illegal_parameter, an empty one decode_error;
 *  - our client (hybrid and X25519 shares, as by default) fed a real server's
 *    ServerHello with its share resized, moved to another group, emptied, or
 *    the right size with other bytes (the keys then differ: bad_record_mac on
 *    the server's first encrypted record); and the selected-identity games of
 *    pre_shared_key: a PSK selected when none was offered
 *    (unsupported_extension), an index we did not offer (illegal_parameter),
 *    a malformed selection (decode_error).
 *
 * Only a TlsError with the alert the RFC (or draft-ietf-tls-ecdhe-mlkem)
 * names may come out; the failed session stays failed with the same error.
 * Reproduce with FC_SEED=<seed>; FUZZ_SCALE=<n> multiplies the run counts.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import type { GroupName } from '../../lib/crypto/provider.js';
import { TlsError, type AlertName } from '../../lib/errors.js';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { resolveServerConfig } from '../../lib/tls13/config.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { connect, payload, transfer } from '../session/pair-helpers.js';
import {
  CLIENT_SHARE,
  EXT,
  GROUP,
  SERVER_SHARE,
  cat,
  clientHello,
  keyShareExt,
  parseServerHello,
  serverHello,
  serverNameExt,
  sigAlgsExt,
  splitPlainRecords,
  supportedGroupsExt,
  supportedVersionsExt,
  u16,
  vec2,
} from './raw-hello.js';

const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) });

const NAMES: Record<number, GroupName> = { [GROUP.x25519]: 'x25519', [GROUP.secp256r1]: 'secp256r1', [GROUP.X25519MLKEM768]: 'X25519MLKEM768' };
/** The server's preference among these (our default order). */
const SERVER_ORDER = [GROUP.X25519MLKEM768, GROUP.x25519, GROUP.secp256r1];
const random = (n: number) => new Uint8Array(n).map(() => (Math.random() * 256) | 0);

/** Runs `step` on a session; only a TlsError may escape. */
function attempt(step: () => unknown): { error?: TlsError; result?: unknown } {
  try {
    return { result: step() };
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    return { error: e };
  }
}

/** The failed session answers every later call with the very same error, writing nothing more. */
function expectSticky(s: Session, error: TlsError, written: () => number): void {
  const before = written();
  expect(() => s.handshake()).to.throw(TlsError).that.equals(error);
  expect(() => s.recv()).to.throw(TlsError).that.equals(error);
  expect(written()).to.equal(before);
}

describe(`fuzz: key shares of the wrong size (FC_SEED=${SEED})`, function () {
  this.timeout(120_000);

  describe('our server, hostile client shares', () => {
    const config = resolveServerConfig({ ...serverIdentity('p256'), minVersion: 'TLSv1.3' });
    interface Share {
      group: number;
      /** undefined: a real key of the right size. */
      size?: number;
    }
    const shareArb: fc.Arbitrary<Share> = fc.record({
      group: fc.constantFrom(GROUP.X25519MLKEM768, GROUP.x25519, GROUP.secp256r1),
      size: fc.oneof(
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 2000 }) },
        { weight: 2, arbitrary: fc.constantFrom(1215, 1217, 1120, 1184, 1088, 31, 33, 64, 66, 97, 133, 32, 65) },
      ),
    });
    const sharesArb = fc.uniqueArray(shareArb, { minLength: 1, maxLength: 3, selector: (s) => s.group });

    const bytesOf = (s: Share) => (s.size === undefined ? nobleCrypto.keyShare(NAMES[s.group]!, random).publicKey : random(s.size));
    const isGood = (s: Share) => s.size === undefined || s.size === CLIENT_SHARE[s.group];

    it('right sizes (real keys) are answered with the group\'s server size; wrong sizes are illegal_parameter, empty ones decode_error', () => {
      fc.assert(
        fc.property(sharesArb, (shares) => {
          const keys = shares.map((s) => ({ group: s.group, key: bytesOf(s) }));
          // A random key of the right size may still be no key (off the curve, ML-KEM modulus check).
          const real = shares.map((s) => s.size === undefined);
          const hello = clientHello([serverNameExt('localhost'), supportedVersionsExt(), supportedGroupsExt(shares.map((s) => s.group)), sigAlgsExt(), keyShareExt(keys)]);
          const s = Session.server(config);
          const written: Uint8Array[] = [];
          let fed = false;
          s.setTransport({ push: (b) => (written.push(b.slice()), b.length), pull: () => (fed ? AGAIN : ((fed = true), cat(Uint8Array.of(22, 3, 1), u16(hello.length), hello))) });
          const got = attempt(() => s.handshake());
          const chosen = SERVER_ORDER.map((g) => shares.findIndex((x) => x.group === g)).find((i) => i >= 0)!;
          const allowed = new Set<AlertName>();
          // An empty key_exchange breaks KeyShareEntry's syntax (opaque key_exchange<1..2^16-1>).
          if (shares.some((x) => x.size === 0)) allowed.add('decode_error');
          if (!isGood(shares[chosen]!) || !real[chosen]) allowed.add('illegal_parameter');
          // A server may look at the shares it does not use, too.
          if (shares.some((x, i) => i !== chosen && !isGood(x))) allowed.add('illegal_parameter');
          const mustFail = shares.some((x) => x.size === 0) || !isGood(shares[chosen]!);
          if (got.error) {
            expect([...allowed], got.error.message).to.include(got.error.alert);
            expectSticky(s, got.error, () => written.length);
            return;
          }
          expect(mustFail, 'a bad share was accepted').to.equal(false);
          const sh = parseServerHello(splitPlainRecords(cat(...written))[0]!.body.subarray(4));
          const ks = sh.extensions.find((e) => e.type === EXT.key_share)!;
          const group = (ks.body[0]! << 8) | ks.body[1]!;
          const size = (ks.body[2]! << 8) | ks.body[3]!;
          expect(group).to.equal(shares[chosen]!.group);
          expect(size).to.equal(SERVER_SHARE[group]);
          expect(ks.body.length).to.equal(4 + size);
        }),
        params(120),
      );
    });
  });

  describe('our client, hostile ServerHellos', () => {
    const KEY = generateTicketKey((n) => new Uint8Array(n).fill(3));
    let ticket: Tls13SessionTicket;
    before(() => {
      const p = connect({}, { ticketKeys: [KEY] });
      transfer(p.server, p.client, payload(1));
      ticket = p.client.info.tickets[0] as Tls13SessionTicket;
    });

    type Mutation =
      | { kind: 'resize'; size: number }
      | { kind: 'regroup'; group: number; size: number }
      | { kind: 'same-size-other-bytes' }
      | { kind: 'psk-unoffered'; index: number }
      | { kind: 'psk-index'; index: number }
      | { kind: 'psk-malformed'; length: number };

    const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ kind: fc.constant('resize' as const), size: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.constantFrom(0, 1119, 1121, 1216, 32, 1088)) }),
      fc.record({ kind: fc.constant('regroup' as const), group: fc.constantFrom(GROUP.x25519, GROUP.secp256r1), size: fc.oneof(fc.integer({ min: 0, max: 1300 }), fc.constantFrom(0, 32, 65, 1120)) }),
      fc.record({ kind: fc.constant('same-size-other-bytes' as const) }),
      fc.record({ kind: fc.constant('psk-unoffered' as const), index: fc.integer({ min: 0, max: 0xffff }) }),
      fc.record({ kind: fc.constant('psk-index' as const), index: fc.integer({ min: 1, max: 0xffff }) }),
      fc.record({ kind: fc.constant('psk-malformed' as const), length: fc.constantFrom(0, 1, 3, 4) }),
    );

    /** The alerts the RFCs name for `m` (the client offered hybrid + X25519 shares, and a ticket for psk-index). */
    function allowed(m: Mutation, hybrid: boolean): AlertName[] {
      switch (m.kind) {
        case 'resize':
          if (m.size === 0) return ['decode_error'];
          // The right size with other bytes: another shared secret, the server's records do not open.
          return m.size === (hybrid ? 1120 : 32) ? ['bad_record_mac'] : ['illegal_parameter'];
        case 'regroup':
          if (m.size === 0) return ['decode_error'];
          // x25519: the other share we sent (right size: our keys differ from the server's); secp256r1: we sent no share for it.
          if (m.group === GROUP.x25519 && hybrid) return m.size === 32 ? ['bad_record_mac'] : ['illegal_parameter'];
          return ['illegal_parameter'];
        case 'same-size-other-bytes':
          return ['bad_record_mac', 'illegal_parameter']; // a random X25519 point may be a low-order one (all-zero result)
        case 'psk-unoffered':
          return ['unsupported_extension'];
        case 'psk-index':
          return ['illegal_parameter'];
        case 'psk-malformed':
          return ['decode_error'];
      }
    }

    const seen: Record<string, number> = {};
    it('resized, regrouped or emptied server shares and pre_shared_key selection games end in the RFC\'s alert', () => {
      fc.assert(
        fc.property(mutationArb, (m) => {
          const withTicket = m.kind === 'psk-index' || m.kind === 'psk-malformed';
          const client = Session.client({ serverName: 'localhost', ca: caPem(), session: withTicket ? { ...ticket } : undefined });
          const server = Session.server({ ...serverIdentity('p256'), ticketKeys: [KEY] });
          const toServer: Uint8Array[] = [];
          const toClient: Uint8Array[] = [];
          const clientWrote: Uint8Array[] = [];
          client.setTransport({ push: (b) => (toServer.push(b.slice()), clientWrote.push(b.slice()), b.length), pull: () => toClient.shift() ?? AGAIN });
          server.setTransport({ push: (b) => (toClient.push(b.slice()), b.length), pull: () => toServer.shift() ?? AGAIN });
          expect(client.handshake()).to.equal(AGAIN);
          expect(server.handshake()).to.equal(AGAIN);
          const flight = cat(...toClient.splice(0));
          const recs = splitPlainRecords(flight);
          const first = recs[0]!;
          expect(first.body[0]).to.equal(2);
          const sh = parseServerHello(first.body.subarray(4));
          const ksAt = sh.extensions.findIndex((e) => e.type === EXT.key_share);
          const group = (sh.extensions[ksAt]!.body[0]! << 8) | sh.extensions[ksAt]!.body[1]!;
          const hybrid = group === GROUP.X25519MLKEM768;
          const share = (g: number, size: number) => ({ type: EXT.key_share, body: cat(u16(g), vec2(random(size))) });
          if (m.kind === 'resize') sh.extensions[ksAt] = share(group, m.size);
          if (m.kind === 'regroup') sh.extensions[ksAt] = share(m.group, m.size);
          if (m.kind === 'same-size-other-bytes') sh.extensions[ksAt] = share(group, SERVER_SHARE[group]!);
          if (m.kind === 'psk-unoffered') sh.extensions.push({ type: EXT.pre_shared_key, body: u16(m.index) });
          if (m.kind === 'psk-index') {
            const at = sh.extensions.findIndex((e) => e.type === EXT.pre_shared_key);
            expect(at, 'the server resumed').to.be.greaterThan(-1);
            sh.extensions[at] = { type: EXT.pre_shared_key, body: u16(m.index) };
          }
          if (m.kind === 'psk-malformed') {
            const at = sh.extensions.findIndex((e) => e.type === EXT.pre_shared_key);
            expect(at, 'the server resumed').to.be.greaterThan(-1);
            sh.extensions[at] = { type: EXT.pre_shared_key, body: random(m.length) };
          }
          const hello = serverHello(sh);
          // The rest of the flight as the server wrote it, after the ServerHello's record.
          const rest = flight.subarray(5 + first.body.length);
          toClient.push(cat(Uint8Array.of(22, 3, 3), u16(hello.length), hello, rest));
          const got = attempt(() => client.handshake());
          expect(got.error, `${JSON.stringify(m)} was accepted`).to.be.instanceOf(TlsError);
          expect(allowed(m, hybrid), `${JSON.stringify(m)}: ${got.error!.message}`).to.include(got.error!.alert);
          expectSticky(client, got.error!, () => clientWrote.length);
          seen[`${m.kind} ${hybrid ? 'hybrid' : NAMES[group]} -> ${got.error!.alert}`] = (seen[`${m.kind} ${hybrid ? 'hybrid' : NAMES[group]} -> ${got.error!.alert}`] ?? 0) + 1;
        }),
        params(150),
      );
      if (process.env.FUZZ_STATS) console.log(seen);
    });
  });
});
