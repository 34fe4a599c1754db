/**
 * Every TlsError has a stable `code`, so node users can branch on `err.code`
 * as they do with node:tls: our alerts, the peer's alerts, certificate
 * verification (OpenSSL's verify codes, as node reports them), timeouts and
 * transport failures (a reset keeps ECONNRESET and its cause).
 */
import { expect } from 'chai';
import { createServer, type AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom } from 'rxjs';
import { TlsError, transportFailure } from '../../lib/errors.js';
import { connectTls } from '../../lib/node/index.js';
import { caPem, fixture } from '../support/fixtures.js';
import { nodeTlsServer } from './helpers.js';

/** The error a connectTls channel to `port` ends with. */
async function failure(port: number, options: Partial<Parameters<typeof connectTls>[0]> = {}): Promise<TlsError> {
  const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), ...options }));
  const err = await firstValueFrom(channel.handshake$).then(
    () => firstValueFrom(channel).then(() => undefined, (e: unknown) => e),
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(TlsError);
  return err as TlsError;
}

describe('TlsError codes', () => {
  it('name our alert, the peer alert, or the transport failure', () => {
    expect(new TlsError('decode_error', 'x').code).to.equal('ERR_TLS_ALERT_DECODE_ERROR');
    expect(new TlsError('unknown_ca', 'x', true).code).to.equal('ERR_TLS_PEER_ALERT_UNKNOWN_CA');
    expect(new TlsError('alert_255', 'x', true).code).to.equal('ERR_TLS_PEER_ALERT_ALERT_255');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const e = transportFailure(reset, 'during the handshake');
    expect([e.code, e.cause, e.sendsAlert]).to.deep.equal(['ECONNRESET', reset, false]);
    expect(transportFailure(new Error('odd'), 'now').code).to.equal('ERR_TLS_PREMATURE_TERMINATION');
  });

  describe('against node:tls servers on 127.0.0.1', () => {
    it('an expired certificate: CERT_HAS_EXPIRED, as node:tls says', async () => {
      const peer = await nodeTlsServer((s) => s.on('error', () => {}), { cert: fixture('expired.pem'), key: fixture('expired.key') });
      try {
        const ours = await failure(peer.port);
        const nodes = await new Promise<NodeJS.ErrnoException>((resolve) => {
          tls.connect({ host: '127.0.0.1', port: peer.port, servername: 'localhost', ca: caPem() }).on('error', resolve);
        });
        expect(ours.code).to.equal('CERT_HAS_EXPIRED');
        expect(ours.code).to.equal(nodes.code);
      } finally {
        await peer.close();
      }
    });

    it('a wrong host name: ERR_TLS_CERT_ALTNAME_INVALID, as node:tls says', async () => {
      const peer = await nodeTlsServer((s) => s.on('error', () => {}));
      try {
        expect((await failure(peer.port, { servername: 'example.com' })).code).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
      } finally {
        await peer.close();
      }
    });

    it('the peer refuses us: ERR_TLS_PEER_ALERT_<alert>', async () => {
      const peer = await nodeTlsServer((s) => s.on('error', () => {}), { ALPNProtocols: ['h2'] });
      try {
        const err = await failure(peer.port, { ALPNProtocols: ['http/1.1'] });
        expect([err.code, err.fromPeer]).to.deep.equal(['ERR_TLS_PEER_ALERT_NO_APPLICATION_PROTOCOL', true]);
      } finally {
        await peer.close();
      }
    });
  });

  it('a connection reset keeps its cause: code ECONNRESET, not a bare premature termination', async () => {
    const server = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const err = await failure((server.address() as AddressInfo).port);
      expect(err.code).to.equal('ECONNRESET');
      expect((err.cause as NodeJS.ErrnoException).code).to.equal('ECONNRESET');
    } finally {
      server.close();
    }
  });
});
