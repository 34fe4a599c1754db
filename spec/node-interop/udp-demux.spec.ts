/** UdpDemux over real loopback sockets: routing, the admit hook, the peer cap, idle timeout, close. */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { UdpDemux, type UdpDemuxOptions, type UdpPeer } from '../../lib/node/udp-demux.js';
import { AGAIN, EOF } from '../../lib/session/contract.js';

const text = (d: Uint8Array | string) => (typeof d === 'string' ? d : Buffer.from(d).toString());

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

const addressOf = (s: dgram.Socket) => `127.0.0.1:${s.address().port}`;
const closeSocket = (s: dgram.Socket) => new Promise<void>((resolve) => s.close(() => resolve()));

/** Resolves once `cond()` holds (polled; loopback delivery takes well under the 2 s limit). */
async function until(cond: () => boolean): Promise<void> {
  for (const started = Date.now(); !cond(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() - started > 2000) throw new Error('condition not reached');
  }
}

/** The next datagram `s` receives, as text. */
const nextMessage = (s: dgram.Socket) => new Promise<string>((resolve) => s.once('message', (m) => resolve(m.toString())));

describe('node/udp-demux (real loopback sockets)', () => {
  let server: dgram.Socket;
  let clients: dgram.Socket[];
  let demux: UdpDemux;
  const open = async (options: UdpDemuxOptions = {}, nClients = 2) => {
    server = await bound();
    clients = await Promise.all(Array.from({ length: nClients }, bound));
    demux = new UdpDemux(server, options);
  };
  const send = (from: dgram.Socket, msg: string) => from.send(msg, server.address().port, '127.0.0.1');
  /** Resolves once `n` peers were created, with them in order. */
  const peers = (n: number) =>
    new Promise<UdpPeer[]>((resolve) => {
      const seen: UdpPeer[] = [];
      const sub = demux.peers$.subscribe((p) => {
        seen.push(p);
        if (seen.length === n) {
          sub.unsubscribe();
          resolve(seen);
        }
      });
    });

  afterEach(async () => {
    demux.close();
    await Promise.all(clients.map(closeSocket));
  });

  it('routes each address to its own peer, and replies go back to that address', async () => {
    await open();
    const created = peers(2);
    send(clients[0]!, 'from 0');
    const [p0] = await peers(1);
    send(clients[1]!, 'from 1');
    const [, p1] = await created;
    expect([p0!.address, p1!.address]).to.deep.equal([addressOf(clients[0]!), addressOf(clients[1]!)]);
    expect(text(p0!.transport.pull() as Uint8Array)).to.equal('from 0');
    expect(p0!.transport.pull()).to.equal(AGAIN);
    expect(text(p1!.transport.pull() as Uint8Array)).to.equal('from 1');

    // A second datagram from a known address goes to the same peer, with a readable$ event.
    const readable = firstValueFrom(p0!.readiness.readable$);
    send(clients[0]!, 'again');
    await readable;
    expect(text(p0!.transport.pull() as Uint8Array)).to.equal('again');

    const reply = nextMessage(clients[1]!);
    expect(p1!.transport.push(Buffer.from('to 1'))).to.equal(4);
    expect(await reply).to.equal('to 1');
    expect(demux.size).to.equal(2);
  });

  it('admit() sees unknown addresses first: a rejected datagram creates nothing, and it can reply', async () => {
    const calls: string[] = [];
    await open({
      admit: (address, d, reply) => {
        calls.push(`${address} ${text(d)}`);
        if (text(d) === 'cookie') return true;
        reply(Buffer.from('need a cookie'));
        return false;
      },
    });
    let created = 0;
    demux.peers$.subscribe(() => created++);
    const answer = nextMessage(clients[0]!);
    send(clients[0]!, 'hello');
    expect(await answer).to.equal('need a cookie');
    expect([created, demux.size, demux.drops.rejected]).to.deep.equal([0, 0, 1]);

    const peer = peers(1);
    send(clients[0]!, 'cookie');
    const [p] = await peer;
    expect(text(p!.transport.pull() as Uint8Array)).to.equal('cookie');
    // Known now: admit is not asked again.
    const readable = firstValueFrom(p!.readiness.readable$);
    send(clients[0]!, 'data');
    await readable;
    expect(calls).to.deep.equal([`${addressOf(clients[0]!)} hello`, `${addressOf(clients[0]!)} cookie`]);
  });

  it('caps the number of peers: datagrams from further addresses are dropped and counted', async () => {
    let asked = 0;
    await open({ maxPeers: 1, admit: () => (asked++, true) }, 2);
    const first = peers(1);
    send(clients[0]!, 'a');
    await first;
    send(clients[1]!, 'b');
    await until(() => demux.drops.full === 1);
    expect([demux.size, asked]).to.deep.equal([1, 1]); // dropped before admit was asked
  });

  it('closes a peer idle for idleMs of scheduler time (activity postpones it); the next datagram makes a new peer', async () => {
    const scheduler = new VirtualTimeScheduler();
    const advanceTo = (t: number) => {
      scheduler.schedule(() => {}, t - scheduler.now());
      scheduler.maxFrames = t;
      scheduler.flush();
    };
    await open({ idleMs: 1000, scheduler });
    const first = peers(1);
    send(clients[0]!, 'a');
    const [p] = await first;
    advanceTo(600);
    const readable = firstValueFrom(p!.readiness.readable$);
    send(clients[0]!, 'b'); // activity at 600: idle until 1600
    await readable;
    advanceTo(1500);
    expect(p!.closed).to.equal(false);
    advanceTo(1600);
    expect(p!.closed).to.equal(true);
    expect(demux.size).to.equal(0);
    // The inbox is still readable, then EOF.
    expect(text(p!.transport.pull() as Uint8Array)).to.equal('a');
    expect(text(p!.transport.pull() as Uint8Array)).to.equal('b');
    expect(p!.transport.pull()).to.equal(EOF);

    const again = peers(1);
    send(clients[0]!, 'c');
    const [q] = await again;
    expect(q).to.not.equal(p);
    expect(text(q!.transport.pull() as Uint8Array)).to.equal('c');
  });

  it('close() ends every peer with EOF and closes the socket', async () => {
    await open();
    const created = peers(1);
    send(clients[0]!, 'a');
    const [p] = await created;
    const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
    demux.close();
    await closed;
    expect(p!.transport.pull()).to.not.equal(EOF); // the inbox first
    expect(p!.transport.pull()).to.equal(EOF);
    expect(p!.transport.push(Buffer.from('x'))).to.equal(1); // nowhere to go, no throw
    demux.close(); // idempotent
  });
});
