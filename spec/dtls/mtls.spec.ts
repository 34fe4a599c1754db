/** Mutual TLS over DTLS 1.2 between our own client and server (the TLS 1.2 states, over datagrams), lossless and lossy. */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { caPem, fixture } from '../support/fixtures.js';
import { dtlsPair, runHandshake } from './support/datagram-pair.js';

/** True when `datagram` holds a plaintext handshake record carrying a message of `type` (the client's Certificate is 11). */
function carriesHandshake(datagram: Uint8Array, type: number): boolean {
  for (let o = 0; o + 13 <= datagram.length; o += 13 + ((datagram[o + 11]! << 8) | datagram[o + 12]!)) {
    const epoch = (datagram[o + 3]! << 8) | datagram[o + 4]!;
    if (datagram[o] === 22 && epoch === 0 && datagram[o + 13] === type) return true;
  }
  return false;
}

const clientCert = { cert: fixture('client-only.pem'), key: fixture('client-only.key') };
const requireCert = { requestCert: true, ca: caPem() };

describe('DTLS 1.2 mutual authentication between our client and server', () => {
  it('the client certificate is verified and reaches the server info', () => {
    const p = dtlsPair({ client: clientCert, server: requireCert });
    runHandshake(p);
    expect(p.server.info.authorized).to.equal(true);
    expect(p.server.info.peerCertificates).to.have.length(1);
    expect(p.server.info.version).to.equal('DTLSv1.2');
  });

  it('survives the loss of the flight that carries Certificate and CertificateVerify', () => {
    let dropped = 0;
    const drop = (from: string, _index: number, bytes: Uint8Array) => from === 'client' && dropped === 0 && carriesHandshake(bytes, 11) && ++dropped === 1;
    const p = dtlsPair({ client: clientCert, server: requireCert, drop });
    runHandshake(p);
    expect(dropped).to.equal(1);
    expect(p.server.info.authorized).to.equal(true);
  });

  it('a client without a certificate is refused with handshake_failure', () => {
    const p = dtlsPair({ server: requireCert });
    expect(() => runHandshake(p)).to.throw(TlsError, /handshake_failure/);
  });
});
