/**
 * DTLS-SRTP negotiation with use_srtp (RFC 5764 §4.1) in the TLS 1.2 states,
 * our client against our server in memory (spec/tls12/client-harness.ts lets
 * the server's ServerHello say what a spec wants), and the SRTP keys derived
 * from the session (RFC 5764 §4.2). The states are the same for DTLS 1.2, so
 * this runs over TLS, which no other implementation negotiates use_srtp on.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { DTLS_SRTP_EXPORTER_LABEL, srtpKeyingMaterial } from '../../lib/handshake/srtp-keying-material.js';
import { ExtensionType as X, HandshakeType } from '../../lib/wire/enums.js';
import { findExtension } from '../../lib/wire/extension.js';
import { type ClientHello, type ServerHello, decodeHandshake } from '../../lib/wire/handshake.js';
import { decodeUseSrtp, encodeUseSrtp } from '../../lib/wire/use-srtp.js';
import { resolveServerConfig } from '../../lib/tls13/config.js';
import { chooseSrtpProfile, srtpAnswer } from '../../lib/tls12/srtp.js';
import { serverIdentity } from '../support/fixtures.js';
import { HT, type Outcome, editServerHello, run } from './client-harness.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function clientHello(o: Outcome): ClientHello {
  const m = o.clientMessages.find((x) => x.type === HT.client_hello)!;
  return decodeHandshake(HandshakeType.client_hello, m.body, 32) as ClientHello;
}

function expectDone(o: Outcome): void {
  expect(o.client, o.client instanceof Error ? o.client.message : undefined).to.equal('done');
  expect(o.server, o.server instanceof Error ? o.server.message : undefined).to.equal('done');
}

function expectClientAlert(o: Outcome, alert: string): void {
  expect(o.client).to.be.instanceOf(TlsError);
  expect(o.client as TlsError).to.include({ alert, fromPeer: false });
}

/** The server's use_srtp replaced by `data` (added when it sent none). */
const answer = (data: Uint8Array) =>
  editServerHello((p) => {
    p.extensions = p.extensions.filter((e) => e.type !== X.use_srtp);
    p.extensions.push({ type: X.use_srtp, data });
  });

describe('use_srtp negotiation (RFC 5764 §4.1) in TLS 1.2', () => {
  it('the client offers its profiles in its order, with an empty MKI', () => {
    const o = run({ srtpProfiles: ['SRTP_AEAD_AES_128_GCM', 'SRTP_AES128_CM_SHA1_80'] }, {});
    const offer = findExtension(clientHello(o).extensions, X.use_srtp);
    expect(decodeUseSrtp(offer!)).to.deep.equal({ profiles: [7, 1], mki: new Uint8Array(0) });
  });

  it('without srtpProfiles the client offers no use_srtp', () => {
    expect(findExtension(clientHello(run()).extensions, X.use_srtp)).to.equal(undefined);
  });

  it("the server's preference decides; both report the profile, and the ServerHello names one", () => {
    const o = run({ srtpProfiles: ['SRTP_AES128_CM_SHA1_32', 'SRTP_AES128_CM_SHA1_80', 'SRTP_AEAD_AES_256_GCM'] }, { srtpProfiles: ['SRTP_AEAD_AES_256_GCM', 'SRTP_AES128_CM_SHA1_80'] });
    expectDone(o);
    expect(o.clientSession.info.srtpProfile).to.equal('SRTP_AEAD_AES_256_GCM');
    expect(o.serverSession.info.srtpProfile).to.equal('SRTP_AEAD_AES_256_GCM');
  });

  it('no profile in common: no answer, the handshake goes on without SRTP', () => {
    const o = run({ srtpProfiles: ['SRTP_AES128_CM_SHA1_32'] }, { srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] });
    expectDone(o);
    expect(o.clientSession.info.srtpProfile).to.equal(undefined);
    expect(o.serverSession.info.srtpProfile).to.equal(undefined);
  });

  it('a server without srtpProfiles ignores the offer', () => {
    const o = run({ srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] }, {});
    expectDone(o);
    expect(o.clientSession.info.srtpProfile).to.equal(undefined);
  });

  it('a client offering TLS 1.3 too gets TLS 1.3 from a 1.3 server, and no SRTP (use_srtp is negotiated by the 1.2 states)', () => {
    const o = run({ srtpProfiles: ['SRTP_AES128_CM_SHA1_80'], maxVersion: 'TLSv1.3' }, { srtpProfiles: ['SRTP_AES128_CM_SHA1_80'], maxVersion: 'TLSv1.3' });
    expectDone(o);
    expect(o.clientSession.info).to.include({ version: 'TLSv1.3' });
    expect(o.clientSession.info.srtpProfile).to.equal(undefined);
  });

  it('a resumed session negotiates it again', () => {
    const srtp = { srtpProfiles: ['SRTP_AES128_CM_SHA1_80' as const] };
    const first = run(srtp, srtp);
    expectDone(first);
    const again = run({ ...srtp, session: first.clientSession.info.tickets[0] }, srtp);
    expectDone(again);
    expect(again.clientSession.info).to.include({ resumed: true, srtpProfile: 'SRTP_AES128_CM_SHA1_80' });
    expect(again.serverSession.info).to.include({ resumed: true, srtpProfile: 'SRTP_AES128_CM_SHA1_80' });
  });

  it("the server's use_srtp: exactly one profile and an empty MKI, even when the client sent an MKI", () => {
    const config = resolveServerConfig({ ...serverIdentity('p256'), srtpProfiles: ['SRTP_AES128_CM_SHA1_32', 'SRTP_AES128_CM_SHA1_80'] });
    const hello = (data: Uint8Array) => ({ extensions: [{ type: X.use_srtp, data }] }) as unknown as ClientHello;
    const chosen = chooseSrtpProfile(config, hello(encodeUseSrtp([0x1234, 1, 2], Uint8Array.of(5, 5))));
    expect(chosen).to.equal('SRTP_AES128_CM_SHA1_32');
    expect(decodeUseSrtp(srtpAnswer(chosen!).data)).to.deep.equal({ profiles: [2], mki: new Uint8Array(0) });
    let serverHello: Uint8Array | undefined;
    const o = run({ srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] }, { srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] }, (m) => {
      if (m.type === HT.server_hello) serverHello = m.body;
      return [m];
    });
    expectDone(o);
    const sent = decodeHandshake(HandshakeType.server_hello, serverHello!, 32) as ServerHello;
    expect(decodeUseSrtp(findExtension(sent.extensions, X.use_srtp)!)).to.deep.equal({ profiles: [1], mki: new Uint8Array(0) });
  });

  it('a malformed offer is decode_error at a server with profiles, and ignored by one without', () => {
    const withProfiles = resolveServerConfig({ ...serverIdentity('p256'), srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] });
    const without = resolveServerConfig(serverIdentity('p256'));
    const hello = { extensions: [{ type: X.use_srtp, data: Uint8Array.of(0, 1, 0, 0) }] } as unknown as ClientHello;
    expect(() => chooseSrtpProfile(withProfiles, hello)).to.throw(TlsError).with.property('alert', 'decode_error');
    expect(chooseSrtpProfile(without, hello)).to.equal(undefined);
  });

  it('srtpProfiles must name known profiles, once each', () => {
    expect(() => resolveServerConfig({ ...serverIdentity('p256'), srtpProfiles: ['SRTP_NULL_SHA1_80' as never] })).to.throw(/unknown SRTP/);
    expect(() => resolveServerConfig({ ...serverIdentity('p256'), srtpProfiles: ['SRTP_AES128_CM_SHA1_80', 'SRTP_AES128_CM_SHA1_80'] })).to.throw(/twice/);
  });

  describe("the client's checks of the answer", () => {
    const offer = { srtpProfiles: ['SRTP_AES128_CM_SHA1_80' as const, 'SRTP_AES128_CM_SHA1_32' as const] };
    it('two profiles: illegal_parameter', () => expectClientAlert(run(offer, {}, answer(encodeUseSrtp([1, 2]))), 'illegal_parameter'));
    it('a profile we did not offer: illegal_parameter', () => expectClientAlert(run(offer, {}, answer(encodeUseSrtp([7]))), 'illegal_parameter'));
    it('an unknown profile: illegal_parameter', () => expectClientAlert(run(offer, {}, answer(encodeUseSrtp([0x1234]))), 'illegal_parameter'));
    it('an MKI we did not send: illegal_parameter', () => expectClientAlert(run(offer, {}, answer(encodeUseSrtp([1], Uint8Array.of(9)))), 'illegal_parameter'));
    it('a malformed body: decode_error', () => expectClientAlert(run(offer, {}, answer(Uint8Array.of(0, 2, 0, 1))), 'decode_error'));
    it('use_srtp while we offered none: unsupported_extension', () => expectClientAlert(run({}, {}, answer(encodeUseSrtp([1]))), 'unsupported_extension'));
    it('one profile we offered, an empty MKI: past the ServerHello', () => {
      const o = run(offer, {}, answer(encodeUseSrtp([2])));
      // The edit changed the transcript, so the Finished fails later; the answer itself was taken.
      expect(o.clientMessages.map((m) => m.type)).to.include(HT.client_key_exchange);
      expect(o.clientSession.info.srtpProfile).to.equal('SRTP_AES128_CM_SHA1_32');
    });
  });
});

describe('srtpKeyingMaterial (RFC 5764 §4.2)', () => {
  const LENGTHS = {
    SRTP_AES128_CM_SHA1_80: [16, 14],
    SRTP_AES128_CM_SHA1_32: [16, 14],
    SRTP_AEAD_AES_128_GCM: [16, 12],
    SRTP_AEAD_AES_256_GCM: [32, 12],
  } as const;
  for (const [profile, [key, salt]] of Object.entries(LENGTHS) as Array<[keyof typeof LENGTHS, readonly [number, number]]>) {
    it(`${profile}: client key | server key | client salt | server salt of one "EXTRACTOR-dtls_srtp" export, equal on both sides`, () => {
      const o = run({ srtpProfiles: [profile] }, { srtpProfiles: [profile] });
      expectDone(o);
      const c = srtpKeyingMaterial(o.clientSession);
      const s = srtpKeyingMaterial(o.serverSession);
      expect(c).to.deep.equal(s);
      expect(c.profile).to.equal(profile);
      const whole = o.clientSession.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, undefined, 2 * (key + salt));
      expect(hex(c.clientMasterKey) + hex(c.serverMasterKey) + hex(c.clientMasterSalt) + hex(c.serverMasterSalt)).to.equal(hex(whole));
      expect([c.clientMasterKey.length, c.serverMasterKey.length, c.clientMasterSalt.length, c.serverMasterSalt.length]).to.deep.equal([key, key, salt, salt]);
    });
  }

  it('without a negotiated profile: an Error', () => {
    const o = run();
    expectDone(o);
    expect(() => srtpKeyingMaterial(o.clientSession)).to.throw(Error, /SRTP/);
  });
});
