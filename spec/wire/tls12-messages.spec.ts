import { expect } from 'chai';
import fc from 'fast-check';
import { X509Certificate, constants as cryptoConstants, verify as cryptoVerify } from 'node:crypto';
import { TlsError } from '../../lib/errors.js';
import { toHex } from '../../lib/wire/codec.js';
import { HandshakeType as HT } from '../../lib/wire/enums.js';
import { readHandshakeHeader } from '../../lib/wire/handshake-header.js';
import { ClientCertificateType, Tls12HandshakeType as HT12 } from '../../lib/wire/tls12-enums.js';
import {
  type EcdheServerKeyExchange,
  TLS12_VERIFY_DATA_LENGTH,
  type Tls12Certificate,
  type Tls12CertificateRequest,
  type Tls12DecodeContext,
  type Tls12HandshakeMessage,
  type Tls12KeyExchange,
  type Tls12NewSessionTicket,
  decodeClientKeyExchange,
  decodeHelloRequest,
  decodeServerHelloDone,
  decodeServerKeyExchange,
  decodeTls12Body,
  decodeTls12Certificate,
  decodeTls12CertificateRequest,
  decodeTls12CertificateVerify,
  decodeTls12Finished,
  decodeTls12NewSessionTicket,
  ecdheSignedContent,
  encodeClientKeyExchange,
  encodeServerEcdhParams,
  encodeServerKeyExchange,
  encodeTls12Body,
  encodeTls12Certificate,
  encodeTls12CertificateRequest,
  encodeTls12CertificateVerify,
  encodeTls12Finished,
  encodeTls12Handshake,
  encodeTls12NewSessionTicket,
} from '../../lib/wire/tls12-messages.js';
import { spawnTracked, stopAll, which } from '../interop/proc.js';
import { alertOf } from '../support/alerts.js';
import { fixturePath } from '../support/fixtures.js';
import { fromHex as hex } from '../support/hex.js';
const utf8 = (s: string) => new TextEncoder().encode(s);

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff);
const CTX: Tls12DecodeContext = { kx: 'ecdhe', verifyDataLength: TLS12_VERIFY_DATA_LENGTH };

/** Uint8Array subarray views compare by content: make them plain arrays. */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

/** Splits a framed TLS message (4-byte header) into type and body, checking the header's length. */
function unframe(raw: Uint8Array): { type: number; body: Uint8Array } {
  const h = readHandshakeHeader(raw, 0, 'tls')!;
  expect(h.length, 'header length').to.equal(raw.length - 4);
  return { type: h.type, body: raw.subarray(4) };
}

/** Decodes a framed message, and checks that it encodes back to the same bytes. */
function decodeFramed(raw: Uint8Array, ctx = CTX): Tls12HandshakeMessage {
  const { type, body } = unframe(raw);
  const m = decodeTls12Body(type, body, ctx);
  expect(m.type).to.equal(type);
  expect(toHex(encodeTls12Handshake(m))).to.equal(toHex(raw));
  return m;
}

/** Encodes, checks the header, decodes, and compares with the original. */
function roundTrip(m: Tls12HandshakeMessage, ctx = CTX): Uint8Array {
  const raw = encodeTls12Handshake(m);
  const back = decodeFramed(raw, ctx);
  expect(normalize(back)).to.deep.equal(normalize(m));
  return raw.subarray(4);
}

/**
 * Real TLS 1.2 handshakes recorded with OpenSSL 3.0.19 (27 Jan 2026), the
 * plaintext of each handshake message as `openssl s_client -msg` prints it
 * (header included). ECDSA: in spec/fixtures,
 *   openssl s_server -accept 127.0.0.1:PORT -tls1_2 -cert server-p256.pem -key server-p256.key -Verify 1 -CAfile ca.pem
 *   openssl s_client -connect 127.0.0.1:PORT -tls1_2 -servername localhost -cert client-only.pem -key client-only.key -CAfile ca.pem -msg -alpn h2
 * (ECDHE-ECDSA-AES256-GCM-SHA384, x25519, client authentication). RSA: a fresh
 * `openssl req -x509 -newkey rsa:2048` certificate,
 *   openssl s_server ... -tls1_2 -cert rsa.pem -key rsa.key -alpn http/1.1
 *   openssl s_client ... -tls1_2 -groups P-256 -servername localhost -msg -alpn http/1.1 -sess_out sess.pem
 * (ECDHE-RSA-AES256-GCM-SHA384, secp256r1). The live spec at the end repeats
 * such a handshake against the installed openssl.
 */
const ECDSA = {
  /** ClientHello.random and ServerHello.random, from the hellos of the same handshake. */
  clientRandom: hex(`
    5f27c4debadb2459dab696fd96a85caa3194e982721b101e2e1116d540018014
  `),
  serverRandom: hex(`
    1a37e5420451df34af392f0ac5b9005e6624b07c15545b9c45908353cfc49dfb
  `),
  /** The server leaf (spec/fixtures/server-p256.pem) and the CA (spec/fixtures/ca.pem). */
  certificate: hex(`
    0b0003570003540001e6308201e230820188a00302010202021001300a06082a8648ce3d040302301831163014060355
    04030c0d7278746c7320746573742043413020170d3235303130313030303030305a180f323132353031303130303030
    30305a30143112301006035504030c096c6f63616c686f73743059301306072a8648ce3d020106082a8648ce3d030107
    03420004af3e29e264aa7ed1a276a85525f0dadec6e97e89d68bae43c3132dc2409271709ad27feba20d485cf31a51db
    8d4000c45230c201439883222d9f0bc3748ccd13a381c33081c0300c0603551d130101ff04023000300e0603551d0f01
    01ff04040302078030130603551d25040c300a06082b06010505070301304b0603551d110444304282096c6f63616c68
    6f7374820a7278746c732e7465737482112a2e77696c642e7278746c732e7465737487047f0000018710000000000000
    00000000000000000001301d0603551d0e041604143f1095c49a3b2e886494da1d6a3b8e9bf52c0648301f0603551d23
    0418301680145bdf22962ffc2d3047b51edcdd555a2f3cd1f2ce300a06082a8648ce3d040302034800304502200befb1
    744a57145d5af87983ab4f202069d598f316b6d8f7dc6d1f45a1e54e3e022100940a83096a062cca105eb109b810d550
    3bbe1463029dcff0ff81bd9c5c2abb85000168308201643082010aa00302010202021000300a06082a8648ce3d040302
    30183116301406035504030c0d7278746c7320746573742043413020170d3235303130313030303030305a180f323132
    35303130313030303030305a30183116301406035504030c0d7278746c7320746573742043413059301306072a8648ce
    3d020106082a8648ce3d030107034200047697c12090d8c0539f1d6d935c81ee20b12de5a5c5a1c5ae9f8726fd9d379c
    514dbaa21e7ee3c6e7d6e1c37208bbfadfae7028e83b39b8ca04cbd576f6c4a1b7a3423040300f0603551d130101ff04
    0530030101ff300e0603551d0f0101ff040403020106301d0603551d0e041604145bdf22962ffc2d3047b51edcdd555a
    2f3cd1f2ce300a06082a8648ce3d040302034800304502206426a3e5f3d06b2e83dc18b1057b96255b33beb521246a98
    896e47d6055cd7b7022100892f9b946544cbf920d0c05250f9db8a26904e140a5c71bc86fbe9cb8d7a6540
  `),
  /** x25519, ecdsa_secp256r1_sha256. */
  serverKeyExchange: hex(`
    0c00006f03001d208e7db7956fdc781dddeedbc1569a8dc79f95c717cf281f06f830f14e4f08d0210403004730450220
    5a9f26955f3332ce2814d0180edc006f7110218497f7b5fe038536507c4f944a0221008d2c77a1f85229b0c36348f250
    be9dea412ef18eae872b06c9eae016780caf32
  `),
  certificateRequest: hex(`
    0d00004c030102400028040305030603080708080809080a080b08040805080604010501060103030301030204020502
    0602001c001a30183116301406035504030c0d7278746c732074657374204341
  `),
  serverHelloDone: hex(`
    0e000000
  `),
  clientKeyExchange: hex(`
    100000212021514c208fcd889db592f503b3b83e4c007e19487be0f52bb9cb79c09ef13f1d
  `),
  certificateVerify: hex(`
    0f00004b0403004730450220532f7023084f250e73d142dcfe9aac089652d5784c1fc9e2ed7c8b61e3d39c91022100d0
    a07fca775126417f1b1e8698882c249c3b22333309e4e0b709292523678f20
  `),
  clientFinished: hex(`
    1400000c89666bc85ed9599492a7bdb9
  `),
  serverFinished: hex(`
    1400000cace3de3c3a6c766f9787df65
  `),
};

const RSA = {
  clientRandom: hex(`
    f78d7c6696e879c6e33aa8d60d7c96caaac8e964ad0addcde4faf2c3579da816
  `),
  serverRandom: hex(`
    0510b1b0cb842993c7b0354f5ff58f8040158d519a24b1ab097b683af5313edd
  `),
  /** A self-signed RSA-2048 certificate made for the capture. */
  certificate: hex(`
    0b00031300031000030d30820309308201f1a00302010202141778549f7a0640fe18dd4db34f2e88a3e4e9aaa0300d06
    092a864886f70d01010b050030143112301006035504030c096c6f63616c686f7374301e170d32363132303131343439
    31315a170d3236313230333134343931315a30143112301006035504030c096c6f63616c686f737430820122300d0609
    2a864886f70d01010105000382010f003082010a0282010100a04219d32a0c34fb2f74131ef4d5f0fa4a439785f94fcb
    c32b5de1687077711b1e7e47dca71b43da187d3554fb874a06b82fd7413bb6f843bc2a3c7c36283fea900a58a867fe59
    e155016fc629a4dc3ec0469637981e8a94345629995544fd861a08df86b7ca3d7401d3b1a3feb5bb9cea2f97d07f8158
    0ff3272888758a302c5fb177020ba2cc346f5b3c6a78d5251a884e49db0987e41587cddb754ea2d629a2d4a0cfd7affc
    e5882f22dcef448a9bedd443a7402886525de8e88beaab846f25009b61811fa2524e5fc03cd1e787ac39c3942e20aee3
    0206987197266070dc5df3dec69e3b0e6cdc8e3ffafe39e023cf5db5f863be7b0c2afbfb9fc6952a7b0203010001a353
    3051301d0603551d0e04160414953332ce625420c951be20e0e2966fee411c06c4301f0603551d230418301680149533
    32ce625420c951be20e0e2966fee411c06c4300f0603551d130101ff040530030101ff300d06092a864886f70d01010b
    050003820101007d7e0f991749e8c7c8eb553660d9d9e13b2572eb6f1c1c0986ce37fa683eb27d82a2c83078199c7af6
    6f85f06b88e9f00339a55c10e9e255ae02e9ce7bd7e945079b24bba1dc077d84fcf30d13ced0834c2aa997d2122103a3
    a133e58ee663ac175f2a8b5745e74a5d4563e318df94a2b9c534cadc538a69ae864fb6eb7b006b03f34fd2a81fe72867
    483f459fb17d94c6ff1afff5dff5758358936cd3b070900b6f83cd6c1617a3a9450ac1e37b0b5c255b136f5841ddcf4b
    14a42a758b6fdfc06d68fc087f23d675238b096cbc20ab9ebb81e1987af7f2875861bb810ad5828837271b3d31d5b1f4
    8d9ade57444f80a434aaf231a4ab5322cf7351a274a3b6
  `),
  /** secp256r1 (65-byte uncompressed point), rsa_pss_rsae_sha256 (256-byte signature). */
  serverKeyExchange: hex(`
    0c00014903001741046981573f49e94627c816ba20570bd6c4467479416e37f72a66f3e6624881002a3cc1cfe9b1c5ce
    c18e2995f663681d1600a8346618a21f1b8a0be1b4427002ac080401005a4af740c50da0aa753a8d968297149610f86f
    e4ff8e6e34e2bae07c5df9e3f267e069a87963b02f8afc30c483854f45ab3a18390c413b0df85aee769462fc4da68e31
    4c2c3167b184897c6e4275477f352633fc6094e831ffea4b3686265bee34bffca7b1b8aacec41598a1ac1459dd83d2bf
    0d88f03d463a5f77f00cd257822721648f2d2dca61d875ee2036535a78e6cc0da7ef441145f7737fb159b27182aed4fd
    d6e85843ebeac803c25857ac3bcc86391ac28ca4bc7c32d02b40a8e22d69f06505d7943805699a3c174d05498b6f3218
    42564ae8da2f29c9decc32f7328c2e18dedcda3f775c2e90700bc724d6449ea8de47f2643f292e1b12c80d1d93
  `),
  serverHelloDone: hex(`
    0e000000
  `),
  clientKeyExchange: hex(`
    100000424104bcca78455ea93dd169a3ca2028656eb6c73756c7e737077788dc7692a1556a422aa66efe614bf49335a6
    c641b888b8c0d865d6d2beacb83267c557f55aadd59d
  `),
  clientFinished: hex(`
    1400000c704200bd648283a79d97dfe4
  `),
  /** lifetime hint 7200 s, a 176-byte ticket. */
  newSessionTicket: hex(`
    040000b600001c2000b0623f2cd964717b6d5dff3539e4f58081541c95ba2223360178cad49b86bede3a012fe83eb8a2
    9b1fe72befd0f54601cd2c91ed84e650e591df44fdcb19cd3ab889e1012d5e40b754f734fc6ed46fe6319b7c736eff8d
    4b3c46b19d23c7934b3dc70c58117f5c322802dd46ad5ded477045af31ddafe4491587af284f43dde8ce12ddd600abbc
    a441d83d057ee0a1950e5bff82e41a3ab2b91911e8f2e22f0d18b4f622c962e2ce5f0fdf940f1ded9db1
  `),
  serverFinished: hex(`
    1400000c56a4ec7b2f167eb19816184e
  `),
};

const leafKey = (certificate: Uint8Array) => new X509Certificate((decodeFramed(certificate) as Tls12Certificate).certificates[0]!).publicKey;

describe('TLS 1.2 handshake messages', () => {
  describe('exact bytes, built by hand from the RFC layouts', () => {
    it('ServerKeyExchange for ECDHE (RFC 8422 §5.4): curve_type, named group, point<1..2^8-1>, then a DigitallySigned', () => {
      const ske: EcdheServerKeyExchange = {
        type: HT12.server_key_exchange,
        kx: 'ecdhe',
        params: { group: 0x001d, point: bytes(32) },
        scheme: 0x0403,
        signature: bytes(70, 5),
      };
      const body = roundTrip(ske);
      const want = '03' + '001d' + '20' + toHex(bytes(32)) + '0403' + '0046' + toHex(bytes(70, 5));
      expect(toHex(body)).to.equal(want);
      expect(toHex(encodeServerKeyExchange(ske))).to.equal(want);
      expect(toHex(encodeTls12Handshake(ske))).to.equal('0c' + (body.length).toString(16).padStart(6, '0') + want);
      // An empty signature is well-formed in TLS 1.2 (signature<0..2^16-1>); verifying it is what fails.
      expect(toHex(roundTrip({ ...ske, signature: new Uint8Array(0) }))).to.equal('03001d20' + toHex(bytes(32)) + '04030000');
    });

    it('the signed content is client_random || server_random || ServerECDHParams', () => {
      const params = { group: 0x0017, point: bytes(65, 4) };
      expect(toHex(encodeServerEcdhParams(params))).to.equal('03' + '0017' + '41' + toHex(bytes(65, 4)));
      const content = ecdheSignedContent(bytes(32, 1), bytes(32, 2), params);
      expect(toHex(content)).to.equal(toHex(bytes(32, 1)) + toHex(bytes(32, 2)) + '03001741' + toHex(bytes(65, 4)));
      expect(() => ecdheSignedContent(bytes(31), bytes(32), params)).to.throw(RangeError);
      expect(() => ecdheSignedContent(bytes(32), bytes(33), params)).to.throw(RangeError);
    });

    it('ClientKeyExchange for ECDHE (RFC 8422 §5.7): point<1..2^8-1>', () => {
      expect(toHex(roundTrip({ type: HT12.client_key_exchange, kx: 'ecdhe', point: bytes(32) }))).to.equal('20' + toHex(bytes(32)));
      expect(toHex(roundTrip({ type: HT12.client_key_exchange, kx: 'ecdhe', point: bytes(255) }))).to.equal('ff' + toHex(bytes(255)));
      expect(toHex(encodeClientKeyExchange({ kx: 'ecdhe', point: Uint8Array.of(4) }))).to.equal('0104');
    });

    it('ServerKeyExchange for PSK (RFC 4279 §2): psk_identity_hint<0..2^16-1> only', () => {
      const psk = { ...CTX, kx: 'psk' as const };
      const ske = { type: HT12.server_key_exchange, kx: 'psk', pskIdentityHint: utf8('hint') } as const;
      expect(toHex(roundTrip(ske, psk))).to.equal('0004' + toHex(utf8('hint')));
      expect(toHex(roundTrip({ ...ske, pskIdentityHint: new Uint8Array(0) }, psk))).to.equal('0000');
      expect(alertOf(() => decodeServerKeyExchange(hex('0005 6869'), 'psk'))).to.equal('decode_error');
      expect(alertOf(() => decodeServerKeyExchange(hex('0000 00'), 'psk'))).to.equal('decode_error');
    });

    it('ServerKeyExchange for ECDHE_PSK (RFC 5489 §2): psk_identity_hint<0..2^16-1>, then ServerECDHParams, no signature', () => {
      const ctx = { ...CTX, kx: 'ecdhe_psk' as const };
      const ske = { type: HT12.server_key_exchange, kx: 'ecdhe_psk', pskIdentityHint: utf8('hi'), params: { group: 0x001d, point: bytes(32) } } as const;
      expect(toHex(roundTrip(ske, ctx))).to.equal('0002' + toHex(utf8('hi')) + '03001d20' + toHex(bytes(32)));
      expect(toHex(roundTrip({ ...ske, pskIdentityHint: new Uint8Array(0) }, ctx))).to.equal('0000' + '03001d20' + toHex(bytes(32)));
      // A signature after the params is a trailing field: decode_error.
      expect(alertOf(() => decodeServerKeyExchange(hex('0000 03001d01 04 0403 0000'), 'ecdhe_psk'))).to.equal('decode_error');
      expect(alertOf(() => decodeServerKeyExchange(hex('0000 01'), 'ecdhe_psk'))).to.equal('illegal_parameter');
    });

    it('ClientKeyExchange for PSK (RFC 4279 §2): psk_identity<0..2^16-1>; for ECDHE_PSK (RFC 5489 §2): then point<1..2^8-1>', () => {
      const psk = { ...CTX, kx: 'psk' as const };
      const ecdhePsk = { ...CTX, kx: 'ecdhe_psk' as const };
      expect(toHex(roundTrip({ type: HT12.client_key_exchange, kx: 'psk', pskIdentity: utf8('client1') }, psk))).to.equal('0007' + toHex(utf8('client1')));
      expect(toHex(roundTrip({ type: HT12.client_key_exchange, kx: 'ecdhe_psk', pskIdentity: utf8('id'), point: bytes(32) }, ecdhePsk))).to.equal(
        '0002' + toHex(utf8('id')) + '20' + toHex(bytes(32)),
      );
      expect(alertOf(() => decodeClientKeyExchange(hex('0002 6964'), 'ecdhe_psk')), 'no point').to.equal('decode_error');
      expect(alertOf(() => decodeClientKeyExchange(hex('0002 6964 00'), 'ecdhe_psk')), 'empty point').to.equal('decode_error');
      expect(alertOf(() => decodeClientKeyExchange(hex('0002 6964 01'), 'psk')), 'trailing byte').to.equal('decode_error');
      expect(alertOf(() => decodeClientKeyExchange(hex('00'), 'psk'))).to.equal('decode_error');
    });

    it('CertificateRequest (RFC 5246 §7.4.4): types<1..2^8-1>, algorithms<2..2^16-2>, authorities<0..2^16-1> of DN<1..2^16-1>', () => {
      const cr: Tls12CertificateRequest = {
        type: HT.certificate_request,
        certificateTypes: [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
        signatureAlgorithms: [0x0403, 0x0804],
        certificateAuthorities: [],
      };
      expect(toHex(roundTrip(cr))).to.equal('02' + '4001' + '0004' + '04030804' + '0000');
      const dn1 = bytes(3, 9);
      const dn2 = bytes(300, 2);
      expect(toHex(roundTrip({ ...cr, certificateAuthorities: [dn1, dn2] }))).to.equal(
        '02400100040403080401' + '33' + '0003' + toHex(dn1) + '012c' + toHex(dn2),
      );
    });

    it('Certificate (RFC 5246 §7.4.2): certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>, nothing else', () => {
      expect(toHex(roundTrip({ type: HT.certificate, certificates: [] }))).to.equal('000000');
      expect(toHex(roundTrip({ type: HT.certificate, certificates: [Uint8Array.of(0xaa, 0xbb), Uint8Array.of(0xcc)] }))).to.equal(
        '000009' + '000002aabb' + '000001cc',
      );
      expect(roundTrip({ type: HT.certificate, certificates: [bytes(70000)] })).to.have.length(3 + 3 + 70000);
      expect(toHex(encodeTls12Certificate({ certificates: [Uint8Array.of(1)] }))).to.equal('00000400000101');
    });

    it('ServerHelloDone and HelloRequest: empty bodies', () => {
      expect(toHex(encodeTls12Handshake({ type: HT12.server_hello_done }))).to.equal('0e000000');
      expect(toHex(encodeTls12Handshake({ type: HT12.hello_request }))).to.equal('00000000');
      expect(decodeServerHelloDone(new Uint8Array(0))).to.deep.equal({ type: 14 });
      expect(decodeHelloRequest(new Uint8Array(0))).to.deep.equal({ type: 0 });
    });

    it('NewSessionTicket (RFC 5077 §3.3): lifetime hint u32, ticket<0..2^16-1> (empty: no ticket after all)', () => {
      expect(toHex(roundTrip({ type: HT.new_session_ticket, lifetimeHint: 7200, ticket: Uint8Array.of(1, 2, 3) }))).to.equal('00001c20' + '0003' + '010203');
      expect(toHex(roundTrip({ type: HT.new_session_ticket, lifetimeHint: 0xffffffff, ticket: new Uint8Array(0) }))).to.equal('ffffffff0000');
      expect(roundTrip({ type: HT.new_session_ticket, lifetimeHint: 0, ticket: bytes(0xffff) })).to.have.length(6 + 0xffff);
    });

    it('Finished: verify_data, exactly the expected length', () => {
      expect(toHex(roundTrip({ type: HT.finished, verifyData: bytes(12) }))).to.equal(toHex(bytes(12)));
      expect(toHex(roundTrip({ type: HT.finished, verifyData: bytes(32) }, { ...CTX, verifyDataLength: 32 }))).to.equal(toHex(bytes(32)));
      expect(toHex(decodeTls12Finished(bytes(12)).verifyData)).to.equal(toHex(bytes(12)));
      for (const n of [0, 11, 13, 32]) expect(alertOf(() => decodeTls12Finished(bytes(n), 12)), `${n} bytes`).to.equal('decode_error');
      expect(alertOf(() => decodeTls12Finished(bytes(12), 32))).to.equal('decode_error');
      expect(toHex(encodeTls12Finished({ verifyData: bytes(12) }))).to.equal(toHex(bytes(12)));
    });

    it('CertificateVerify (RFC 5246 §7.4.8): the 1.3 shape, an empty signature allowed', () => {
      expect(toHex(roundTrip({ type: HT.certificate_verify, scheme: 0x0403, signature: Uint8Array.of(0xab, 0xcd) }))).to.equal('0403' + '0002' + 'abcd');
      expect(toHex(roundTrip({ type: HT.certificate_verify, scheme: 0x0804, signature: new Uint8Array(0) }))).to.equal('08040000');
      expect(toHex(encodeTls12CertificateVerify({ scheme: 0x0807, signature: Uint8Array.of(1) }))).to.equal('0807000101');
    });
  });

  describe("openssl's messages decode and re-encode bit for bit", () => {
    const captured: [string, Uint8Array][] = [
      ...Object.entries(ECDSA).filter(([k]) => !k.endsWith('Random')).map(([k, v]) => [`ECDSA ${k}`, v] as [string, Uint8Array]),
      ...Object.entries(RSA).filter(([k]) => !k.endsWith('Random')).map(([k, v]) => [`RSA ${k}`, v] as [string, Uint8Array]),
    ];
    for (const [name, raw] of captured) it(name, () => void decodeFramed(raw));

    it('ECDSA: ServerKeyExchange fields, and its signature verifies over ecdheSignedContent with the leaf key', () => {
      const ske = decodeFramed(ECDSA.serverKeyExchange) as EcdheServerKeyExchange;
      expect(ske.kx).to.equal('ecdhe');
      expect(ske.params.group).to.equal(0x001d);
      expect(ske.params.point).to.have.length(32);
      expect(ske.scheme).to.equal(0x0403);
      const content = ecdheSignedContent(ECDSA.clientRandom, ECDSA.serverRandom, ske.params);
      const key = leafKey(ECDSA.certificate);
      expect(cryptoVerify('sha256', content, { key, dsaEncoding: 'der' }, ske.signature)).to.equal(true);
      // One byte off anywhere in the content and it no longer verifies.
      content[64 + 5]! ^= 1;
      expect(cryptoVerify('sha256', content, { key, dsaEncoding: 'der' }, ske.signature)).to.equal(false);
    });

    it('RSA: a 65-byte secp256r1 point and a 256-byte rsa_pss_rsae_sha256 signature that verifies', () => {
      const ske = decodeFramed(RSA.serverKeyExchange) as EcdheServerKeyExchange;
      expect(ske.params.group).to.equal(0x0017);
      expect(ske.params.point).to.have.length(65);
      expect(ske.params.point[0]).to.equal(4);
      expect(ske.scheme).to.equal(0x0804);
      expect(ske.signature).to.have.length(256);
      const content = ecdheSignedContent(RSA.clientRandom, RSA.serverRandom, ske.params);
      const pss = { key: leafKey(RSA.certificate), padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      expect(cryptoVerify('sha256', content, pss, ske.signature)).to.equal(true);
    });

    it('Certificate: the chain as DER certificates', () => {
      const chain = (decodeFramed(ECDSA.certificate) as Tls12Certificate).certificates.map((d) => new X509Certificate(d));
      expect(chain.map((c) => c.subject)).to.deep.equal(['CN=localhost', 'CN=rxtls test CA']);
      expect(chain[0]!.checkIssued(chain[1]!)).to.equal(true);
      expect((decodeFramed(RSA.certificate) as Tls12Certificate).certificates).to.have.length(1);
    });

    it('CertificateRequest: types, algorithms and the CA name', () => {
      const cr = decodeFramed(ECDSA.certificateRequest) as Tls12CertificateRequest;
      expect(cr.certificateTypes).to.deep.equal([ClientCertificateType.rsa_sign, ClientCertificateType.dss_sign, ClientCertificateType.ecdsa_sign]);
      expect(cr.signatureAlgorithms.slice(0, 4)).to.deep.equal([0x0403, 0x0503, 0x0603, 0x0807]);
      expect(cr.signatureAlgorithms).to.have.length(20);
      // SEQUENCE { SET { SEQUENCE { OID commonName, UTF8String "rxtls test CA" } } }
      expect(cr.certificateAuthorities.map(toHex)).to.deep.equal(['30183116301406035504030c0d' + toHex(new TextEncoder().encode('rxtls test CA'))]);
    });

    it('ClientKeyExchange, CertificateVerify, NewSessionTicket, Finished fields', () => {
      expect((decodeFramed(ECDSA.clientKeyExchange) as { point: Uint8Array }).point).to.have.length(32);
      expect((decodeFramed(RSA.clientKeyExchange) as { point: Uint8Array }).point).to.have.length(65);
      const cv = decodeFramed(ECDSA.certificateVerify);
      expect(cv).to.include({ type: HT.certificate_verify, scheme: 0x0403 });
      const nst = decodeFramed(RSA.newSessionTicket) as Tls12NewSessionTicket;
      expect(nst.lifetimeHint).to.equal(7200);
      expect(nst.ticket).to.have.length(176);
      for (const f of [ECDSA.clientFinished, ECDSA.serverFinished, RSA.clientFinished, RSA.serverFinished]) {
        expect((decodeFramed(f) as { verifyData: Uint8Array }).verifyData).to.have.length(12);
      }
    });
  });

  describe('strict decoding', () => {
    const bodies = (): [string, number, Uint8Array][] =>
      [
        ['ECDSA ServerKeyExchange', ECDSA.serverKeyExchange],
        ['RSA ServerKeyExchange', RSA.serverKeyExchange],
        ['Certificate', ECDSA.certificate],
        ['CertificateRequest', ECDSA.certificateRequest],
        ['ClientKeyExchange', ECDSA.clientKeyExchange],
        ['CertificateVerify', ECDSA.certificateVerify],
        ['NewSessionTicket', RSA.newSessionTicket],
        ['Finished', ECDSA.clientFinished],
      ].map(([n, raw]) => [n as string, (raw as Uint8Array)[0]!, (raw as Uint8Array).subarray(4)]);

    it('every truncation of every captured message is decode_error', () => {
      for (const [name, type, body] of bodies()) {
        for (let n = 0; n < body.length; n++) {
          expect(alertOf(() => decodeTls12Body(type, body.subarray(0, n), CTX)), `${name} cut at ${n}`).to.equal('decode_error');
        }
      }
    });

    it('a trailing byte is decode_error, empty bodies included', () => {
      for (const [name, type, body] of [...bodies(), ['ServerHelloDone', 14, new Uint8Array(0)] as const, ['HelloRequest', 0, new Uint8Array(0)] as const]) {
        const longer = new Uint8Array(body.length + 1);
        longer.set(body);
        expect(alertOf(() => decodeTls12Body(type, longer, CTX)), name).to.equal('decode_error');
      }
      expect(alertOf(() => decodeServerHelloDone(Uint8Array.of(0)))).to.equal('decode_error');
      expect(alertOf(() => decodeHelloRequest(Uint8Array.of(0, 0, 0, 0)))).to.equal('decode_error');
    });

    it('ServerKeyExchange: explicit curves are illegal_parameter, unknown curve types and empty points decode_error', () => {
      const ok = ECDSA.serverKeyExchange.slice(4);
      for (const [curveType, alert] of [[1, 'illegal_parameter'], [2, 'illegal_parameter'], [0, 'decode_error'], [4, 'decode_error'], [255, 'decode_error']] as const) {
        const bad = ok.slice();
        bad[0] = curveType;
        expect(alertOf(() => decodeServerKeyExchange(bad, 'ecdhe')), `curve_type ${curveType}`).to.equal(alert);
      }
      expect(alertOf(() => decodeServerKeyExchange(hex('03 001d 00 0403 0000'), 'ecdhe'))).to.equal('decode_error');
      // A point length that runs into the signature, and a signature length past the end.
      const longPoint = ok.slice();
      longPoint[3] = 0x21;
      expect(alertOf(() => decodeServerKeyExchange(longPoint, 'ecdhe'))).to.equal('decode_error');
      const longSig = ok.slice();
      longSig[4 + 32 + 2 + 1]! += 1;
      expect(alertOf(() => decodeServerKeyExchange(longSig, 'ecdhe'))).to.equal('decode_error');
    });

    it('ClientKeyExchange: an empty point (the implicit encoding) or a lying length is decode_error', () => {
      expect(alertOf(() => decodeClientKeyExchange(Uint8Array.of(0), 'ecdhe'))).to.equal('decode_error');
      expect(alertOf(() => decodeClientKeyExchange(new Uint8Array(0), 'ecdhe'))).to.equal('decode_error');
      expect(alertOf(() => decodeClientKeyExchange(Uint8Array.of(2, 4), 'ecdhe'))).to.equal('decode_error');
    });

    it('CertificateRequest: no types, no or odd algorithms, an empty DN, lying list lengths are decode_error', () => {
      const cases = {
        'no certificate types': '00 0002 0403 0000',
        'no signature algorithms': '01 40 0000 0000',
        'odd signature algorithms': '01 40 0003 040305 0000',
        '65535 bytes of algorithms (odd; above 2^16-2)': '01 40 ffff' + '00'.repeat(0xffff) + '0000',
        'an empty DN': '01 40 0002 0403 0002 0000',
        'a DN past its list': '01 40 0002 0403 0003 0002 aa',
        'a list past the body': '01 40 0002 0403 0005 0002 aabb',
        'no authorities field': '01 40 0002 0403',
      };
      for (const [name, h] of Object.entries(cases)) expect(alertOf(() => decodeTls12CertificateRequest(hex(h))), name).to.equal('decode_error');
      expect(decodeTls12CertificateRequest(hex('01 40 0002 0403 0000')).certificateAuthorities).to.deep.equal([]);
    });

    it('Certificate: an empty ASN.1Cert or a lying length is decode_error', () => {
      expect(alertOf(() => decodeTls12Certificate(hex('000003 000000')))).to.equal('decode_error');
      expect(alertOf(() => decodeTls12Certificate(hex('000004 000002 aa')))).to.equal('decode_error');
      expect(alertOf(() => decodeTls12Certificate(hex('000005 000001 aa')))).to.equal('decode_error');
      // The 1.3 layout (request context, then entries with extensions) is not a 1.2 Certificate.
      expect(alertOf(() => decodeTls12Certificate(hex('00 000008 000001 aa 0000')))).to.equal('decode_error');
      expect(decodeTls12Certificate(hex('000000')).certificates).to.deep.equal([]);
    });

    it('NewSessionTicket and CertificateVerify: lying lengths are decode_error', () => {
      expect(alertOf(() => decodeTls12NewSessionTicket(hex('00001c20 0002 aa')))).to.equal('decode_error');
      expect(alertOf(() => decodeTls12NewSessionTicket(hex('00001c20')))).to.equal('decode_error');
      expect(alertOf(() => decodeTls12CertificateVerify(hex('0403 0003 aabb')))).to.equal('decode_error');
      expect(alertOf(() => decodeTls12CertificateVerify(hex('04')))).to.equal('decode_error');
    });

    it('types that are not TLS 1.2 messages coded here are unexpected_message', () => {
      for (const t of [HT.client_hello, HT.server_hello, 3, HT.end_of_early_data, HT.encrypted_extensions, HT.key_update, HT.message_hash, 255]) {
        expect(alertOf(() => decodeTls12Body(t, new Uint8Array(0), CTX)), `type ${t}`).to.equal('unexpected_message');
      }
    });

    it('encoders refuse what the decoders would refuse (RangeError)', () => {
      const ske: EcdheServerKeyExchange = { type: 12, kx: 'ecdhe', params: { group: 0x1d, point: bytes(32) }, scheme: 0x0403, signature: bytes(8) };
      expect(() => encodeServerKeyExchange({ ...ske, params: { group: 0x1d, point: new Uint8Array(0) } })).to.throw(RangeError);
      expect(() => encodeServerKeyExchange({ ...ske, params: { group: 0x10000, point: bytes(32) } })).to.throw(RangeError);
      expect(() => encodeServerKeyExchange({ ...ske, params: { group: 0x1d, point: bytes(256) } })).to.throw(RangeError);
      expect(() => encodeServerKeyExchange({ ...ske, scheme: -1 })).to.throw(RangeError);
      expect(() => encodeServerKeyExchange({ ...ske, signature: bytes(0x10000) })).to.throw(RangeError);
      expect(() => encodeServerKeyExchange({ ...ske, kx: 'dhe' as 'ecdhe' })).to.throw(RangeError);
      expect(() => decodeServerKeyExchange(ECDSA.serverKeyExchange.subarray(4), 'dhe' as Tls12KeyExchange)).to.throw(RangeError);
      expect(() => decodeClientKeyExchange(Uint8Array.of(1, 4), 'rsa' as Tls12KeyExchange)).to.throw(RangeError);
      expect(() => encodeServerKeyExchange({ kx: 'psk', pskIdentityHint: bytes(0x10000) })).to.throw(RangeError);
      expect(() => encodeClientKeyExchange({ kx: 'psk', pskIdentity: bytes(0x10000) })).to.throw(RangeError);
      expect(() => encodeClientKeyExchange({ kx: 'ecdhe_psk', pskIdentity: bytes(3), point: new Uint8Array(0) })).to.throw(RangeError);
      expect(() => encodeClientKeyExchange({ kx: 'ecdhe', point: new Uint8Array(0) })).to.throw(RangeError);
      const cr = { certificateTypes: [64], signatureAlgorithms: [0x0403], certificateAuthorities: [] };
      expect(() => encodeTls12CertificateRequest({ ...cr, certificateTypes: [] })).to.throw(RangeError);
      expect(() => encodeTls12CertificateRequest({ ...cr, certificateTypes: [256] })).to.throw(RangeError);
      expect(() => encodeTls12CertificateRequest({ ...cr, signatureAlgorithms: [] })).to.throw(RangeError);
      expect(() => encodeTls12CertificateRequest({ ...cr, certificateAuthorities: [new Uint8Array(0)] })).to.throw(RangeError);
      expect(() => encodeTls12Certificate({ certificates: [new Uint8Array(0)] })).to.throw(RangeError);
      expect(() => encodeTls12NewSessionTicket({ lifetimeHint: 2 ** 32, ticket: bytes(1) })).to.throw(RangeError);
      expect(() => encodeTls12NewSessionTicket({ lifetimeHint: 1, ticket: bytes(0x10000) })).to.throw(RangeError);
      expect(() => encodeTls12Finished({ verifyData: new Uint8Array(0) })).to.throw(RangeError);
      expect(() => decodeTls12Finished(bytes(12), 0)).to.throw(RangeError);
    });

    it('random bodies only ever fail with a TlsError, and what decodes re-encodes to itself (fuzz)', () => {
      fc.assert(
        fc.property(fc.constantFrom(0, 4, 11, 12, 13, 14, 15, 16, 20), fc.uint8Array({ maxLength: 300 }), (type, body) => {
          try {
            const m = decodeTls12Body(type, body, CTX);
            expect(toHex(encodeTls12Body(m))).to.equal(toHex(body));
          } catch (e) {
            expect(e, String(e)).to.be.instanceOf(TlsError);
          }
        }),
        { numRuns: 3000 },
      );
    });

    it('mutations of captured messages only ever fail with a TlsError, and what decodes re-encodes to itself (fuzz)', () => {
      const samples = bodies();
      fc.assert(
        fc.property(fc.nat(samples.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.integer({ min: -3, max: 3 }), (i, edits, resize) => {
          const [, type, original] = samples[i]!;
          const body = new Uint8Array(Math.max(0, original.length + resize));
          body.set(original.subarray(0, body.length));
          for (const [at, v] of edits) if (body.length) body[at % body.length] = v;
          try {
            const m = decodeTls12Body(type, body, CTX);
            expect(toHex(encodeTls12Body(m))).to.equal(toHex(body));
          } catch (e) {
            expect(e, String(e)).to.be.instanceOf(TlsError);
          }
        }),
        { numRuns: 3000 },
      );
    });
  });

  it('arbitrary valid messages round-trip (property)', () => {
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const u32 = fc.tuple(u16, u16).map(([h, l]) => h * 0x10000 + l);
    const point = fc.uint8Array({ minLength: 1, maxLength: 255 });
    const msg = fc.oneof(
      fc.constant<Tls12HandshakeMessage>({ type: HT12.hello_request }),
      fc.constant<Tls12HandshakeMessage>({ type: HT12.server_hello_done }),
      fc.record({ type: fc.constant(HT.certificate), certificates: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 4 }) }),
      fc.record({
        type: fc.constant(HT12.server_key_exchange),
        kx: fc.constant('ecdhe' as const),
        params: fc.record({ group: u16, point }),
        scheme: u16,
        signature: fc.uint8Array({ maxLength: 300 }),
      }),
      fc.record({
        type: fc.constant(HT.certificate_request),
        certificateTypes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
        signatureAlgorithms: fc.array(u16, { minLength: 1, maxLength: 20 }),
        certificateAuthorities: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 4 }),
      }),
      fc.record({ type: fc.constant(HT.certificate_verify), scheme: u16, signature: fc.uint8Array({ maxLength: 300 }) }),
      fc.record({ type: fc.constant(HT12.client_key_exchange), kx: fc.constant('ecdhe' as const), point }),
      fc.record({ type: fc.constant(HT.finished), verifyData: fc.uint8Array({ minLength: 12, maxLength: 12 }) }),
      fc.record({ type: fc.constant(HT.new_session_ticket), lifetimeHint: u32, ticket: fc.uint8Array({ maxLength: 300 }) }),
    ) as fc.Arbitrary<Tls12HandshakeMessage>;
    fc.assert(fc.property(msg, (m) => void roundTrip(m)), { numRuns: 1000 });
  });
});

/** The handshake messages in `openssl s_client -msg` output, header included, in order. */
function parseMsgOutput(text: string): { dir: '<<<' | '>>>'; name: string; raw: Uint8Array }[] {
  const out: { dir: '<<<' | '>>>'; name: string; length: number; hex: string }[] = [];
  let cur: (typeof out)[number] | undefined;
  for (const line of text.split('\n')) {
    const m = /^(<<<|>>>) TLS 1\.2, Handshake \[length ([0-9a-f]+)\], (\w+)/.exec(line);
    if (m) {
      cur = { dir: m[1] as '<<<' | '>>>', name: m[3]!, length: parseInt(m[2]!, 16), hex: '' };
      out.push(cur);
    } else if (cur && /^ {4}([0-9a-f]{2} ?)+$/.test(line)) {
      cur.hex += line.replace(/\s+/g, '');
    } else {
      cur = undefined;
    }
  }
  return out.map(({ dir, name, length, hex: h }) => {
    expect(h.length / 2, `${name}: bytes printed vs [length]`).to.equal(length);
    return { dir, name, raw: hex(h) };
  });
}

describe('TLS 1.2 handshake messages: a live openssl handshake (skipped without openssl)', function () {
  this.timeout(30_000);
  before(function () {
    if (!which('openssl')) this.skip();
  });
  after(stopAll);

  it("decodes openssl's ServerKeyExchange, Certificate, ServerHelloDone, ClientKeyExchange, NewSessionTicket, Finished and re-encodes them", async () => {
    const server = spawnTracked([
      'openssl', 's_server', '-accept', '127.0.0.1:0', '-tls1_2', '-naccept', '1',
      '-cert', fixturePath('server-p256.pem'), '-key', fixturePath('server-p256.key'),
    ]);
    const accepted = /^ACCEPT 127\.0\.0\.1:(\d+)\s*$/m;
    const port = accepted.exec(await server.waitForOutput(accepted, 10_000))![1]!;
    const client = spawnTracked(['openssl', 's_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', '-msg', '-nocommands']);
    // s_client prints the session summary once the handshake is over; then EOF on stdin makes it close.
    await client.waitForOutput(/Extended master secret: (yes|no)/, 15_000);
    client.proc.stdin!.end();
    await client.exited();
    await server.stop();

    const msgs = parseMsgOutput(client.stdout());
    const get = (dir: '<<<' | '>>>', name: string) => {
      const m = msgs.find((x) => x.dir === dir && x.name === name);
      expect(m, `${dir} ${name} in\n${client.output()}`).to.not.equal(undefined);
      return m!.raw;
    };
    const clientRandom = get('>>>', 'ClientHello').subarray(6, 38);
    const serverRandom = get('<<<', 'ServerHello').subarray(6, 38);
    const certificate = decodeFramed(get('<<<', 'Certificate')) as Tls12Certificate;
    expect(new X509Certificate(certificate.certificates[0]!).subject).to.equal('CN=localhost');
    const ske = decodeFramed(get('<<<', 'ServerKeyExchange')) as EcdheServerKeyExchange;
    const key = new X509Certificate(certificate.certificates[0]!).publicKey;
    expect(ske.scheme >> 8, 'an ECDSA scheme').to.be.oneOf([4, 5, 6]);
    const hash = { 4: 'sha256', 5: 'sha384', 6: 'sha512' }[ske.scheme >> 8 as 4 | 5 | 6];
    expect(cryptoVerify(hash, ecdheSignedContent(clientRandom, serverRandom, ske.params), { key, dsaEncoding: 'der' }, ske.signature)).to.equal(true);
    expect(decodeFramed(get('<<<', 'ServerHelloDone'))).to.deep.equal({ type: 14 });
    const cke = decodeFramed(get('>>>', 'ClientKeyExchange'));
    expect(cke.type).to.equal(16);
    const nst = decodeFramed(get('<<<', 'NewSessionTicket')) as Tls12NewSessionTicket;
    expect(nst.ticket.length).to.be.above(0);
    for (const dir of ['>>>', '<<<'] as const) expect((decodeFramed(get(dir, 'Finished')) as { verifyData: Uint8Array }).verifyData).to.have.length(12);
  });
});
