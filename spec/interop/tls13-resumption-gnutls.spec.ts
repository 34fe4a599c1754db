/**
 * TLS 1.3 resumption against GnuTLS, both roles: `gnutls-cli --resume`
 * (TLS 1.3 only) against our listenTls server, where gnutls-cli itself says
 * "This is a resumed session" for its second connection and our server's
 * channel says `info.resumed`; and our client against `gnutls-serv --echo`
 * (in a private network namespace, reached through the harness's relay that
 * runs in that namespace; and once as a process inside the namespace itself),
 * resuming with a ticket gnutls-serv issued, which gnutls-serv's own log confirms. In CI a missing peer fails (requirePeer).
 */
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, ReplaySubject } from 'rxjs';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { connectTls, listenTls, type SecureChannel } from '../../lib/node/index.js';
import { caPem, fixturePath, serverIdentity } from '../support/fixtures.js';
import { text } from '../node-interop/helpers.js';
import { GNUTLS_TLS13_PRIORITY, requirePeer, runGnutlsClient, startGnutlsServer, stopAll, type GnutlsServer } from './peers.js';

const CA_FILE = fixturePath('ca.pem');
const CLIENT_MAIN = fileURLToPath(new URL('./resume-client-main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url)); // --import tsx resolves from here
const RESUMED = /\*\*\* This is a resumed session/g;

describe('TLS 1.3 resumption interop with GnuTLS', function () {
  this.timeout(30_000);
  after(() => stopAll());

  it('gnutls-cli --resume against our server: "This is a resumed session", and our server saw resumed = true', async function () {
    requirePeer('gnutls-cli', this);
    const listening = new ReplaySubject<AddressInfo>(1);
    const channels: SecureChannel[] = [];
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening }).subscribe((channel) => {
      channels.push(channel);
      channel.subscribe({ next: (chunk) => channel.next(chunk), error: () => {} });
    });
    try {
      const { port } = await firstValueFrom(listening);
      const msg = `gnutls-resume-${Math.random().toString(36).slice(2)}`;
      const run = await runGnutlsClient({
        port,
        insecure: false,
        priority: GNUTLS_TLS13_PRIORITY,
        args: ['--resume', `--x509cafile=${CA_FILE}`, '--sni-hostname=localhost', '--verify-hostname=localhost'],
        input: `${msg}\n`,
        closeWhen: msg,
        timeoutMs: 15_000,
      });
      expect(run.code, run.stderr).to.equal(0);
      // Two handshakes in one run: the second is the resumption attempt.
      expect(run.stdout).to.match(/trying to resume previous session/);
      expect(run.stdout.match(RESUMED), run.stdout).to.have.length(1);
      const again = run.stdout.slice(run.stdout.indexOf('trying to resume'));
      expect(again).to.match(/^- Description: \(TLS1\.3-/m).and.to.match(/Resume Handshake was completed/);
      expect(run.stdout).to.include(msg); // the echo came back over the resumed connection
      expect(channels.map((c) => c.info.version)).to.deep.equal(['TLSv1.3', 'TLSv1.3']);
      expect(channels.map((c) => c.info.resumed)).to.deep.equal([false, true]);
    } finally {
      sub.unsubscribe();
    }
  });

  describe('our client -> gnutls-serv --echo', () => {
    let server: GnutlsServer;
    before(async function () {
      requirePeer('gnutls-serv', this);
      server = await startGnutlsServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), priority: GNUTLS_TLS13_PRIORITY });
    });
    after(() => server?.stop());

    /** One connection: a line echoed, then close_notify; the channel's info afterwards. */
    const echo = async (line: string, session?: Tls13SessionTicket) => {
      const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: caPem(), session: { session } }));
      channel.next(new TextEncoder().encode(`${line}\n`));
      // gnutls-serv echoes and keeps the connection: close once the echo is in.
      const echoed = await new Promise<string>((resolve, reject) => {
        let got = '';
        channel.subscribe({
          next: (c) => {
            got += text(c);
            if (got.includes('\n')) resolve(got);
          },
          error: reject,
        });
      });
      channel.complete();
      return { echoed, info: channel.info };
    };

    it('resumes with a ticket gnutls-serv issued (info.resumed, and gnutls-serv logs the resumption)', async () => {
      const first = await echo('first');
      expect(first.echoed).to.equal('first\n');
      expect(first.info).to.include({ version: 'TLSv1.3', resumed: false });
      const ticket = first.info.tickets.at(-1) as Tls13SessionTicket | undefined;
      expect(ticket, 'gnutls-serv sent no NewSessionTicket').to.include({ version: 'TLSv1.3' });
      const before = (server.output().match(RESUMED) ?? []).length;

      const second = await echo('second', ticket);
      expect(second.echoed).to.equal('second\n');
      expect(second.info).to.include({ version: 'TLSv1.3', resumed: true });
      // gnutls-serv's own word for it, printed per connection.
      await server.waitForOutput(/This is a resumed session/);
      expect((server.output().match(RESUMED) ?? []).length).to.equal(before + 1);
    });

    it('our client as a process inside gnutls-serv\'s namespace (no relay) resumes too', async () => {
      const before = (server.output().match(RESUMED) ?? []).length;
      const r = await server.netns.exec([process.execPath, '--import', 'tsx', CLIENT_MAIN, String(server.netnsPort)], { cwd: REPO, timeoutMs: 20_000 });
      expect(r.code, r.stderr).to.equal(0);
      const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { first: { resumed: boolean; tickets: number }; second?: { resumed: boolean; version: string } };
      expect(report.first.resumed).to.equal(false);
      expect(report.first.tickets).to.be.greaterThan(0);
      expect(report.second).to.deep.equal({ resumed: true, version: 'TLSv1.3' });
      await server.waitForOutput(/This is a resumed session/);
      expect((server.output().match(RESUMED) ?? []).length).to.equal(before + 1);
    });

    it('a ticket gnutls-serv cannot open (its bytes changed) falls back to a full handshake', async () => {
      const first = await echo('third');
      const ticket = first.info.tickets.at(-1) as Tls13SessionTicket;
      const spoiled = ticket.ticket.slice();
      spoiled[spoiled.length - 1]! ^= 0x01;
      const second = await echo('fourth', { ...ticket, ticket: spoiled });
      expect(second.echoed).to.equal('fourth\n');
      expect(second.info.resumed).to.equal(false);
    });
  });
});
