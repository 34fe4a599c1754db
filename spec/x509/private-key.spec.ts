import { expect } from 'chai';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { ECParameters, ECPrivateKey } from '@peculiar/asn1-ecc';
import { TlsError, type AlertName } from '../../lib/errors.js';
import { parsePrivateKey } from '../../lib/x509/index.js';
import { decodePem, encodePem } from '../../lib/x509/pem.js';
import { crypto, fixtureCert, fixtureKey, fixtureText } from './helpers.js';

const PAIRS = [
  'ca',
  'server-p256',
  'server-p384',
  'server-ed25519',
  'int-ca',
  'server-chain-leaf',
  'expired',
  'client-only',
  'other-ca',
  'untrusted',
];

function throwsAlert(alert: AlertName, fn: () => unknown, message?: RegExp): TlsError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(TlsError);
    expect((e as TlsError).alert, (e as Error).message).to.equal(alert);
    if (message) expect((e as Error).message).to.match(message);
    return e as TlsError;
  }
  expect.fail(`expected ${alert}`);
}

const sec1 = (d: Uint8Array, curveOid = '1.2.840.10045.3.1.7') =>
  new Uint8Array(
    AsnConvert.serialize(
      new ECPrivateKey({ version: 1, privateKey: new OctetString(d), parameters: new ECParameters({ namedCurve: curveOid }) }),
    ),
  );

describe('x509/private-key', () => {
  it('every fixture key matches its certificate public key', () => {
    for (const name of PAIRS) {
      const key = fixtureKey(`${name}.key`);
      expect(crypto.publicKeyOf(key), name).to.deep.equal(fixtureCert(`${name}.pem`).publicKey);
    }
  });

  it('reads each key kind', () => {
    expect(fixtureKey('server-p256.key')).to.include({ kind: 'ec', curve: 'P-256' });
    expect(fixtureKey('server-p384.key')).to.include({ kind: 'ec', curve: 'P-384' });
    const ed = fixtureKey('server-ed25519.key');
    expect(ed.kind).to.equal('ed25519');
    if (ed.kind === 'ed25519') expect(ed.seed.length).to.equal(32);
  });

  it('SEC1 and PKCS#8 forms of the same key agree', () => {
    expect(fixtureKey('server-p256-sec1.key')).to.deep.equal(fixtureKey('server-p256.key'));
  });

  it('accepts DER and PEM bytes as well as PEM text', () => {
    for (const name of ['server-p256.key', 'server-p256-sec1.key', 'server-ed25519.key', 'server-p384.key']) {
      const text = fixtureText(name);
      const expected = parsePrivateKey(text);
      expect(parsePrivateKey(decodePem(text)[0]!.der), name).to.deep.equal(expected);
      expect(parsePrivateKey(new TextEncoder().encode(text)), name).to.deep.equal(expected);
    }
  });

  it('skips an EC PARAMETERS block before the key (openssl ecparam -genkey output)', () => {
    const text = encodePem('EC PARAMETERS', new Uint8Array([6, 8, 42, 134, 72, 206, 61, 3, 1, 7])) + fixtureText('server-p256-sec1.key');
    expect(parsePrivateKey(text)).to.deep.equal(fixtureKey('server-p256.key'));
  });

  it('reads PKCS#8 v2 (OneAsymmetricKey) with an embedded public key', () => {
    // v1 Ed25519 PKCS#8 is 30 2e | 02 01 00 | 30 05 06 03 2b 65 70 | 04 22 04 20 <seed>;
    // v2 sets version 1 and appends [1] IMPLICIT BIT STRING { 00 || public key }.
    const v1 = decodePem(fixtureText('server-ed25519.key'))[0]!.der;
    expect(v1.length).to.equal(48);
    const pub = (crypto.publicKeyOf(fixtureKey('server-ed25519.key')) as { key: Uint8Array }).key;
    const body = [...v1.subarray(2)];
    body[2] = 1;
    const v2 = new Uint8Array([0x30, body.length + 35, ...body, 0x81, 33, 0, ...pub]);
    expect(parsePrivateKey(v2)).to.deep.equal(fixtureKey('server-ed25519.key'));
  });

  it('left-pads an EC scalar whose leading zero bytes were dropped', () => {
    const d = new Uint8Array(32);
    d[31] = 7;
    const key = parsePrivateKey(sec1(d.subarray(1)));
    expect(key).to.deep.equal({ kind: 'ec', curve: 'P-256', d });
  });

  it('rejects out-of-range scalars with decode_error', () => {
    throwsAlert('decode_error', () => parsePrivateKey(sec1(new Uint8Array(32))));
    throwsAlert('decode_error', () => parsePrivateKey(sec1(new Uint8Array(32).fill(0xff))));
    throwsAlert('decode_error', () => parsePrivateKey(sec1(new Uint8Array(33).fill(1))));
  });

  it('rejects unsupported keys with internal_error', () => {
    throwsAlert('internal_error', () => parsePrivateKey(sec1(new Uint8Array(32).fill(1), '1.3.132.0.10')), /secp256k1/);
    throwsAlert('internal_error', () => parsePrivateKey(encodePem('ENCRYPTED PRIVATE KEY', new Uint8Array([0x30, 0]))));
    // RSA keys are read now (rsa-key.spec.ts); a malformed one is malformed.
    throwsAlert('decode_error', () => parsePrivateKey(encodePem('RSA PRIVATE KEY', new Uint8Array([0x30, 0]))));
    // PKCS#8 whose algorithm is DSA.
    const dsa = new Uint8Array([
      0x30, 0x18, 0x02, 0x01, 0x00, 0x30, 0x0b, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01, 0x05,
      0x00, 0x04, 0x04, 0x02, 0x02, 0x01, 0x00,
    ]);
    dsa[1] = dsa.length - 2;
    throwsAlert('internal_error', () => parsePrivateKey(dsa), /DSA keys are not supported/);
    // PKCS#8 whose algorithm is rsaEncryption, with a malformed key inside.
    const rsa = new Uint8Array([
      0x30, 0x1a, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
      0x00, 0x04, 0x07, 0x30, 0x05, 0x02, 0x01, 0x00, 0x05, 0x00,
    ]);
    rsa[1] = rsa.length - 2;
    throwsAlert('decode_error', () => parsePrivateKey(rsa));
  });

  it('rejects garbage and non-key PEM with decode_error', () => {
    throwsAlert('decode_error', () => parsePrivateKey(''));
    throwsAlert('decode_error', () => parsePrivateKey('hello'));
    throwsAlert('decode_error', () => parsePrivateKey(new Uint8Array([1, 2, 3])));
    throwsAlert('decode_error', () => parsePrivateKey(new Uint8Array(0)));
    throwsAlert('decode_error', () => parsePrivateKey(fixtureText('ca.pem')));
    throwsAlert('decode_error', () => parsePrivateKey(encodePem('PRIVATE KEY', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))));
    throwsAlert('decode_error', () => parsePrivateKey(42 as unknown as Uint8Array));
  });
});
