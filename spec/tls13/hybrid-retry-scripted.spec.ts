/**
 * X25519MLKEM768 across a scripted HelloRetryRequest (RFC 8446 §4.1.4,
 * draft-ietf-tls-ecdhe-mlkem): a hand-made server answers our client's first
 * ClientHello with a HelloRetryRequest naming the hybrid (the client shared
 * X25519 only) or naming X25519 (the client shared the hybrid only); the
 * second ClientHello must carry exactly one share, for that group, of its
 * size, with the same random and session id; a ServerHello answering the
 * hybrid share (made with the provider's encapsulation) is taken.
 */
import { expect } from 'chai';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { X25519MLKEM768_CLIENT_SHARE_LENGTH } from '../../lib/crypto/x25519-mlkem768.js';
import type { GroupName } from '../../lib/crypto/provider.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { equalBytes, Reader } from '../../lib/wire/codec.js';
import { ExtensionType as X, NamedGroupCode } from '../../lib/wire/enums.js';
import { encodeSelectedVersion, findExtension, keyShare } from '../../lib/wire/extension.js';
import { type ClientHello, decodeHandshake, encodeHandshake, HRR_RANDOM } from '../../lib/wire/handshake.js';
import { caPem } from '../support/fixtures.js';

const record = (type: number, body: Uint8Array) => Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff, ...body);

function serverHello(hello: ClientHello, random: Uint8Array, share: { group: number; keyExchange: Uint8Array } | { hrr: number }): Uint8Array {
  const entry = 'hrr' in share ? keyShare.encodeHrr(share.hrr) : keyShare.encodeServer(share);
  const msg = encodeHandshake({
    type: 2,
    legacyVersion: 0x0303,
    random,
    sessionIdEcho: hello.sessionId,
    cipherSuite: 0x1301,
    compressionMethod: 0,
    extensions: [
      { type: X.supported_versions, data: encodeSelectedVersion(0x0304) },
      { type: X.key_share, data: entry },
    ],
  });
  return record(22, msg);
}

/** Our client (sharing `shared` only) answered with an HRR naming `retryGroup`; returns both hellos and the client after `then`. */
function retried(shared: GroupName, retryGroup: GroupName, then?: (second: ClientHello) => Uint8Array[]) {
  const client = Session.client({ serverName: 'localhost', ca: caPem(), minVersion: 'TLSv1.3', keyShareGroups: [shared], crypto: nobleCrypto });
  const hellos: ClientHello[] = [];
  let inbox: Uint8Array[] = [];
  client.setTransport({
    push: (b) => {
      for (let o = 0; o < b.length; ) {
        const len = (b[o + 3]! << 8) | b[o + 4]!;
        if (b[o] === 22) {
          const r = new Reader(b.subarray(o + 5, o + 5 + len));
          const type = r.u8();
          const hello = decodeHandshake(type, r.vec(3), 32) as ClientHello;
          hellos.push(hello);
          inbox = hellos.length === 1 ? [serverHello(hello, HRR_RANDOM, { hrr: NamedGroupCode[retryGroup] })] : (then?.(hello) ?? []);
        }
        o += 5 + len;
      }
      return b.length;
    },
    pull: () => inbox.shift() ?? AGAIN,
  });
  const result = client.handshake();
  return { hellos, result, client };
}

const sharesOf = (hello: ClientHello) => keyShare.decodeClient(findExtension(hello.extensions, X.key_share)!);

describe('X25519MLKEM768 across a scripted HelloRetryRequest', () => {
  it('to the hybrid: the second ClientHello carries one share, X25519MLKEM768 of 1216 bytes; the hybrid ServerHello is taken', () => {
    const { hellos, result, client } = retried('x25519', 'X25519MLKEM768', (second) => {
      const share = sharesOf(second)[0]!;
      const answer = nobleCrypto.answerKeyShare('X25519MLKEM768', share.keyExchange, nobleCrypto.random);
      return [serverHello(second, nobleCrypto.random(32), { group: 0x11ec, keyExchange: answer.publicKey })];
    });
    expect(hellos).to.have.length(2);
    expect(sharesOf(hellos[0]!).map((s) => s.group)).to.deep.equal([0x1d]);
    const shares = sharesOf(hellos[1]!);
    expect(shares.map((s) => [s.group, s.keyExchange.length])).to.deep.equal([[0x11ec, X25519MLKEM768_CLIENT_SHARE_LENGTH]]);
    expect(X25519MLKEM768_CLIENT_SHARE_LENGTH).to.equal(1216);
    expect(equalBytes(hellos[1]!.random, hellos[0]!.random) && equalBytes(hellos[1]!.sessionId, hellos[0]!.sessionId)).to.equal(true);
    // The client took the ServerHello and its hybrid share: it now waits for EncryptedExtensions.
    expect(result).to.equal(AGAIN);
    expect(client.info).to.include({ group: 'X25519MLKEM768', helloRetry: true, version: 'TLSv1.3' });
  });

  it('from the hybrid: a client that shared only the hybrid sends one X25519 share of 32 bytes', () => {
    const { hellos } = retried('X25519MLKEM768', 'x25519');
    expect(sharesOf(hellos[0]!).map((s) => [s.group, s.keyExchange.length])).to.deep.equal([[0x11ec, 1216]]);
    expect(sharesOf(hellos[1]!).map((s) => [s.group, s.keyExchange.length])).to.deep.equal([[0x1d, 32]]);
  });
});
