/**
 * The TLS 1.2 client (lib/tls12/client) against our TLS 1.2 server in
 * memory: the handshakes that work (each suite, resumption by ticket, tickets
 * kept), and every check on what the server says, made to fail by editing
 * one server message on the wire (client-harness.ts) and seen as the alert
 * the client sends. Real servers: spec/interop/tls12-client.spec.ts.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import type { Tls12SessionTicket } from '../../lib/handshake/session-info.js';
import { AGAIN } from '../../lib/session/contract.js';
import { TLS12_SUITES, type Tls12SuiteName } from '../../lib/tls12/suites.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { encodeAlpn } from '../../lib/wire/extension.js';
import {
  HT,
  type Outcome,
  clientAlert,
  editServerHello,
  editSke,
  editType,
  edits,
  frame,
  run,
} from './client-harness.js';

/** The suites the harness's server runs by default: ECDHE_ECDSA without CCM_8 (CCM_8 and PSK: spec/session/tls12-psk-pairs.spec.ts). */
const SUITE_NAMES = TLS12_SUITES.filter((s) => s.auth === 'ecdsa' && s.aead !== 'aes-128-ccm-8').map((s) => s.name);
const EMPTY = new Uint8Array(0);

function expectDone(o: Outcome): void {
  expect(o.client, o.client instanceof Error ? o.client.message : undefined).to.equal('done');
  expect(o.server, o.server instanceof Error ? o.server.message : undefined).to.equal('done');
}

/** The client failed with `alert` (its own, not the server's), and the server heard it. */
function expectClientAlert(o: Outcome, alert: string, message?: string | RegExp): void {
  expect(o.client).to.be.instanceOf(TlsError);
  const err = o.client as TlsError;
  expect({ alert: err.alert, fromPeer: err.fromPeer }, err.message).to.deep.equal({ alert, fromPeer: false });
  if (typeof message === 'string') expect(err.message).to.include(message);
  else if (message) expect(err.message).to.match(message);
  // A server that finished before our check reads our alert afterwards.
  const server = o.server === 'done' ? serverRecv(o) : o.server;
  expect(server).to.be.instanceOf(TlsError);
  expect(server as TlsError).to.include({ alert, fromPeer: true });
}

function serverRecv(o: Outcome): unknown {
  try {
    return o.serverSession.recv();
  } catch (e) {
    return e;
  }
}

/** The client got past the ServerHello checks: it sent its ClientKeyExchange. */
function expectPastServerHello(o: Outcome): void {
  expect(o.clientMessages.map((m) => m.type)).to.include(HT.client_key_exchange);
}

/** A full handshake's ticket. */
function ticketFrom(client: Parameters<typeof run>[0] = {}, server: Parameters<typeof run>[1] = {}): Tls12SessionTicket {
  const o = run(client, server);
  expectDone(o);
  return o.clientSession.info.tickets[0] as Tls12SessionTicket;
}

function sendBoth(o: Outcome, data: string): string {
  const bytes = new TextEncoder().encode(data);
  expect(o.clientSession.send(bytes)).to.equal(bytes.length);
  const got = o.serverSession.recv();
  return got === AGAIN || got === 'EOF' ? String(got) : new TextDecoder().decode(got);
}

describe('TLS 1.2 client', () => {
  describe('handshakes with our server', () => {
    for (const suite of SUITE_NAMES) {
      it(`${suite}: full handshake, EMS, a ticket, data`, () => {
        const o = run({ suites: [suite as Tls12SuiteName] });
        expectDone(o);
        expect(o.clientSession.info).to.include({ version: 'TLSv1.2', suite, group: 'x25519', signatureScheme: 'ecdsa_secp256r1_sha256', extendedMasterSecret: true, resumed: false });
        expect(o.clientSession.info.peerCertificates).to.have.length(1);
        // ClientHello, ClientKeyExchange in the clear; then CCS and the protected Finished.
        expect(o.clientMessages.map((m) => m.type)).to.deep.equal([HT.client_hello, HT.client_key_exchange]);
        expect(o.clientRecords.map((r) => r.type)).to.deep.equal([22, 22, 20, 22]);
        expect(sendBoth(o, 'ping')).to.equal('ping');
      });
    }

    it('a client offering TLS 1.3 and 1.2 (the default range) to a 1.2-only server: TLS 1.2, and resumption', () => {
      const o = run({ maxVersion: 'TLSv1.3' });
      expectDone(o);
      expect(o.clientSession.info).to.include({ version: 'TLSv1.2', resumed: false });
      const again = run({ maxVersion: 'TLSv1.3', session: o.clientSession.info.tickets[0] });
      expectDone(again);
      expect(again.clientSession.info).to.include({ version: 'TLSv1.2', resumed: true });
    });

    it('the ticket: lifetime hint, master secret, suite, EMS, server name, ALPN, clock', () => {
      let now = 1000;
      const o = run({ alpn: ['h2'], clock: () => now++ }, { alpn: ['h2'], ticketLifetime: 3600 });
      expectDone(o);
      const [ticket] = o.clientSession.info.tickets as Tls12SessionTicket[];
      expect(ticket).to.include({ version: 'TLSv1.2', lifetime: 3600, suite: o.clientSession.info.suite, extendedMasterSecret: true, serverName: 'localhost', alpn: 'h2' });
      expect(ticket!.masterSecret).to.have.length(48);
      expect(ticket!.receivedAt).to.be.at.least(1000);
      // The key log names the same master secret.
      expect(o.wire.serverKeylog[0]!.split(' ')[2]).to.equal(Buffer.from(ticket!.masterSecret).toString('hex'));
    });

    it('maxTickets 0 keeps none', () => {
      const o = run({ maxTickets: 0 });
      expectDone(o);
      expect(o.clientSession.info.tickets).to.deep.equal([]);
    });

    it('a second NewSessionTicket: unexpected_message, none kept', () => {
      const o = run({}, {}, editType(HT.new_session_ticket, (m) => [m, m]));
      expectClientAlert(o, 'unexpected_message');
      expect(o.clientSession.info.tickets).to.deep.equal([]);
    });

    it('a HelloRequest during the handshake is ignored (RFC 5246 §7.4.1.1), not hashed', () => {
      const hr = { type: HT.hello_request, body: EMPTY };
      const o = run({}, {}, (m) => (m.type === HT.certificate || m.type === HT.server_hello_done || m.type === HT.new_session_ticket ? [hr, m, hr] : [m]));
      expectDone(o);
    });

    it('a HelloRequest after the handshake: a no_renegotiation warning, and the connection goes on', () => {
      const o = run();
      expectDone(o);
      o.wire.injectProtected(o.clientSession.info.suite!, 22, frame({ type: HT.hello_request, body: EMPTY }));
      expect(o.clientSession.recv()).to.equal(AGAIN);
      // Our Finished, then the warning: level 1, no_renegotiation (100).
      const sent = o.wire.clientProtected(o.clientSession.info.suite!);
      expect(sent.map((r) => [r.type, Buffer.from(r.content).toString('hex')])).to.deep.equal([
        [22, Buffer.from(sent[0]!.content).toString('hex')],
        [21, '0164'],
      ]);
      expect(sent[0]!.content[0]).to.equal(HT.finished);
      // The server takes the warning and the connection goes on.
      expect(sendBoth(o, 'still here')).to.equal('still here');
    });
  });

  describe('resumption (RFC 5077 §3.4)', () => {
    it('the server echoes our session id: abbreviated handshake, both sides resumed, a renewed ticket', () => {
      const ticket = ticketFrom();
      const o = run({ session: ticket });
      expectDone(o);
      expect(o.clientSession.info).to.include({ resumed: true, suite: ticket.suite, extendedMasterSecret: true });
      expect(o.clientSession.info.peerCertificates).to.deep.equal([]);
      expect(o.serverSession.info.resumed).to.equal(true);
      // ClientHello in the clear, then CCS and Finished after the server's.
      expect(o.clientMessages.map((m) => m.type)).to.deep.equal([HT.client_hello]);
      expect(o.clientRecords.map((r) => r.type)).to.deep.equal([22, 20, 22]);
      const renewed = o.clientSession.info.tickets as Tls12SessionTicket[];
      for (const t of renewed) expect(t.masterSecret).to.deep.equal(ticket.masterSecret);
      expect(sendBoth(o, 'resumed')).to.equal('resumed');
    });

    it('a ticket the server cannot open: a full handshake', () => {
      const ticket = ticketFrom();
      const o = run({ session: { ...ticket, ticket: ticket.ticket.map((b) => b ^ 1) } });
      expectDone(o);
      expect(o.clientSession.info.resumed).to.equal(false);
      expect(o.clientSession.info.peerCertificates).to.have.length(1);
    });

    it("the server resumes with another suite than the ticket's: illegal_parameter", () => {
      const ticket = ticketFrom({ suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] });
      const o = run({ session: { ...ticket, suite: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384' } });
      expectClientAlert(o, 'illegal_parameter', 'not its suite');
    });

    it('the server resumes with EMS a session we hold as without: handshake_failure (RFC 7627 §5.3)', () => {
      const ticket = ticketFrom();
      const o = run({ session: { ...ticket, extendedMasterSecret: false }, allowLegacyNoExtendedMasterSecret: true });
      expectClientAlert(o, 'handshake_failure', 'extended master secret');
    });

    it("a ticket whose master secret is not the server's: its Finished does not decrypt (bad_record_mac)", () => {
      const ticket = ticketFrom();
      const o = run({ session: { ...ticket, masterSecret: ticket.masterSecret.map((b) => b ^ 0x80) } });
      expectClientAlert(o, 'bad_record_mac');
    });

    it('an echoed session id while we offered no ticket: illegal_parameter', () => {
      const o = run({}, {}, editServerHello((p, view) => (p.sessionId = view.clientSessionId)));
      expectClientAlert(o, 'illegal_parameter', 'session id');
    });

    it('resumed, but the server sends its Certificate: unexpected_message', () => {
      const ticket = ticketFrom();
      const o = run({ session: ticket }, {}, (m) => (m.type === HT.server_hello ? [m, { type: HT.certificate, body: Uint8Array.of(0, 0, 0) }] : [m]));
      expectClientAlert(o, 'unexpected_message');
    });
  });

  describe('ServerHello checks', () => {
    const cases: Array<[string, Parameters<typeof editServerHello>[0], string, (string | RegExp)?]> = [
      ['a suite we did not offer', (p) => (p.suite = 0xcca9), 'illegal_parameter', 'not a TLS 1.2 suite we offered'],
      ['a TLS 1.3 suite', (p) => (p.suite = 0x1301), 'illegal_parameter'],
      ['a compression method', (p) => (p.compression = 1), 'illegal_parameter', 'compression'],
      ['an extension we did not offer (status_request)', (p) => p.extensions.push({ type: X.status_request, data: EMPTY }), 'unsupported_extension'],
      ['key_share, which a TLS 1.2-only hello does not offer', (p) => p.extensions.push({ type: X.key_share, data: Uint8Array.of(0, 0x1d, 0, 1, 0) }), 'unsupported_extension'],
      ['a duplicate extension', (p) => p.extensions.push({ type: X.extended_master_secret, data: EMPTY }), 'illegal_parameter', 'duplicate'],
      ['no renegotiation_info', (p) => (p.extensions = p.extensions.filter((e) => e.type !== X.renegotiation_info)), 'handshake_failure', 'RFC 5746'],
      [
        'a non-empty renegotiation_info',
        (p) => (p.extensions.find((e) => e.type === X.renegotiation_info)!.data = Uint8Array.of(12, ...new Uint8Array(12))),
        'handshake_failure',
      ],
      [
        'no extended_master_secret',
        (p) => (p.extensions = p.extensions.filter((e) => e.type !== X.extended_master_secret)),
        'handshake_failure',
        'server does not support the extended master secret (RFC 7627)',
      ],
      ['a non-empty extended_master_secret', (p) => (p.extensions.find((e) => e.type === X.extended_master_secret)!.data = Uint8Array.of(0)), 'decode_error'],
      ['ec_point_formats without uncompressed', (p) => (p.extensions.find((e) => e.type === X.ec_point_formats)!.data = Uint8Array.of(1, 1)), 'illegal_parameter'],
      ['a session_ticket with content', (p) => (p.extensions.find((e) => e.type === X.session_ticket)!.data = Uint8Array.of(1)), 'decode_error'],
      ['a server_name with content', (p) => (p.extensions.find((e) => e.type === X.server_name)!.data = Uint8Array.of(0, 0)), 'decode_error', 'server_name'],
      ['server_version 0x0302', (p) => (p.version = 0x0302), 'protocol_version'],
    ];
    // The client offers two suites, so that 0xcca9 is a 1.2 suite it did not offer.
    const offer = { suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'] as Tls12SuiteName[] };
    for (const [what, change, alert, message] of cases) {
      it(`${what}: ${alert}`, () => expectClientAlert(run(offer, {}, editServerHello(change)), alert, message));
    }

    it('a TLS 1.3 extension we offered (key_share, when offering 1.3 too): illegal_parameter', () => {
      const o = run({ maxVersion: 'TLSv1.3' }, {}, editServerHello((p) => p.extensions.push({ type: X.key_share, data: Uint8Array.of(0, 0x1d, 0, 1, 0) })));
      expectClientAlert(o, 'illegal_parameter', 'does not belong in a TLS 1.2 ServerHello');
    });

    // An edited ServerHello changes the session hash, so the handshake fails later; past the checks is what counts.
    it('ec_point_formats listing uncompressed among others is fine', () => {
      expectPastServerHello(run({}, {}, editServerHello((p) => (p.extensions.find((e) => e.type === X.ec_point_formats)!.data = Uint8Array.of(2, 1, 0)))));
    });

    it('no ec_point_formats is fine (RFC 8422 §5.2: uncompressed is then assumed)', () => {
      expectPastServerHello(run({}, {}, editServerHello((p) => (p.extensions = p.extensions.filter((e) => e.type !== X.ec_point_formats)))));
    });

    it('no extended_master_secret with allowLegacyNoExtendedMasterSecret: accepted (the Finished then fails, as the server did use EMS)', () => {
      const o = run({ allowLegacyNoExtendedMasterSecret: true }, {}, editServerHello((p) => (p.extensions = p.extensions.filter((e) => e.type !== X.extended_master_secret))));
      // Past the ServerHello: the server refuses our (non-EMS) Finished.
      expect(o.client).to.be.instanceOf(TlsError);
      expect(o.client as TlsError).to.include({ fromPeer: true });
      expect(o.clientSession.info.extendedMasterSecret).to.equal(false);
    });

    describe('ALPN (RFC 7301)', () => {
      const alpn = (names: string[]) => editServerHello((p) => p.extensions.push({ type: X.alpn, data: encodeAlpn(names) }));
      it('the one protocol it chose is reported', () => {
        const o = run({ alpn: ['coap', 'h2'] }, { alpn: ['h2'] });
        expectDone(o);
        expect(o.clientSession.info.alpn).to.equal('h2');
      });
      it('two protocols: illegal_parameter', () => expectClientAlert(run({ alpn: ['coap', 'h2'] }, {}, alpn(['coap', 'h2'])), 'illegal_parameter'));
      it('one we did not offer: illegal_parameter', () => expectClientAlert(run({ alpn: ['coap'] }, {}, alpn(['h2'])), 'illegal_parameter'));
      it('ALPN while we offered none: unsupported_extension', () => expectClientAlert(run({}, {}, alpn(['h2'])), 'unsupported_extension'));
    });
  });

  describe('the full handshake, message by message', () => {
    it('an empty Certificate: decode_error', () => {
      expectClientAlert(run({}, {}, editType(HT.certificate, () => [{ type: HT.certificate, body: Uint8Array.of(0, 0, 0) }])), 'decode_error', 'no certificate');
    });

    it('no Certificate (ServerKeyExchange next): unexpected_message', () => {
      expectClientAlert(run({}, {}, editType(HT.certificate, () => [])), 'unexpected_message');
    });

    it('no ServerKeyExchange: unexpected_message', () => {
      expectClientAlert(run({}, {}, editType(HT.server_key_exchange, () => [])), 'unexpected_message');
    });

    it('a Finished where ServerHelloDone belongs: unexpected_message', () => {
      expectClientAlert(run({}, {}, editType(HT.server_hello_done, () => [{ type: HT.finished, body: new Uint8Array(12) }])), 'unexpected_message');
    });

    describe('ServerKeyExchange', () => {
      it('a group we did not offer: illegal_parameter', () => {
        expectClientAlert(run({ groups: ['x25519', 'secp256r1'] }, {}, editSke((p) => (p.group = 0x18))), 'illegal_parameter', 'group 24');
      });

      it('an unknown group (ffdhe2048): illegal_parameter', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.group = 0x100))), 'illegal_parameter');
      });

      it('X25519MLKEM768, offered for TLS 1.3 only: illegal_parameter', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.group = 0x11ec))), 'illegal_parameter', 'for ECDHE');
      });

      it('explicit curve parameters: illegal_parameter', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.curveType = 1))), 'illegal_parameter');
      });

      it('a scheme we did not offer (ecdsa_sha1): illegal_parameter', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.scheme = 0x0203))), 'illegal_parameter', 'did not offer');
      });

      it('an RSA scheme for an ECDSA certificate (rsa_pss_rsae_sha256): illegal_parameter', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.scheme = 0x0804))), 'illegal_parameter', 'does not fit');
      });

      it('ed25519 with a P-256 key: illegal_parameter', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.scheme = 0x0807))), 'illegal_parameter', 'does not fit');
      });

      it('ECDSA with SHA-384 on a P-256 key (legal in TLS 1.2: the scheme names the hash only): verified', () => {
        const o = run({}, {}, editSke((p) => (p.scheme = 0x0503), { resign: true }));
        // The client accepted the signature: what fails now is only the server's own Finished (it hashed another SKE).
        expect(o.clientSession.info).to.include({ version: 'TLSv1.2', signatureScheme: 'ecdsa_secp384r1_sha384' });
        expect(o.clientMessages.map((m) => m.type)).to.include(16); // our ClientKeyExchange went out
      });

      it('ECDSA with SHA-384 on a P-256 key that does not verify: decrypt_error', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.scheme = 0x0503))), 'decrypt_error', 'ServerKeyExchange signature');
      });

      it('a signature that does not verify: decrypt_error', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.signature[p.signature.length - 3]! ^= 1))), 'decrypt_error', 'ServerKeyExchange signature');
      });

      it('an empty signature: decrypt_error', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.signature = EMPTY))), 'decrypt_error');
      });

      it('a changed point (the signature covers it): decrypt_error', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.point[0]! ^= 1))), 'decrypt_error');
      });

      it('a signed point of the wrong length: illegal_parameter', () => {
        expectClientAlert(run({}, {}, editSke((p) => (p.point = p.point.subarray(1)), { resign: true })), 'illegal_parameter');
      });

      it('a signed all-zero X25519 point (zero shared secret): illegal_parameter', () => {
        // The server picks x25519, our first group (listing it alone would leave no curve for its P-256 certificate).
        expectClientAlert(run({}, {}, editSke((p) => (p.point = new Uint8Array(32)), { resign: true })), 'illegal_parameter', 'all-zero');
      });

      it('a signed P-256 point off the curve: illegal_parameter', () => {
        const o = run({ groups: ['secp256r1'] }, {}, editSke((p) => (p.point[64]! ^= 1), { resign: true }));
        expectClientAlert(o, 'illegal_parameter');
      });

      it('a signed compressed P-256 point: illegal_parameter (we asked for uncompressed)', () => {
        const o = run({ groups: ['secp256r1'] }, {}, editSke((p) => (p.point = concatBytes(Uint8Array.of(2 + (p.point[64]! & 1)), p.point.subarray(1, 33))), { resign: true }));
        expectClientAlert(o, 'illegal_parameter');
      });

      it('the resigned original is accepted (the edit alone is the fault above)', () => {
        expectDone(run({}, {}, editSke(() => {}, { resign: true })));
      });
    });

    it('a CertificateRequest: we answer with an empty Certificate before ClientKeyExchange', () => {
      const request = { type: HT.certificate_request, body: Uint8Array.of(1, 64, 0, 2, 4, 3, 0, 0) };
      const o = run({}, {}, editType(HT.server_hello_done, (m) => [request, m]));
      // Our server never asked, so it refuses the Certificate; what matters is what we sent.
      expect(o.clientMessages.map((m) => m.type)).to.deep.equal([HT.client_hello, HT.certificate, HT.client_key_exchange]);
      expect(Buffer.from(o.clientMessages[1]!.body).toString('hex')).to.equal('000000');
    });

    it('two CertificateRequests: unexpected_message', () => {
      const request = { type: HT.certificate_request, body: Uint8Array.of(1, 64, 0, 2, 4, 3, 0, 0) };
      expectClientAlert(run({}, {}, editType(HT.server_hello_done, (m) => [request, request, m])), 'unexpected_message');
    });
  });

  describe("the server's last flight", () => {
    it('a NewSessionTicket changed on the wire: the Finished does not verify (decrypt_error), no ticket kept', () => {
      const o = run({}, {}, editType(HT.new_session_ticket, (m) => [{ type: m.type, body: concatBytes(Uint8Array.of(m.body[0]! ^ 1), m.body.subarray(1)) }]));
      expectClientAlert(o, 'decrypt_error', 'server Finished does not verify');
      expect(o.clientSession.info.tickets).to.deep.equal([]);
    });

    // A resumed handshake, where the server's NewSessionTicket follows its ServerHello at once.
    it('a NewSessionTicket the ServerHello did not promise: unexpected_message', () => {
      const o = run({ session: ticketFrom() }, {}, editServerHello((p) => (p.extensions = p.extensions.filter((e) => e.type !== X.session_ticket))));
      expectClientAlert(o, 'unexpected_message', 'handshake message 4');
    });

    it('a NewSessionTicket in the first flight: unexpected_message', () => {
      const nst = { type: HT.new_session_ticket, body: Uint8Array.of(0, 0, 0, 0, 0, 1, 0xaa) };
      expectClientAlert(run({}, {}, editType(HT.server_hello_done, (m) => [nst, m])), 'unexpected_message');
    });

    // Resumed handshakes, the server's Finished made again over the edited messages (client-harness.ts refinish).
    it('the harness check: a resumed handshake with the Finished made again completes', () => {
      const o = run({ session: ticketFrom() }, {}, undefined, { refinish: true });
      expectDone(o);
      expect(o.clientSession.info.tickets).to.have.length(1);
    });

    it('an empty NewSessionTicket (RFC 5077 §3.3: the server issues none after all): completes, no ticket kept', () => {
      const empty = { type: HT.new_session_ticket, body: Uint8Array.of(0, 0, 0x1c, 0x20, 0, 0) };
      const o = run({ session: ticketFrom() }, {}, editType(HT.new_session_ticket, () => [empty]), { refinish: true });
      // Done on our side; the server, whose transcript holds the ticket it sent, then refuses our Finished.
      expect(o.client).to.equal('done');
      expect(o.clientSession.info).to.include({ resumed: true });
      expect(o.clientSession.info.tickets).to.deep.equal([]);
    });

    it('a NewSessionTicket with a lifetime hint of 0 (unspecified) is kept with lifetime 0', () => {
      const o = run({ session: ticketFrom() }, {}, editType(HT.new_session_ticket, (m) => [{ type: m.type, body: concatBytes(new Uint8Array(4), m.body.subarray(4)) }]), { refinish: true });
      expect(o.client).to.equal('done');
      expect(o.clientSession.info.tickets[0]).to.include({ lifetime: 0 });
    });

    it('a promised NewSessionTicket that does not come (CCS first): unexpected_message', () => {
      expectClientAlert(run({}, {}, editType(HT.new_session_ticket, () => [])), 'unexpected_message', 'change_cipher_spec');
    });
  });
});
