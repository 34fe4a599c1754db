/**
 * A misbehaving client: after a real handshake, records forged under the
 * client's application key (taken from the key log) are pushed to the server
 * in place of the client session's own output.
 */
import type { Tls13SessionTicket } from '../../lib/session/contract.js';
import { expect } from 'chai';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { TlsError } from '../../lib/errors.js';
import { RecordSealer } from '../../lib/record/record-protection.js';
import { AGAIN } from '../../lib/session/contract.js';
import { nextTrafficSecret, trafficKeys } from '../../lib/tls13/key-schedule.js';
import { suiteByName } from '../../lib/tls13/suites.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { type Pair, connect, payload, transfer } from './pair-helpers.js';

const HANDSHAKE = 22;
const ALERT = 21;
const APPLICATION_DATA = 23;

/** Seals records as the client would, under CLIENT_TRAFFIC_SECRET_0 (or a later one). */
function forger(p: Pair, updates = 0) {
  const suite = suiteByName(p.client.info.suite!);
  const hash = nobleCrypto.hash(suite.hash);
  let secret = p.tap.secrets.get('CLIENT_TRAFFIC_SECRET_0')!;
  for (let i = 0; i < updates; i++) secret = nextTrafficSecret(hash, secret);
  const { key, iv } = trafficKeys(hash, secret, suite.keyLength);
  return new RecordSealer(nobleCrypto.aead(suite.aead, key), iv, Infinity);
}

/** Pushes raw bytes to the server and lets it read them; returns what the server's recv() did. */
function deliver(p: Pair, bytes: Uint8Array): TlsError | Uint8Array | 'AGAIN' | 'EOF' {
  expect(p.clientEnd.push(bytes)).to.equal(bytes.length);
  for (let i = 0; i < 100; i++) {
    try {
      const r = p.server.recv();
      if (r !== AGAIN) return r;
    } catch (e) {
      if (e instanceof TlsError) return e;
      throw e;
    }
  }
  return AGAIN;
}

const keyUpdate = (v: number) => Uint8Array.of(24, 0, 0, 1, v);

function expectServerAlert(p: Pair, alert: string, result: unknown): void {
  expect(result, String(result)).to.be.instanceOf(TlsError);
  expect((result as TlsError).alert).to.equal(alert);
  expect((result as TlsError).fromPeer).to.equal(false);
  // The client learns about it.
  let got: unknown;
  for (let i = 0; i < 100 && !got; i++) {
    try {
      p.client.recv();
    } catch (e) {
      got = e;
    }
  }
  expect(got).to.be.instanceOf(TlsError);
  expect((got as TlsError).alert).to.equal(alert);
  expect((got as TlsError).fromPeer).to.equal(true);
}

describe('a forging peer after the handshake', () => {
  let p: Pair;
  beforeEach(() => {
    p = connect();
    transfer(p.server, p.client, payload(1)); // the client reads its tickets
  });

  it('a forged data record is accepted (the forger has the right key)', () => {
    const r = deliver(p, forger(p).seal(APPLICATION_DATA, payload(12)));
    expect(Buffer.from(r as Uint8Array).equals(Buffer.from(payload(12)))).to.equal(true);
  });

  it('a forged KeyUpdate moves the server to the next read key', () => {
    const f = forger(p);
    const g = forger(p, 1);
    const r = deliver(p, concatBytes(f.seal(HANDSHAKE, keyUpdate(0)), g.seal(APPLICATION_DATA, payload(3))));
    expect(r).to.be.instanceOf(Uint8Array);
    expect((r as Uint8Array).length).to.equal(3);
  });

  it('tampering: bad_record_mac, sent to the client', () => {
    const rec = forger(p).seal(APPLICATION_DATA, payload(12));
    rec[rec.length - 1]! ^= 1;
    expectServerAlert(p, 'bad_record_mac', deliver(p, rec));
  });

  it('KeyUpdate with request_update 2: illegal_parameter', () => {
    expectServerAlert(p, 'illegal_parameter', deliver(p, forger(p).seal(HANDSHAKE, keyUpdate(2))));
  });

  it('KeyUpdate followed by a partial message in the same record: unexpected_message', () => {
    const r = deliver(p, forger(p).seal(HANDSHAKE, concatBytes(keyUpdate(0), Uint8Array.of(24, 0))));
    expectServerAlert(p, 'unexpected_message', r);
  });

  it('a ClientHello after the handshake: unexpected_message', () => {
    const hello = concatBytes(Uint8Array.of(1, 0, 0, 4), Uint8Array.of(3, 3, 0, 0));
    expect((deliver(p, forger(p).seal(HANDSHAKE, hello)) as TlsError).alert).to.be.oneOf(['unexpected_message', 'decode_error']);
  });

  it('a NewSessionTicket sent to the server: unexpected_message', () => {
    const nst = Uint8Array.of(4, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 9, 0, 0);
    expectServerAlert(p, 'unexpected_message', deliver(p, forger(p).seal(HANDSHAKE, nst)));
  });

  it('ChangeCipherSpec after the handshake: unexpected_message', () => {
    expectServerAlert(p, 'unexpected_message', deliver(p, Uint8Array.of(20, 3, 3, 0, 1, 1)));
  });

  it('an unprotected record after the handshake: unexpected_message', () => {
    expectServerAlert(p, 'unexpected_message', deliver(p, Uint8Array.of(22, 3, 3, 0, 5, ...keyUpdate(0))));
  });

  it('an alert of the wrong length: decode_error', () => {
    expectServerAlert(p, 'decode_error', deliver(p, forger(p).seal(ALERT, Uint8Array.of(2, 40, 0))));
  });

  it('an unknown inner content type: unexpected_message', () => {
    expectServerAlert(p, 'unexpected_message', deliver(p, forger(p).seal(99, payload(3))));
  });

  it('an all-zero inner plaintext: unexpected_message', () => {
    expectServerAlert(p, 'unexpected_message', deliver(p, forger(p).seal(0, new Uint8Array(0), 4)));
  });

  it('an empty handshake record: unexpected_message', () => {
    expectServerAlert(p, 'unexpected_message', deliver(p, forger(p).seal(HANDSHAKE, new Uint8Array(0))));
  });

  it('a handshake message split across records with data in between: unexpected_message', () => {
    const f = forger(p);
    const r = deliver(p, concatBytes(f.seal(HANDSHAKE, Uint8Array.of(24, 0)), f.seal(APPLICATION_DATA, payload(2))));
    expectServerAlert(p, 'unexpected_message', r);
  });

  it('a KeyUpdate split across two records is reassembled', () => {
    const f = forger(p);
    const g = forger(p, 1);
    const r = deliver(p, concatBytes(f.seal(HANDSHAKE, Uint8Array.of(24, 0, 0)), f.seal(HANDSHAKE, Uint8Array.of(1, 0)), g.seal(APPLICATION_DATA, payload(4))));
    expect((r as Uint8Array).length).to.equal(4);
  });

  it('a record announcing more than 2^14 + 256 bytes: record_overflow', () => {
    expectServerAlert(p, 'record_overflow', deliver(p, Uint8Array.of(23, 3, 3, 0x41, 0x01)));
  });

  it('a fatal alert from the client is reported with fromPeer', () => {
    const r = deliver(p, forger(p).seal(ALERT, Uint8Array.of(2, 80)));
    expect(r).to.be.instanceOf(TlsError);
    expect((r as TlsError).alert).to.equal('internal_error');
    expect((r as TlsError).fromPeer).to.equal(true);
  });

  it('close_notify from the client: EOF', () => {
    expect(deliver(p, forger(p).seal(ALERT, Uint8Array.of(1, 0)))).to.equal('EOF');
  });

  it('data after close_notify is ignored', () => {
    const f = forger(p);
    expect(deliver(p, concatBytes(f.seal(ALERT, Uint8Array.of(1, 0)), f.seal(APPLICATION_DATA, payload(5))))).to.equal('EOF');
  });
});

describe('a forging server after the handshake', () => {
  let p: Pair;
  beforeEach(() => {
    p = connect();
    transfer(p.server, p.client, payload(1)); // records 0 (tickets) and 1 (data) under the server key
  });

  function serverForger() {
    const suite = suiteByName(p.server.info.suite!);
    const hash = nobleCrypto.hash(suite.hash);
    const { key, iv } = trafficKeys(hash, p.tap.secrets.get('SERVER_TRAFFIC_SECRET_0')!, suite.keyLength);
    const s = new RecordSealer(nobleCrypto.aead(suite.aead, key), iv, Infinity);
    s.seq = 2;
    return s;
  }

  function toClient(bytes: Uint8Array): TlsError | Uint8Array | 'AGAIN' | 'EOF' {
    expect(p.serverEnd.push(bytes)).to.equal(bytes.length);
    for (let i = 0; i < 100; i++) {
      try {
        const r = p.client.recv();
        if (r !== AGAIN) return r;
      } catch (e) {
        if (e instanceof TlsError) return e;
        throw e;
      }
    }
    return AGAIN;
  }

  const ticket = (lifetime: number, extensions: number[] = []) => {
    const body = [lifetime >>> 24, (lifetime >> 16) & 0xff, (lifetime >> 8) & 0xff, lifetime & 0xff, 0, 0, 0, 7, 1, 42, 0, 2, 5, 6, 0, extensions.length, ...extensions];
    return Uint8Array.of(4, 0, 0, body.length, ...body);
  };

  it('a NewSessionTicket is kept, with its early_data limit', () => {
    const f = serverForger();
    const r = toClient(concatBytes(f.seal(HANDSHAKE, ticket(3600, [0, 42, 0, 4, 0, 0, 0x40, 0])), f.seal(APPLICATION_DATA, payload(2))));
    expect((r as Uint8Array).length).to.equal(2);
    const t = p.client.info.tickets[2]! as Tls13SessionTicket;
    expect(t.lifetime).to.equal(3600);
    expect(t.ageAdd).to.equal(7);
    expect(Array.from(t.nonce)).to.deep.equal([42]);
    expect(Array.from(t.ticket)).to.deep.equal([5, 6]);
    expect(t.maxEarlyData).to.equal(0x4000);
  });

  it('a ticket lifetime over seven days: illegal_parameter', () => {
    const r = toClient(serverForger().seal(HANDSHAKE, ticket(604801)));
    expect((r as TlsError).alert).to.equal('illegal_parameter');
    expect(() => p.client.recv()).to.throw(TlsError).that.equals(r); // sticky
  });

  it('a KeyUpdate requesting an update is answered by the client', () => {
    const f = serverForger();
    expect((toClient(f.seal(HANDSHAKE, keyUpdate(1))) as string)).to.equal(AGAIN);
    const answers = p.tap.events('client', p.client.info.suite as 'TLS_AES_128_GCM_SHA256').filter((e) => e.kind === 'handshake' && e.type === 24);
    expect(answers.map((e) => e.kind === 'handshake' && e.body[0])).to.deep.equal([0]);
  });
});
