/**
 * TLS 1.3 resumption against OpenSSL: `openssl s_client -sess_out` then
 * `-sess_in` against our server (s_client prints "Reused, TLSv1.3"), and our
 * client against `openssl s_server -www`, whose status page says whether it
 * reused the session. In CI a missing openssl is a failure (requirePeer).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, ReplaySubject } from 'rxjs';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { connectTls, listenTls, type SecureChannel } from '../../lib/node/index.js';
import { caPem, fixturePath, serverIdentity } from '../support/fixtures.js';
import { collect, text } from '../node-interop/helpers.js';
import { requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';

const CA_FILE = fixturePath('ca.pem');

describe('TLS 1.3 resumption interop with openssl', function () {
  this.timeout(20_000);
  let dir: string;
  before(function () {
    requirePeer('openssl', this);
    dir = mkdtempSync(join(tmpdir(), 'rxtls-resume-'));
  });
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await stopAll();
  });

  it('openssl s_client -sess_out, then -sess_in against our server: "Reused, TLSv1.3"', async () => {
    const listening = new ReplaySubject<AddressInfo>(1);
    const channels: SecureChannel[] = [];
    const greeting = 'rxtls-greeting-5e1f';
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening }).subscribe((channel) => {
      channels.push(channel);
      channel.subscribe({ error: () => {} });
      channel.next(new TextEncoder().encode(`${greeting}\n`));
    });
    try {
      const { port } = await firstValueFrom(listening);
      const sess = join(dir, 'server.sess');
      const args = (more: string[]) => ['-CAfile', CA_FILE, '-verify_return_error', '-servername', 'localhost', ...more];
      const first = await runOpensslClient({ port, args: args(['-sess_out', sess]), closeWhen: greeting, timeoutMs: 10_000 });
      expect(first.stdout).to.match(/New, TLSv1\.3/);
      const second = await runOpensslClient({ port, args: args(['-sess_in', sess]), closeWhen: greeting, timeoutMs: 10_000 });
      expect(second.stdout).to.match(/Reused, TLSv1\.3/);
      expect(channels.map((c) => c.info.resumed)).to.deep.equal([false, true]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('our client resumes against openssl s_server (its -www page says "Reused, TLSv1.3")', async () => {
    const server = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), www: true });
    try {
      const get = async (session?: Tls13SessionTicket) => {
        const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: caPem(), session: { session } }));
        channel.next(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
        return { page: text(await collect(channel)), info: channel.info };
      };
      const first = await get();
      expect(first.page).to.match(/New, TLSv1\.3/);
      const ticket = first.info.tickets[0] as Tls13SessionTicket;
      expect(ticket).to.include({ version: 'TLSv1.3' });
      const second = await get(ticket);
      expect(second.page).to.match(/Reused, TLSv1\.3/);
      expect(second.info.resumed).to.equal(true);
    } finally {
      await server.stop();
    }
  });
});
