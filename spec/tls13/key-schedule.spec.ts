/**
 * The TLS 1.3 key schedule, transcript hash and record protection against the
 * RFC 8448 §3 "Simple 1-RTT Handshake" trace (TLS_AES_128_GCM_SHA256, x25519).
 */
import { createHash, createHmac } from 'node:crypto';
import { expect } from 'chai';
import { nobleCrypto } from '../../lib/crypto/index.js';
import type { Aead, HashFunctions } from '../../lib/crypto/provider.js';
import { TlsError } from '../../lib/errors.js';
import { RecordOpener, RecordSealer } from '../../lib/record/record-protection.js';
import { RecordReader } from '../../lib/record/record-reader.js';
import {
  KeySchedule,
  deriveSecret,
  finishedVerifyData,
  hkdfExpandLabel,
  nextTrafficSecret,
  trafficKeys,
} from '../../lib/tls13/key-schedule.js';
import { Transcript } from '../../lib/tls13/transcript.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { RFC8448 as V, hex, toHex } from './rfc8448.js';

const sha256 = nobleCrypto.hash('sha256');
const sha384 = nobleCrypto.hash('sha384');
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;

const transcriptOf = (...messages: Uint8Array[]) => {
  const t = new Transcript();
  t.selectHash(sha256);
  for (const m of messages) t.add(m);
  return t;
};

const serverFlight = () => concatBytes(V.encryptedExtensions, V.certificate, V.certificateVerify, V.serverFinished);

function openRecord(record: Uint8Array, key: Uint8Array, iv: Uint8Array, seq = 0) {
  const reader = new RecordReader();
  reader.feed(record);
  const rec = reader.next()!;
  expect(reader.buffered).to.equal(0);
  const opener = new RecordOpener(nobleCrypto.aead('aes-128-gcm', key), iv);
  opener.seq = seq;
  return { ...opener.open(rec.header, rec.fragment), opener };
}

describe('RFC 8448 §3 key schedule', () => {
  it('x25519 key shares give the ECDHE shared secret', () => {
    const client = nobleCrypto.keyShare('x25519', () => V.clientPrivate.slice());
    const server = nobleCrypto.keyShare('x25519', () => V.serverPrivate.slice());
    expect(toHex(client.publicKey)).to.equal(toHex(V.clientPublic));
    expect(toHex(server.publicKey)).to.equal(toHex(V.serverPublic));
    expect(toHex(client.sharedSecret(V.serverPublic))).to.equal(toHex(V.ecdhe));
    expect(toHex(server.sharedSecret(V.clientPublic))).to.equal(toHex(V.ecdhe));
  });

  it('early secret from a zero PSK', () => {
    expect(toHex(new KeySchedule(sha256).earlySecret)).to.equal(toHex(V.earlySecret));
    // An explicit all-zero PSK is the same thing.
    expect(toHex(new KeySchedule(sha256, new Uint8Array(32)).earlySecret)).to.equal(toHex(V.earlySecret));
  });

  it('HKDF-Expand-Label builds the RFC info structure ("tls13 derived")', () => {
    const infos: Uint8Array[] = [];
    const spy: HashFunctions = {
      ...sha256,
      hkdfExpand: (prk, info, length) => (infos.push(info.slice()), sha256.hkdfExpand(prk, info, length)),
    };
    expect(toHex(sha256.digest(new Uint8Array(0)))).to.equal(toHex(V.emptyHash));
    const derived = deriveSecret(spy, V.earlySecret, 'derived', V.emptyHash);
    expect(toHex(derived)).to.equal(toHex(V.derivedForHandshake));
    expect(infos.map(toHex)).to.deep.equal([toHex(V.derivedInfo)]);
    // key / iv labels with an empty context (RFC 8448: "key info", "iv info").
    infos.length = 0;
    trafficKeys(spy, V.serverHandshakeTraffic, 16);
    expect(infos.map(toHex)).to.deep.equal([toHex(hex('00 10 09 74 6c 73 31 33 20 6b 65 79 00')), toHex(hex('00 0c 08 74 6c 73 31 33 20 69 76 00'))]);
  });

  it('derived secret for the master secret', () => {
    expect(toHex(deriveSecret(sha256, V.handshakeSecret, 'derived', V.emptyHash))).to.equal(toHex(V.derivedForMaster));
  });

  it('transcript hash of ClientHello..ServerHello', () => {
    expect(toHex(transcriptOf(V.clientHello, V.serverHello).current())).to.equal(toHex(V.helloHash));
    // Messages added before the suite is known are buffered, then hashed.
    const t = new Transcript();
    t.add(V.clientHello);
    t.add(V.serverHello);
    t.selectHash(sha256);
    expect(toHex(t.current())).to.equal(toHex(V.helloHash));
    expect(toHex(createHash('sha256').update(V.clientHello).update(V.serverHello).digest())).to.equal(toHex(V.helloHash));
  });

  it('handshake secret and handshake traffic secrets', () => {
    const ks = new KeySchedule(sha256);
    const hs = ks.handshake(V.ecdhe, V.helloHash);
    expect(toHex(hs.handshakeSecret)).to.equal(toHex(V.handshakeSecret));
    expect(toHex(hs.clientHandshake)).to.equal(toHex(V.clientHandshakeTraffic));
    expect(toHex(hs.serverHandshake)).to.equal(toHex(V.serverHandshakeTraffic));
  });

  it('handshake write keys and IVs', () => {
    const s = trafficKeys(sha256, V.serverHandshakeTraffic, 16);
    expect(toHex(s.key)).to.equal(toHex(V.serverHandshakeKey));
    expect(toHex(s.iv)).to.equal(toHex(V.serverHandshakeIv));
    const c = trafficKeys(sha256, V.clientHandshakeTraffic, 16);
    expect(toHex(c.key)).to.equal(toHex(V.clientHandshakeKey));
    expect(toHex(c.iv)).to.equal(toHex(V.clientHandshakeIv));
  });

  it('server finished key and verify_data over ClientHello..CertificateVerify', () => {
    const empty = new Uint8Array(0);
    expect(toHex(hkdfExpandLabel(sha256, V.serverHandshakeTraffic, 'finished', empty, 32))).to.equal(toHex(V.serverFinishedKey));
    const t = transcriptOf(V.clientHello, V.serverHello, V.encryptedExtensions, V.certificate, V.certificateVerify);
    const verify = finishedVerifyData(sha256, V.serverHandshakeTraffic, t.current());
    expect(toHex(verify)).to.equal(toHex(V.serverVerifyData));
    expect(toHex(V.serverFinished.subarray(4))).to.equal(toHex(V.serverVerifyData));
    // verify_data = HMAC(finished_key, transcript hash)
    expect(toHex(createHmac('sha256', V.serverFinishedKey).update(t.current()).digest())).to.equal(toHex(V.serverVerifyData));
  });

  it('transcript hash through server Finished', () => {
    const t = transcriptOf(V.clientHello, V.serverHello, serverFlight());
    expect(toHex(t.current())).to.equal(toHex(V.serverFinishedHash));
  });

  it('master secret, application traffic secrets and exporter master secret', () => {
    const ks = new KeySchedule(sha256);
    const hs = ks.handshake(V.ecdhe, V.helloHash);
    const app = ks.application(hs.handshakeSecret, V.serverFinishedHash);
    expect(toHex(app.masterSecret)).to.equal(toHex(V.masterSecret));
    expect(toHex(app.clientApplication)).to.equal(toHex(V.clientApplicationTraffic));
    expect(toHex(app.serverApplication)).to.equal(toHex(V.serverApplicationTraffic));
    expect(toHex(app.exporter)).to.equal(toHex(V.exporterMaster));
  });

  it('application write keys and IVs', () => {
    const s = trafficKeys(sha256, V.serverApplicationTraffic, 16);
    expect(toHex(s.key)).to.equal(toHex(V.serverApplicationKey));
    expect(toHex(s.iv)).to.equal(toHex(V.serverApplicationIv));
    const c = trafficKeys(sha256, V.clientApplicationTraffic, 16);
    expect(toHex(c.key)).to.equal(toHex(V.clientApplicationKey));
    expect(toHex(c.iv)).to.equal(toHex(V.clientApplicationIv));
  });

  it('client finished key and verify_data over ClientHello..server Finished', () => {
    expect(toHex(hkdfExpandLabel(sha256, V.clientHandshakeTraffic, 'finished', new Uint8Array(0), 32))).to.equal(toHex(V.clientFinishedKey));
    expect(toHex(finishedVerifyData(sha256, V.clientHandshakeTraffic, V.serverFinishedHash))).to.equal(toHex(V.clientVerifyData));
    expect(toHex(V.clientFinished.subarray(4))).to.equal(toHex(V.clientVerifyData));
  });

  it('resumption master secret and the ticket PSK', () => {
    const t = transcriptOf(V.clientHello, V.serverHello, serverFlight(), V.clientFinished);
    expect(toHex(t.current())).to.equal(toHex(V.clientFinishedHash));
    const ks = new KeySchedule(sha256);
    const rms = ks.resumptionMaster(V.masterSecret, t.current());
    expect(toHex(rms)).to.equal(toHex(V.resumptionMaster));
    expect(toHex(ks.ticketPsk(rms, Uint8Array.of(0, 0)))).to.equal(toHex(V.ticketPsk));
  });

  it('the whole chain from the shared secret, through our Transcript', () => {
    const t = transcriptOf(V.clientHello, V.serverHello);
    const ks = new KeySchedule(sha256);
    const hs = ks.handshake(V.ecdhe, t.current());
    t.add(V.encryptedExtensions);
    t.add(V.certificate);
    t.add(V.certificateVerify);
    expect(toHex(finishedVerifyData(sha256, hs.serverHandshake, t.current()))).to.equal(toHex(V.serverVerifyData));
    t.add(V.serverFinished);
    const app = ks.application(hs.handshakeSecret, t.current());
    expect(toHex(finishedVerifyData(sha256, hs.clientHandshake, t.current()))).to.equal(toHex(V.clientVerifyData));
    t.add(V.clientFinished);
    expect(toHex(ks.resumptionMaster(app.masterSecret, t.current()))).to.equal(toHex(V.resumptionMaster));
  });

  it('KeyUpdate: application_traffic_secret_N+1 = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)', () => {
    const next = nextTrafficSecret(sha256, V.clientApplicationTraffic);
    expect(toHex(next)).to.equal(toHex(hkdfExpandLabel(sha256, V.clientApplicationTraffic, 'traffic upd', new Uint8Array(0), 32)));
    expect(toHex(next)).to.equal(toHex(rfc5869Expand('sha256', V.clientApplicationTraffic, hkdfLabel(32, 'traffic upd', new Uint8Array(0)), 32)));
    expect(nextTrafficSecret(sha384, new Uint8Array(48)).length).to.equal(48);
  });

  it('SHA-384 chain agrees with node:crypto HKDF (no RFC 8448 vector exists)', () => {
    const zeros = new Uint8Array(48);
    const early = createHmac('sha384', zeros).update(zeros).digest();
    const ks = new KeySchedule(sha384);
    expect(toHex(ks.earlySecret)).to.equal(toHex(early));
    const emptyHash = createHash('sha384').digest();
    const label = (l: string, ctx: Uint8Array) => hkdfLabel(48, l, ctx);
    const salt = rfc5869Expand('sha384', early, label('derived', emptyHash), 48);
    const shared = new Uint8Array(48).fill(7);
    const helloHash = new Uint8Array(48).fill(9);
    const handshakeSecret = createHmac('sha384', salt).update(shared).digest();
    const hs = ks.handshake(shared, helloHash);
    expect(toHex(hs.handshakeSecret)).to.equal(toHex(handshakeSecret));
    expect(toHex(hs.clientHandshake)).to.equal(toHex(rfc5869Expand('sha384', handshakeSecret, label('c hs traffic', helloHash), 48)));
    expect(toHex(hs.serverHandshake)).to.equal(toHex(rfc5869Expand('sha384', handshakeSecret, label('s hs traffic', helloHash), 48)));
    const keys = trafficKeys(sha384, hs.serverHandshake, 32);
    expect(keys.key.length).to.equal(32);
    expect(toHex(keys.key)).to.equal(toHex(rfc5869Expand('sha384', hs.serverHandshake, hkdfLabel(32, 'key', new Uint8Array(0)), 32)));
  });
});

describe('Transcript', () => {
  it('rollUpForRetry replaces ClientHello1 by message_hash (RFC 8446 §4.4.1)', () => {
    const t = transcriptOf(V.clientHello);
    const h1 = t.current();
    t.rollUpForRetry();
    t.add(V.serverHello);
    const synthetic = concatBytes(Uint8Array.of(254, 0, 0, 32), h1);
    expect(toHex(t.current())).to.equal(toHex(sha256.digest(concatBytes(synthetic, V.serverHello))));
  });

  it('refuses current() before the hash is selected, and keeps the first hash', () => {
    const t = new Transcript();
    expect(() => t.current()).to.throw();
    t.add(V.clientHello);
    t.selectHash(sha256);
    t.selectHash(sha384);
    expect(t.current().length).to.equal(32);
  });
});

describe('RFC 8448 §3 record protection', () => {
  it('opens the server handshake flight (the 0x02a2-byte record) and seals it back bit for bit', () => {
    expect(V.serverFlightRecord.length).to.equal(5 + 0x2a2);
    const { type, content, opener } = openRecord(V.serverFlightRecord, V.serverHandshakeKey, V.serverHandshakeIv);
    expect(type).to.equal(HANDSHAKE);
    expect(toHex(content)).to.equal(toHex(serverFlight()));
    expect(opener.seq).to.equal(1);
    const sealer = new RecordSealer(nobleCrypto.aead('aes-128-gcm', V.serverHandshakeKey), V.serverHandshakeIv, 10);
    expect(toHex(sealer.seal(HANDSHAKE, content))).to.equal(toHex(V.serverFlightRecord));
  });

  it('keys derived by our schedule open the RFC records', () => {
    const ks = new KeySchedule(sha256);
    const hs = ks.handshake(V.ecdhe, transcriptOf(V.clientHello, V.serverHello).current());
    const s = trafficKeys(sha256, hs.serverHandshake, 16);
    expect(openRecord(V.serverFlightRecord, s.key, s.iv).type).to.equal(HANDSHAKE);
    const c = trafficKeys(sha256, hs.clientHandshake, 16);
    const fin = openRecord(V.clientFinishedRecord, c.key, c.iv);
    expect(fin.type).to.equal(HANDSHAKE);
    expect(toHex(fin.content)).to.equal(toHex(V.clientFinished));
  });

  it('client Finished record', () => {
    const sealer = new RecordSealer(nobleCrypto.aead('aes-128-gcm', V.clientHandshakeKey), V.clientHandshakeIv, 10);
    expect(toHex(sealer.seal(HANDSHAKE, V.clientFinished))).to.equal(toHex(V.clientFinishedRecord));
  });

  it('client application data at sequence 0', () => {
    const { type, content } = openRecord(V.clientApplicationRecord, V.clientApplicationKey, V.clientApplicationIv);
    expect(type).to.equal(APPLICATION_DATA);
    expect(toHex(content)).to.equal(toHex(V.applicationPayload));
    const sealer = new RecordSealer(nobleCrypto.aead('aes-128-gcm', V.clientApplicationKey), V.clientApplicationIv, 10);
    expect(toHex(sealer.seal(APPLICATION_DATA, V.applicationPayload))).to.equal(toHex(V.clientApplicationRecord));
  });

  it('server application data at sequence 1 (nonce = iv xor 1)', () => {
    const { type, content } = openRecord(V.serverApplicationRecord, V.serverApplicationKey, V.serverApplicationIv, 1);
    expect(type).to.equal(APPLICATION_DATA);
    expect(toHex(content)).to.equal(toHex(V.applicationPayload));
    const sealer = new RecordSealer(nobleCrypto.aead('aes-128-gcm', V.serverApplicationKey), V.serverApplicationIv, 10);
    sealer.seq = 1;
    expect(toHex(sealer.seal(APPLICATION_DATA, V.applicationPayload))).to.equal(toHex(V.serverApplicationRecord));
    // The same record does not open at sequence 0.
    expect(() => openRecord(V.serverApplicationRecord, V.serverApplicationKey, V.serverApplicationIv, 0))
      .to.throw(TlsError).with.property('alert', 'bad_record_mac');
  });

  it('the server application stream: NewSessionTicket at sequence 0, then data at 1, through one opener', () => {
    const reader = new RecordReader();
    reader.feed(concatBytes(V.newSessionTicketRecord, V.serverApplicationRecord));
    const opener = new RecordOpener(nobleCrypto.aead('aes-128-gcm', V.serverApplicationKey), V.serverApplicationIv);
    const r0 = reader.next()!;
    const nst = opener.open(r0.header, r0.fragment);
    expect(nst.type).to.equal(HANDSHAKE);
    expect(toHex(nst.content)).to.equal(toHex(V.newSessionTicket));
    const r1 = reader.next()!;
    const data = opener.open(r1.header, r1.fragment);
    expect(data.type).to.equal(APPLICATION_DATA);
    expect(toHex(data.content)).to.equal(toHex(V.applicationPayload));
    const sealer = new RecordSealer(nobleCrypto.aead('aes-128-gcm', V.serverApplicationKey), V.serverApplicationIv, 10);
    expect(toHex(concatBytes(sealer.seal(HANDSHAKE, V.newSessionTicket), sealer.seal(APPLICATION_DATA, V.applicationPayload))))
      .to.equal(toHex(concatBytes(V.newSessionTicketRecord, V.serverApplicationRecord)));
  });

  it('round trip under the RFC keys with padding, for every sequence number class', () => {
    const aead = () => nobleCrypto.aead('aes-128-gcm', V.serverHandshakeKey);
    for (const seq of [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 48, 2 ** 53 - 2]) {
      const sealer = new RecordSealer(aead(), V.serverHandshakeIv, Number.MAX_SAFE_INTEGER);
      const opener = new RecordOpener(aead(), V.serverHandshakeIv);
      sealer.seq = seq;
      opener.seq = seq;
      const record = sealer.seal(APPLICATION_DATA, V.applicationPayload, 13);
      expect(record.length).to.equal(5 + 50 + 1 + 13 + 16);
      const out = opener.open(record.subarray(0, 5), record.subarray(5));
      expect(out.type).to.equal(APPLICATION_DATA);
      expect(toHex(out.content)).to.equal(toHex(V.applicationPayload));
      expect(sealer.seq).to.equal(seq + 1);
      expect(opener.seq).to.equal(seq + 1);
    }
  });
});

describe('per-record nonce (RFC 8446 §5.3): iv xor 64-bit big-endian sequence number', () => {
  /** An AEAD that records the nonce of each call and otherwise does nothing. */
  function recordingAead(nonces: Uint8Array[]): Aead {
    return {
      keyLength: 16,
      nonceLength: 12,
      tagLength: 16,
      seal: (nonce, pt) => (nonces.push(nonce.slice()), concatBytes(pt, new Uint8Array(16))),
      open: (nonce, ct) => (nonces.push(nonce.slice()), ct.slice(0, ct.length - 16)),
    };
  }

  /** Reference: iv xor the sequence number as 8 big-endian bytes, computed with BigInt. */
  function expectedNonce(iv: Uint8Array, seq: bigint): string {
    const out = iv.slice();
    for (let i = 0; i < 8; i++) out[11 - i]! ^= Number((seq >> BigInt(8 * i)) & 0xffn);
    return toHex(out);
  }

  const cases: [string, number][] = [
    ['0', 0],
    ['1', 1],
    ['2^8', 2 ** 8],
    ['2^32 - 1', 2 ** 32 - 1],
    ['2^32', 2 ** 32],
    ['2^32 + 1', 2 ** 32 + 1],
    ['2^40 + 2^16 + 5', 2 ** 40 + 2 ** 16 + 5],
    ['2^48', 2 ** 48],
    ['2^53 - 1', Number.MAX_SAFE_INTEGER],
  ];
  for (const iv of [V.serverHandshakeIv, new Uint8Array(12).fill(0xff)]) {
    for (const [label, seq] of cases) {
      it(`seq ${label}, iv ${toHex(iv)}`, () => {
        const nonces: Uint8Array[] = [];
        const sealer = new RecordSealer(recordingAead(nonces), iv, Number.MAX_SAFE_INTEGER);
        const opener = new RecordOpener(recordingAead(nonces), iv);
        sealer.seq = seq;
        opener.seq = seq;
        const record = sealer.seal(APPLICATION_DATA, Uint8Array.of(1, 2, 3));
        opener.open(record.subarray(0, 5), record.subarray(5));
        expect(nonces.map(toHex)).to.deep.equal([expectedNonce(iv, BigInt(seq)), expectedNonce(iv, BigInt(seq))]);
        // The first 4 bytes of the IV are never touched.
        expect(toHex(nonces[0]!.subarray(0, 4))).to.equal(toHex(iv.subarray(0, 4)));
      });
    }
  }

  it('does not modify the IV it was given', () => {
    const iv = V.serverHandshakeIv.slice();
    const sealer = new RecordSealer(recordingAead([]), iv, 100);
    sealer.seq = 2 ** 40;
    sealer.seal(APPLICATION_DATA, Uint8Array.of(1));
    expect(toHex(iv)).to.equal(toHex(V.serverHandshakeIv));
  });
});

/** The HkdfLabel structure of RFC 8446 §7.1, written out by hand. */
function hkdfLabel(length: number, label: string, context: Uint8Array): Uint8Array {
  const l = new TextEncoder().encode(`tls13 ${label}`);
  return concatBytes(Uint8Array.of(length >> 8, length & 0xff, l.length), l, Uint8Array.of(context.length), context);
}

/** RFC 5869 HKDF-Expand with node:crypto HMAC: an independent reference. */
function rfc5869Expand(alg: 'sha256' | 'sha384', prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac(alg, prk).update(t).update(info).update(Uint8Array.of(i)).digest();
    out.push(t);
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}
