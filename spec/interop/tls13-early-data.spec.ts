/**
 * TLS 1.3 0-RTT early data (RFC 8446 §4.2.10) against OpenSSL, both roles:
 * - `openssl s_client -sess_in F -early_data FILE` against `rxtls server
 *   --echo --max-early-data N`: accepted (s_client says so and prints the
 *   echo, sent back as 0.5-RTT data); the ticket used again is refused early
 *   data (single-use) and resumes with 1-RTT; a server of the fleet that
 *   takes no early data declines it.
 * - our client against `openssl s_server -early_data`: s_server prints the
 *   early data it read; against an s_server that declines 0-RTT, our client
 *   sends the same bytes again after the handshake and they arrive.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, ReplaySubject, take } from 'rxjs';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { connectTls, listenTls } from '../../lib/node/index.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { caPem, fixturePath, serverIdentity } from '../support/fixtures.js';
import { rxtlsServer } from './cli-run.js';
import { requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import { token } from './tls13-support.js';

const CA_FILE = fixturePath('ca.pem');
const CERT = fixturePath('server-p256.pem');
const KEY = fixturePath('server-p256.key');
const clientArgs = (more: string[]) => ['-CAfile', CA_FILE, '-verify_return_error', '-servername', 'localhost', ...more];

describe('TLS 1.3 0-RTT interop with openssl', function () {
  this.timeout(30_000);
  let dir: string;
  before(function () {
    requirePeer('openssl', this);
    dir = mkdtempSync(join(tmpdir(), 'rxtls-early-'));
  });
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await stopAll();
  });

  it('s_client -early_data against rxtls server --max-early-data: accepted and echoed; the ticket again: rejected, still resumed', async () => {
    const server = await rxtlsServer(['--cert', CERT, '--key', KEY, '--echo', '--max-early-data', '16384']);
    try {
      const sess = join(dir, 'cli.sess');
      const first = token('first');
      const a = await runOpensslClient({ port: server.port, args: clientArgs(['-sess_out', sess]), input: `${first}\n`, closeWhen: first, timeoutMs: 10_000 });
      expect(a.stdout).to.match(/New, TLSv1\.3/);
      const early = token('early');
      const file = join(dir, 'early.txt');
      writeFileSync(file, `${early}\n`);
      const b = await runOpensslClient({ port: server.port, args: clientArgs(['-sess_in', sess, '-early_data', file]), closeWhen: early, timeoutMs: 10_000 });
      expect(b.stdout).to.match(/Reused, TLSv1\.3/);
      expect(b.stdout).to.include('Early data was accepted');
      // The echo of the early data came back: the server read it as 0-RTT data.
      expect(b.stdout).to.include(early);
      expect(server.stderr()).to.include(`early data: ${early.length + 1} bytes (replayable)`);
      const c = await runOpensslClient({ port: server.port, args: clientArgs(['-sess_in', sess, '-early_data', file]), closeWhen: /Early data was/, timeoutMs: 10_000 });
      expect(c.stdout).to.match(/Reused, TLSv1\.3/);
      expect(c.stdout).to.include('Early data was rejected');
      expect(server.stderr().match(/early data: \d+ bytes/g)).to.have.length(1);
    } finally {
      server.proc.kill();
    }
  });

  it('a server of the fleet sharing the ticket keys but taking no early data declines it (s_client: rejected)', async () => {
    const ticketKeys = [generateTicketKey((n) => new Uint8Array(n).fill(7))];
    const listen = (maxEarlyData: number) => {
      const listening = new ReplaySubject<AddressInfo>(1);
      const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', listeningObserver: listening, session: { ticketKeys, maxEarlyData } }).subscribe((ch) => {
        ch.subscribe({ next: (c) => ch.next(c), error: () => {} });
      });
      return { sub, port: firstValueFrom(listening).then((a) => a.port) };
    };
    const allows = listen(16384);
    const refuses = listen(0);
    try {
      const sess = join(dir, 'fleet.sess');
      const line = token('line');
      await runOpensslClient({ port: await allows.port, args: clientArgs(['-sess_out', sess]), input: `${line}\n`, closeWhen: line, timeoutMs: 10_000 });
      const file = join(dir, 'fleet-early.txt');
      writeFileSync(file, 'early\n');
      const r = await runOpensslClient({ port: await refuses.port, args: clientArgs(['-sess_in', sess, '-early_data', file]), closeWhen: /Early data was/, timeoutMs: 10_000 });
      expect(r.stdout).to.match(/Reused, TLSv1\.3/);
      expect(r.stdout).to.include('Early data was rejected');
    } finally {
      allows.sub.unsubscribe();
      refuses.sub.unsubscribe();
    }
  });

  /** A ticket from `port`: one connection that reads until the server's first ticket arrives. */
  async function ticketFrom(port: number): Promise<Tls13SessionTicket> {
    const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem() }));
    channel.subscribe({ error: () => {} });
    const ticket = await firstValueFrom(channel.session$.pipe(take(1)));
    if (ticket.version !== 'TLSv1.3') throw new Error('expected a TLS 1.3 ticket');
    channel.complete();
    return ticket;
  }

  it('our client against openssl s_server -early_data: s_server reads our early data; info.earlyData', async () => {
    const keylogFile = join(dir, 'server.keylog');
    const server = await startOpensslServer({ cert: CERT, key: KEY, args: ['-early_data', '-keylogfile', keylogFile] });
    try {
      const ticket = await ticketFrom(server.port);
      expect(ticket.maxEarlyData).to.be.greaterThan(0);
      // Without -www, s_server serves one connection at a time: the first one is over once it says DONE.
      await server.waitForOutput(/^DONE$/m);
      const early = token('our-early');
      const ours: string[] = [];
      const channel = await firstValueFrom(
        connectTls({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: caPem(), keylog: (l) => ours.push(l), session: { session: ticket, earlyData: true } }),
      );
      channel.next(new TextEncoder().encode(`${early}\n`));
      channel.subscribe({ error: () => {} });
      const info = await firstValueFrom(channel.handshake$);
      expect(info).to.include({ resumed: true, earlyData: true });
      // s_server writes the data itself unbuffered and its labels through a buffer: they show up in either order.
      await server.waitForOutput(/Early data received:[\s\S]*End of early data/);
      const out = await server.waitForOutput(early);
      expect(out.match(/No early data received/g)).to.have.length(1); // the first connection's
      // The early traffic and early exporter secrets OpenSSL derived are ours: same key schedule, same ClientHello.
      const theirs = readFileSync(keylogFile, 'utf8');
      for (const label of ['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET']) {
        const line = ours.find((l) => l.startsWith(`${label} `));
        expect(line, label).to.be.a('string');
        expect(theirs).to.include(line!);
      }
      channel.complete();
    } finally {
      await server.stop();
    }
  });

  it('our client against an s_server that declines 0-RTT: info.earlyData false, and the bytes arrive after the handshake', async () => {
    // -max_early_data advertises 0-RTT in the tickets, but without -early_data s_server never reads it: OpenSSL declines.
    const server = await startOpensslServer({ cert: CERT, key: KEY, args: ['-max_early_data', '16384'] });
    try {
      const ticket = await ticketFrom(server.port);
      expect(ticket.maxEarlyData).to.equal(16384);
      // Without -www, s_server serves one connection at a time: the first one is over once it says DONE.
      await server.waitForOutput(/^DONE$/m);
      const early = token('declined');
      const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: caPem(), session: { session: ticket, earlyData: true } }));
      channel.next(new TextEncoder().encode(`${early}\n`));
      channel.subscribe({ error: () => {} });
      const info = await firstValueFrom(channel.handshake$);
      expect(info).to.include({ resumed: true, earlyData: false });
      await server.waitForOutput(early);
      channel.complete();
    } finally {
      await server.stop();
    }
  });
});
