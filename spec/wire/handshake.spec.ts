import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { ExtensionType as X, HandshakeType as HT } from '../../lib/wire/enums.js';
import { findExtension, keyShare } from '../../lib/wire/extension.js';
import {
  type ClientHello,
  type HandshakeMessage,
  HRR_RANDOM,
  type NewSessionTicket,
  type ServerHello,
  decodeHandshake,
  encodeHandshake,
} from '../../lib/wire/handshake.js';
import { createHash } from 'node:crypto';
import { RFC8448 as V, toHex } from '../tls13/rfc8448.js';
import { alertOf } from '../support/alerts.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff);

/** Decodes a framed message (4-byte header included). */
function decodeFramed(raw: Uint8Array, hashLength = 32): HandshakeMessage {
  const length = (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!;
  expect(length).to.equal(raw.length - 4);
  return decodeHandshake(raw[0]!, raw.subarray(4), hashLength);
}

function roundTrip(msg: HandshakeMessage, hashLength = 32): Uint8Array {
  const raw = encodeHandshake(msg);
  expect(raw[0]).to.equal(msg.type);
  const back = decodeFramed(raw, hashLength);
  expect(normalize(back)).to.deep.equal(normalize(msg));
  expect(toHex(encodeHandshake(back))).to.equal(toHex(raw));
  return raw;
}

/** Uint8Array subarray views compare by content: make them plain arrays. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

const clientHello = (): ClientHello => ({
  type: HT.client_hello,
  legacyVersion: 0x0303,
  random: bytes(32),
  sessionId: bytes(32, 7),
  cipherSuites: [0x1301, 0x1302, 0x1303],
  compressionMethods: Uint8Array.of(0),
  extensions: [
    { type: X.server_name, data: bytes(12) },
    { type: X.key_share, data: bytes(40) },
    { type: 0xfafa, data: new Uint8Array(0) },
  ],
});

const serverHello = (): ServerHello => ({
  type: HT.server_hello,
  legacyVersion: 0x0303,
  random: bytes(32, 3),
  sessionIdEcho: bytes(32, 7),
  cipherSuite: 0x1302,
  compressionMethod: 0,
  extensions: [{ type: X.supported_versions, data: Uint8Array.of(3, 4) }],
});

describe('handshake messages', () => {
  describe('round trips of every type', () => {
    it('ClientHello', () => {
      roundTrip(clientHello());
      roundTrip({ ...clientHello(), sessionId: new Uint8Array(0), extensions: [] });
    });
    it('ServerHello and HelloRetryRequest', () => {
      roundTrip(serverHello());
      roundTrip({ ...serverHello(), random: HRR_RANDOM, extensions: [{ type: X.key_share, data: Uint8Array.of(0, 0x1d) }, { type: X.cookie, data: bytes(10) }] });
      expect(toHex(HRR_RANDOM)).to.equal(createHash('sha256').update('HelloRetryRequest').digest('hex'));
    });
    it('EncryptedExtensions (empty and not)', () => {
      roundTrip({ type: HT.encrypted_extensions, extensions: [] });
      roundTrip({ type: HT.encrypted_extensions, extensions: [{ type: X.alpn, data: bytes(5) }, { type: X.server_name, data: new Uint8Array(0) }] });
    });
    it('Certificate (several entries with extensions, a request context, none)', () => {
      roundTrip({
        type: HT.certificate,
        context: new Uint8Array(0),
        entries: [
          { data: bytes(700), extensions: [] },
          { data: bytes(1), extensions: [{ type: X.status_request, data: bytes(9) }, { type: X.signed_certificate_timestamp, data: bytes(3) }] },
        ],
      });
      roundTrip({ type: HT.certificate, context: bytes(8), entries: [] });
    });
    it('CertificateRequest', () => {
      roundTrip({ type: HT.certificate_request, context: new Uint8Array(0), extensions: [{ type: X.signature_algorithms, data: Uint8Array.of(0, 2, 4, 3) }] });
    });
    it('CertificateVerify', () => {
      roundTrip({ type: HT.certificate_verify, scheme: 0x0807, signature: bytes(64) });
    });
    it('Finished, sized by the hash', () => {
      roundTrip({ type: HT.finished, verifyData: bytes(32) }, 32);
      roundTrip({ type: HT.finished, verifyData: bytes(48) }, 48);
      expect(alertOf(() => decodeHandshake(HT.finished, bytes(32), 48))).to.equal('decode_error');
      expect(alertOf(() => decodeHandshake(HT.finished, bytes(48), 32))).to.equal('decode_error');
    });
    it('NewSessionTicket', () => {
      roundTrip({ type: HT.new_session_ticket, lifetime: 0xffffffff, ageAdd: 0x80000001, nonce: new Uint8Array(0), ticket: bytes(1), extensions: [] });
      roundTrip({ type: HT.new_session_ticket, lifetime: 7200, ageAdd: 5, nonce: bytes(255), ticket: bytes(65535), extensions: [{ type: X.early_data, data: Uint8Array.of(0, 0, 0x40, 0) }] });
    });
    it('KeyUpdate', () => {
      expect(Array.from(roundTrip({ type: HT.key_update, updateRequested: false }))).to.deep.equal([24, 0, 0, 1, 0]);
      expect(Array.from(roundTrip({ type: HT.key_update, updateRequested: true }))).to.deep.equal([24, 0, 0, 1, 1]);
      expect(alertOf(() => decodeHandshake(HT.key_update, Uint8Array.of(2), 32))).to.equal('illegal_parameter');
    });
  });

  describe('RFC 8448 §3 messages decode and re-encode bit for bit', () => {
    const cases: [string, Uint8Array][] = [
      ['ClientHello', V.clientHello],
      ['ServerHello', V.serverHello],
      ['EncryptedExtensions', V.encryptedExtensions],
      ['Certificate', V.certificate],
      ['CertificateVerify', V.certificateVerify],
      ['server Finished', V.serverFinished],
      ['client Finished', V.clientFinished],
      ['NewSessionTicket', V.newSessionTicket],
    ];
    for (const [name, raw] of cases) {
      it(name, () => expect(toHex(encodeHandshake(decodeFramed(raw)))).to.equal(toHex(raw)));
    }

    it('decoded fields', () => {
      const ch = decodeFramed(V.clientHello) as ClientHello;
      expect(ch.cipherSuites).to.deep.equal([0x1301, 0x1303, 0x1302]);
      expect(ch.sessionId.length).to.equal(0);
      expect(ch.extensions.map((e) => e.type)).to.deep.equal([0, 0xff01, 10, 0x23, 51, 43, 13, 45, 28]);
      const shares = keyShare.decodeClient(findExtension(ch.extensions, X.key_share)!);
      expect(toHex(shares[0]!.keyExchange)).to.equal(toHex(V.clientPublic));
      const sh = decodeFramed(V.serverHello) as ServerHello;
      expect(sh.cipherSuite).to.equal(0x1301);
      expect(toHex(keyShare.decodeServer(findExtension(sh.extensions, X.key_share)!).keyExchange)).to.equal(toHex(V.serverPublic));
      const nst = decodeFramed(V.newSessionTicket) as NewSessionTicket;
      expect(nst.lifetime).to.equal(30);
      expect(nst.ageAdd).to.equal(0xfad6aac5);
      expect(Array.from(nst.nonce)).to.deep.equal([0, 0]);
      expect(nst.ticket.length).to.equal(0xb2);
      expect(nst.extensions).to.have.length(1);
      expect(nst.extensions[0]!.type).to.equal(X.early_data);
    });
  });

  describe('strict decoding', () => {
    it('every truncation of every message is decode_error', () => {
      for (const raw of [V.clientHello, V.serverHello, V.encryptedExtensions, V.certificate, V.certificateVerify, V.newSessionTicket]) {
        const body = raw.subarray(4);
        for (let n = 0; n < body.length; n++) {
          // A ClientHello ending right after compression_methods is a valid extension-less (pre-1.3) hello.
          if (raw === V.clientHello && n === 2 + 32 + 1 + 2 + 6 + 2) continue;
          expect(alertOf(() => decodeHandshake(raw[0]!, body.subarray(0, n), 32)), `type ${raw[0]} cut at ${n}`).to.equal('decode_error');
        }
      }
    });

    it('a trailing byte is decode_error', () => {
      for (const raw of [V.serverHello, V.encryptedExtensions, V.certificate, V.certificateVerify, V.serverFinished, V.newSessionTicket, encodeHandshake({ type: HT.key_update, updateRequested: true })]) {
        const body = new Uint8Array(raw.length - 3);
        body.set(raw.subarray(4));
        expect(alertOf(() => decodeHandshake(raw[0]!, body, 32)), `type ${raw[0]}`).to.equal('decode_error');
      }
    });

    it('unknown or unexpected message types are unexpected_message', () => {
      for (const t of [0, 3, 6, HT.message_hash, 255]) {
        expect(alertOf(() => decodeHandshake(t, new Uint8Array(0), 32))).to.equal('unexpected_message');
      }
    });

    it('EndOfEarlyData has an empty body: anything in it is decode_error', () => {
      expect(decodeHandshake(HT.end_of_early_data, new Uint8Array(0), 32)).to.deep.equal({ type: HT.end_of_early_data });
      expect(encodeHandshake({ type: HT.end_of_early_data })).to.deep.equal(Uint8Array.of(5, 0, 0, 0));
      expect(alertOf(() => decodeHandshake(HT.end_of_early_data, Uint8Array.of(0), 32))).to.equal('decode_error');
    });

    it('ClientHello: odd or empty cipher_suites, no compression, session id over 32 bytes', () => {
      const ok = encodeHandshake(clientHello()).subarray(4);
      // legacy_version(2) random(32) session_id(1+32) then cipher_suites<2..2^16-2>.
      const suitesAt = 2 + 32 + 1 + 32;
      const odd = ok.slice();
      odd[suitesAt + 1] = 5;
      expect(alertOf(() => decodeHandshake(HT.client_hello, odd, 32))).to.equal('decode_error');
      const noSuites = encodeHandshake({ ...clientHello(), cipherSuites: [] }).subarray(4);
      expect(alertOf(() => decodeHandshake(HT.client_hello, noSuites, 32))).to.equal('decode_error');
      const noCompression = encodeHandshake({ ...clientHello(), compressionMethods: new Uint8Array(0) }).subarray(4);
      expect(alertOf(() => decodeHandshake(HT.client_hello, noCompression, 32))).to.equal('decode_error');
      const longId = encodeHandshake({ ...clientHello(), sessionId: bytes(33) }).subarray(4);
      expect(alertOf(() => decodeHandshake(HT.client_hello, longId, 32))).to.equal('decode_error');
      // Without an extensions block (pre-TLS 1.3 hello) the list is empty.
      const bare = encodeHandshake({ ...clientHello(), extensions: [] }).subarray(4);
      expect((decodeHandshake(HT.client_hello, bare.subarray(0, bare.length - 2), 32) as ClientHello).extensions).to.deep.equal([]);
    });

    it('ClientHello: no extensions block and an empty one are told apart, and each re-encodes to itself', () => {
      const empty = encodeHandshake({ ...clientHello(), extensions: [] }).subarray(4);
      const absent = empty.subarray(0, empty.length - 2);
      const a = decodeHandshake(HT.client_hello, absent, 32) as ClientHello;
      const e = decodeHandshake(HT.client_hello, empty, 32) as ClientHello;
      expect(a.extensionsOmitted).to.equal(true);
      expect(e.extensionsOmitted).to.equal(undefined);
      expect(toHex(encodeHandshake(a).subarray(4))).to.equal(toHex(absent));
      expect(toHex(encodeHandshake(e).subarray(4))).to.equal(toHex(empty));
      roundTrip({ ...clientHello(), extensions: [], extensionsOmitted: true });
      expect(() => encodeHandshake({ ...clientHello(), extensionsOmitted: true })).to.throw(RangeError);
    });

    it('ServerHello session id over 32 bytes, empty signature, empty ticket, empty certificate data', () => {
      expect(alertOf(() => decodeHandshake(HT.server_hello, encodeHandshake({ ...serverHello(), sessionIdEcho: bytes(33) }).subarray(4), 32))).to.equal('decode_error');
      expect(alertOf(() => decodeHandshake(HT.certificate_verify, Uint8Array.of(8, 7, 0, 0), 32))).to.equal('decode_error');
      const nst = encodeHandshake({ type: HT.new_session_ticket, lifetime: 1, ageAdd: 1, nonce: new Uint8Array(0), ticket: new Uint8Array(0), extensions: [] });
      expect(alertOf(() => decodeHandshake(HT.new_session_ticket, nst.subarray(4), 32))).to.equal('decode_error');
      const cert = encodeHandshake({ type: HT.certificate, context: new Uint8Array(0), entries: [{ data: new Uint8Array(0), extensions: [] }] });
      expect(alertOf(() => decodeHandshake(HT.certificate, cert.subarray(4), 32))).to.equal('decode_error');
    });

    it('a duplicate extension in any message is illegal_parameter', () => {
      const dup = [{ type: X.alpn, data: bytes(3) }, { type: X.server_name, data: bytes(1) }, { type: X.alpn, data: bytes(3) }];
      const msgs: HandshakeMessage[] = [
        { ...clientHello(), extensions: dup },
        { ...serverHello(), extensions: dup },
        { type: HT.encrypted_extensions, extensions: dup },
        { type: HT.certificate_request, context: new Uint8Array(0), extensions: dup },
        { type: HT.certificate, context: new Uint8Array(0), entries: [{ data: bytes(3), extensions: dup }] },
        { type: HT.new_session_ticket, lifetime: 1, ageAdd: 2, nonce: bytes(1), ticket: bytes(4), extensions: dup },
      ];
      for (const m of msgs) expect(alertOf(() => decodeFramed(encodeHandshake(m))), `type ${m.type}`).to.equal('illegal_parameter');
    });

    it('random bytes only ever fail with a TlsError (fuzz)', () => {
      fc.assert(
        fc.property(fc.constantFrom(1, 2, 4, 8, 11, 13, 15, 20, 24), fc.uint8Array({ maxLength: 300 }), (type, body) => {
          try {
            decodeHandshake(type, body, 32);
          } catch (e) {
            expect(e, String(e)).to.be.instanceOf(TlsError);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('mutations of real messages only ever fail with a TlsError (fuzz)', () => {
      const samples = [V.clientHello, V.serverHello, V.encryptedExtensions, V.certificate, V.certificateVerify, V.newSessionTicket];
      fc.assert(
        fc.property(fc.nat(samples.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), (i, edits) => {
          const raw = samples[i]!.slice();
          for (const [at, v] of edits) raw[4 + (at % (raw.length - 4))] = v;
          try {
            const m = decodeHandshake(raw[0]!, raw.subarray(4), 32);
            // Whatever decodes must encode back to the same bytes.
            expect(toHex(encodeHandshake(m))).to.equal(toHex(raw));
          } catch (e) {
            expect(e, String(e)).to.be.instanceOf(TlsError);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });

  it('arbitrary ClientHellos round-trip (property)', () => {
    const ext = fc.record({ type: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 40 }) });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 32 }),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 10 }),
        fc.uniqueArray(ext, { selector: (e) => e.type, maxLength: 8 }),
        (random, sessionId, cipherSuites, extensions) => {
          roundTrip({ type: HT.client_hello, legacyVersion: 0x0303, random, sessionId, cipherSuites, compressionMethods: Uint8Array.of(0), extensions });
        },
      ),
      { numRuns: 200 },
    );
  });
});
