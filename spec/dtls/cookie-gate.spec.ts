/** The stateless cookie gate: accept a valid cookie, answer a missing or wrong one, drop everything else. */
import { expect } from 'chai';
import fc from 'fast-check';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { CookieJar } from '../../lib/dtls/cookie.js';
import { cookieGate, type CookieVerdict } from '../../lib/dtls/cookie-gate.js';
import { concatBytes, toHex } from '../../lib/wire/codec.js';
import { decodeHelloVerifyRequest, splitDtlsClientHello } from '../../lib/wire/dtls-hello.js';
import { encodeHandshakeHeader } from '../../lib/wire/handshake-header.js';
import { fromHex as hex } from '../support/hex.js';

/** The first datagram of `openssl s_client -dtls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -noservername` (OpenSSL 3.0.19). */
const OPENSSL_HELLO = hex(`
  16 feff 0000 000000000000 008c
  01 000080 0000 000000 000080
  fefd 87c0617d459d18079f0181f1d1793bc6bb54adfaf089980b8f3f6c82aa4ef665 00 00
  0004 c02b 00ff 01 00
  0052 000b000403000102 000a000c000a001d0017001e00190018 00230000 00160000 00170000
  000d002a0028040305030603080708080809080a080b080408050806040105010601030303010302040205020602`);

const ADDRESS = '127.0.0.1:40000';
const RECORD = 13;
const HS = 12;

function makeJar() {
  let now = 0;
  let n = 0;
  const jar = new CookieJar(nobleCrypto, (len) => new Uint8Array(len).fill(++n), () => now, 1000);
  return { jar, at: (t: number) => (now = t) };
}

interface HelloOptions {
  recordVersion?: number;
  epochAndSeq?: Uint8Array;
  messageSeq?: number;
  cookie?: Uint8Array;
  body?: Uint8Array;
}

/** A one-record ClientHello datagram: OPENSSL_HELLO's body (or `body`) with `cookie` spliced in. */
function hello({ recordVersion = 0xfeff, epochAndSeq = new Uint8Array(8), messageSeq = 0, cookie, body }: HelloOptions = {}): Uint8Array {
  let b = body ?? OPENSSL_HELLO.subarray(RECORD + HS);
  if (cookie) b = concatBytes(b.subarray(0, 35), Uint8Array.of(cookie.length), cookie, b.subarray(36)); // empty session id: cookie length at 35
  return record(recordVersion, epochAndSeq, concatBytes(encodeHandshakeHeader({ type: 1, length: b.length, messageSeq }, 'dtls'), b));
}

function record(version: number, epochAndSeq: Uint8Array, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(22, version >>> 8, version & 0xff), epochAndSeq, Uint8Array.of(content.length >>> 8, content.length & 0xff), content);
}

function replyOf(v: CookieVerdict): Uint8Array {
  expect(v.verdict, JSON.stringify(v)).to.equal('reply');
  return (v as { datagram: Uint8Array }).datagram;
}

const cookieOf = (hvr: Uint8Array) => decodeHelloVerifyRequest(hvr.subarray(RECORD + HS)).cookie;

describe('dtls/cookie-gate', () => {
  it('answers openssl\'s first ClientHello with a HelloVerifyRequest laid out as RFC 6347 §4.2.1 asks', () => {
    const { jar } = makeJar();
    const hvr = replyOf(cookieGate(jar, ADDRESS, OPENSSL_HELLO));
    // record: handshake, DTLS 1.0, epoch 0 and the hello's sequence number, length
    expect(toHex(hvr.subarray(0, RECORD))).to.equal('16' + 'feff' + '0000' + '000000000000' + '002f');
    // handshake: hello_verify_request, length 35, message_seq 0, whole message
    expect(toHex(hvr.subarray(RECORD, RECORD + HS))).to.equal('03' + '000023' + '0000' + '000000' + '000023');
    const body = decodeHelloVerifyRequest(hvr.subarray(RECORD + HS));
    expect(body.version).to.equal(0xfeff);
    expect(body.cookie).to.have.length(32);
    expect(hvr).to.have.length(RECORD + HS + 3 + 32);
  });

  it('accepts the hello resent with that cookie', () => {
    const { jar } = makeJar();
    const cookie = cookieOf(replyOf(cookieGate(jar, ADDRESS, hello())));
    expect(cookieGate(jar, ADDRESS, hello({ cookie, messageSeq: 1, epochAndSeq: hex('0000 000000000001') }))).to.deep.equal({ verdict: 'accept' });
    // The parsed openssl hello spliced with the cookie is the same hello with a cookie.
    expect(toHex(splitDtlsClientHello(hello({ cookie }).subarray(RECORD + HS)).parameters)).to.equal(
      toHex(splitDtlsClientHello(OPENSSL_HELLO.subarray(RECORD + HS)).parameters),
    );
  });

  it('copies the record sequence number and message_seq of the hello it answers', () => {
    const { jar } = makeJar();
    const hvr = replyOf(cookieGate(jar, ADDRESS, hello({ epochAndSeq: hex('0000 0102030405a6'), messageSeq: 0x0102, recordVersion: 0xfefd })));
    expect(toHex(hvr.subarray(3, 11))).to.equal('0000' + '0102030405a6');
    expect(toHex(hvr.subarray(RECORD + 4, RECORD + 6))).to.equal('0102');
    expect(toHex(hvr.subarray(1, 3))).to.equal('feff'); // DTLS 1.0 record whatever the hello's record said
  });

  it('gives a retransmitted hello the same cookie', () => {
    const { jar } = makeJar();
    const a = cookieOf(replyOf(cookieGate(jar, ADDRESS, hello())));
    const b = cookieOf(replyOf(cookieGate(jar, ADDRESS, hello({ epochAndSeq: hex('0000 000000000009') }))));
    expect(toHex(b)).to.equal(toHex(a));
  });

  it('a cookie for another address or another hello does not pass: the client is asked again', () => {
    const { jar } = makeJar();
    const cookie = cookieOf(replyOf(cookieGate(jar, ADDRESS, hello())));
    expect(cookieGate(jar, '127.0.0.1:40001', hello({ cookie })).verdict).to.equal('reply');
    const otherRandom = OPENSSL_HELLO.slice(RECORD + HS);
    otherRandom[5]! ^= 1;
    expect(cookieGate(jar, ADDRESS, hello({ cookie, body: otherRandom })).verdict).to.equal('reply');
    const wrong = cookie.slice();
    wrong[31]! ^= 1;
    expect(cookieGate(jar, ADDRESS, hello({ cookie: wrong })).verdict).to.equal('reply');
    expect(cookieGate(jar, ADDRESS, hello({ cookie: cookie.subarray(0, 16) })).verdict).to.equal('reply');
  });

  it('a cookie survives one rotation of the secret, not two', () => {
    const { jar, at } = makeJar();
    const cookie = cookieOf(replyOf(cookieGate(jar, ADDRESS, hello())));
    at(1500); // one rotation
    expect(cookieGate(jar, ADDRESS, hello({ cookie })).verdict).to.equal('accept');
    at(3000); // and a second one
    const v = cookieGate(jar, ADDRESS, hello({ cookie }));
    expect(toHex(cookieOf(replyOf(v)))).to.not.equal(toHex(cookie));
  });

  it('looks at the first record only: a hello followed by another record is judged on the hello', () => {
    const { jar } = makeJar();
    const trailer = record(0xfefd, hex('0000 000000000001'), hex('0102'));
    expect(cookieGate(jar, ADDRESS, concatBytes(OPENSSL_HELLO, trailer)).verdict).to.equal('reply');
  });

  describe('drops', () => {
    const body = OPENSSL_HELLO.subarray(RECORD + HS);
    const withHeader = (h: { type?: number; length?: number; fragmentOffset?: number; fragmentLength?: number }, b = body) =>
      record(0xfeff, new Uint8Array(8), concatBytes(encodeHandshakeHeader({ type: 1, length: b.length, messageSeq: 0, ...h }, 'dtls'), b));
    const cases: Array<[string, RegExp, Uint8Array]> = [
      ['an empty datagram', /shorter than a record header/, new Uint8Array(0)],
      ['a partial record header', /shorter than a record header/, OPENSSL_HELLO.subarray(0, 12)],
      ['application data', /not handshake/, Uint8Array.of(23, ...OPENSSL_HELLO.subarray(1))],
      ['a TLS record version', /record version 0x303/, hello({ recordVersion: 0x0303 })],
      ['a DTLS 1.3 record version', /record version 0xfefc/, hello({ recordVersion: 0xfefc })],
      ['epoch 1', /epoch/, hello({ epochAndSeq: hex('0001 000000000000') })],
      ['a record longer than the datagram', /truncated/, OPENSSL_HELLO.subarray(0, OPENSSL_HELLO.length - 1)],
      ['a record over 2^14', /over 2\^14/, concatBytes(hex('16feff0000000000000000 4001'), new Uint8Array(0x4001))],
      ['a record too short for a handshake header', /no valid handshake header/, record(0xfeff, new Uint8Array(8), hex('0100008000000000'))],
      ['a ServerHello', /handshake type 2/, withHeader({ type: 2 })],
      ['a first fragment', /fragmented/, withHeader({ length: body.length, fragmentLength: 100 }, body.subarray(0, 100))],
      ['a later fragment', /fragmented/, withHeader({ length: body.length + 10, fragmentOffset: 10 })],
      ['a fragment past its message', /no valid handshake header/, concatBytes(hex('16feff0000000000000000 000c'), hex('01 000010 0000 000008 000009'))],
      ['a record holding more than the hello', /not exactly one ClientHello/, record(0xfeff, new Uint8Array(8), concatBytes(OPENSSL_HELLO.subarray(RECORD), hex('00')))],
      ['a malformed hello body', /malformed ClientHello/, withHeader({}, body.subarray(0, 40))],
      ['a TLS client_version', /client_version 0x303/, hello({ body: concatBytes(hex('0303'), body.subarray(2)) })],
    ];
    for (const [what, reason, datagram] of cases) {
      it(what, () => {
        const { jar } = makeJar();
        const v = cookieGate(jar, ADDRESS, datagram);
        expect(v.verdict, JSON.stringify(v)).to.equal('drop');
        expect((v as { reason: string }).reason).to.match(reason);
      });
    }
  });

  describe('property: never throws, never accepts without a valid cookie', () => {
    it('random datagrams are dropped or answered, never accepted', () => {
      const { jar } = makeJar();
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (d) => {
          expect(cookieGate(jar, ADDRESS, d).verdict).to.not.equal('accept');
        }),
        { numRuns: 2000 },
      );
    });

    it('a mutated or truncated cookie-carrying hello is accepted only if its ClientHello body is untouched', () => {
      const { jar } = makeJar();
      const cookie = cookieOf(replyOf(cookieGate(jar, ADDRESS, hello())));
      const good = hello({ cookie });
      const goodBody = toHex(good.subarray(RECORD + HS));
      fc.assert(
        fc.property(
          fc.nat(good.length),
          fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
          (cut, edits) => {
            const d = good.slice(0, cut);
            for (const [at, v] of edits) if (at < d.length) d[at] = v;
            const verdict = cookieGate(jar, ADDRESS, d).verdict;
            if (verdict === 'accept') expect(toHex(d.subarray(RECORD + HS))).to.equal(goodBody);
          },
        ),
        { numRuns: 3000 },
      );
    });

    it('a hello with random cookie bytes is never accepted', () => {
      const { jar } = makeJar();
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 255 }), (cookie) => {
          expect(cookieGate(jar, ADDRESS, hello({ cookie })).verdict).to.equal('reply');
        }),
        { numRuns: 1000 },
      );
    });
  });
});
