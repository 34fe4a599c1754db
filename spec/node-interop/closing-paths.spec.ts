/**
 * Every way a channel over a node socket ends puts its last record on the
 * wire before the socket goes (issue: "fatal alerts never reach the peer").
 * Read from the peer's side: openssl's `-msg` trace of what it received, or
 * the raw bytes a plain TCP peer read.
 */
import { expect } from 'chai';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { firstValueFrom, ReplaySubject, type Subscription } from 'rxjs';
import { nobleCrypto } from '../../lib/crypto/index.js';
import type { CryptoProvider } from '../../lib/crypto/provider.js';
import { TlsError } from '../../lib/errors.js';
import { connectTls, listenTls, nodeCrypto, type SecureChannel } from '../../lib/node/index.js';
import { caPem, fixture, fixturePath } from '../support/fixtures.js';
import { requirePeer, runOpensslClient, startOpensslServer, stopAll, type OpensslServer } from '../interop/peers.js';
import { bytes } from './helpers.js';

/** What a silent peer reads when the handshake times out: plaintext warning alerts user_canceled, then close_notify. */
const TIMEOUT_ALERTS = [21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0];

/** openssl -msg lines for an alert it received (`<<<`). */
const received = (level: 'fatal' | 'warning', alert: string) => new RegExp(`<<< TLS 1\\.[23], Alert \\[length 0002\\], ${level} ${alert}`);

/** Everything a raw TCP peer reads until the other side closes. */
function readAll(socket: Socket): Promise<number[]> {
  return new Promise((resolve) => {
    const got: number[] = [];
    socket.on('data', (d: Buffer) => got.push(...d));
    socket.on('error', () => resolve(got));
    socket.on('close', () => resolve(got));
  });
}

const providers: Array<[string, CryptoProvider]> = [
  ['noble', nobleCrypto],
  ['node', nodeCrypto],
];

for (const [name, crypto] of providers) {
  describe(`closing paths put the last record on the wire (${name} provider)`, function () {
    this.timeout(20_000);
    after(stopAll);

    describe('server role: listenTls, the peer is openssl s_client -msg', () => {
      let sub: Subscription | undefined;
      afterEach(() => sub?.unsubscribe());

      /** Listens with `onChannel` for every connection; resolves with the port. */
      async function serve(onChannel: (ch: SecureChannel) => void, extra: { handshakeTimeout?: number } = {}): Promise<number> {
        const listening = new ReplaySubject<AddressInfo>(1);
        sub = listenTls({
          cert: fixture('server-p256.pem'),
          key: fixture('server-p256.key'),
          host: '127.0.0.1',
          listeningObserver: listening,
          session: { crypto },
          ...extra,
        }).subscribe(onChannel);
        return (await firstValueFrom(listening)).port;
      }

      const client = (port: number, args: string[] = []) =>
        runOpensslClient({ port, args: ['-msg', '-servername', 'localhost', ...args], timeoutMs: 10_000 });

      it('a fatal alert in the handshake (no common group)', async function () {
        requirePeer('openssl', this);
        const port = await serve((ch) => ch.subscribe({ error: () => {} }));
        const res = await client(port, ['-groups', 'ffdhe2048']); // a group we do not implement
        expect(res.stdout + res.stderr).to.match(received('fatal', 'handshake_failure'));
      });

      it('complete(): our data, then close_notify', async function () {
        requirePeer('openssl', this);
        const port = await serve((ch) => {
          ch.subscribe({ error: () => {} });
          ch.handshake$.subscribe(() => {
            ch.next(bytes('last words\n'));
            ch.complete();
          });
        });
        const res = await client(port);
        expect(res.stdout).to.include('last words');
        expect(res.stdout).to.match(received('warning', 'close_notify'));
      });

      it('error(): what was already written still arrives, and no close_notify', async function () {
        requirePeer('openssl', this);
        const port = await serve((ch) => {
          ch.subscribe({ error: () => {} });
          // Once the handshake is reported, next() writes at once; error() then drops only what still waits.
          ch.handshake$.subscribe(() =>
            setImmediate(() => {
              ch.next(bytes('last words\n'));
              ch.error(new Error('aborted by the application'));
            }),
          );
        });
        const res = await client(port);
        expect(res.stdout).to.include('last words');
        expect(res.stdout).not.to.match(received('warning', 'close_notify'));
      });

      it('unsubscribing the last reader: close_notify', async function () {
        requirePeer('openssl', this);
        const port = await serve((ch) => {
          const reader = ch.subscribe({ error: () => {} });
          ch.handshake$.subscribe(() => reader.unsubscribe());
        });
        const res = await client(port);
        expect(res.stdout).to.match(received('warning', 'close_notify'));
      });

      for (const [what, send] of [
        ['sends nothing', []],
        ['sends half a ClientHello', [22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3]],
      ] as const) {
        it(`the handshake timeout, to a peer that ${what}: user_canceled then close_notify`, async () => {
          const errors: unknown[] = [];
          const port = await serve((ch) => ch.subscribe({ error: (e) => errors.push(e) }), { handshakeTimeout: 300 });
          const socket = connect({ host: '127.0.0.1', port });
          socket.write(Uint8Array.from(send));
          const got = await readAll(socket);
          expect(got).to.deep.equal(TIMEOUT_ALERTS);
          expect(errors).to.have.length(1);
          expect((errors[0] as TlsError).code).to.equal('ERR_TLS_HANDSHAKE_TIMEOUT');
        });
      }
    });

    describe('client role: connectTls, the peer is openssl s_server -msg', () => {
      let server: OpensslServer | undefined;
      afterEach(async () => server?.stop());

      const start = () =>
        startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), args: ['-msg'] });
      const open = (port: number, options: Partial<Parameters<typeof connectTls>[0]> = {}) =>
        firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), session: { crypto }, ...options }));

      it('a fatal alert in the handshake (untrusted server: unknown_ca)', async function () {
        requirePeer('openssl', this);
        server = await start();
        const channel = await open(server.port, { ca: fixture('other-ca.pem') });
        const err = await firstValueFrom(channel.handshake$).catch((e: unknown) => e);
        expect((err as TlsError).code).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE'); // node:tls's code for it
        await server.waitForOutput(received('fatal', 'unknown_ca'));
      });

      it('complete(): our data, then close_notify', async function () {
        requirePeer('openssl', this);
        server = await start();
        const channel = await open(server.port);
        channel.subscribe({ error: () => {} });
        channel.next(bytes('last words\n'));
        channel.complete();
        await server.waitForOutput('last words');
        await server.waitForOutput(received('warning', 'close_notify'));
      });

      it('error() right after a write: the written data still arrives', async function () {
        requirePeer('openssl', this);
        server = await start();
        const channel = await open(server.port);
        channel.subscribe({ error: () => {} });
        await firstValueFrom(channel.handshake$);
        channel.next(bytes('last words\n'));
        channel.error(new Error('aborted by the application'));
        await server.waitForOutput('last words');
        expect(server.output()).not.to.match(received('warning', 'close_notify'));
      });

      it('unsubscribing the last reader: close_notify', async function () {
        requirePeer('openssl', this);
        server = await start();
        const channel = await open(server.port);
        const reader = channel.subscribe({ error: () => {} });
        await firstValueFrom(channel.handshake$);
        reader.unsubscribe();
        await server.waitForOutput(received('warning', 'close_notify'));
      });

      it('a checkServerIdentity veto: bad_certificate', async function () {
        requirePeer('openssl', this);
        server = await start();
        const channel = await open(server.port, { checkServerIdentity: () => new Error('not the server I pinned') });
        const err = await firstValueFrom(channel.handshake$).catch((e: unknown) => e);
        expect((err as Error).message).to.equal('not the server I pinned');
        await server.waitForOutput(received('fatal', 'bad_certificate'));
      });

      it('the handshake timeout, to a server that accepts and never answers: user_canceled then close_notify', async () => {
        const got = new Promise<number[]>((resolve) => {
          const silent = createServer((socket) => {
            readAll(socket).then((bytes) => {
              silent.close();
              resolve(bytes);
            });
          });
          silent.listen(0, '127.0.0.1', async () => {
            const channel = await open((silent.address() as AddressInfo).port, { handshakeTimeout: 300 });
            channel.subscribe({ error: () => {} });
          });
        });
        const bytes = await got;
        expect(bytes[0]).to.equal(22); // the ClientHello record
        expect(bytes.slice(-TIMEOUT_ALERTS.length)).to.deep.equal(TIMEOUT_ALERTS);
      });
    });
  });
}
