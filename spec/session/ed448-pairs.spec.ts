/**
 * Ed448 (RFC 8446 scheme 0x0808, RFC 8410 OID 1.3.101.113) end to end in
 * memory: keys and certificates made by the openssl CLI (an Ed448 root
 * signing Ed448 leaves), read by lib/x509, signed and verified by both
 * providers, then TLS 1.3 and TLS 1.2 handshakes where each side's
 * CertificateVerify (or ServerKeyExchange) is Ed448, on every pairing of
 * the noble and node:crypto providers.
 */
import { expect } from 'chai';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { nodeCrypto } from '../../lib/crypto/node/index.js';
import { SignatureSchemeCode } from '../../lib/wire/enums.js';
import { parseCertificate } from '../../lib/x509/certificate.js';
import { checkSignature } from '../../lib/x509/certificate-signature.js';
import { decodePemLabel } from '../../lib/x509/pem.js';
import { parsePrivateKey } from '../../lib/x509/private-key.js';
import { CA_EXT, leafExt, makePki, type Pki } from '../support/openssl-pki.js';
import { connect, payload, transfer } from './pair-helpers.js';

const CLIENT_EXT = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];
const PROVIDERS: Record<string, CryptoProvider> = { noble: nobleCrypto, node: nodeCrypto };
const leafOf = (pem: string) => parseCertificate(decodePemLabel(pem, 'CERTIFICATE')[0]!);

describe('Ed448 (scheme 0x0808)', function () {
  this.timeout(60_000);
  let pki: Pki;
  before(() => {
    pki = makePki('ED448');
    pki.root('ca', 'rxtls Ed448 root', { ext: CA_EXT });
    pki.issue('server', 'localhost', 'ca', leafExt('DNS:localhost'));
    pki.issue('client', 'ed448 client', 'ca', CLIENT_EXT);
  });
  after(() => pki.cleanup());
  const server = () => ({ cert: pki.pem('server'), key: pki.keyPem('server') });

  it('is code 0x0808 and offered by default by both providers', () => {
    expect(SignatureSchemeCode.ed448).to.equal(0x0808);
    for (const crypto of Object.values(PROVIDERS)) expect(crypto.signatureSchemes).to.include('ed448');
  });

  it('openssl keys and certificates read as Ed448: 57-byte keys, ed448 signatures that verify up the chain', () => {
    const key = parsePrivateKey(pki.keyPem('server'));
    expect(key.kind).to.equal('ed448');
    expect((key as { seed: Uint8Array }).seed).to.have.length(57);
    const leaf = leafOf(pki.pem('server'));
    const root = leafOf(pki.pem('ca'));
    expect(leaf.publicKeyAlgorithm).to.equal('Ed448');
    expect(leaf.signatureAlgorithm).to.equal('ed448');
    expect(leaf.signature).to.have.length(114);
    for (const crypto of Object.values(PROVIDERS)) {
      expect(crypto.publicKeyOf(key)).to.deep.equal(leaf.publicKey);
      checkSignature(root, leaf, crypto);
      checkSignature(root, root, crypto);
    }
  });

  it("each provider verifies the other one's signatures, and refuses a changed message or the wrong key type", () => {
    const key = parsePrivateKey(pki.keyPem('server'));
    const pub = leafOf(pki.pem('server')).publicKey!;
    const msg = payload(200, 7);
    for (const signer of Object.values(PROVIDERS)) {
      const sig = signer.sign('ed448', key, msg);
      expect(sig).to.have.length(114);
      for (const verifier of Object.values(PROVIDERS)) {
        expect(verifier.verify('ed448', pub, msg, sig)).to.equal(true);
        expect(verifier.verify('ed448', pub, payload(200, 8), sig)).to.equal(false);
        expect(verifier.verify('ed25519', pub, msg, sig)).to.equal(false);
        expect(verifier.verify('ed448', pub, msg, sig.subarray(0, 113))).to.equal(false);
      }
    }
  });

  for (const [cName, cCrypto] of Object.entries(PROVIDERS)) {
    for (const [sName, sCrypto] of Object.entries(PROVIDERS)) {
      it(`TLS 1.3, client ${cName} / server ${sName}: both CertificateVerify messages are Ed448`, () => {
        const p = connect(
          { ca: pki.pem('ca'), crypto: cCrypto, cert: pki.pem('client'), key: pki.keyPem('client') },
          { ...server(), crypto: sCrypto, requestCert: true, ca: pki.pem('ca') },
        );
        expect(p.client.info.version).to.equal('TLSv1.3');
        expect(p.client.info.signatureScheme).to.equal('ed448');
        expect(p.server.info.signatureScheme).to.equal('ed448');
        expect(p.server.info.authorized).to.equal(true);
        transfer(p.client, p.server, payload(2000, 1));
      });
    }
  }

  it('TLS 1.2: an Ed448 certificate serves ECDHE_ECDSA suites (RFC 8422 §5.1.3), both providers', () => {
    for (const [cCrypto, sCrypto] of [[nobleCrypto, nodeCrypto], [nodeCrypto, nobleCrypto]]) {
      const p = connect({ ca: pki.pem('ca'), crypto: cCrypto, maxVersion: 'TLSv1.2' }, { ...server(), crypto: sCrypto });
      expect(p.client.info.version).to.equal('TLSv1.2');
      expect(p.client.info.suite).to.match(/ECDHE_ECDSA/);
      transfer(p.server, p.client, payload(2000, 2));
    }
  });

  it('a client that does not offer ed448 cannot be served by an Ed448-only server', () => {
    expect(() => connect({ ca: pki.pem('ca'), signatureSchemes: ['ed25519', 'ecdsa_secp256r1_sha256'] }, server())).to.throw(/handshake_failure|signature|scheme/i);
  });
});
