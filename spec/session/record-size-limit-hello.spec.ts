/**
 * A server fed our own client's ClientHello with its record_size_limit
 * changed: a value under 64 is illegal_parameter, a body that is not two
 * bytes decode_error (RFC 8449 §4), whichever version answers; a value over
 * the protocol's maximum is taken (a server must not enforce it) and read as
 * the maximum.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { type ClientHello, decodeHandshake, encodeHandshake } from '../../lib/wire/handshake.js';
import { fromHex } from '../support/hex.js';
import { defaultClient, defaultServer } from './pair-helpers.js';

/** Our client's first ClientHello, decoded. */
function ourHello(): ClientHello {
  const c = Session.client(defaultClient());
  const out: Uint8Array[] = [];
  c.setTransport({ push: (b) => (out.push(b.slice()), b.length), pull: () => AGAIN });
  c.handshake();
  const rec = concatBytes(...out);
  return decodeHandshake(1, rec.subarray(5 + 4), 32) as ClientHello;
}

/** What a server makes of `hello` with record_size_limit's body replaced by `body`. */
function serverOutcome(body: Uint8Array, maxVersion: 'TLSv1.3' | 'TLSv1.2'): string {
  const hello = ourHello();
  const msg = { ...hello, extensions: hello.extensions.map((e) => (e.type === X.record_size_limit ? { type: e.type, data: body } : e)) };
  const raw = encodeHandshake(msg);
  const bytes = concatBytes(Uint8Array.of(22, 3, 1, raw.length >> 8, raw.length & 0xff), raw);
  const s = Session.server({ ...defaultServer(), maxVersion });
  let fed = false;
  s.setTransport({ push: (b) => b.length, pull: () => (fed ? AGAIN : ((fed = true), bytes)) });
  try {
    s.handshake();
    return `answered, peer limit ${s.info.peerRecordSizeLimit}`;
  } catch (e) {
    if (e instanceof TlsError) return e.alert;
    throw e;
  }
}

describe('record_size_limit in a ClientHello, server side', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: under 64 is illegal_parameter, a wrong length decode_error, over the maximum is taken`, () => {
      expect(ourHello().extensions.find((e) => e.type === X.record_size_limit)?.data).to.deep.equal(fromHex('4001'));
      expect(serverOutcome(fromHex('003f'), version)).to.equal('illegal_parameter');
      expect(serverOutcome(fromHex('0000'), version)).to.equal('illegal_parameter');
      for (const bad of ['', '40', '400100']) expect(serverOutcome(fromHex(bad), version), bad).to.equal('decode_error');
      expect(serverOutcome(fromHex('0040'), version)).to.equal('answered, peer limit 64');
      expect(serverOutcome(fromHex('ffff'), version)).to.equal('answered, peer limit 65535');
    });
  }
});
