/**
 * Mutual TLS through the node layer: listenTls with node's requestCert/ca and
 * connectTls with cert/key, the client's certificate on the server's channel
 * and duplex (getPeerCertificate(), authorized), the refusal of a client
 * without one, and post-handshake authentication asked with
 * channel.requestClientCertificate().
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ReplaySubject, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { connectTls, listenTls, toDuplex } from '../../lib/node/index.js';
import type { ListenTlsOptions } from '../../lib/node/options.js';
import type { SecureChannel } from '../../lib/rx/secure-channel.js';
import { caPem, fixture, serverIdentity } from '../support/fixtures.js';
import { bytes, text } from './helpers.js';

const clientCert = () => ({ cert: fixture('client-only.pem'), key: fixture('client-only.key') });
const CLIENT_CN = /CN=([^\n,]+)/.exec(new X509Certificate(fixture('client-only.pem')).subject)![1]!;

/** A listenTls server on 127.0.0.1 handing each channel to `serve`; resolves with its port and a stop(). */
async function server(options: Partial<ListenTlsOptions>, serve: (channel: SecureChannel) => void): Promise<{ port: number; stop: () => void }> {
  const listening = new ReplaySubject<AddressInfo>(1);
  const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, ...options }).subscribe(serve);
  const { port } = await firstValueFrom(listening);
  return { port, stop: () => sub.unsubscribe() };
}

describe('mutual TLS through listenTls/connectTls', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: the server sees the client's certificate on its channel and duplex`, async () => {
      const seen: Array<{ cn?: string; authorized: boolean; error?: string }> = [];
      const s = await server({ requestCert: true, ca: caPem(), minVersion: version, maxVersion: version }, (channel) => {
        channel.handshake$.subscribe(() => {
          const duplex = toDuplex(channel);
          seen.push({ cn: duplex.getPeerCertificate().subject?.CN as string | undefined, authorized: duplex.authorized, error: duplex.authorizationError });
          channel.next(bytes('hello'));
          channel.complete();
        });
        channel.subscribe({ error: () => {} });
      });
      try {
        const channel = await firstValueFrom(connectTls({ port: s.port, host: '127.0.0.1', servername: 'localhost', ca: caPem(), ...clientCert() }));
        const got = await lastValueFrom(channel.pipe(toArray()));
        expect(text(Buffer.concat(got))).to.equal('hello');
        expect(seen).to.deep.equal([{ cn: CLIENT_CN, authorized: true, error: undefined }]);
      } finally {
        s.stop();
      }
    });
  }

  it('a client without a certificate fails with certificate_required from the server', async () => {
    const s = await server({ requestCert: true, ca: caPem() }, (channel) => channel.subscribe({ error: () => {} }));
    try {
      const channel = await firstValueFrom(connectTls({ port: s.port, host: '127.0.0.1', servername: 'localhost', ca: caPem() }));
      const failure = await lastValueFrom(channel).then(() => undefined, (e: unknown) => e);
      expect(failure).to.be.instanceOf(TlsError);
      expect(failure).to.include({ alert: 'certificate_required', fromPeer: true });
    } finally {
      s.stop();
    }
  });

  it('rejectUnauthorized: false lets a client without a certificate in, unauthorized', async () => {
    const result: Array<[boolean, string | undefined]> = [];
    const s = await server({ requestCert: true, rejectUnauthorized: false, ca: caPem() }, (channel) => {
      channel.handshake$.subscribe(() => {
        result.push([toDuplex(channel).authorized, channel.info.authorizationError]);
        channel.complete();
      });
      channel.subscribe({ error: () => {} });
    });
    try {
      const channel = await firstValueFrom(connectTls({ port: s.port, host: '127.0.0.1', servername: 'localhost', ca: caPem() }));
      await lastValueFrom(channel, { defaultValue: undefined });
      expect(result).to.deep.equal([[false, 'ERR_TLS_NO_CLIENT_CERTIFICATE']]);
    } finally {
      s.stop();
    }
  });

  it('post-handshake: channel.requestClientCertificate() on the server, answered by a connectTls client with cert/key', async () => {
    const after: Array<boolean | undefined> = [];
    const s = await server({ session: { requestCert: 'post-handshake', ca: caPem() } }, (channel) => {
      channel.handshake$.subscribe(() => {
        after.push(channel.info.authorized);
        channel.requestClientCertificate();
        // Sent after the request: a client that reads this has answered it already.
        channel.next(bytes('asked'));
      });
      channel.subscribe({
        next: (chunk) => {
          if (text(chunk) !== 'ping') return;
          after.push(channel.info.authorized);
          channel.next(bytes('pong'));
          channel.complete();
        },
        error: () => {},
      });
    });
    try {
      const channel = await firstValueFrom(connectTls({ port: s.port, host: '127.0.0.1', servername: 'localhost', ca: caPem(), ...clientCert() }));
      const got: string[] = [];
      await new Promise<void>((resolve, reject) =>
        channel.subscribe({
          next: (chunk) => {
            got.push(text(chunk));
            if (text(chunk) === 'asked') channel.next(bytes('ping'));
          },
          error: reject,
          complete: resolve,
        }),
      );
      expect(got.join('')).to.equal('askedpong');
      expect(after).to.deep.equal([undefined, true]);
    } finally {
      s.stop();
    }
  });
});
