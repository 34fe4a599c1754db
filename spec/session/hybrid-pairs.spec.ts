/**
 * X25519MLKEM768 between our own client and server, in memory: negotiated by
 * default, HelloRetryRequest to it and from it, TLS 1.2 never using it,
 * wrong-size shares refused with illegal_parameter on both sides; and the
 * x448 / secp521r1 groups a peer may pick.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import type { GroupName } from '../../lib/crypto/provider.js';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { Reader, concatBytes } from '../../lib/wire/codec.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { decodeU16List, encodeSelectedVersion, encodeU16List, findExtension, keyShare, type Extension } from '../../lib/wire/extension.js';
import { type ClientHello, decodeHandshake, encodeHandshake } from '../../lib/wire/handshake.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { type Pair, connect, exchangeAndClose } from './pair-helpers.js';

const HYBRID = 0x11ec;

function expectGroup(p: Pair, group: GroupName, helloRetry: boolean): void {
  for (const info of [p.client.info, p.server.info]) {
    expect(info.group).to.equal(group);
    expect(Boolean(info.helloRetry)).to.equal(helloRetry);
  }
}

/** The first ClientHello a default client writes. */
function firstClientHello(options: object = {}): ClientHello {
  const client = Session.client({ serverName: 'localhost', ca: caPem(), ...options });
  let hello: ClientHello | undefined;
  client.setTransport({
    push: (b) => {
      const r = new Reader(b.subarray(5));
      const type = r.u8();
      hello ??= decodeHandshake(type, r.vec(3), 32) as ClientHello;
      return b.length;
    },
    pull: () => AGAIN,
  });
  client.handshake();
  return hello!;
}

function record(body: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(22, 3, 1, body.length >> 8, body.length & 0xff), body);
}

/** What a TLS 1.3-only server does with one ClientHello record. */
function serverOutcome(bytes: Uint8Array): TlsError | 'AGAIN' | 'done' {
  const s = Session.server({ ...serverIdentity('p256'), minVersion: 'TLSv1.3' });
  let fed = false;
  s.setTransport({ push: (b) => b.length, pull: () => (fed ? AGAIN : ((fed = true), bytes)) });
  try {
    return s.handshake();
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
}

/** A client whose hello is answered by `answer`. */
function clientOutcome(answer: (hello: ClientHello) => Uint8Array): TlsError | 'AGAIN' | 'done' {
  const client = Session.client({ serverName: 'localhost', ca: caPem(), minVersion: 'TLSv1.3' });
  let inbox: Uint8Array[] = [];
  client.setTransport({
    push: (b) => {
      if (inbox.length === 0 && b[0] === 22) {
        const r = new Reader(b.subarray(5));
        const type = r.u8();
        inbox = [answer(decodeHandshake(type, r.vec(3), 32) as ClientHello)];
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

const alertOf = (r: unknown) => (r instanceof TlsError ? r.alert : String(r));

describe('X25519MLKEM768 between our client and server', () => {
  it('the client offers the hybrid first, with an X25519 share beside it, and secp521r1 and x448 last', () => {
    const hello = firstClientHello();
    const shares = keyShare.decodeClient(findExtension(hello.extensions, X.key_share)!);
    expect(shares.map((s) => [s.group, s.keyExchange.length])).to.deep.equal([[HYBRID, 1216], [0x1d, 32]]);
    expect(decodeU16List(findExtension(hello.extensions, X.supported_groups)!, 'supported_groups')).to.deep.equal([HYBRID, 0x1d, 0x17, 0x18, 0x19, 0x1e]);
  });

  it('a TLS 1.2-only client leaves the hybrid out of supported_groups', () => {
    const hello = firstClientHello({ maxVersion: 'TLSv1.2' });
    expect(decodeU16List(findExtension(hello.extensions, X.supported_groups)!, 'supported_groups')).to.deep.equal([0x1d, 0x17, 0x18, 0x19, 0x1e]);
  });

  it('is negotiated by default, without a HelloRetryRequest, and carries data', () => {
    const p = connect({}, {}, { againRate: 0.3, maxMove: 300, seed: 41 });
    expectGroup(p, 'X25519MLKEM768', false);
    exchangeAndClose(p, [1, 3000], 41);
  });

  for (const [client, server] of [[nodeCrypto, nobleCrypto], [nobleCrypto, nodeCrypto], [nodeCrypto, nodeCrypto]] as const) {
    it(`${client.name} client, ${server.name} server: the hybrid`, () => {
      const p = connect({ crypto: client }, { crypto: server });
      expectGroup(p, 'X25519MLKEM768', false);
      exchangeAndClose(p, [100], 42);
    });
  }

  it('a server without the hybrid takes the X25519 share beside it (no HelloRetryRequest)', () => {
    const p = connect({}, { groups: ['x25519', 'secp256r1'] });
    expectGroup(p, 'x25519', false);
  });

  it('HelloRetryRequest from the hybrid: a client that shared only the hybrid, a server without it', () => {
    const p = connect({ keyShareGroups: ['X25519MLKEM768'] }, { groups: ['secp256r1', 'x25519'] });
    expectGroup(p, 'secp256r1', true);
    exchangeAndClose(p, [10], 43);
  });

  it('HelloRetryRequest to the hybrid: the client shared only X25519, the server insists on post-quantum (retryForGroups)', () => {
    const p = connect({ keyShareGroups: ['x25519'] }, { retryForGroups: ['X25519MLKEM768'] }, { againRate: 0.2, seed: 44 });
    expectGroup(p, 'X25519MLKEM768', true);
    exchangeAndClose(p, [10], 44);
  });

  it('without retryForGroups the X25519 share in hand wins (saving the round trip)', () => {
    const p = connect({ keyShareGroups: ['x25519'] }, {});
    expectGroup(p, 'x25519', false);
  });

  it('retryForGroups never asks for a group the client does not list', () => {
    const p = connect({ groups: ['x25519', 'secp256r1'] }, { retryForGroups: ['X25519MLKEM768'] });
    expectGroup(p, 'x25519', false);
  });

  it('TLS 1.2 never uses it: the default groups give x25519 ECDHE', () => {
    const p = connect({ maxVersion: 'TLSv1.2' }, {});
    expect(p.client.info.version).to.equal('TLSv1.2');
    expectGroup(p, 'x25519', false);
    const q = connect({ groups: ['X25519MLKEM768', 'secp384r1'] }, { ...serverIdentity('ed25519'), maxVersion: 'TLSv1.2' });
    expectGroup(q, 'secp384r1', false);
  });

  for (const group of ['x448', 'secp521r1'] as const) {
    it(`${group}: negotiated when the client offers only it (both providers)`, () => {
      expectGroup(connect({ groups: [group] }, { crypto: nodeCrypto }), group, false);
      expectGroup(connect({ groups: [group], crypto: nodeCrypto }, {}), group, false);
      const retried = connect({ keyShareGroups: ['x25519'] }, { groups: [group] });
      expectGroup(retried, group, true);
      exchangeAndClose(retried, [10], 45);
      // An Ed25519 certificate: TLS 1.2 would need a P-256 one's curve listed too (RFC 8422 §4).
      const tls12 = connect({ groups: [group], maxVersion: 'TLSv1.2' }, { ...serverIdentity('ed25519'), crypto: nodeCrypto });
      expectGroup(tls12, group, false);
    });
  }
});

describe('X25519MLKEM768 shares of the wrong size', () => {
  function helloWithShare(share: Uint8Array): Uint8Array {
    const extensions: Extension[] = [
      { type: X.supported_versions, data: encodeU16List([0x0304], 1) },
      { type: X.supported_groups, data: encodeU16List([HYBRID]) },
      { type: X.signature_algorithms, data: encodeU16List([0x0403]) },
      { type: X.key_share, data: keyShare.encodeClient([{ group: HYBRID, keyExchange: share }]) },
    ];
    const hello: ClientHello = {
      type: 1,
      legacyVersion: 0x0303,
      random: new Uint8Array(32).fill(1),
      sessionId: new Uint8Array(0),
      cipherSuites: [0x1301],
      compressionMethods: Uint8Array.of(0),
      extensions,
    };
    return record(encodeHandshake(hello));
  }

  const good = nobleCrypto.keyShare('X25519MLKEM768', nobleCrypto.random).publicKey;

  it('a well-formed client share is answered (the control)', () => {
    expect(serverOutcome(helloWithShare(good))).to.equal(AGAIN);
  });

  it('the server refuses client shares of any other size with illegal_parameter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }).filter((n) => n !== 1216), fc.integer(), (n, seed) => {
        const share = new Uint8Array(n).map((_, i) => good[i % good.length]! ^ (seed & 0xff));
        expect(alertOf(serverOutcome(helloWithShare(share)))).to.equal('illegal_parameter');
      }),
      { numRuns: 30 },
    );
  });

  it('the client refuses server shares of any other size with illegal_parameter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }).filter((n) => n !== 1120), (n) => {
        const outcome = clientOutcome((hello) => {
          const extensions: Extension[] = [
            { type: X.supported_versions, data: encodeSelectedVersion(0x0304) },
            { type: X.key_share, data: keyShare.encodeServer({ group: HYBRID, keyExchange: new Uint8Array(n).fill(5) }) },
          ];
          const sh = encodeHandshake({ type: 2, legacyVersion: 0x0303, random: new Uint8Array(32).fill(3), sessionIdEcho: hello.sessionId, cipherSuite: hello.cipherSuites[0]!, compressionMethod: 0, extensions });
          return Uint8Array.of(22, 3, 3, sh.length >> 8, sh.length & 0xff, ...sh);
        });
        expect(alertOf(outcome)).to.equal('illegal_parameter');
      }),
      { numRuns: 30 },
    );
  });
});
