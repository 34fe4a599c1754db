/**
 * The client's checks on a ServerHello / HelloRetryRequest (RFC 8446
 * §4.1.3, §4.1.4): crafted answers to a real ClientHello, each refused with
 * the alert the RFC names. The downgrade sentinel among them.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { Reader } from '../../lib/wire/codec.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { encodeSelectedVersion, keyShare, type Extension } from '../../lib/wire/extension.js';
import { type ClientHello, decodeHandshake, encodeHandshake, HRR_RANDOM } from '../../lib/wire/handshake.js';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { caPem } from '../support/fixtures.js';

const DOWNGRD = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44];

function record(type: number, body: Uint8Array): Uint8Array {
  return Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff, ...body);
}

/** A client that sent its ClientHello; `answer` builds the server's reply from it. */
function clientAnswered(answer: (hello: ClientHello) => Uint8Array[]): TlsError | 'AGAIN' | 'done' {
  // TLS 1.3 only: with TLS 1.2 in range (the default), a ServerHello without supported_versions is a 1.2 answer.
  const client = Session.client({ serverName: 'localhost', ca: caPem(), minVersion: 'TLSv1.3' });
  let hello: ClientHello | undefined;
  let inbox: Uint8Array[] = [];
  client.setTransport({
    push: (b) => {
      if (!hello && b[0] === 22) {
        const r = new Reader(b.subarray(5));
        const type = r.u8();
        hello = decodeHandshake(type, r.vec(3), 32) as ClientHello;
        inbox = answer(hello);
      }
      return b.length;
    },
    pull: () => inbox.shift() ?? AGAIN,
  });
  try {
    return client.handshake();
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
}

function serverHello(hello: ClientHello, over: { random?: Uint8Array; sessionId?: Uint8Array; suite?: number; extensions?: Extension[] }) {
  const share = nobleCrypto.keyShare('x25519', nobleCrypto.random);
  const extensions = over.extensions ?? [
    { type: X.supported_versions, data: encodeSelectedVersion(0x0304) },
    { type: X.key_share, data: keyShare.encodeServer({ group: 0x1d, keyExchange: share.publicKey }) },
  ];
  const msg = encodeHandshake({
    type: 2,
    legacyVersion: 0x0303,
    random: over.random ?? nobleCrypto.random(32),
    sessionIdEcho: over.sessionId ?? hello.sessionId,
    cipherSuite: over.suite ?? 0x1301,
    compressionMethod: 0,
    extensions,
  });
  return record(22, msg);
}

const alertOf = (r: unknown) => (r instanceof TlsError ? r.alert : String(r));

describe('client checks on ServerHello', () => {
  it('a TLS 1.2 ServerHello carrying the downgrade sentinel is illegal_parameter', () => {
    for (const last of [1, 0]) {
      const random = Uint8Array.from([...nobleCrypto.random(24), ...DOWNGRD, last]);
      expect(alertOf(clientAnswered((h) => [serverHello(h, { random, extensions: [] })]))).to.equal('illegal_parameter');
    }
  });

  it('a TLS 1.2 ServerHello without the sentinel is protocol_version (we speak TLS 1.3 only)', () => {
    expect(alertOf(clientAnswered((h) => [serverHello(h, { extensions: [] })]))).to.equal('protocol_version');
  });

  it('a session id that is not echoed is illegal_parameter', () => {
    expect(alertOf(clientAnswered((h) => [serverHello(h, { sessionId: new Uint8Array(32) })]))).to.equal('illegal_parameter');
  });

  it('a suite we did not offer is illegal_parameter', () => {
    expect(alertOf(clientAnswered((h) => [serverHello(h, { suite: 0xc02b })]))).to.equal('illegal_parameter');
  });

  it('an extension we did not offer is unsupported_extension', () => {
    const extra = (h: ClientHello) => {
      const share = nobleCrypto.keyShare('x25519', nobleCrypto.random);
      return [
        serverHello(h, {
          extensions: [
            { type: X.supported_versions, data: encodeSelectedVersion(0x0304) },
            { type: X.key_share, data: keyShare.encodeServer({ group: 0x1d, keyExchange: share.publicKey }) },
            { type: X.early_data, data: new Uint8Array(0) },
          ],
        }),
      ];
    };
    expect(alertOf(clientAnswered(extra))).to.equal('unsupported_extension');
  });

  it('a second HelloRetryRequest is unexpected_message', () => {
    const hrr = (h: ClientHello, group: number) =>
      serverHello(h, {
        random: HRR_RANDOM,
        extensions: [
          { type: X.supported_versions, data: encodeSelectedVersion(0x0304) },
          { type: X.key_share, data: keyShare.encodeHrr(group) },
        ],
      });
    expect(alertOf(clientAnswered((h) => [hrr(h, 0x17), hrr(h, 0x18)]))).to.equal('unexpected_message');
  });

  it('a HelloRetryRequest naming the group we already sent a share for is illegal_parameter', () => {
    const hrr = (h: ClientHello) =>
      serverHello(h, {
        random: HRR_RANDOM,
        extensions: [
          { type: X.supported_versions, data: encodeSelectedVersion(0x0304) },
          { type: X.key_share, data: keyShare.encodeHrr(0x1d) },
        ],
      });
    expect(alertOf(clientAnswered((h) => [hrr(h)]))).to.equal('illegal_parameter');
  });
});
