/**
 * connectTls/listenTls options: node:tls options we do not support and
 * unknown names are refused with a clear message and a node-style code, never
 * ignored; minVersion/maxVersion; `signal`; the handshake-timeout defaults.
 */
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { firstValueFrom, lastValueFrom, ReplaySubject, Subject, toArray } from 'rxjs';
import { connectTls, listenTls, type ConnectTlsOptions, type ListenTlsOptions, type SecureChannel } from '../../lib/node/index.js';
import { clientChannelOptions, serverChannelOptions } from '../../lib/node/options.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { collect, endSoon, nodeTlsServer, once, text } from './helpers.js';

type CodedError = Error & { code?: string };

/** The error connectTls(options) fails with (its Observable's), without a network. */
const connectError = (options: object) => firstValueFrom(connectTls({ port: 1, ca: caPem(), ...options } as ConnectTlsOptions)).then(
  () => expect.fail('expected the options to be refused'),
  (e: CodedError) => e,
);
const listenError = (options: object) => firstValueFrom(listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', ...options } as ListenTlsOptions)).then(
  () => expect.fail('expected the options to be refused'),
  (e: CodedError) => e,
);

describe('connectTls/listenTls options', () => {
  describe('refused, with a message saying what to do', () => {
    it('an unknown name (a typo) lists the supported options and suggests the closest', async () => {
      const err = await connectError({ servrname: 'example.com' });
      expect(err).to.be.instanceOf(TypeError);
      expect(err.code).to.equal('ERR_INVALID_ARG_VALUE');
      expect(err.message).to.contain("unknown option 'servrname' (did you mean 'servername'?)");
      expect(err.message).to.contain('Supported options: ALPNProtocols, allowHalfOpen, ca, cert, checkServerIdentity, clientCertificate');
      const serverErr = await listenError({ maxConnection: 5 });
      expect(serverErr.code).to.equal('ERR_INVALID_ARG_VALUE');
      expect(serverErr.message).to.contain("did you mean 'maxConnections'?");
    });

    it('node:tls options rxtls does not support name the way to do it here', async () => {
      const cases: Array<[object, RegExp]> = [
        [{ ciphers: 'TLS_AES_128_GCM_SHA256' }, /'ciphers' is not supported: .*session: \{ suites:/],
        [{ ecdhCurve: 'X25519' }, /session: \{ groups:/],
        [{ secureProtocol: 'TLSv1_3_method' }, /minVersion\/maxVersion/],
        [{ pfx: Buffer.alloc(1) }, /PKCS#12 is not supported/],
        [{ passphrase: 'secret' }, /encrypted private keys are not supported/],
        [{ secureContext: {} }, /pass cert, key and ca/],
        [{ session: Buffer.alloc(10) }, /resuming from a node:tls session Buffer is not supported/],
        [{ clientCertEngine: 'x' }, /pass `cert` and `key`/],
        [{ timeout: 1000 }, /handshakeTimeout/],
      ];
      for (const [options, message] of cases) {
        const err = await connectError(options);
        expect(err.code, JSON.stringify(options)).to.equal('ERR_TLS_UNSUPPORTED_OPTION');
        expect(err.message).to.match(message);
      }
      for (const [options, message] of [
        [{ SNICallback: () => {} }, /per-name certificates/],
      ] as Array<[object, RegExp]>) {
        const err = await listenError(options);
        expect(err.code, Object.keys(options)[0]).to.equal('ERR_TLS_UNSUPPORTED_OPTION');
        expect(err.message).to.match(message);
      }
    });

    it("node's ticketKeys: 48 bytes on listenTls only", async () => {
      for (const bad of [Buffer.alloc(32), Buffer.alloc(80), 'secret']) {
        const err = await listenError({ ticketKeys: bad });
        expect(err.code).to.equal('ERR_INVALID_ARG_VALUE');
        expect(err.message).to.contain('48-byte Buffer');
      }
      const err = await connectError({ ticketKeys: Buffer.alloc(48) });
      expect(err.code).to.equal('ERR_TLS_UNSUPPORTED_OPTION');
      expect(err.message).to.contain('ticketKeys is a server option');
    });

    it("maxVersion below TLSv1.2 is refused; a bad version name is node's error", async () => {
      const err = await connectError({ maxVersion: 'TLSv1.1' });
      expect(err.code).to.equal('ERR_TLS_UNSUPPORTED_OPTION');
      expect((await listenError({ maxVersion: 'TLSv1' })).message).to.contain('TLS 1.1 and older are not supported');
      const bad = await connectError({ minVersion: 'TLS1.3' });
      expect(bad).to.be.instanceOf(TypeError);
      expect(bad.code).to.equal('ERR_TLS_INVALID_PROTOCOL_VERSION');
    });

    it('bad limit values', async () => {
      expect((await listenError({ maxConcurrentHandshakes: 0 })).code).to.equal('ERR_INVALID_ARG_VALUE');
      expect((await listenError({ maxConnections: -1 })).code).to.equal('ERR_INVALID_ARG_VALUE');
      expect((await connectError({ handshakeTimeout: -5 })).code).to.equal('ERR_INVALID_ARG_VALUE');
      expect((await connectError({ signal: {} })).code).to.equal('ERR_INVALID_ARG_VALUE');
    });
  });

  describe('honoured', () => {
    it("minVersion 'TLSv1.2'/'TLSv1.3' and maxVersion 'TLSv1.3' connect with TLS 1.3; undefined values count as unset", async () => {
      const peer = await nodeTlsServer((socket) => endSoon(socket, 'hi'));
      try {
        for (const minVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
          const channel = await firstValueFrom(
            connectTls({ port: peer.port, ca: caPem(), minVersion, maxVersion: 'TLSv1.3', ciphers: undefined, servername: undefined } as ConnectTlsOptions),
          );
          expect(text(await collect(channel))).to.equal('hi');
          expect(channel.info.version).to.equal('TLSv1.3');
        }
      } finally {
        await peer.close();
      }
    });

    it('a server accepts requestCert: false and rejectUnauthorized (no effect without client certificates, as in node)', async () => {
      const listening = new Subject<AddressInfo>();
      const portP = firstValueFrom(listening);
      const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, requestCert: false, rejectUnauthorized: true, minVersion: 'TLSv1.3' }).subscribe(
        (channel) => channel.subscribe({ error: () => {} }),
      );
      try {
        const { port } = await portP;
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() });
        await once(socket, 'secureConnect');
        socket.destroy();
      } finally {
        sub.unsubscribe();
      }
    });

    it('handshake timeouts: client 60 s and server 120 s by default, 0 or Infinity for none', () => {
      expect(clientChannelOptions({ port: 1 }).handshakeTimeout).to.equal(60_000);
      expect(clientChannelOptions({ port: 1, handshakeTimeout: 5000 }).handshakeTimeout).to.equal(5000);
      expect(clientChannelOptions({ port: 1, handshakeTimeout: 0 }).handshakeTimeout).to.equal(undefined);
      const server = { ...serverIdentity('p256') };
      expect(serverChannelOptions(server).handshakeTimeout).to.equal(120_000);
      expect(serverChannelOptions({ ...server, handshakeTimeout: Infinity }).handshakeTimeout).to.equal(undefined);
    });
  });

  describe('signal', () => {
    const expectAbortError = (err: unknown) => {
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).name).to.equal('AbortError');
      expect((err as CodedError).code).to.equal('ABORT_ERR');
    };

    it('aborted before subscribing: both Observables error with an AbortError (its reason as cause)', async () => {
      const controller = new AbortController();
      const reason = new Error('shutting down');
      controller.abort(reason);
      const err = await firstValueFrom(connectTls({ port: 1, ca: caPem(), signal: controller.signal })).catch((e: unknown) => e);
      expectAbortError(err);
      expect((err as Error).cause).to.equal(reason);
      expectAbortError(await firstValueFrom(listenTls({ ...serverIdentity('p256'), signal: controller.signal })).catch((e: unknown) => e));
    });

    it('aborted while connecting: the Observable errors with an AbortError and emits no channel', async () => {
      const peer = await nodeTlsServer(() => {});
      try {
        const controller = new AbortController();
        const result = lastValueFrom(connectTls({ port: peer.port, host: '127.0.0.1', ca: caPem(), signal: controller.signal }).pipe(toArray())).catch((e: unknown) => e);
        controller.abort();
        expectAbortError(await result);
      } finally {
        await peer.close();
      }
    });

    it('aborted after connecting: the channel is aborted with the AbortError', async () => {
      const peerSaw = new ReplaySubject<string>(1);
      const peer = await nodeTlsServer((socket) => {
        socket.on('error', (e: Error) => peerSaw.next(`error ${e.message}`));
        socket.on('end', () => peerSaw.next('end'));
        socket.resume();
      });
      try {
        const controller = new AbortController();
        const channel = await firstValueFrom(connectTls({ port: peer.port, ca: caPem(), signal: controller.signal }));
        await firstValueFrom(channel.handshake$);
        const read = collect(channel).catch((e: unknown) => e);
        controller.abort();
        expectAbortError(await read);
        expect(channel.closed).to.equal(true);
        await firstValueFrom(peerSaw); // the peer sees the connection go
      } finally {
        await peer.close();
      }
    });

    it('listenTls: abort closes the listener, aborts its channels and errors the Observable with the AbortError', async () => {
      const controller = new AbortController();
      const listening = new Subject<AddressInfo>();
      const portP = firstValueFrom(listening);
      const accepted = new ReplaySubject<SecureChannel>(1);
      let listenerError: unknown;
      listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, signal: controller.signal }).subscribe({
        next: (c) => accepted.next(c),
        error: (e) => (listenerError = e),
      });
      const { port } = await portP;
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() });
      client.on('error', () => {});
      await once(client, 'secureConnect');
      const channel = await firstValueFrom(accepted);
      const read = collect(channel).catch((e: unknown) => e);
      controller.abort();
      expectAbortError(await read);
      expectAbortError(listenerError);
      await once(client, 'close');
      const refused = await new Promise<CodedError>((resolve) => tls.connect({ host: '127.0.0.1', port, ca: caPem() }).on('error', resolve));
      expect(refused.code).to.equal('ECONNREFUSED');
    });
  });
});
