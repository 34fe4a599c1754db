/**
 * Ticket keys shared between processes: a ticket our listener A (this
 * process) issued resumes on listener B, another Node process given the same
 * keys (node:tls's 48-byte `ticketKeys` option, or the same key through
 * `session: { ticketKeys }` and ticketKeyFromNode()); once B restarts with a
 * rotated set that no longer holds that key, the same kind of ticket gets a
 * full handshake, with no error on either side. B prints what it saw.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, ReplaySubject } from 'rxjs';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { connectTls, generateTicketKey, listenTls, ticketKeyFromNode, type SecureChannel, type TicketKey } from '../../lib/node/index.js';
import { spawnTracked, type TrackedProcess } from '../interop/proc.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { collect, text } from './helpers.js';

const MAIN = fileURLToPath(new URL('./ticket-listener-main.ts', import.meta.url));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const random = (n: number) => new Uint8Array(randomBytes(n));

/** Listener B: a child process; `seen()` lists what it printed per connection. */
async function startB(options: { nodeKeysHex?: string; keys?: TicketKey[] }) {
  const arg = { nodeKeysHex: options.nodeKeysHex, keys: options.keys?.map((k) => ({ nameHex: hex(k.name), keyHex: hex(k.key) })) };
  const child: TrackedProcess = spawnTracked([process.execPath, '--import', 'tsx', MAIN, JSON.stringify(arg)]);
  const lines = () =>
    child
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { port?: number; resumed?: boolean; version?: string; error?: string });
  await child.waitForOutput(/"port":\d+/, 15_000);
  const port = lines().find((l) => l.port)!.port!;
  return {
    port,
    /** The handshakes B reported so far (waits for `count`). */
    async seen(count: number) {
      await child.waitForOutput(new RegExp(`(?:[^]*?"resumed"[^\\n]*\\n){${count}}`), 10_000);
      return lines().filter((l) => 'resumed' in l || 'error' in l);
    },
    async stop() {
      child.proc.stdin!.end();
      await child.exited();
    },
  };
}

/** One connection: what the server wrote and our side's info. */
async function connect(port: number, session?: Tls13SessionTicket) {
  const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), session: { session } }));
  const data = text(await collect(channel));
  return { data, info: channel.info };
}

describe('TLS 1.3 tickets across processes sharing ticket keys', function () {
  this.timeout(60_000);
  const nodeKeys = random(48);
  const channelsA: SecureChannel[] = [];
  let portA: number;
  let stopA: () => void;

  before(async () => {
    const listening = new ReplaySubject<AddressInfo>(1);
    const sub = listenTls({ ...serverIdentity('p256'), host: '127.0.0.1', ticketKeys: nodeKeys, listeningObserver: listening }).subscribe((channel) => {
      channelsA.push(channel);
      channel.subscribe({ error: () => {} });
      channel.next(new TextEncoder().encode('hi'));
      channel.complete();
    });
    stopA = () => sub.unsubscribe();
    portA = (await firstValueFrom(listening)).port;
  });
  after(() => stopA?.());

  /** A fresh ticket from listener A (a full handshake there). */
  async function ticketFromA(): Promise<Tls13SessionTicket> {
    const first = await connect(portA);
    expect(first.data).to.equal('hi');
    expect(first.info.resumed).to.equal(false);
    const ticket = first.info.tickets.at(-1) as Tls13SessionTicket;
    expect(ticket).to.include({ version: 'TLSv1.3' });
    // A's ticket names the key it was sealed under: node's first 16 bytes.
    expect(hex(ticket.ticket.subarray(0, 16))).to.equal(hex(nodeKeys.subarray(0, 16)));
    return ticket;
  }

  it('a ticket from A resumes on B (node-style ticketKeys, 48 bytes) — B and the client both say resumed', async () => {
    const ticket = await ticketFromA();
    const b = await startB({ nodeKeysHex: hex(nodeKeys) });
    try {
      const second = await connect(b.port, ticket);
      expect(second.data).to.equal('hi');
      expect(second.info.resumed).to.equal(true);
      expect(await b.seen(1)).to.deep.equal([{ resumed: true, version: 'TLSv1.3' }]);
    } finally {
      await b.stop();
    }
  });

  it('B restarted with a rotated list still holding the key (session.ticketKeys, ticketKeyFromNode) resumes it', async () => {
    const ticket = await ticketFromA();
    const b = await startB({ keys: [generateTicketKey(random), ticketKeyFromNode(nodeKeys)] });
    try {
      const second = await connect(b.port, ticket);
      expect(second.info.resumed).to.equal(true);
      expect(await b.seen(1)).to.deep.equal([{ resumed: true, version: 'TLSv1.3' }]);
      // B now seals under its new current key: A (which lacks it) would not resume B's tickets.
      const fromB = second.info.tickets.at(-1) as Tls13SessionTicket;
      const onA = await connect(portA, fromB);
      expect(onA.data).to.equal('hi');
      expect(onA.info.resumed).to.equal(false);
      expect(channelsA.at(-1)!.info.resumed).to.equal(false);
    } finally {
      await b.stop();
    }
  });

  it('B restarted after rotation dropped the key: full handshake, no error, on both sides', async () => {
    const ticket = await ticketFromA();
    const b = await startB({ keys: [generateTicketKey(random), generateTicketKey(random)] });
    try {
      const second = await connect(b.port, ticket);
      expect(second.data).to.equal('hi');
      expect(second.info).to.include({ version: 'TLSv1.3', resumed: false });
      expect(await b.seen(1)).to.deep.equal([{ resumed: false, version: 'TLSv1.3' }]);
      // The full handshake handed out a ticket under B's keys, which B resumes.
      const fresh = second.info.tickets.at(-1) as Tls13SessionTicket;
      expect((await connect(b.port, fresh)).info.resumed).to.equal(true);
      expect(await b.seen(2)).to.deep.equal([
        { resumed: false, version: 'TLSv1.3' },
        { resumed: true, version: 'TLSv1.3' },
      ]);
    } finally {
      await b.stop();
    }
  });
});
