/**
 * A server that declines 0-RTT (we never accept it) must skip the early data
 * a client sends after a ClientHello carrying early_data (RFC 8446 §4.2.10):
 * records that fail to decrypt under the client handshake key, up to a bound;
 * after a HelloRetryRequest, every application_data record up to the second
 * ClientHello. A real client sends such data only when resuming with a ticket
 * (see spec/interop/tls13-hardening.spec.ts for openssl doing it); here the
 * client is ours with early_data added to its hello, followed by records of
 * random bytes, which is what another server's 0-RTT data is to us.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { decodeHandshake, encodeHandshake, type ClientHello } from '../../lib/wire/handshake.js';
import { clientWith, feed, opaqueRecord, output, records, server } from './conn-pair.js';

const EARLY_DATA = { type: X.early_data, data: new Uint8Array(0) };
const utf8 = (s: string) => new TextEncoder().encode(s);

/** Runs a handshake where the client's first flight is followed by `early` (records of 0-RTT-looking bytes). */
function handshakeWithEarly(early: Uint8Array[], opts: { server?: Parameters<typeof server>[0]; client?: Parameters<typeof clientWith>[1]; extension?: boolean } = {}) {
  const c = clientWith(opts.extension === false ? [] : [EARLY_DATA], opts.client);
  const s = server(opts.server);
  let failure: TlsError | undefined;
  // The client's flights go out with the early records right behind its first ClientHello.
  failure ??= feed(s, concatBytes(output(c), ...early));
  for (let i = 0; i < 4 && !failure && !(c.handshakeDone && s.handshakeDone); i++) {
    failure ??= feed(c, output(s));
    failure ??= feed(s, output(c));
  }
  return { c, s, failure };
}

function expectWorking(c: ReturnType<typeof clientWith>, s: ReturnType<typeof server>): void {
  expect(c.handshakeDone).to.equal(true);
  expect(s.handshakeDone).to.equal(true);
  c.writeApplicationData(utf8('after early data'));
  expect(feed(s, output(c))).to.equal(undefined);
  expect(new TextDecoder().decode(s.takeApplicationData()!)).to.equal('after early data');
  s.writeApplicationData(utf8('pong'));
  expect(feed(c, output(s))).to.equal(undefined);
  expect(new TextDecoder().decode(c.takeApplicationData()!)).to.equal('pong');
}

describe('declined early data (RFC 8446 §4.2.10)', () => {
  it('skipped when it does not decrypt under the handshake key; the handshake completes', () => {
    const { c, s, failure } = handshakeWithEarly([opaqueRecord(1000, 1), opaqueRecord(5000, 2), opaqueRecord(17, 3)]);
    expect(failure).to.equal(undefined);
    expectWorking(c, s);
  });

  it('up to 16,384 content bytes by default (OpenSSL\'s max_early_data); one more is unexpected_message', () => {
    // A record of n ciphertext bytes holds at most n - 17 content bytes (type byte, 16-byte tag).
    const ok = handshakeWithEarly([opaqueRecord(8192 + 17, 1), opaqueRecord(8192 + 17, 2)]);
    expect(ok.failure).to.equal(undefined);
    expectWorking(ok.c, ok.s);
    const over = handshakeWithEarly([opaqueRecord(8192 + 17, 1), opaqueRecord(8192 + 18, 2)]);
    expect(over.failure?.alert).to.equal('unexpected_message');
    expect(over.failure?.message).to.match(/more than 16384 bytes of early data/);
  });

  it('maxSkippedEarlyData sets the bound (0: none skipped)', () => {
    expect(handshakeWithEarly([opaqueRecord(100)], { server: { maxSkippedEarlyData: 0 } }).failure?.alert).to.equal('unexpected_message');
    const big = handshakeWithEarly([opaqueRecord(16_000, 1), opaqueRecord(16_000, 2), opaqueRecord(16_000, 3)], { server: { maxSkippedEarlyData: 65536 } });
    expect(big.failure).to.equal(undefined);
    expectWorking(big.c, big.s);
  });

  it('after a HelloRetryRequest: application_data records before the second ClientHello are skipped', () => {
    // The client shares x25519 only, the server takes P-256 only: HelloRetryRequest.
    const r = handshakeWithEarly([opaqueRecord(300, 1), opaqueRecord(4000, 2)], { client: { groups: ['x25519', 'secp256r1'] }, server: { groups: ['secp256r1'] } });
    expect(r.failure).to.equal(undefined);
    expect(r.s.info.helloRetry).to.equal(true);
    expectWorking(r.c, r.s);
  });

  it('after a HelloRetryRequest the bound holds too', () => {
    const r = handshakeWithEarly([opaqueRecord(16_000, 1), opaqueRecord(16_000, 2)], { client: { groups: ['x25519', 'secp256r1'] }, server: { groups: ['secp256r1'] } });
    expect(r.failure?.alert).to.equal('unexpected_message');
  });

  it('a second ClientHello that offers early_data again: illegal_parameter', () => {
    const c = clientWith([EARLY_DATA], { groups: ['x25519', 'secp256r1'] });
    const s = server({ groups: ['secp256r1'] });
    expect(feed(s, output(c))).to.equal(undefined);
    expect(feed(c, output(s))).to.equal(undefined); // HelloRetryRequest: the client answers with ClientHello2
    const [ccs, hello2] = records(output(c));
    const msg = decodeHandshake(1, hello2!.subarray(9), 32) as ClientHello;
    msg.extensions.push(EARLY_DATA);
    const raw = encodeHandshake(msg);
    const rec = concatBytes(Uint8Array.of(22, 3, 3, raw.length >> 8, raw.length & 0xff), raw);
    const err = feed(s, concatBytes(ccs!, rec));
    expect(err?.alert).to.equal('illegal_parameter');
    expect(err?.message).to.match(/early_data/);
  });

  it('without early_data in the ClientHello nothing is skipped: a record that does not decrypt is bad_record_mac', () => {
    expect(handshakeWithEarly([opaqueRecord(100)], { extension: false }).failure?.alert).to.equal('bad_record_mac');
  });

  it('once a record decrypted, skipping is over: a later bad record is bad_record_mac', () => {
    const c = clientWith([EARLY_DATA]);
    const s = server();
    expect(feed(s, concatBytes(output(c), opaqueRecord(200)))).to.equal(undefined);
    expect(feed(c, output(s))).to.equal(undefined);
    expect(feed(s, output(c))).to.equal(undefined); // the client's Finished decrypts
    expect(s.handshakeDone).to.equal(true);
    expect(feed(s, opaqueRecord(200, 9))?.alert).to.equal('bad_record_mac');
  });

  it('a ChangeCipherSpec among the early records (middlebox compatibility) is still fine', () => {
    const ccs = Uint8Array.of(20, 3, 3, 0, 1, 1);
    const { c, s, failure } = handshakeWithEarly([ccs, opaqueRecord(700, 1), opaqueRecord(700, 2)]);
    expect(failure).to.equal(undefined);
    expectWorking(c, s);
  });
});
