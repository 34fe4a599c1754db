/**
 * Fatal alerts between Session pairs: who sends what, under which key, and
 * whether the peer sees it. Minimal reproductions of two library bugs live
 * here (skipped until fixed).
 */
import { expect } from 'chai';
import { Alert, TlsError } from '../../lib/errors.js';
import { AGAIN, type Transport } from '../../lib/session/contract.js';
import { handshakeOutcome, makePair } from './pair-helpers.js';
import { NOBLE_DEFAULT_SUITE, describeEvents } from './wire-tap.js';

const SUITE = NOBLE_DEFAULT_SUITE;

describe('fatal alerts', () => {
  it('a server-side failure before ServerHello reaches the client as a plaintext alert (fromPeer)', () => {
    const p = makePair({ suites: ['TLS_AES_128_GCM_SHA256'] }, { suites: ['TLS_CHACHA20_POLY1305_SHA256'] });
    const o = handshakeOutcome(p);
    expect((o.server as TlsError).alert).to.equal('handshake_failure');
    expect((o.server as TlsError).fromPeer).to.equal(false);
    expect((o.client as TlsError).alert).to.equal('handshake_failure');
    expect((o.client as TlsError).fromPeer).to.equal(true);
    expect(describeEvents(p.tap.events('server', SUITE))).to.deep.equal(['alert40']);
  });

  it('no group in common: handshake_failure both ways', () => {
    const p = makePair({ groups: ['x25519'] }, { groups: ['secp256r1'] });
    const o = handshakeOutcome(p);
    expect((o.server as TlsError).alert).to.equal('handshake_failure');
    expect((o.client as TlsError).alert).to.equal('handshake_failure');
    expect((o.client as TlsError).fromPeer).to.equal(true);
  });

  it('a client-side failure after ServerHello puts the alert on the wire', () => {
    // Encrypted under the client handshake key, which the client installs right after ServerHello.
    const p = makePair({ serverName: 'wrong.example' });
    const o = handshakeOutcome(p);
    expect((o.client as TlsError).alert).to.equal('certificate_unknown');
    expect(o.server).to.be.instanceOf(TlsError);
    const alerts = p.tap.events('client', SUITE).filter((e) => e.kind === 'alert');
    expect(alerts.map((a) => a.kind === 'alert' && [a.level, a.description])).to.deep.equal([[2, Alert.certificate_unknown]]);
  });

  it('the server reports the client certificate_unknown alert as fromPeer', () => {
    const p = makePair({ serverName: 'wrong.example' });
    const o = handshakeOutcome(p);
    expect((o.client as TlsError).alert).to.equal('certificate_unknown');
    expect(o.server).to.be.instanceOf(TlsError);
    expect((o.server as TlsError).alert).to.equal('certificate_unknown');
    expect((o.server as TlsError).fromPeer).to.equal(true);
  });

  it('an alert blocked by AGAIN is delivered by a later call once the transport drains', () => {
    const p = makePair({ serverName: 'wrong.example' });
    let blocked = false;
    const end = p.clientEnd;
    const transport: Transport = { push: (b) => (blocked ? AGAIN : end.push(b)), pull: (max) => end.pull(max) };
    p.client.setTransport(transport);
    expect(p.client.handshake()).to.equal(AGAIN); // ClientHello out
    expect(p.server.handshake()).to.equal(AGAIN); // server flight out
    blocked = true;
    const e = (() => {
      try {
        p.client.handshake();
      } catch (x) {
        return x as TlsError;
      }
      throw new Error('no failure');
    })();
    expect(e.alert).to.equal('certificate_unknown');
    blocked = false;
    expect(() => p.client.handshake()).to.throw(TlsError); // the same error, and a chance to flush
    expect(() => p.client.bye()).to.throw(TlsError);
    expect(p.tap.events('client', SUITE).some((x) => x.kind === 'alert' && x.description === Alert.certificate_unknown)).to.equal(true);
  });
});
