/**
 * The TLS 1.2 server (lib/tls12/server) fed hand-built ClientHellos, seen
 * from the bytes it writes back: what it picks from an offer and what it
 * refuses (with which alert), what its ServerHello says, its
 * ServerKeyExchange signature (checked on node:crypto), and which session
 * tickets it resumes. Real clients: spec/interop/tls12-server.spec.ts.
 */
import { expect } from 'chai';
import { X509Certificate, verify as nodeVerify } from 'node:crypto';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { TlsError } from '../../lib/errors.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { ServerOptions } from '../../lib/tls13/config.js';
import { type TicketKey, TicketKeySet } from '../../lib/tls12/ticket-keys.js';
import { type Tls12TicketState, encodeTicketState } from '../../lib/tls12/ticket-state.js';
import { Reader, concatBytes } from '../../lib/wire/codec.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { type Extension, encodeAlpn, encodeServerName, encodeU16List } from '../../lib/wire/extension.js';
import { type ClientHello, type ServerHello, decodeHandshake, encodeHandshake } from '../../lib/wire/handshake.js';
import { encodeEcPointFormats, encodeRenegotiationInfo } from '../../lib/wire/tls12-extensions.js';
import { type CertKind, fixture, serverIdentity } from '../support/fixtures.js';

const SUITE = { aes128: 0xc02b, aes256: 0xc02c, chacha: 0xcca9, rsaAes128: 0xc02f, rsaKxAes128: 0x009c, scsv: 0x00ff, fallback: 0x5600, tls13: 0x1301 };
const GROUP = { x25519: 0x1d, p256: 0x17, p384: 0x18, p521: 0x19 };
const SCHEME = { p256: 0x0403, p384: 0x0503, ed25519: 0x0807, rsaPss: 0x0804, rsaPkcs1: 0x0401, ecdsaSha1: 0x0203 };
const DOWNGRD = '444f574e47524401';

type Ext = keyof typeof DEFAULT_EXTENSIONS;
const DEFAULT_EXTENSIONS = {
  server_name: encodeServerName('localhost'),
  supported_groups: encodeU16List([GROUP.x25519, GROUP.p256, GROUP.p384]),
  ec_point_formats: encodeEcPointFormats([0]),
  signature_algorithms: encodeU16List([SCHEME.p256, SCHEME.p384, SCHEME.ed25519, SCHEME.rsaPss]),
  extended_master_secret: new Uint8Array(0),
  session_ticket: new Uint8Array(0),
} satisfies Partial<Record<keyof typeof X, Uint8Array>>;

/** A TLS 1.2 ClientHello as openssl -tls1_2 sends it (SCSV, EMS, points, empty ticket, SNI); `ext` replaces (or with undefined removes) extensions. */
function hello(over: Partial<ClientHello> = {}, ext: Partial<Record<Ext | keyof typeof X, Uint8Array | undefined>> = {}): ClientHello {
  const merged: Record<string, Uint8Array | undefined> = { ...DEFAULT_EXTENSIONS, ...ext };
  const extensions: Extension[] = Object.entries(merged)
    .filter((e): e is [string, Uint8Array] => e[1] !== undefined)
    .map(([name, data]) => ({ type: X[name as keyof typeof X], data }));
  return {
    type: 1,
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(0xc1),
    sessionId: new Uint8Array(0),
    cipherSuites: [SUITE.aes128, SUITE.aes256, SUITE.chacha, SUITE.scsv],
    compressionMethods: Uint8Array.of(0),
    extensions,
    ...over,
  };
}

function record(type: number, body: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(type, 3, 3, body.length >> 8, body.length & 0xff), body);
}

interface Message {
  type: number;
  body: Uint8Array;
}

interface Answer {
  error?: TlsError;
  /** Plaintext handshake messages, up to our ChangeCipherSpec. */
  messages: Message[];
  /** We sent a ChangeCipherSpec (then an encrypted Finished). */
  ccs: boolean;
  /** Alert records in the clear: [level, description]. */
  alerts: number[][];
  session: Session;
}

/** A fresh server fed `bytes` (a ClientHello record by default): what it wrote, or the error it threw. */
function serve(h: ClientHello | Uint8Array, options: Partial<ServerOptions> = {}, cert: CertKind = 'p256'): Answer {
  const session = Session.server({ ...serverIdentity(cert), ...options });
  const input = h instanceof Uint8Array ? h : record(22, encodeHandshake(h));
  const written: Uint8Array[] = [];
  let fed = false;
  session.setTransport({ push: (b) => (written.push(b.slice()), b.length), pull: () => (fed ? AGAIN : ((fed = true), input)) });
  let error: TlsError | undefined;
  try {
    expect(session.handshake()).to.equal(AGAIN);
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    error = e;
  }
  return { error, ...parse(concatBytes(...written)), session };
}

function parse(bytes: Uint8Array): Pick<Answer, 'messages' | 'ccs' | 'alerts'> {
  const r = new Reader(bytes, 'output');
  let hs: Uint8Array = new Uint8Array(0);
  let ccs = false;
  const alerts: number[][] = [];
  while (!r.atEnd()) {
    const type = r.u8();
    r.u16();
    const fragment = r.vec(2);
    if (type === 20) ccs = true;
    else if (type === 21 && !ccs) alerts.push(Array.from(fragment));
    else if (type === 22 && !ccs) hs = concatBytes(hs, fragment);
  }
  const messages: Message[] = [];
  for (const m = new Reader(hs, 'handshake'); !m.atEnd(); ) messages.push({ type: m.u8(), body: m.vec(3) });
  return { messages, ccs, alerts };
}

function serverHello(a: Answer): ServerHello {
  expect(a.error, a.error?.message).to.equal(undefined);
  expect(a.messages[0]?.type).to.equal(2);
  return decodeHandshake(2, a.messages[0]!.body, 32) as ServerHello;
}

const extTypes = (sh: ServerHello) => sh.extensions.map((e) => e.type);
const extData = (sh: ServerHello, type: number) => sh.extensions.find((e) => e.type === type)?.data;
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : undefined);

function expectRefused(a: Answer, alert: string, message?: RegExp): void {
  expect(a.error?.alert, a.error?.message ?? 'no error').to.equal(alert);
  if (message) expect(a.error!.message).to.match(message);
  // The alert went out in the clear, fatal, and nothing else did.
  expect(a.messages).to.deep.equal([]);
  expect(a.alerts.at(-1)?.[0]).to.equal(2);
}

/** The ServerKeyExchange (RFC 8422 §5.4) of a full-handshake answer: curve type, group, point, scheme, signature, and the signed params bytes. */
function serverKeyExchange(a: Answer) {
  const ske = a.messages.find((m) => m.type === 12)!;
  const r = new Reader(ske.body, 'ske');
  const curveType = r.u8();
  const group = r.u16();
  const point = r.vec(1);
  const params = ske.body.subarray(0, 4 + point.length);
  return { curveType, group, point, params, scheme: r.u16(), signature: r.vec(2) };
}

describe('TLS 1.2 server: ClientHellos', () => {
  describe('a full handshake answer', () => {
    it('ServerHello, Certificate, ServerKeyExchange, ServerHelloDone in the clear; then it waits for the client', () => {
      const a = serve(hello(), { suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] });
      expect(a.error).to.equal(undefined);
      expect(a.messages.map((m) => m.type)).to.deep.equal([2, 11, 12, 14]);
      expect(a.ccs).to.equal(false);
      expect(a.session.info).to.include({
        version: 'TLSv1.2',
        suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        group: 'x25519',
        signatureScheme: 'ecdsa_secp256r1_sha256',
        serverName: 'localhost',
        extendedMasterSecret: true,
        resumed: false,
      });
    });

    it('ServerHello: legacy_version 0x0303, no session id, null compression, and only extensions the client sent', () => {
      const sh = serverHello(serve(hello({ sessionId: new Uint8Array(32).fill(5) }), { suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] }));
      expect(sh.legacyVersion).to.equal(0x0303);
      expect(sh.sessionIdEcho.length).to.equal(0);
      expect(sh.cipherSuite).to.equal(SUITE.aes128);
      expect(sh.compressionMethod).to.equal(0);
      expect(extTypes(sh)).to.have.members([X.renegotiation_info, X.extended_master_secret, X.ec_point_formats, X.session_ticket, X.server_name]);
      expect(hex(extData(sh, X.renegotiation_info))).to.equal('00');
      expect(hex(extData(sh, X.extended_master_secret))).to.equal('');
      expect(hex(extData(sh, X.ec_point_formats))).to.equal('0100');
      expect(hex(extData(sh, X.session_ticket))).to.equal('');
      expect(hex(extData(sh, X.server_name))).to.equal('');
    });

    it('a client that sends none of the optional extensions gets none back (and no SNI without a name)', () => {
      const sh = serverHello(
        serve(hello({ cipherSuites: [SUITE.aes128] }, { server_name: undefined, supported_groups: undefined, ec_point_formats: undefined, session_ticket: undefined })),
      );
      expect(extTypes(sh)).to.deep.equal([X.extended_master_secret]);
    });

    it('the Certificate message carries our chain', () => {
      const a = serve(hello());
      const cert = a.messages.find((m) => m.type === 11)!;
      const r = new Reader(cert.body, 'certificate');
      const list = r.sub(3);
      const der = list.vec(3);
      expect(list.atEnd()).to.equal(true);
      expect(Buffer.from(der).equals(new X509Certificate(fixture('server-p256.pem')).raw)).to.equal(true);
    });

    for (const [kind, scheme, hash, suites] of [
      ['p256', SCHEME.p256, 'sha256', [SUITE.aes128]],
      ['p384', SCHEME.p384, 'sha384', [SUITE.aes256]],
      ['ed25519', SCHEME.ed25519, null, [SUITE.chacha]],
    ] as const) {
      it(`ServerKeyExchange with a ${kind} certificate: named curve, our share, signed over both randoms and the params (node:crypto verifies)`, () => {
        const a = serve(hello({ cipherSuites: [...suites] }), {}, kind);
        const sh = serverHello(a);
        const ske = serverKeyExchange(a);
        expect(ske.curveType).to.equal(3);
        expect(ske.group).to.equal(GROUP.x25519);
        expect(ske.point.length).to.equal(32);
        expect(ske.scheme).to.equal(scheme);
        const signed = concatBytes(hello().random, sh.random, ske.params);
        const key = new X509Certificate(fixture(`server-${kind}.pem`)).publicKey;
        expect(nodeVerify(hash, signed, { key, dsaEncoding: 'der' }, ske.signature)).to.equal(true);
      });
    }
  });

  describe('the random and the downgrade sentinel (RFC 8446 §4.1.3)', () => {
    it('with TLS 1.3 enabled (the default), the last 8 bytes are 44 4F 57 4E 47 52 44 01', () => {
      const sh = serverHello(serve(hello()));
      expect(hex(sh.random.subarray(24))).to.equal(DOWNGRD);
      expect(hex(sh.random.subarray(0, 24))).to.not.equal(hex(new Uint8Array(24)));
    });

    it('a TLS 1.2-only server (maxVersion) sends 32 random bytes', () => {
      const sh = serverHello(serve(hello(), { maxVersion: 'TLSv1.2' }));
      expect(hex(sh.random.subarray(24))).to.not.equal(DOWNGRD);
    });

    it('a server whose suites are all TLS 1.2 cannot speak 1.3 either: no sentinel', () => {
      const sh = serverHello(serve(hello(), { suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] }));
      expect(hex(sh.random.subarray(24))).to.not.equal(DOWNGRD);
    });

    it('two handshakes, two randoms', () => {
      expect(hex(serverHello(serve(hello())).random)).to.not.equal(hex(serverHello(serve(hello())).random));
    });
  });

  describe('cipher suites', () => {
    it("our preference decides, not the client's order", () => {
      const sh = serverHello(serve(hello({ cipherSuites: [SUITE.chacha, SUITE.aes256, SUITE.aes128] }), { suites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] }));
      expect(sh.cipherSuite).to.equal(SUITE.aes256);
    });

    it('no suite in common: handshake_failure', () => {
      expectRefused(serve(hello({ cipherSuites: [SUITE.rsaKxAes128, SUITE.scsv] })), 'handshake_failure', /no TLS 1.2 cipher suite in common/);
    });

    it('ECDHE_RSA suites only, and our certificate is ECDSA: handshake_failure naming why', () => {
      expectRefused(serve(hello({ cipherSuites: [SUITE.rsaAes128, SUITE.scsv] })), 'handshake_failure', /ECDHE_RSA suites only and our certificate is not RSA/);
    });

    it('only TLS 1.3 suites in a TLS 1.2 hello: handshake_failure', () => {
      expectRefused(serve(hello({ cipherSuites: [SUITE.tls13] })), 'handshake_failure');
    });

    it('a configured suite the client lacks is skipped', () => {
      const sh = serverHello(serve(hello({ cipherSuites: [SUITE.chacha] }), { suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] }));
      expect(sh.cipherSuite).to.equal(SUITE.chacha);
    });
  });

  describe('supported_groups (RFC 8422 §4)', () => {
    it('absent: the client takes any curve, ours first', () => {
      expect(serverKeyExchange(serve(hello({}, { supported_groups: undefined }), { groups: ['secp384r1', 'x25519'] })).group).to.equal(GROUP.p384);
    });

    it('present: our preference among the client\'s', () => {
      const a = serve(hello({}, { supported_groups: encodeU16List([GROUP.p384, GROUP.p256]) }));
      expect(serverKeyExchange(a).group).to.equal(GROUP.p256);
      expect(serverKeyExchange(a).point.length).to.equal(65);
      expect(a.session.info.group).to.equal('secp256r1');
    });

    it('none in common: handshake_failure (X25519MLKEM768 is never an ECDHE group)', () => {
      expectRefused(serve(hello({}, { supported_groups: encodeU16List([0x11ec, 0x0100]) }), {}, 'ed25519'), 'handshake_failure', /no key-exchange group in common/);
    });

    it('secp521r1 and x448 when the client lists only them', () => {
      for (const [code, name, length] of [[0x19, 'secp521r1', 133], [0x1e, 'x448', 56]] as const) {
        // An Ed25519 certificate: an ECDSA one would need its own curve listed too (RFC 8422 §4).
        const a = serve(hello({}, { supported_groups: encodeU16List([0x11ec, code]) }), {}, 'ed25519');
        expect(serverKeyExchange(a).group).to.equal(code);
        expect(serverKeyExchange(a).point.length).to.equal(length);
        expect(a.session.info.group).to.equal(name);
      }
    });

    it("they name certificate curves too: an ECDSA certificate on a curve the client did not list is handshake_failure (RFC 8422 §4)", () => {
      const x25519Only = hello({}, { supported_groups: encodeU16List([GROUP.x25519]) });
      expectRefused(serve(x25519Only), 'handshake_failure', /certificate's curve is not in the client's supported_groups/);
      expectRefused(serve(hello({}, { supported_groups: encodeU16List([GROUP.x25519, GROUP.p256]) }), {}, 'p384'), 'handshake_failure', /curve/);
      // The key exchange may still use another group than the certificate's.
      const a = serve(hello({}, { supported_groups: encodeU16List([GROUP.x25519, GROUP.p384]) }), {}, 'p384');
      expect(a.session.info).to.include({ group: 'x25519', signatureScheme: 'ecdsa_secp384r1_sha384' });
      // Ed25519 certificates are governed by signature_algorithms (RFC 8422 §5.1.3).
      expect(serve(x25519Only, {}, 'ed25519').session.info.signatureScheme).to.equal('ed25519');
    });

    it('a malformed list: decode_error', () => {
      expectRefused(serve(hello({}, { supported_groups: Uint8Array.of(0, 3, 0, 0x1d, 0) })), 'decode_error');
    });
  });

  describe('ec_point_formats (RFC 8422 §5.1.2)', () => {
    it('without uncompressed: illegal_parameter', () => {
      expectRefused(serve(hello({}, { ec_point_formats: encodeEcPointFormats([1, 2]) })), 'illegal_parameter', /uncompressed/);
    });

    it('uncompressed among others: accepted, we answer [uncompressed]', () => {
      expect(hex(extData(serverHello(serve(hello({}, { ec_point_formats: encodeEcPointFormats([1, 0]) }))), X.ec_point_formats))).to.equal('0100');
    });
  });

  describe('signature_algorithms', () => {
    it('absent (SHA-1 implied, RFC 5246 §7.4.1.4.1): handshake_failure', () => {
      expectRefused(serve(hello({}, { signature_algorithms: undefined })), 'handshake_failure', /signature_algorithms/);
    });

    it('nothing our key can make: handshake_failure', () => {
      expectRefused(serve(hello({}, { signature_algorithms: encodeU16List([SCHEME.rsaPss, SCHEME.rsaPkcs1, SCHEME.ecdsaSha1]) })), 'handshake_failure', /signature scheme/);
    });

    it('only ECDSA with SHA-384 offered to a P-256 certificate: signs SHA-384 on P-256 (TLS 1.2 does not bind the curve)', () => {
      expect(serve(hello({}, { signature_algorithms: encodeU16List([SCHEME.p384]) })).session.info.signatureScheme).to.equal('ecdsa_secp384r1_sha384');
    });

    it('a P-384 certificate signs with ecdsa_secp384r1_sha384', () => {
      expect(serve(hello(), {}, 'p384').session.info.signatureScheme).to.equal('ecdsa_secp384r1_sha384');
    });
  });

  describe('extended_master_secret (RFC 7627)', () => {
    it('absent: handshake_failure, unless allowLegacyNoExtendedMasterSecret', () => {
      expectRefused(serve(hello({}, { extended_master_secret: undefined })), 'handshake_failure', /client does not support the extended master secret \(RFC 7627\)/);
      const a = serve(hello({}, { extended_master_secret: undefined }), { allowLegacyNoExtendedMasterSecret: true });
      expect(extTypes(serverHello(a))).to.not.include(X.extended_master_secret);
      expect(a.session.info.extendedMasterSecret).to.equal(false);
    });

    it('with a body: decode_error', () => {
      expectRefused(serve(hello({}, { extended_master_secret: Uint8Array.of(0) })), 'decode_error');
    });
  });

  describe('secure renegotiation (RFC 5746)', () => {
    it('the SCSV alone: we answer with an empty renegotiation_info', () => {
      expect(hex(extData(serverHello(serve(hello())), X.renegotiation_info))).to.equal('00');
    });

    it('the extension alone (empty): the same answer', () => {
      const sh = serverHello(serve(hello({ cipherSuites: [SUITE.aes128] }, { renegotiation_info: encodeRenegotiationInfo() })));
      expect(hex(extData(sh, X.renegotiation_info))).to.equal('00');
    });

    it('neither: no renegotiation_info (we never renegotiate, so a legacy client is no risk)', () => {
      expect(extTypes(serverHello(serve(hello({ cipherSuites: [SUITE.aes128] }))))).to.not.include(X.renegotiation_info);
    });

    it('a non-empty renegotiated_connection on an initial handshake: handshake_failure', () => {
      expectRefused(serve(hello({}, { renegotiation_info: encodeRenegotiationInfo(new Uint8Array(12).fill(1)) })), 'handshake_failure', /renegotiation_info/);
    });
  });

  describe('the rest of the hello', () => {
    it('compression without null: illegal_parameter; null among others: accepted', () => {
      expectRefused(serve(hello({ compressionMethods: Uint8Array.of(1) })), 'illegal_parameter', /null compression/);
      expect(serverHello(serve(hello({ compressionMethods: Uint8Array.of(1, 0) }))).compressionMethod).to.equal(0);
    });

    it('a duplicate extension: illegal_parameter', () => {
      const h = hello();
      h.extensions.push({ type: X.extended_master_secret, data: new Uint8Array(0) });
      expectRefused(serve(h), 'illegal_parameter', /duplicate/);
    });

    it('TLS_FALLBACK_SCSV while we speak TLS 1.3: inappropriate_fallback (RFC 7507); a TLS 1.2-only server goes on', () => {
      const h = hello({ cipherSuites: [SUITE.aes128, SUITE.fallback] });
      expectRefused(serve(h), 'inappropriate_fallback');
      expect(serve(h, { maxVersion: 'TLSv1.2' }).error).to.equal(undefined);
    });

    it('ALPN: our preference among the client\'s; none in common is no_application_protocol', () => {
      const a = serve(hello({}, { alpn: encodeAlpn(['http/1.1', 'h2']) }), { alpn: ['h2', 'http/1.1'] });
      expect(hex(extData(serverHello(a), X.alpn))).to.equal(hex(encodeAlpn(['h2'])));
      expect(a.session.info.alpn).to.equal('h2');
      expectRefused(serve(hello({}, { alpn: encodeAlpn(['spdy/3']) }), { alpn: ['h2'] }), 'no_application_protocol');
      expect(extTypes(serverHello(serve(hello({}, { alpn: encodeAlpn(['h2']) }))))).to.not.include(X.alpn);
    });

    it('a TLS 1.2 hello to a TLS 1.3-only server: protocol_version', () => {
      expectRefused(serve(hello(), { minVersion: 'TLSv1.3' }), 'protocol_version');
    });

    it('a hello offering 1.2 in supported_versions (and not 1.3) gets TLS 1.2', () => {
      const a = serve(hello({}, { supported_versions: encodeU16List([0x0303, 0x0302], 1) }));
      expect(a.session.info.version).to.equal('TLSv1.2');
    });
  });

  describe('the ClientHello flight', () => {
    it('a Finished in the clear instead of ClientKeyExchange: unexpected_message', () => {
      const first = record(22, encodeHandshake(hello()));
      const finished = record(22, Uint8Array.of(20, 0, 0, 12, ...new Uint8Array(12)));
      const a = serve(concatBytes(first, finished));
      expect(a.error?.alert).to.equal('unexpected_message');
    });

    it('a ChangeCipherSpec before ClientKeyExchange: unexpected_message', () => {
      const a = serve(concatBytes(record(22, encodeHandshake(hello())), record(20, Uint8Array.of(1))));
      expect(a.error?.alert).to.equal('unexpected_message');
    });

    it('application data before the handshake ends: unexpected_message', () => {
      const a = serve(concatBytes(record(22, encodeHandshake(hello())), record(23, Uint8Array.of(1, 2, 3))));
      expect(a.error?.alert).to.equal('unexpected_message');
    });

    it('a ClientKeyExchange whose point is not on the curve: illegal_parameter', () => {
      const h = hello({}, { supported_groups: encodeU16List([GROUP.p256]) });
      const bad = new Uint8Array(65).fill(1);
      bad[0] = 4;
      const cke = Uint8Array.of(16, 0, 0, 66, 65, ...bad);
      expect(serve(concatBytes(record(22, encodeHandshake(h)), record(22, cke))).error?.alert).to.equal('illegal_parameter');
    });

    it('a compressed P-256 point: illegal_parameter (RFC 8422 §5.1.2: uncompressed only)', () => {
      const h = hello({}, { supported_groups: encodeU16List([GROUP.p256]) });
      const cke = Uint8Array.of(16, 0, 0, 34, 33, 2, ...new Uint8Array(32).fill(7));
      expect(serve(concatBytes(record(22, encodeHandshake(h)), record(22, cke))).error?.alert).to.equal('illegal_parameter');
    });
  });
});

// ---------------------------------------------------------------------------
// Tickets

const NOW = new Date('2026-03-01T12:00:00Z');
const KEY: TicketKey = { name: new Uint8Array(16).fill(7), key: new Uint8Array(32).fill(9) };
const OTHER_KEY: TicketKey = { name: new Uint8Array(16).fill(8), key: new Uint8Array(32).fill(9) };
const TICKETED: Partial<ServerOptions> = { ticketKeys: [KEY], date: () => NOW };
const SESSION_ID = new Uint8Array(32).fill(0x5e);

function ticket(over: Partial<Tls12TicketState> = {}, key: TicketKey = KEY): Uint8Array {
  const state: Tls12TicketState = {
    version: 0x0303,
    cipherSuite: SUITE.aes128,
    masterSecret: new Uint8Array(48).fill(3),
    extendedMasterSecret: true,
    issuedAt: NOW.getTime() - 600_000,
    lifetime: 7200,
    serverName: 'localhost',
    ...over,
  };
  return new TicketKeySet([key]).seal(encodeTicketState(state), nobleCrypto, nobleCrypto.random);
}

/** A hello presenting `t` with a session id, as RFC 5077 §3.4 clients do. */
const presenting = (t: Uint8Array, over: Partial<ClientHello> = {}, ext: Parameters<typeof hello>[1] = {}) =>
  hello({ sessionId: SESSION_ID, ...over }, { session_ticket: t, ...ext });

function expectResumed(a: Answer, withTicket = true): ServerHello {
  const sh = serverHello(a);
  expect(hex(sh.sessionIdEcho)).to.equal(hex(SESSION_ID));
  // ServerHello, [NewSessionTicket], then ChangeCipherSpec and the encrypted Finished: no Certificate, no key exchange.
  expect(a.messages.map((m) => m.type)).to.deep.equal(withTicket ? [2, 4] : [2]);
  expect(a.ccs).to.equal(true);
  expect(a.session.info.resumed).to.equal(true);
  return sh;
}

function expectFull(a: Answer): void {
  const sh = serverHello(a);
  expect(sh.sessionIdEcho.length).to.equal(0);
  expect(a.messages.map((m) => m.type)).to.deep.equal([2, 11, 12, 14]);
  expect(a.ccs).to.equal(false);
  expect(a.session.info.resumed).to.equal(false);
}

describe('TLS 1.2 server: session tickets (RFC 5077)', () => {
  it('a ticket we sealed resumes: the session id echoed, a renewed ticket, our ChangeCipherSpec and Finished first', () => {
    const a = serve(presenting(ticket()), TICKETED);
    const sh = expectResumed(a);
    expect(extTypes(sh)).to.have.members([X.renegotiation_info, X.extended_master_secret, X.ec_point_formats, X.session_ticket]);
    // RFC 6066 §3: no server_name on resumption.
    expect(extTypes(sh)).to.not.include(X.server_name);
    expect(a.session.info).to.include({ suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', serverName: 'localhost', extendedMasterSecret: true });
    expect(a.session.info.group).to.equal(undefined);
  });

  it('the renewed ticket keeps the session\'s terms: its lifetime hint is the time left', () => {
    const a = serve(presenting(ticket({ issuedAt: NOW.getTime() - 1_000_000, lifetime: 3600 })), TICKETED);
    expectResumed(a);
    const nst = new Reader(a.messages[1]!.body, 'nst');
    expect(nst.u32()).to.equal(3600 - 1000);
    expect(nst.vec(2).length).to.be.greaterThan(48);
  });

  it('tickets: 0 resumes without renewing (no session_ticket in the ServerHello)', () => {
    const sh = expectResumed(serve(presenting(ticket()), { ...TICKETED, tickets: 0 }), false);
    expect(extTypes(sh)).to.not.include(X.session_ticket);
  });

  it('a ticket under a key still in the set (rotation) resumes', () => {
    expectResumed(serve(presenting(ticket({}, OTHER_KEY)), { ...TICKETED, ticketKeys: [KEY, OTHER_KEY] }));
  });

  const full: Array<[string, () => ClientHello, Partial<ServerOptions>?]> = [
    ['garbage', () => presenting(new Uint8Array(100).fill(0xaa))],
    ['a ticket under a key we do not hold', () => presenting(ticket({}, OTHER_KEY))],
    ['a ticket with one bit flipped', () => {
      const t = ticket();
      t[t.length - 1]! ^= 1;
      return presenting(t);
    }],
    ['an expired ticket', () => presenting(ticket({ issuedAt: NOW.getTime() - 7201_000 }))],
    ['a ticket older than a lifetime shortened in the config since', () => presenting(ticket({ issuedAt: NOW.getTime() - 601_000 })), { ticketLifetime: 600 }],
    ['a ticket issued more than a minute in the future', () => presenting(ticket({ issuedAt: NOW.getTime() + 120_000 }))],
    ['a DTLS 1.2 session', () => presenting(ticket({ version: 0xfefd }))],
    ['a session whose suite the client no longer offers', () => presenting(ticket({ cipherSuite: SUITE.aes256 }), { cipherSuites: [SUITE.aes128, SUITE.scsv] })],
    ['a session whose suite we no longer configure', () => presenting(ticket()), { suites: ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] }],
    ['a session for another server name (RFC 6066 §3)', () => presenting(ticket({ serverName: 'other.test' }))],
    ['a session for no server name, presented with one', () => presenting(ticket({ serverName: undefined }))],
    ['a session with another ALPN protocol', () => presenting(ticket({ alpn: 'http/1.1' }), {}, { alpn: encodeAlpn(['h2', 'http/1.1']) }), { alpn: ['h2', 'http/1.1'] }],
    ['a session without EMS, presented with EMS (RFC 7627 §5.3: a full handshake gives EMS)', () => presenting(ticket({ extendedMasterSecret: false }))],
  ];
  for (const [what, h, options] of full) {
    it(`${what}: a full handshake, never an error`, () => {
      expectFull(serve(h(), { ...TICKETED, ...options }));
    });
  }

  it('an EMS session presented without EMS: handshake_failure (RFC 7627 §5.3), even when legacy clients are allowed', () => {
    const h = presenting(ticket(), {}, { extended_master_secret: undefined });
    expectRefused(serve(h, { ...TICKETED, allowLegacyNoExtendedMasterSecret: true }), 'handshake_failure', /RFC 7627 §5.3/);
  });

  it('a session without EMS, presented without: resumed only when legacy clients are allowed', () => {
    const h = presenting(ticket({ extendedMasterSecret: false }), {}, { extended_master_secret: undefined });
    const sh = expectResumed(serve(h, { ...TICKETED, allowLegacyNoExtendedMasterSecret: true }));
    expect(extTypes(sh)).to.not.include(X.extended_master_secret);
    expectRefused(serve(h, TICKETED), 'handshake_failure', /extended master secret/);
  });

  it('ALPN that matches the session resumes and is answered again', () => {
    const a = serve(presenting(ticket({ alpn: 'h2' }), {}, { alpn: encodeAlpn(['h2']) }), { ...TICKETED, alpn: ['h2'] });
    expect(hex(extData(expectResumed(a), X.alpn))).to.equal(hex(encodeAlpn(['h2'])));
    expect(a.session.info.alpn).to.equal('h2');
  });

  it('an empty session id with a ticket: resumed with an empty echo (RFC 5077 §3.4 leaves the id to the client)', () => {
    const a = serve(hello({}, { session_ticket: ticket() }), TICKETED);
    expect(serverHello(a).sessionIdEcho.length).to.equal(0);
    expect(a.ccs).to.equal(true);
    expect(a.session.info.resumed).to.equal(true);
  });

  it('a full handshake asked for a ticket issues one only after the client Finished (nothing before our ServerHelloDone)', () => {
    const a = serve(hello(), TICKETED);
    expect(a.messages.map((m) => m.type)).to.deep.equal([2, 11, 12, 14]);
    expect(extTypes(serverHello(a))).to.include(X.session_ticket);
  });

  it('a server name too long for a ticket: no ticket promised', () => {
    const long = `${'a'.repeat(250)}.example`;
    expect(extTypes(serverHello(serve(hello({}, { server_name: encodeServerName(long) }), TICKETED)))).to.not.include(X.session_ticket);
  });

  it('ticketLifetime 0: no tickets', () => {
    expect(extTypes(serverHello(serve(hello(), { ...TICKETED, ticketLifetime: 0 })))).to.not.include(X.session_ticket);
  });
});
