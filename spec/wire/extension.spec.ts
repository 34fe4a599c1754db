import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { Reader, Writer } from '../../lib/wire/codec.js';
import {
  decodeAlpn,
  decodeBody,
  decodeCookie,
  decodePskModes,
  decodeSelectedVersion,
  decodeServerName,
  decodeU16List,
  encodeAlpn,
  encodeCookie,
  encodePskModes,
  encodeSelectedVersion,
  encodeServerName,
  encodeU16List,
  findExtension,
  keyShare,
  readExtensions,
  writeExtensions,
} from '../../lib/wire/extension.js';
import { alertOf } from '../support/alerts.js';

const list = (exts: { type: number; data: Uint8Array }[]) => {
  const w = new Writer();
  writeExtensions(w, exts);
  return w.finish().slice();
};

describe('extension lists', () => {
  it('round-trip in wire order, including empty bodies', () => {
    const exts = [
      { type: 0xff01, data: Uint8Array.of(0) },
      { type: 0, data: new Uint8Array(0) },
      { type: 51, data: Uint8Array.of(1, 2, 3) },
    ];
    const wire = list(exts);
    expect(Array.from(wire.subarray(0, 2))).to.deep.equal([0, 4 + 1 + 4 + 4 + 3]);
    const r = new Reader(wire);
    const back = readExtensions(r);
    r.end();
    expect(back.map((e) => [e.type, Array.from(e.data)])).to.deep.equal(exts.map((e) => [e.type, Array.from(e.data)]));
    expect(Array.from(findExtension(back, 51)!)).to.deep.equal([1, 2, 3]);
    expect(findExtension(back, 0)!.length).to.equal(0);
    expect(findExtension(back, 16)).to.equal(undefined);
    expect(readExtensions(new Reader(Uint8Array.of(0, 0)))).to.deep.equal([]);
  });

  it('a duplicate extension type is illegal_parameter', () => {
    const wire = list([
      { type: 10, data: Uint8Array.of(1) },
      { type: 13, data: Uint8Array.of(2) },
      { type: 10, data: Uint8Array.of(3) },
    ]);
    expect(alertOf(() => readExtensions(new Reader(wire)))).to.equal('illegal_parameter');
    expect(alertOf(() => readExtensions(new Reader(list([{ type: 0, data: new Uint8Array(0) }, { type: 0, data: new Uint8Array(0) }]))))).to.equal('illegal_parameter');
  });

  it('truncated lists and bodies are decode_error', () => {
    const wire = list([{ type: 10, data: Uint8Array.of(1, 2, 3, 4) }]);
    for (let n = 0; n < wire.length; n++) expect(alertOf(() => readExtensions(new Reader(wire.subarray(0, n))))).to.equal('decode_error');
    // The list length says more than the extension inside it uses.
    const lying = wire.slice();
    lying[1]! += 1;
    expect(alertOf(() => readExtensions(new Reader(lying)))).to.equal('decode_error');
    // An extension body that runs past its list.
    const overrun = Uint8Array.of(0, 5, 0, 10, 0, 2, 9);
    expect(alertOf(() => readExtensions(new Reader(overrun)))).to.equal('decode_error');
  });

  it('decodeBody requires the body to be consumed exactly', () => {
    expect(decodeBody(Uint8Array.of(1, 2), 'x', (r) => r.u16())).to.equal(0x0102);
    expect(alertOf(() => decodeBody(Uint8Array.of(1, 2, 3), 'x', (r) => r.u16()))).to.equal('decode_error');
  });
});

describe('extension codecs', () => {
  it('u16 lists with 1- and 2-byte lengths', () => {
    expect(Array.from(encodeU16List([0x1d, 0x17, 0x18]))).to.deep.equal([0, 6, 0, 0x1d, 0, 0x17, 0, 0x18]);
    expect(Array.from(encodeU16List([0x0304, 0x0303], 1))).to.deep.equal([4, 3, 4, 3, 3]);
    expect(decodeU16List(encodeU16List([0x1d, 0x17, 0x18]), 'g')).to.deep.equal([0x1d, 0x17, 0x18]);
    expect(decodeU16List(encodeU16List([0x0304], 1), 'v', 1)).to.deep.equal([0x0304]);
    expect(alertOf(() => decodeU16List(Uint8Array.of(0, 3, 0, 1, 2), 'g'))).to.equal('decode_error');
    expect(alertOf(() => decodeU16List(Uint8Array.of(0, 0), 'g'))).to.equal('decode_error');
    expect(alertOf(() => decodeU16List(Uint8Array.of(0, 2, 0, 1, 0), 'g'))).to.equal('decode_error');
    expect(alertOf(() => decodeU16List(Uint8Array.of(0, 4, 0, 1), 'g'))).to.equal('decode_error');
  });

  it('u16 lists round-trip (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 100 }), (v) => {
        expect(decodeU16List(encodeU16List(v), 'x')).to.deep.equal(v);
        expect(decodeU16List(encodeU16List(v.slice(0, 127), 1), 'x', 1)).to.deep.equal(v.slice(0, 127));
      }),
    );
  });

  it('server_name', () => {
    const wire = encodeServerName('example.com');
    expect(Array.from(wire.subarray(0, 5))).to.deep.equal([0, 14, 0, 0, 11]);
    expect(decodeServerName(wire)).to.equal('example.com');
    expect(decodeServerName(encodeServerName('RxTLS.Test'))).to.equal('rxtls.test');
    // The server's acknowledgement is empty.
    expect(decodeServerName(new Uint8Array(0))).to.equal(undefined);
    // Unknown name types are skipped; two host names are illegal.
    expect(decodeServerName(Uint8Array.of(0, 4, 7, 0, 1, 0x61))).to.equal(undefined);
    const w = new Writer();
    w.nested(2, (l) => l.u8(0).vec(2, Uint8Array.of(0x61)).u8(0).vec(2, Uint8Array.of(0x62)));
    expect(alertOf(() => decodeServerName(w.finish()))).to.equal('illegal_parameter');
    expect(alertOf(() => decodeServerName(Uint8Array.of(0, 4, 0, 0, 1, 0x20)))).to.equal('decode_error');
    expect(alertOf(() => decodeServerName(Uint8Array.of(0, 5, 0, 0, 2, 0xc3, 0xa9)))).to.equal('decode_error');
    expect(alertOf(() => decodeServerName(Uint8Array.of(0, 3, 0, 0, 0)))).to.equal('decode_error');
    expect(alertOf(() => decodeServerName(Uint8Array.of(0, 0)))).to.equal('decode_error');
    expect(alertOf(() => decodeServerName(Uint8Array.of(0, 4, 0, 0, 1)))).to.equal('decode_error');
  });

  it('ALPN', () => {
    const wire = encodeAlpn(['h2', 'http/1.1']);
    expect(Array.from(wire)).to.deep.equal([0, 12, 2, 0x68, 0x32, 8, ...new TextEncoder().encode('http/1.1')]);
    expect(decodeAlpn(wire)).to.deep.equal(['h2', 'http/1.1']);
    expect(decodeAlpn(encodeAlpn(['x'.repeat(255)]))).to.deep.equal(['x'.repeat(255)]);
    expect(alertOf(() => decodeAlpn(Uint8Array.of(0, 0)))).to.equal('decode_error');
    expect(alertOf(() => decodeAlpn(Uint8Array.of(0, 1, 0)))).to.equal('decode_error');
    expect(alertOf(() => decodeAlpn(Uint8Array.of(0, 3, 1, 0x61, 0)))).to.equal('decode_error');
    expect(alertOf(() => decodeAlpn(Uint8Array.of(0, 3, 5, 0x61, 0x62)))).to.equal('decode_error');
  });

  it('ALPN names that are not UTF-8 are left out, not turned into U+FFFD (two such names used to decode alike)', () => {
    // "h2" then h2\xf9 and h2\xfa: lossy decoding made both "h2\ufffd".
    const wire = Uint8Array.of(0, 11, 2, 0x68, 0x32, 3, 0x68, 0x32, 0xf9, 3, 0x68, 0x32, 0xfa);
    expect(decodeAlpn(wire)).to.deep.equal(['h2']);
    expect(decodeAlpn(encodeAlpn(['é', 'h2']))).to.deep.equal(['é', 'h2']);
  });

  it('ALPN names longer than 255 bytes (or empty) are refused when encoding', () => {
    expect(() => encodeAlpn(['x'.repeat(256)])).to.throw();
    expect(() => encodeAlpn([''])).to.throw();
  });

  it('key_share: client list, server entry, HelloRetryRequest group', () => {
    const entries = [
      { group: 0x1d, keyExchange: Uint8Array.from({ length: 32 }, (_, i) => i) },
      { group: 0x17, keyExchange: new Uint8Array(65).fill(4) },
    ];
    const wire = keyShare.encodeClient(entries);
    expect(Array.from(wire.subarray(0, 6))).to.deep.equal([0, 4 + 32 + 4 + 65, 0, 0x1d, 0, 32]);
    const back = keyShare.decodeClient(wire);
    expect(back.map((e) => [e.group, Array.from(e.keyExchange)])).to.deep.equal(entries.map((e) => [e.group, Array.from(e.keyExchange)]));
    expect(keyShare.decodeClient(Uint8Array.of(0, 0))).to.deep.equal([]);
    expect(alertOf(() => keyShare.decodeClient(keyShare.encodeClient([entries[0]!, entries[0]!])))).to.equal('illegal_parameter');
    expect(alertOf(() => keyShare.decodeClient(Uint8Array.of(0, 4, 0, 0x1d, 0, 0)))).to.equal('decode_error');
    expect(alertOf(() => keyShare.decodeClient(Uint8Array.of(0, 5, 0, 0x1d, 0, 1, 9, 9)))).to.equal('decode_error');

    const server = keyShare.encodeServer(entries[1]!);
    expect(keyShare.decodeServer(server).group).to.equal(0x17);
    expect(alertOf(() => keyShare.decodeServer(Uint8Array.of(0, 0x1d, 0, 0)))).to.equal('decode_error');
    expect(alertOf(() => keyShare.decodeServer(Uint8Array.of(0, 0x1d, 0, 1, 5, 6)))).to.equal('decode_error');
    expect(Array.from(keyShare.encodeHrr(0x18))).to.deep.equal([0, 0x18]);
    expect(keyShare.decodeHrr(Uint8Array.of(0, 0x18))).to.equal(0x18);
    expect(alertOf(() => keyShare.decodeHrr(Uint8Array.of(0, 0x18, 0)))).to.equal('decode_error');
    expect(alertOf(() => keyShare.decodeHrr(Uint8Array.of(0)))).to.equal('decode_error');
  });

  it('supported_versions (server), cookie, psk_key_exchange_modes', () => {
    expect(Array.from(encodeSelectedVersion(0x0304))).to.deep.equal([3, 4]);
    expect(decodeSelectedVersion(Uint8Array.of(3, 4))).to.equal(0x0304);
    expect(alertOf(() => decodeSelectedVersion(Uint8Array.of(2, 3, 4)))).to.equal('decode_error');
    const cookie = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    expect(Array.from(decodeCookie(encodeCookie(cookie)))).to.deep.equal(Array.from(cookie));
    expect(alertOf(() => decodeCookie(Uint8Array.of(0, 0)))).to.equal('decode_error');
    expect(alertOf(() => decodeCookie(Uint8Array.of(0, 2, 1)))).to.equal('decode_error');
    expect(Array.from(encodePskModes([1]))).to.deep.equal([1, 1]);
    expect(decodePskModes(encodePskModes([0, 1]))).to.deep.equal([0, 1]);
    expect(alertOf(() => decodePskModes(Uint8Array.of(0)))).to.equal('decode_error');
  });

  it('arbitrary extension bodies only ever fail with a TlsError (fuzz)', () => {
    const decoders: ((b: Uint8Array) => unknown)[] = [
      (b) => decodeU16List(b, 'x'),
      (b) => decodeU16List(b, 'x', 1),
      decodeServerName,
      decodeAlpn,
      keyShare.decodeClient,
      keyShare.decodeServer,
      keyShare.decodeHrr,
      decodeSelectedVersion,
      decodeCookie,
      decodePskModes,
      (b) => readExtensions(new Reader(b)),
    ];
    fc.assert(
      fc.property(fc.nat(decoders.length - 1), fc.uint8Array({ maxLength: 64 }), (i, b) => {
        try {
          decoders[i]!(b);
        } catch (e) {
          expect(e, String(e)).to.be.instanceOf(TlsError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
