/**
 * Raw public keys (RFC 7250) through the node layer: connectTls with
 * `session.serverRawPublicKey` and no `ca` does not fall back to Node's root
 * store (the key alone authenticates), against listenTls serving
 * `session.rawPublicKey`; connectDtls the same with a PSK beside it.
 */
import { createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import { firstValueFrom, Subject } from 'rxjs';
import type { AddressInfo } from 'node:net';
import { connectTls, listenTls } from '../../lib/node/index.js';
import { Session } from '../../lib/session/session.js';
import { fixture, serverIdentity } from '../support/fixtures.js';
import { collect } from './helpers.js';

const SPKI_PEM = createPublicKey(fixture('server-p256.pem')).export({ type: 'spki', format: 'pem' }) as string;

describe('raw public keys (RFC 7250) through connectTls/listenTls', () => {
  it('connects with the raw key alone (no ca: Node roots are not added, X.509 not offered), and data flows', async () => {
    const listening = new Subject<AddressInfo>();
    const portP = firstValueFrom(listening);
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, session: { rawPublicKey: true } }).subscribe((ch) => {
      ch.subscribe({ next: (d) => ch.next(d), complete: () => ch.complete(), error: () => {} });
    });
    try {
      const { port } = await portP;
      const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, session: { serverRawPublicKey: SPKI_PEM } }));
      const received = collect(channel);
      channel.next(new TextEncoder().encode('raw'));
      channel.complete();
      expect(Buffer.from(await received).toString()).to.equal('raw');
      expect(channel.info.peerCertificateType).to.equal('RawPublicKey');
    } finally {
      sub.unsubscribe();
    }
  });

  it('a DTLS client with a PSK and a raw key still offers the certificate suites', () => {
    const client = Session.client({ protocol: 'dtls', psk: { identity: 'id', key: new Uint8Array(16) }, serverRawPublicKey: SPKI_PEM });
    expect((client as unknown as { config: { tls12Suites: Array<{ auth: string }> } }).config.tls12Suites.some((s) => s.auth === 'ecdsa')).to.equal(true);
  });
});
