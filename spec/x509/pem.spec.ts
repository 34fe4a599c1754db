import { expect } from 'chai';
import fc from 'fast-check';
import { TlsError } from '../../lib/errors.js';
import { decodePem, decodePemLabel, encodePem } from '../../lib/x509/pem.js';
import { fixtureText } from './helpers.js';

function decodeError(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(TlsError);
    expect((e as TlsError).alert).to.equal('decode_error');
    return e as TlsError;
  }
  expect.fail('expected a decode_error');
}

describe('x509/pem', () => {
  it('decodes every block of a concatenated file, in order', () => {
    const blocks = decodePem(fixtureText('server-chain.pem'));
    expect(blocks.map((b) => b.label)).to.deep.equal(['CERTIFICATE', 'CERTIFICATE']);
    expect(blocks[0]!.der[0]).to.equal(0x30);
  });

  it('round-trips openssl output byte for byte', () => {
    for (const name of ['ca.pem', 'server-chain.pem', 'server-p256.key', 'server-p256-sec1.key', 'other-ca.key']) {
      const text = fixtureText(name);
      const again = decodePem(text)
        .map((b) => encodePem(b.label, b.der))
        .join('');
      expect(again, name).to.equal(text);
    }
  });

  it('round-trips arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const [block] = decodePem(encodePem('TEST DATA', bytes));
        expect(block!.label).to.equal('TEST DATA');
        expect(block!.der).to.deep.equal(bytes);
      }),
    );
  });

  it('accepts CRLF, indentation and explanatory text between blocks', () => {
    const pem = encodePem('CERTIFICATE', new Uint8Array([1, 2, 3, 4, 5]));
    const text = `Subject: CN=foo\r\n  ${pem.replace(/\n/g, '\r\n  ')}\nsome trailer\n`;
    expect(decodePemLabel(text, 'CERTIFICATE')).to.deep.equal([new Uint8Array([1, 2, 3, 4, 5])]);
  });

  it('filters by label', () => {
    const text = encodePem('EC PARAMETERS', new Uint8Array([6])) + encodePem('EC PRIVATE KEY', new Uint8Array([7]));
    expect(decodePemLabel(text, 'EC PRIVATE KEY')).to.deep.equal([new Uint8Array([7])]);
    decodeError(() => decodePemLabel(text, 'CERTIFICATE'));
  });

  it('rejects malformed PEM with decode_error', () => {
    const good = encodePem('CERTIFICATE', new Uint8Array([1, 2, 3, 4]));
    const cases: Record<string, string> = {
      empty: '',
      'no block': 'hello world',
      'missing END': good.replace(/-----END.*\n/, ''),
      'END without BEGIN': '-----END CERTIFICATE-----\n',
      'mismatched label': good.replace('END CERTIFICATE', 'END PRIVATE KEY'),
      'bad base64 char': good.replace('AQID', 'AQ!D'),
      'bad base64 length': good.replace('AQIDBA==', 'AQIDBA='),
      'padding in the middle': '-----BEGIN X-----\nAQ==AQID\n-----END X-----\n',
      'non-zero pad bits': '-----BEGIN X-----\nAR==\n-----END X-----\n',
      'encrypted headers': '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nAQID\n-----END RSA PRIVATE KEY-----\n',
      'lowercase label': '-----BEGIN cert-----\nAQID\n-----END cert-----\n',
    };
    for (const [what, text] of Object.entries(cases)) {
      expect(decodeError(() => decodePem(text)).message, what).to.match(/PEM/);
    }
  });
});
