/**
 * What a hostile or broken peer can make a Session hold or do, and the
 * limits on it (issue "Field-ready TLS 1.3", point 6), in memory: records
 * without content, warning alerts, KeyUpdate requests while our writes are
 * blocked, endless NewSessionTickets, oversized or misplaced handshake
 * headers, ChangeCipherSpec out of place, empty alerts. Each limit is shown
 * at its default, at its edge, and with its option.
 */
import type { SessionTicket } from '../../lib/session/contract.js';
import { expect } from 'chai';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { TlsError } from '../../lib/errors.js';
import { RecordSealer } from '../../lib/record/record-protection.js';
import { AGAIN, EOF, type Transport } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { ClientOptions, ServerOptions } from '../../lib/tls13/config.js';
import { trafficKeys } from '../../lib/tls13/key-schedule.js';
import { type SuiteName, suiteByName } from '../../lib/tls13/suites.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { serverIdentity } from '../support/fixtures.js';
import { type Pair, connect, makePair, payload, transfer } from './pair-helpers.js';
import { describeEvents } from './wire-tap.js';

const HANDSHAKE = 22;
const ALERT = 21;
const APPLICATION_DATA = 23;
const USER_CANCELED = Uint8Array.of(1, 90);

type Role = 'client' | 'server';

/**
 * Seals records as `role` would under its application traffic key (from the
 * client's key log), starting at `seq`: a peer that misbehaves with valid
 * records, so that the receiver authenticates them and applies its rules.
 */
function forger(p: Pair, role: Role, seq = 0): RecordSealer {
  const suite = suiteByName(p.client.info.suite!);
  const hash = nobleCrypto.hash(suite.hash);
  const secret = p.tap.secrets.get(`${role === 'client' ? 'CLIENT' : 'SERVER'}_TRAFFIC_SECRET_0`)!;
  const { key, iv } = trafficKeys(hash, secret, suite.keyLength);
  const s = new RecordSealer(nobleCrypto.aead(suite.aead, key), iv, Infinity);
  s.seq = seq;
  return s;
}

/** Pushes `bytes` as if `from` had written them and lets the other side read; returns what its recv() came to. */
function deliver(p: Pair, from: Role, bytes: Uint8Array): TlsError | Uint8Array | 'AGAIN' | 'EOF' {
  const [end, reader] = from === 'client' ? [p.clientEnd, p.server] : [p.serverEnd, p.client];
  expect(end.push(bytes)).to.equal(bytes.length);
  const got: Uint8Array[] = [];
  for (let i = 0; i < 10_000; i++) {
    let r: Uint8Array | typeof AGAIN | typeof EOF;
    try {
      r = reader.recv();
    } catch (e) {
      if (e instanceof TlsError) return e;
      throw e;
    }
    if (r === EOF) return got.length ? concatBytes(...got) : EOF;
    if (r === AGAIN) return got.length ? concatBytes(...got) : AGAIN;
    got.push(r);
  }
  throw new Error('recv() never settled');
}

function expectAlert(r: unknown, alert: string, message?: RegExp): void {
  expect(r, String(r)).to.be.instanceOf(TlsError);
  expect((r as TlsError).alert).to.equal(alert);
  expect((r as TlsError).fromPeer).to.equal(false);
  if (message) expect((r as TlsError).message).to.match(message);
}

/** `n` copies of the record `make()` seals. */
const many = (n: number, make: () => Uint8Array) => concatBytes(...Array.from({ length: n }, make));

describe('limits on what a peer can make us hold or do', function () {
  this.timeout(60_000);

  describe('records without content (maxEmptyRecords, default 32)', () => {
    it('32 empty application data records in a row pass, the 33rd is unexpected_message', () => {
      const p = connect();
      const f = forger(p, 'client');
      const r = deliver(p, 'client', concatBytes(many(32, () => f.seal(APPLICATION_DATA, new Uint8Array(0))), f.seal(APPLICATION_DATA, payload(3))));
      expect(r).to.deep.equal(payload(3));
      expectAlert(deliver(p, 'client', many(33, () => f.seal(APPLICATION_DATA, new Uint8Array(0)))), 'unexpected_message', /more than 32 records in a row without content/);
    });

    it('10,000 empty records (padding only, too) stop at the 33rd; the client hears why', () => {
      const p = connect();
      const f = forger(p, 'client');
      const flood = many(10_000, () => f.seal(APPLICATION_DATA, new Uint8Array(0), 100));
      expectAlert(deliver(p, 'client', flood), 'unexpected_message');
      const seen = describeEvents(p.tap.events('server', p.server.info.suite as SuiteName));
      expect(seen[seen.length - 1]).to.equal('{alert10}');
    });

    it('content ends a run: 32 empty, data, 32 empty, data, ... goes on', () => {
      const p = connect();
      const f = forger(p, 'client');
      for (let i = 0; i < 5; i++) {
        const r = deliver(p, 'client', concatBytes(many(32, () => f.seal(APPLICATION_DATA, new Uint8Array(0))), f.seal(APPLICATION_DATA, payload(1, i))));
        expect(r).to.deep.equal(payload(1, i));
      }
    });

    it('maxEmptyRecords: 0 refuses the first; 100 takes 100', () => {
      const none = connect({}, { maxEmptyRecords: 0 });
      expectAlert(deliver(none, 'client', forger(none, 'client').seal(APPLICATION_DATA, new Uint8Array(0))), 'unexpected_message');
      const hundred = connect({}, { maxEmptyRecords: 100 });
      const f = forger(hundred, 'client');
      expect(deliver(hundred, 'client', many(100, () => f.seal(APPLICATION_DATA, new Uint8Array(0))))).to.equal(AGAIN);
      expectAlert(deliver(hundred, 'client', f.seal(APPLICATION_DATA, new Uint8Array(0))), 'unexpected_message');
    });

    it('the client side has the same limit (empty records from the server)', () => {
      const p = connect({}, { tickets: 0 });
      const f = forger(p, 'server');
      expectAlert(deliver(p, 'server', many(40, () => f.seal(APPLICATION_DATA, new Uint8Array(0)))), 'unexpected_message');
    });

    it('ChangeCipherSpec records during the handshake count as records without content', () => {
      const p = makePair();
      expect(p.client.handshake()).to.equal(AGAIN); // ClientHello out
      const ccs = Uint8Array.of(20, 3, 3, 0, 1, 1);
      p.clientEnd.push(many(33, () => ccs));
      expect(p.server.handshake()).to.equal(AGAIN); // the compatibility one, then 32 more, ignored
      p.clientEnd.push(ccs);
      expectAlert(tlsErrorOf(() => p.server.handshake()), 'unexpected_message', /change_cipher_spec/);
    });
  });

  describe('warning alerts (maxWarningAlerts, default 4)', () => {
    it('4 user_canceled in a row pass, the 5th is unexpected_message', () => {
      const p = connect();
      const f = forger(p, 'client');
      expect(deliver(p, 'client', many(4, () => f.seal(ALERT, USER_CANCELED)))).to.equal(AGAIN);
      expect(deliver(p, 'client', f.seal(APPLICATION_DATA, payload(2)))).to.deep.equal(payload(2));
      expect(deliver(p, 'client', many(4, () => f.seal(ALERT, USER_CANCELED)))).to.equal(AGAIN);
      expectAlert(deliver(p, 'client', f.seal(ALERT, USER_CANCELED)), 'unexpected_message', /more than 4 warning alerts/);
    });

    it('10,000 user_canceled stop at the 5th', () => {
      const p = connect();
      const f = forger(p, 'client');
      expectAlert(deliver(p, 'client', many(10_000, () => f.seal(ALERT, USER_CANCELED))), 'unexpected_message');
    });

    it('empty records between warnings do not reset the count (nor warnings the count of empty records)', () => {
      const p = connect();
      const f = forger(p, 'client');
      const pair = () => concatBytes(f.seal(ALERT, USER_CANCELED), f.seal(APPLICATION_DATA, new Uint8Array(0)));
      expectAlert(deliver(p, 'client', many(5, pair)), 'unexpected_message', /warning alerts/);
    });

    it('user_canceled then close_notify still closes cleanly', () => {
      const p = connect();
      const f = forger(p, 'client');
      expect(deliver(p, 'client', concatBytes(f.seal(ALERT, USER_CANCELED), f.seal(ALERT, Uint8Array.of(1, 0))))).to.equal(EOF);
    });

    it('maxWarningAlerts: 0 refuses the first', () => {
      const p = connect({}, { maxWarningAlerts: 0 });
      expectAlert(deliver(p, 'client', forger(p, 'client').seal(ALERT, USER_CANCELED)), 'unexpected_message');
    });
  });

  describe('KeyUpdate requests while our writes are blocked', () => {
    /**
     * The client asks for `n` updates (each KeyUpdate under its next key,
     * all written in 16 KB pushes), while the server's transport takes
     * nothing. The server reads them all, then its writes unblock.
     */
    function flood(n: number) {
      const p = connect();
      transfer(p.server, p.client, payload(1)); // the client reads its tickets
      let blocked = true;
      let pulls = 0;
      let pushesRefused = 0;
      const end = p.serverEnd;
      p.server.setTransport({
        push: (b) => (blocked ? (pushesRefused++, AGAIN) : end.push(b)),
        pull: (max) => {
          const r = end.pull(max);
          if (r instanceof Uint8Array) pulls++;
          return r;
        },
      } satisfies Transport);
      // Queue the client's updates first, so they leave in 16 KB writes, as from a socket.
      let clientBlocked = true;
      const cend = p.clientEnd;
      p.client.setTransport({ push: (b) => (clientBlocked ? AGAIN : cend.push(b)), pull: (max) => cend.pull(max) });
      for (let i = 0; i < n; i++) expect(p.client.keyUpdate(true)).to.equal(AGAIN);
      clientBlocked = false;
      while (p.client.send() === AGAIN);
      // One recv() reads until the transport has nothing more.
      expect(p.server.recv()).to.equal(AGAIN);
      blocked = false;
      while (p.server.send() === AGAIN);
      const replies = p.tap.events('server', p.server.info.suite as SuiteName).filter((e) => e.kind === 'handshake' && e.type === 24);
      return { p, replies, pulls, pushesRefused };
    }

    it('10,000 requests while our writes are blocked: exactly one reply, and the connection goes on', () => {
      const { p, replies, pulls } = flood(10_000);
      expect(pulls).to.be.greaterThan(10); // the flood came in many reads
      // One reply per request would be 10,000: the Session tells takeOutput() its queue is not written yet.
      expect(replies).to.have.length(1);
      for (const r of replies) expect(r.kind === 'handshake' && r.body[0]).to.equal(0); // update_not_requested
      // Keys stayed in step: data flows both ways.
      transfer(p.client, p.server, payload(100, 1));
      transfer(p.server, p.client, payload(100, 2));
      expect(describeEvents(p.tap.events('server', p.server.info.suite as SuiteName)).some((e) => e.startsWith('?'))).to.equal(false);
    });

    it('a request after our reply was written gets its own reply', () => {
      const p = connect();
      transfer(p.server, p.client, payload(1));
      for (let i = 0; i < 3; i++) {
        expect(p.client.keyUpdate(true)).to.equal('done');
        transfer(p.client, p.server, payload(5, i)); // the server reads the request and answers
        transfer(p.server, p.client, payload(5, i)); // the client reads the answer
      }
      const replies = p.tap.events('server', p.server.info.suite as SuiteName).filter((e) => e.kind === 'handshake' && e.type === 24);
      expect(replies).to.have.length(3);
    });
  });

  describe('NewSessionTickets (maxTickets, default 8)', () => {
    /** `n` NewSessionTickets, as many per record as fit, each with its index as nonce. */
    function tickets(f: RecordSealer, n: number): Uint8Array {
      const msg = (i: number) => Uint8Array.of(4, 0, 0, 18, 0, 0, 0x1c, 0x20, 0, 0, 0, 1, 4, i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff, 0, 1, 7, 0, 0);
      const records: Uint8Array[] = [];
      for (let i = 0; i < n; ) {
        const batch: Uint8Array[] = [];
        for (; i < n && batch.length < 700; i++) batch.push(msg(i));
        records.push(f.seal(HANDSHAKE, concatBytes(...batch)));
      }
      return concatBytes(...records);
    }
    const nonceOf = (t: SessionTicket) => (t.version === 'TLSv1.3' ? new DataView(t.nonce.buffer, t.nonce.byteOffset).getUint32(0) : -1);

    it('a server sending 30,000 tickets: the client keeps the newest 8, and reads on', () => {
      const p = connect({}, { tickets: 0 });
      const f = forger(p, 'server');
      expect(deliver(p, 'server', tickets(f, 30_000))).to.equal(AGAIN);
      expect(p.client.info.tickets.map(nonceOf)).to.deep.equal(Array.from({ length: 8 }, (_, i) => 30_000 - 8 + i));
      expect(deliver(p, 'server', f.seal(APPLICATION_DATA, payload(4)))).to.deep.equal(payload(4));
    });

    it('maxTickets: 0 keeps none, 3 keeps the newest 3; fewer than the limit are all kept', () => {
      for (const [max, sent, kept] of [
        [0, 5, []],
        [3, 10, [7, 8, 9]],
        [8, 2, [0, 1]],
      ] as const) {
        const p = connect({ maxTickets: max }, { tickets: 0 });
        expect(deliver(p, 'server', tickets(forger(p, 'server'), sent))).to.equal(AGAIN);
        expect(p.client.info.tickets.map(nonceOf), `maxTickets ${max}`).to.deep.equal([...kept]);
      }
    });

    it('limit options must be whole numbers of at least 0', () => {
      expect(() => connect({ maxTickets: -1 })).to.throw(/maxTickets/);
      expect(() => connect({}, { maxEmptyRecords: 1.5 })).to.throw(/maxEmptyRecords/);
      expect(() => connect({}, { maxWarningAlerts: Number.NaN })).to.throw(/maxWarningAlerts/);
      expect(() => connect({}, { maxSkippedEarlyData: -5 })).to.throw(/maxSkippedEarlyData/);
    });
  });

  describe('handshake messages refused from their 4-byte header, before the body is waited for', () => {
    /** A fresh server (or a client that sent its ClientHello) given `bytes`; its first call's outcome. */
    function fresh(role: Role, bytes: Uint8Array, options: Partial<ClientOptions & ServerOptions> = {}): TlsError | 'AGAIN' | 'done' {
      const s = role === 'server' ? Session.server({ ...serverIdentity('p256'), ...options }) : Session.client({ serverName: 'localhost', dangerouslySkipCertificateVerification: true, ...options });
      let fed = false;
      s.setTransport({ push: (b) => b.length, pull: () => (fed ? AGAIN : ((fed = true), bytes)) });
      return tlsErrorOf(() => s.handshake(), true);
    }
    const header = (type: number, length: number) => Uint8Array.of(22, 3, 1, 0, 4, type, length >>> 16, (length >>> 8) & 0xff, length & 0xff);

    it('a ClientHello announcing more than 131,396 bytes (OpenSSL\'s limit, the most its encoding allows): illegal_parameter from 9 bytes', () => {
      expectAlert(fresh('server', header(1, 131_397)), 'illegal_parameter', /at most 131396/);
      expectAlert(fresh('server', header(1, 245_000)), 'illegal_parameter');
      expect(fresh('server', header(1, 131_396))).to.equal(AGAIN); // a legal length: waits for the body
    });

    it('a server waiting for a ClientHello refuses any other type from its header', () => {
      for (const t of [2, 4, 8, 11, 15, 20, 24, 99]) expectAlert(fresh('server', header(t, 200_000)), 'unexpected_message', /expected 1/);
    });

    it('a client waiting for ServerHello: another type, or one longer than a ServerHello can be, from its header', () => {
      expectAlert(fresh('client', header(8, 10)), 'unexpected_message');
      expectAlert(fresh('client', header(2, 65_608)), 'illegal_parameter');
      expect(fresh('client', header(2, 65_607))).to.equal(AGAIN);
    });

    it('after the handshake: a KeyUpdate of 2 bytes, a ticket over its encoding\'s maximum, a ClientHello: refused from the header', () => {
      const p = connect({}, { tickets: 0 });
      expectAlert(deliver(p, 'client', forger(p, 'client').seal(HANDSHAKE, Uint8Array.of(24, 0, 0, 2))), 'illegal_parameter');
      const q = connect({}, { tickets: 0 });
      expectAlert(deliver(q, 'server', forger(q, 'server').seal(HANDSHAKE, Uint8Array.of(4, 0x02, 0x01, 0x0b))), 'illegal_parameter');
      const r = connect({}, { tickets: 0 });
      expectAlert(deliver(r, 'client', forger(r, 'client').seal(HANDSHAKE, Uint8Array.of(1, 0, 0, 100))), 'unexpected_message');
    });
  });

  describe('ChangeCipherSpec out of place', () => {
    it('before the ClientHello: unexpected_message (RFC 8446 §5), sent in the clear', () => {
      const s = Session.server(serverIdentity('p256'));
      const written: Uint8Array[] = [];
      let fed = false;
      s.setTransport({ push: (b) => (written.push(b.slice()), b.length), pull: () => (fed ? AGAIN : ((fed = true), Uint8Array.of(20, 3, 3, 0, 1, 1))) });
      expectAlert(tlsErrorOf(() => s.handshake()), 'unexpected_message', /before the ClientHello/);
      expect(Buffer.concat(written).toString('hex')).to.equal('1503030002020a');
    });

    it('between two records of one handshake message: unexpected_message', () => {
      // The server's real ServerHello, cut in two records with a CCS between them.
      const p = makePair();
      expect(p.client.handshake()).to.equal(AGAIN);
      expect(p.server.handshake()).to.equal(AGAIN);
      const flight = Buffer.concat(p.tap.bytes.server);
      const serverHello = flight.subarray(5, 5 + flight.readUInt16BE(3));
      const ccs = Uint8Array.of(20, 3, 3, 0, 1, 1);
      const client = Session.client({ serverName: 'localhost', dangerouslySkipCertificateVerification: true });
      const parts = [concatBytes(Uint8Array.of(22, 3, 3, 0, 10), serverHello.subarray(0, 10)), ccs];
      client.setTransport({ push: (b) => b.length, pull: () => parts.shift() ?? AGAIN });
      expectAlert(tlsErrorOf(() => client.handshake()), 'unexpected_message', /fragmented handshake message/);
    });
  });

  describe('zero-length alert and handshake records: unexpected_message (RFC 8446 §5.4)', () => {
    it('a plaintext empty alert (before keys)', () => {
      const s = Session.server(serverIdentity('p256'));
      let fed = false;
      s.setTransport({ push: (b) => b.length, pull: () => (fed ? AGAIN : ((fed = true), Uint8Array.of(21, 3, 3, 0, 0))) });
      expectAlert(tlsErrorOf(() => s.handshake()), 'unexpected_message', /zero length/);
    });

    it('a protected empty alert, with or without padding', () => {
      const p = connect();
      expectAlert(deliver(p, 'client', forger(p, 'client').seal(ALERT, new Uint8Array(0))), 'unexpected_message', /zero length/);
      const q = connect();
      expectAlert(deliver(q, 'client', forger(q, 'client').seal(ALERT, new Uint8Array(0), 30)), 'unexpected_message');
    });

    it('alerts of 1 or 3 bytes still do not decode (decode_error)', () => {
      const p = connect();
      expectAlert(deliver(p, 'client', forger(p, 'client').seal(ALERT, Uint8Array.of(2))), 'decode_error');
    });

    it('an empty handshake record, plaintext or protected', () => {
      const s = Session.server(serverIdentity('p256'));
      let fed = false;
      s.setTransport({ push: (b) => b.length, pull: () => (fed ? AGAIN : ((fed = true), Uint8Array.of(22, 3, 1, 0, 0))) });
      expectAlert(tlsErrorOf(() => s.handshake()), 'unexpected_message');
      const p = connect();
      expectAlert(deliver(p, 'client', forger(p, 'client').seal(HANDSHAKE, new Uint8Array(0), 7)), 'unexpected_message');
    });
  });
});

/** The TlsError `f` throws; with `orResult`, what it returns when it does not throw. */
function tlsErrorOf<T>(f: () => T, orResult?: boolean): TlsError | T {
  try {
    const r = f();
    if (orResult) return r;
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
  throw new Error('expected a TlsError');
}

