/**
 * What a TLS 1.3-only server answers to ClientHellos it cannot take, seen
 * from the wire: the bytes it writes back. Older clients (a TLS 1.2-only
 * hello, SSL 3.0's legacy_version, a hello without extensions, an SSL 2.0
 * hello) get a plaintext protocol_version alert, `15 03 03 00 02 02 46`, as
 * openssl s_server answers. And the key_share / supported_groups checks stay
 * linear for hostile hellos with thousands of entries.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { readOffer } from '../../lib/tls13/server/client-offer.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { encodeU16List, type Extension, keyShare } from '../../lib/wire/extension.js';
import { type ClientHello, encodeHandshake } from '../../lib/wire/handshake.js';
import { serverIdentity } from '../support/fixtures.js';

const PROTOCOL_VERSION_ALERT = '15030300020246';

/** A fresh TLS 1.3-only server fed `bytes`: the error it throws and the bytes it wrote. */
function serverAnswer(bytes: Uint8Array): { error?: TlsError; wrote: string; result?: unknown } {
  // TLS 1.3 only: with TLS 1.2 in range (the default), a 1.2 hello goes to the 1.2 server instead.
  const s = Session.server({ ...serverIdentity('p256'), minVersion: 'TLSv1.3' });
  const written: Uint8Array[] = [];
  let fed = false;
  s.setTransport({ push: (b) => (written.push(b.slice()), b.length), pull: () => (fed ? AGAIN : ((fed = true), bytes)) });
  try {
    const result = s.handshake();
    return { result, wrote: Buffer.concat(written).toString('hex') };
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    return { error: e, wrote: Buffer.concat(written).toString('hex') };
  }
}

const x25519Share = { group: 0x1d, keyExchange: new Uint8Array(32).fill(9) };

function hello(over: Partial<ClientHello> = {}, extensions?: Extension[]): ClientHello {
  return {
    type: 1,
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(1),
    sessionId: new Uint8Array(0),
    cipherSuites: [0x1301, 0x1303],
    compressionMethods: Uint8Array.of(0),
    extensions: extensions ?? [
      { type: X.supported_versions, data: encodeU16List([0x0304], 1) },
      { type: X.supported_groups, data: encodeU16List([0x1d]) },
      { type: X.signature_algorithms, data: encodeU16List([0x0403]) },
      { type: X.key_share, data: keyShare.encodeClient([x25519Share]) },
    ],
    ...over,
  };
}

function helloRecord(msg: ClientHello, recordVersion = 0x0301): Uint8Array {
  const raw = encodeHandshake(msg);
  return concatBytes(Uint8Array.of(22, recordVersion >> 8, recordVersion & 0xff, raw.length >> 8, raw.length & 0xff), raw);
}

describe('ClientHellos a TLS 1.3-only server refuses, as seen on the wire', () => {
  it('a valid hello is taken (the baseline of the cases below)', () => {
    const r = serverAnswer(helloRecord(hello()));
    expect(r.error).to.equal(undefined);
    expect(r.wrote.startsWith('160303')).to.equal(true); // ServerHello
  });

  for (const v of [0x0300, 0x0200, 0x0002, 0x0301, 0x0302, 0x0304, 0x7f1c]) {
    it(`legacy_version 0x${v.toString(16).padStart(4, '0')} (with supported_versions 1.3): protocol_version`, () => {
      const r = serverAnswer(helloRecord(hello({ legacyVersion: v })));
      expect(r.error?.alert).to.equal('protocol_version');
      expect(r.error?.message).to.match(/legacy_version/);
      expect(r.wrote).to.equal(PROTOCOL_VERSION_ALERT);
    });
  }

  it('a TLS 1.2-only hello (no supported_versions): protocol_version, 15 03 03 00 02 02 46 on the wire', () => {
    const tls12 = hello({}, [
      { type: X.supported_groups, data: encodeU16List([0x1d, 0x17]) },
      { type: X.signature_algorithms, data: encodeU16List([0x0403, 0x0804]) },
      { type: X.ec_point_formats, data: Uint8Array.of(1, 0) },
      { type: X.renegotiation_info, data: Uint8Array.of(0) },
    ]);
    const r = serverAnswer(helloRecord({ ...tls12, cipherSuites: [0xc02b, 0xc02f, 0x009e] }));
    expect(r.error?.alert).to.equal('protocol_version');
    expect(r.wrote).to.equal(PROTOCOL_VERSION_ALERT);
  });

  it('a hello without an extensions block (TLS 1.0 style): protocol_version', () => {
    const r = serverAnswer(helloRecord(hello({ legacyVersion: 0x0301, extensions: [], extensionsOmitted: true })));
    expect(r.error?.alert).to.equal('protocol_version');
    expect(r.wrote).to.equal(PROTOCOL_VERSION_ALERT);
    const r12 = serverAnswer(helloRecord(hello({ extensions: [], extensionsOmitted: true })));
    expect(r12.error?.alert).to.equal('protocol_version');
  });

  it('supported_versions without 1.3 (TLS 1.2 and 1.1 offered): protocol_version', () => {
    const exts = hello().extensions.map((e) => (e.type === X.supported_versions ? { type: e.type, data: encodeU16List([0x0303, 0x0302], 1) } : e));
    expect(serverAnswer(helloRecord(hello({}, exts))).error?.alert).to.equal('protocol_version');
  });

  it('an SSL 2.0 ClientHello: protocol_version at once (not after the 772 bytes its first bytes spell)', () => {
    const ssl2 = Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10);
    const r = serverAnswer(ssl2);
    expect(r.error?.alert).to.equal('protocol_version');
    expect(r.wrote).to.equal(PROTOCOL_VERSION_ALERT);
  });

  it('an HTTP request: unexpected_message at once (not after the 8,239 bytes "GET " spells)', () => {
    const r = serverAnswer(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    expect(r.error?.alert).to.equal('unexpected_message');
    expect(r.wrote).to.equal('1503030002020a');
  });

  it('record versions 0x0300..0x03ff on the ClientHello record are all fine (RFC 8446 §5.1), others are not', () => {
    for (const v of [0x0300, 0x0301, 0x0303, 0x03ff]) expect(serverAnswer(helloRecord(hello(), v)).error, v.toString(16)).to.equal(undefined);
    for (const v of [0x0200, 0x0400, 0xfefd]) expect(serverAnswer(helloRecord(hello(), v)).error?.alert, v.toString(16)).to.equal('protocol_version');
  });
});

describe('key_share and supported_groups checks are linear', () => {
  /** A hello with `n` groups in supported_groups and a 1-byte share for each, then x25519. */
  function hostile(n: number): ClientHello {
    const groups = Array.from({ length: n }, (_, i) => 0x1000 + i);
    const shares = groups.map((group) => ({ group, keyExchange: Uint8Array.of(7) }));
    return hello({}, [
      { type: X.supported_versions, data: encodeU16List([0x0304], 1) },
      { type: X.supported_groups, data: encodeU16List([...groups, 0x1d]) },
      { type: X.signature_algorithms, data: encodeU16List([0x0403]) },
      { type: X.key_share, data: keyShare.encodeClient([...shares, x25519Share]) },
    ]);
  }

  /** The best of 5 runs of readOffer, in ms. */
  function time(h: ClientHello): number {
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      readOffer(h);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }

  it('10x the entries costs about 10x the time, not 100x (9,000 shares: the 63 KB hello of the issue)', () => {
    const small = hostile(900);
    const big = hostile(9000);
    expect(readOffer(big).shares).to.have.length(9001);
    time(small); // warm up
    const ratio = time(big) / Math.max(time(small), 0.01);
    // Linear gives ~10; the quadratic checks gave ~100.
    expect(ratio, `ratio ${ratio.toFixed(1)}`).to.be.below(35);
  });

  it('a share for a group not in supported_groups, or a group shared twice: illegal_parameter', () => {
    const h = hostile(50);
    const shares = keyShare.decodeClient(h.extensions[3]!.data);
    const stray = hello({}, [...h.extensions.slice(0, 3), { type: X.key_share, data: keyShare.encodeClient([...shares, { group: 0x17, keyExchange: Uint8Array.of(4) }]) }]);
    expect(() => readOffer(stray)).to.throw(TlsError, /not in supported_groups/);
    const twice = hello({}, [...h.extensions.slice(0, 3), { type: X.key_share, data: keyShare.encodeClient([...shares, shares[7]!]) }]);
    expect(() => readOffer(twice)).to.throw(TlsError, /duplicate/);
  });
});
