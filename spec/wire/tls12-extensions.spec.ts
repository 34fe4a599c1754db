import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { toHex } from '../../lib/wire/codec.js';
import { ExtensionType as X, HandshakeType as HT, NamedGroupCode } from '../../lib/wire/enums.js';
import { decodeAlpn, decodeServerName, decodeU16List, encodeAlpn, encodeServerName, encodeU16List, findExtension } from '../../lib/wire/extension.js';
import { type ClientHello, type ServerHello, decodeHandshake } from '../../lib/wire/handshake.js';
import { EcPointFormat, TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV } from '../../lib/wire/tls12-enums.js';
import {
  checkEcPointFormats,
  checkRenegotiationInfo,
  decodeEcPointFormats,
  decodeExtendedMasterSecret,
  decodeRenegotiationInfo,
  decodeServerSessionTicket,
  decodeSessionTicket,
  encodeEcPointFormats,
  encodeExtendedMasterSecret,
  encodeRenegotiationInfo,
  encodeSessionTicket,
} from '../../lib/wire/tls12-extensions.js';
import { decodeTls12NewSessionTicket } from '../../lib/wire/tls12-messages.js';
import { alertOf } from '../support/alerts.js';
import { fromHex as hex } from '../support/hex.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff);

/**
 * A real TLS 1.2 exchange with OpenSSL 3.0.19, as `openssl s_client -msg`
 * prints it (header included): s_server -tls1_2 -alpn http/1.1 with an
 * RSA-2048 certificate; s_client -tls1_2 -groups P-256 -servername localhost
 * -alpn http/1.1 -sess_out, then a second s_client -sess_in resuming with the
 * ticket (spec/wire/tls12-messages.spec.ts holds the rest of that handshake).
 */
const CAPTURE = {
  /** SCSV 0x00ff, no renegotiation_info; ec_point_formats [0, 1, 2], session_ticket empty, EMS, ALPN http/1.1. */
  clientHello: hex(`
    010000cc0303f78d7c6696e879c6e33aa8d60d7c96caaac8e964ad0addcde4faf2c3579da816000038c02cc030009fcc
    a9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00
    ff0100006b0000000e000c0000096c6f63616c686f7374000b000403000102000a000400020017002300000010000b00
    0908687474702f312e310016000000170000000d002a0028040305030603080708080809080a080b0804080508060401
    05010601030303010302040205020602
  `),
  /** renegotiation_info empty, ec_point_formats [0, 1, 2], session_ticket empty, ALPN http/1.1, EMS. */
  serverHello: hex(`
    0200004c03030510b1b0cb842993c7b0354f5ff58f8040158d519a24b1ab097b683af5313edd00c030000024ff010001
    00000b000403000102002300000010000b000908687474702f312e3100170000
  `),
  /** The next connection, resuming: session_ticket holds the ticket of the NewSessionTicket below. */
  resumeClientHello: hex(`
    0100019c0303632f82bd89ed2685e8fbfe21b3b00817b3c2b6ffcdbbf662c8bd732a6124a1592098bfc78744120d32fb
    ff24d317f5c74f3941d32858eddcf92dc683eadd88f81e0038c02cc030009fcca9cca8ccaac02bc02f009ec024c02800
    6bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff0100011b0000000e000c0000096c6f
    63616c686f7374000b000403000102000a000400020017002300b0623f2cd964717b6d5dff3539e4f58081541c95ba22
    23360178cad49b86bede3a012fe83eb8a29b1fe72befd0f54601cd2c91ed84e650e591df44fdcb19cd3ab889e1012d5e
    40b754f734fc6ed46fe6319b7c736eff8d4b3c46b19d23c7934b3dc70c58117f5c322802dd46ad5ded477045af31ddaf
    e4491587af284f43dde8ce12ddd600abbca441d83d057ee0a1950e5bff82e41a3ab2b91911e8f2e22f0d18b4f622c962
    e2ce5f0fdf940f1ded9db10010000b000908687474702f312e310016000000170000000d002a00280403050306030807
    08080809080a080b080408050806040105010601030303010302040205020602
  `),
  /** No session_ticket: the server keeps the ticket and issues none. */
  resumeServerHello: hex(`
    020000600303e35514da5718f87113d85a7f02e21feb2182a23630f8f37366b3ab338fa03df62098bfc78744120d32fb
    ff24d317f5c74f3941d32858eddcf92dc683eadd88f81ec030000018ff010001000010000b000908687474702f312e31
    00170000
  `),
  newSessionTicket: hex(`
    040000b600001c2000b0623f2cd964717b6d5dff3539e4f58081541c95ba2223360178cad49b86bede3a012fe83eb8a2
    9b1fe72befd0f54601cd2c91ed84e650e591df44fdcb19cd3ab889e1012d5e40b754f734fc6ed46fe6319b7c736eff8d
    4b3c46b19d23c7934b3dc70c58117f5c322802dd46ad5ded477045af31ddafe4491587af284f43dde8ce12ddd600abbc
    a441d83d057ee0a1950e5bff82e41a3ab2b91911e8f2e22f0d18b4f622c962e2ce5f0fdf940f1ded9db1
  `),
};

const hello = <T extends ClientHello | ServerHello>(raw: Uint8Array): T => decodeHandshake(raw[0]!, raw.subarray(4), 32) as T;
const ext = (h: ClientHello | ServerHello, type: number) => findExtension(h.extensions, type);

describe('TLS 1.2 extension bodies', () => {
  describe('exact bytes', () => {
    it('extended_master_secret (RFC 7627 §5.1): an empty body', () => {
      expect(encodeExtendedMasterSecret()).to.have.length(0);
      expect(() => decodeExtendedMasterSecret(new Uint8Array(0))).to.not.throw();
    });

    it('renegotiation_info (RFC 5746 §3.2): renegotiated_connection<0..255>, empty on an initial handshake', () => {
      expect(toHex(encodeRenegotiationInfo())).to.equal('00');
      expect(toHex(encodeRenegotiationInfo(bytes(12)))).to.equal('0c' + toHex(bytes(12)));
      expect(toHex(encodeRenegotiationInfo(bytes(24)))).to.equal('18' + toHex(bytes(24)));
      expect(decodeRenegotiationInfo(Uint8Array.of(0))).to.have.length(0);
      expect(toHex(decodeRenegotiationInfo(encodeRenegotiationInfo(bytes(255))))).to.equal(toHex(bytes(255)));
    });

    it('ec_point_formats (RFC 8422 §5.1.2): we send [uncompressed]', () => {
      expect(toHex(encodeEcPointFormats())).to.equal('0100');
      expect(toHex(encodeEcPointFormats([0, 1, 2]))).to.equal('03000102');
      expect(decodeEcPointFormats(hex('03000102'))).to.deep.equal([0, 1, 2]);
      expect(checkEcPointFormats(hex('0100'))).to.deep.equal([EcPointFormat.uncompressed]);
    });

    it('session_ticket (RFC 5077 §3.2): the body is the ticket, with no length of its own', () => {
      expect(encodeSessionTicket()).to.have.length(0);
      const t = bytes(176);
      const body = encodeSessionTicket(t);
      expect(toHex(body)).to.equal(toHex(t));
      t[0]! ^= 1;
      expect(body[0]).to.not.equal(t[0]); // a copy
      expect(toHex(decodeSessionTicket(body))).to.equal(toHex(body));
      expect(decodeSessionTicket(new Uint8Array(0))).to.have.length(0);
      expect(() => decodeServerSessionTicket(new Uint8Array(0))).to.not.throw();
    });

    it('the signalling cipher suite values', () => {
      expect(TLS_EMPTY_RENEGOTIATION_INFO_SCSV).to.equal(0x00ff);
      expect(TLS_FALLBACK_SCSV).to.equal(0x5600);
    });
  });

  describe("openssl's hellos: every extension decodes and re-encodes to its bytes, with the codecs of extension.ts for the shared ones", () => {
    it('every extension of the three hellos that we know re-encodes from its decoded value to the same bytes', () => {
      const reencode: Record<number, (data: Uint8Array, isServer: boolean) => Uint8Array> = {
        [X.server_name]: (d, isServer) => (isServer ? new Uint8Array(0) : encodeServerName(decodeServerName(d)!)),
        [X.ec_point_formats]: (d) => encodeEcPointFormats(decodeEcPointFormats(d)),
        [X.supported_groups]: (d) => encodeU16List(decodeU16List(d, 'supported_groups')),
        [X.signature_algorithms]: (d) => encodeU16List(decodeU16List(d, 'signature_algorithms')),
        [X.alpn]: (d) => encodeAlpn(decodeAlpn(d)),
        [X.extended_master_secret]: (d) => (decodeExtendedMasterSecret(d), encodeExtendedMasterSecret()),
        [X.session_ticket]: (d, isServer) => (isServer ? (decodeServerSessionTicket(d), encodeSessionTicket()) : encodeSessionTicket(decodeSessionTicket(d))),
        [X.renegotiation_info]: (d) => encodeRenegotiationInfo(decodeRenegotiationInfo(d)),
      };
      const seen = new Set<number>();
      for (const raw of [CAPTURE.clientHello, CAPTURE.serverHello, CAPTURE.resumeClientHello, CAPTURE.resumeServerHello]) {
        const h = hello<ClientHello | ServerHello>(raw);
        for (const e of h.extensions) {
          const f = reencode[e.type];
          if (!f) continue; // encrypt_then_mac (22): not ours
          seen.add(e.type);
          expect(toHex(f(e.data, h.type === HT.server_hello)), `extension ${e.type} of type ${h.type}`).to.equal(toHex(e.data));
        }
      }
      expect(seen.size).to.equal(Object.keys(reencode).length);
    });

    it('ClientHello: the SCSV instead of renegotiation_info, point formats, EMS, an empty session_ticket, SNI, groups, ALPN, signature algorithms', () => {
      const ch = hello<ClientHello>(CAPTURE.clientHello);
      expect(ch.cipherSuites).to.include(TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
      expect(ch.cipherSuites).to.not.include(TLS_FALLBACK_SCSV);
      expect(ext(ch, X.renegotiation_info)).to.equal(undefined);
      const formats = ext(ch, X.ec_point_formats)!;
      expect(checkEcPointFormats(formats)).to.deep.equal([0, 1, 2]);
      expect(toHex(encodeEcPointFormats(decodeEcPointFormats(formats)))).to.equal(toHex(formats));
      decodeExtendedMasterSecret(ext(ch, X.extended_master_secret)!);
      expect(decodeSessionTicket(ext(ch, X.session_ticket)!)).to.have.length(0);
      expect(decodeServerName(ext(ch, X.server_name)!)).to.equal('localhost');
      expect(toHex(encodeServerName('localhost'))).to.equal(toHex(ext(ch, X.server_name)!));
      expect(decodeU16List(ext(ch, X.supported_groups)!, 'supported_groups')).to.deep.equal([NamedGroupCode.secp256r1]);
      expect(decodeAlpn(ext(ch, X.alpn)!)).to.deep.equal(['http/1.1']);
      expect(toHex(encodeAlpn(['http/1.1']))).to.equal(toHex(ext(ch, X.alpn)!));
      const algs = decodeU16List(ext(ch, X.signature_algorithms)!, 'signature_algorithms');
      expect(algs.slice(0, 2)).to.deep.equal([0x0403, 0x0503]);
      expect(toHex(encodeU16List(algs))).to.equal(toHex(ext(ch, X.signature_algorithms)!));
    });

    it('ServerHello: an empty renegotiation_info, point formats, an empty session_ticket, ALPN, EMS', () => {
      const sh = hello<ServerHello>(CAPTURE.serverHello);
      expect(sh.legacyVersion).to.equal(0x0303);
      const ri = ext(sh, X.renegotiation_info)!;
      checkRenegotiationInfo(ri);
      expect(toHex(encodeRenegotiationInfo())).to.equal(toHex(ri));
      expect(checkEcPointFormats(ext(sh, X.ec_point_formats)!)).to.deep.equal([0, 1, 2]);
      decodeServerSessionTicket(ext(sh, X.session_ticket)!);
      decodeExtendedMasterSecret(ext(sh, X.extended_master_secret)!);
      expect(decodeAlpn(ext(sh, X.alpn)!)).to.deep.equal(['http/1.1']);
    });

    it("resumption: the ClientHello's session_ticket is the NewSessionTicket's ticket; the ServerHello has no session_ticket", () => {
      const ch = hello<ClientHello>(CAPTURE.resumeClientHello);
      const nst = decodeTls12NewSessionTicket(CAPTURE.newSessionTicket.subarray(4));
      const ticket = decodeSessionTicket(ext(ch, X.session_ticket)!);
      expect(ticket).to.have.length(176);
      expect(toHex(ticket)).to.equal(toHex(nst.ticket));
      expect(toHex(encodeSessionTicket(nst.ticket))).to.equal(toHex(ext(ch, X.session_ticket)!));
      const sh = hello<ServerHello>(CAPTURE.resumeServerHello);
      expect(toHex(sh.sessionIdEcho)).to.equal(toHex(ch.sessionId));
      expect(ext(sh, X.session_ticket)).to.equal(undefined);
      expect(ext(sh, X.ec_point_formats)).to.equal(undefined);
      checkRenegotiationInfo(ext(sh, X.renegotiation_info)!);
      decodeExtendedMasterSecret(ext(sh, X.extended_master_secret)!);
      expect(sh.type).to.equal(HT.server_hello);
    });
  });

  describe('strict decoding and the checks', () => {
    it('extended_master_secret with a body is decode_error', () => {
      expect(alertOf(() => decodeExtendedMasterSecret(Uint8Array.of(0)))).to.equal('decode_error');
    });

    it('renegotiation_info: a missing or lying length, or trailing bytes, are decode_error', () => {
      for (const h of ['', '01', '0c' + '00'.repeat(11), '0000', '01aabb']) {
        expect(alertOf(() => decodeRenegotiationInfo(hex(h))), h).to.equal('decode_error');
        expect(alertOf(() => checkRenegotiationInfo(hex(h))), h).to.equal('decode_error');
      }
    });

    it('renegotiation_info: anything but the expected renegotiated_connection is handshake_failure', () => {
      // An initial handshake expects it empty (RFC 5746 §3.4, §3.6).
      expect(alertOf(() => checkRenegotiationInfo(encodeRenegotiationInfo(bytes(12))))).to.equal('handshake_failure');
      expect(alertOf(() => checkRenegotiationInfo(encodeRenegotiationInfo(Uint8Array.of(0))))).to.equal('handshake_failure');
      // Were we to renegotiate: the saved verify_data, exactly.
      const saved = bytes(24);
      checkRenegotiationInfo(encodeRenegotiationInfo(saved), saved);
      expect(alertOf(() => checkRenegotiationInfo(encodeRenegotiationInfo(), saved))).to.equal('handshake_failure');
      expect(alertOf(() => checkRenegotiationInfo(encodeRenegotiationInfo(saved.subarray(0, 12)), saved))).to.equal('handshake_failure');
      const flipped = saved.slice();
      flipped[23]! ^= 1;
      expect(alertOf(() => checkRenegotiationInfo(encodeRenegotiationInfo(flipped), saved))).to.equal('handshake_failure');
    });

    it('ec_point_formats: an empty list or a lying length is decode_error; a list without uncompressed is illegal_parameter', () => {
      for (const h of ['', '00', '0200', '010000', 'ff00']) expect(alertOf(() => decodeEcPointFormats(hex(h))), h).to.equal('decode_error');
      expect(alertOf(() => checkEcPointFormats(hex('00')))).to.equal('decode_error');
      expect(alertOf(() => checkEcPointFormats(hex('020102')))).to.equal('illegal_parameter');
      expect(alertOf(() => checkEcPointFormats(hex('01ff')))).to.equal('illegal_parameter');
      expect(checkEcPointFormats(hex('03ff0100'))).to.deep.equal([255, 1, 0]);
    });

    it("a ServerHello's non-empty session_ticket is decode_error", () => {
      expect(alertOf(() => decodeServerSessionTicket(Uint8Array.of(0)))).to.equal('decode_error');
    });

    it('encoders refuse what cannot be sent (RangeError)', () => {
      expect(() => encodeRenegotiationInfo(bytes(256))).to.throw(RangeError);
      expect(() => encodeEcPointFormats([])).to.throw(RangeError);
      expect(() => encodeEcPointFormats([256])).to.throw(RangeError);
      expect(() => encodeEcPointFormats(new Array(256).fill(0))).to.throw(RangeError);
      expect(() => encodeSessionTicket(bytes(0x10000))).to.throw(RangeError);
      expect(encodeSessionTicket(bytes(0xffff))).to.have.length(0xffff);
    });

    it('random bodies only ever fail with a TlsError, and what decodes re-encodes to itself (fuzz)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
          const attempts: [string, () => void][] = [
            ['renegotiation_info', () => expect(toHex(encodeRenegotiationInfo(decodeRenegotiationInfo(data)))).to.equal(toHex(data))],
            ['ec_point_formats', () => expect(toHex(encodeEcPointFormats(decodeEcPointFormats(data)))).to.equal(toHex(data))],
            ['check ec_point_formats', () => void checkEcPointFormats(data)],
            ['check renegotiation_info', () => checkRenegotiationInfo(data)],
            ['extended_master_secret', () => decodeExtendedMasterSecret(data)],
            ['server session_ticket', () => decodeServerSessionTicket(data)],
            ['session_ticket', () => expect(toHex(encodeSessionTicket(decodeSessionTicket(data)))).to.equal(toHex(data))],
          ];
          for (const [name, attempt] of attempts) {
            try {
              attempt();
            } catch (e) {
              expect(e, `${name}: ${String(e)}`).to.be.instanceOf(TlsError);
            }
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('valid values round-trip (property)', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 255 }),
          fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 255 }),
          fc.uint8Array({ maxLength: 1000 }),
          (rc, formats, ticket) => {
            expect(toHex(decodeRenegotiationInfo(encodeRenegotiationInfo(rc)))).to.equal(toHex(rc));
            checkRenegotiationInfo(encodeRenegotiationInfo(rc), rc);
            expect(decodeEcPointFormats(encodeEcPointFormats(formats))).to.deep.equal(formats);
            expect(toHex(decodeSessionTicket(encodeSessionTicket(ticket)))).to.equal(toHex(ticket));
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
