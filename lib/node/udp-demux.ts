/**
 * One bound node:dgram socket shared by many DTLS peers: incoming datagrams
 * are sorted by remote address ("ip:port", "[ip6]:port") into per-peer
 * DatagramTransports with readiness events, as a server needs before it can
 * run one session per client.
 *
 * Defences, in the order a datagram from an unknown address meets them:
 * the cap on peers, then the `admit` hook (where the stateless cookie gate
 * goes: a rejected datagram creates nothing), and only then per-peer state.
 * A peer that stays quiet for `idleMs` (scheduler time) is forgotten.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { Subject, asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { AGAIN, EOF, type Again, type DatagramTransport, type Eof } from '../session/contract.js';
import type { Readiness } from '../rx/readiness.js';

export interface UdpDemuxOptions {
  /** Most peers at once; datagrams from further new addresses are dropped. Default 1024. */
  maxPeers?: number;
  /** A peer with no datagram in or out for this long (scheduler ms) is closed. Default 60 000. */
  idleMs?: number;
  /** Datagrams waiting unread per peer; further ones are dropped, as a full socket buffer would. Default 64. */
  inboxSize?: number;
  /** Sends not yet completed per peer before push() says AGAIN. Default 64. */
  sendQueue?: number;
  /** Clock of the idle timers. Default asyncScheduler. */
  scheduler?: SchedulerLike;
  /**
   * Called for a datagram from an unknown address before anything is kept
   * for it: true creates the peer (the datagram is its first), false drops
   * it. `reply` sends a datagram back (e.g. a HelloVerifyRequest). Default: admit all.
   */
  admit?: (address: string, datagram: Uint8Array, reply: (datagram: Uint8Array) => void) => boolean;
  /**
   * Called for a datagram from an address that has a peer, before it is
   * delivered: 'deliver' (the default), 'drop', or 'replace': the old peer
   * is closed and a new one created with this datagram as its first (a
   * client that lost its state and reuses the address, RFC 6347 §4.2.8).
   */
  known?: (peer: UdpPeer, datagram: Uint8Array, reply: (datagram: Uint8Array) => void) => 'deliver' | 'drop' | 'replace';
}

/** One remote address seen through the demux. */
export interface UdpPeer {
  /** "ip:port", or "[ip6]:port". */
  readonly address: string;
  readonly transport: DatagramTransport;
  readonly readiness: Readiness;
  /** Forgets the peer: its transport pulls EOF once the inbox is read, push() goes nowhere. */
  close(): void;
  readonly closed: boolean;
}

/** Datagrams the demux did not hand to a peer, by cause. */
export interface UdpDemuxDrops {
  /** From a new address while maxPeers were open. */
  full: number;
  /** Refused by `admit`. */
  rejected: number;
  /** The peer's inbox was full. */
  inbox: number;
}

/**
 * @example
 * const demux = new UdpDemux(socket, { admit: (address, d, reply) => gate(address, d, reply) });
 * demux.peers$.subscribe((peer) => serve(peer)); // the peer's first datagram is waiting: pull() now
 */
export class UdpDemux {
  readonly drops: UdpDemuxDrops = { full: 0, rejected: 0, inbox: 0 };
  private readonly peers = new Map<string, PeerState>();
  private readonly created = new Subject<UdpPeer>();
  private readonly options: Required<UdpDemuxOptions>;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    options: UdpDemuxOptions = {},
  ) {
    this.options = {
      maxPeers: 1024,
      idleMs: 60_000,
      inboxSize: 64,
      sendQueue: 64,
      scheduler: asyncScheduler,
      admit: () => true,
      known: () => 'deliver',
      ...options,
    };
    socket.on('message', this.onMessage);
    socket.on('error', this.onError);
  }

  /** Each new peer, once admitted, with its first datagram already in its inbox. */
  get peers$(): Observable<UdpPeer> {
    return this.created.asObservable();
  }

  /** How many peers are open. */
  get size(): number {
    return this.peers.size;
  }

  /** Closes every peer, stops listening and closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of [...this.peers.values()]) peer.close();
    this.socket.off('message', this.onMessage);
    this.created.complete();
    this.socket.close();
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    const address = rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
    const datagram = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    const reply = (d: Uint8Array) => this.socket.send(d, rinfo.port, rinfo.address);
    const known = this.peers.get(address);
    if (known) {
      const verdict = this.options.known(known, datagram, reply);
      if (verdict === 'deliver') return known.receive(datagram, this.drops);
      if (verdict === 'drop') return;
      known.close(); // replaced: the datagram (already vetted) starts a new peer below
    } else {
      if (this.peers.size >= this.options.maxPeers) {
        this.drops.full++;
        return;
      }
      if (!this.options.admit(address, datagram, reply)) {
        this.drops.rejected++;
        return;
      }
    }
    const peer = new PeerState(address, rinfo, this.socket, this.options, () => this.peers.delete(address));
    this.peers.set(address, peer);
    peer.receive(datagram, this.drops);
    this.created.next(peer);
  };

  private readonly onError = (error: Error): void => {
    for (const peer of [...this.peers.values()]) peer.fail(error);
  };
}

/** One peer's inbox, send accounting and idle timer. */
class PeerState implements UdpPeer {
  closed = false;
  error: Error | undefined;
  readonly readiness: Readiness;
  readonly transport: DatagramTransport;
  private readonly readable = new Subject<void>();
  private readonly writable = new Subject<void>();
  private readonly inbox: Uint8Array[] = [];
  private sending = 0;
  private writeBlocked = false;
  private lastActivity: number;
  private idleTimer: Subscription | undefined;

  constructor(
    readonly address: string,
    private readonly rinfo: RemoteInfo,
    private readonly socket: Socket,
    private readonly options: Required<UdpDemuxOptions>,
    private readonly forget: () => void,
  ) {
    this.lastActivity = options.scheduler.now();
    this.armIdle(options.idleMs);
    this.readiness = { readable$: this.readable.asObservable(), writable$: this.writable.asObservable() };
    const self = this;
    this.transport = {
      push: (d) => this.push(d),
      pull: () => this.pull(),
      get error() {
        return self.error;
      },
    };
  }

  receive(datagram: Uint8Array, drops: UdpDemuxDrops): void {
    if (this.inbox.length >= this.options.inboxSize) {
      drops.inbox++;
      return;
    }
    // Copied only now, once admitted: node's Buffer may share memory, and rejected datagrams should cost nothing.
    this.inbox.push(datagram.slice());
    this.touch();
    this.readable.next();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.idleTimer?.unsubscribe();
    this.forget();
    this.readable.next();
    this.writable.next();
  }

  fail(error: Error): void {
    this.error ??= error;
    this.close();
  }

  private push(datagram: Uint8Array): number | Again {
    if (this.closed) return datagram.length; // nowhere to go; pull() reports the end
    if (this.sending >= this.options.sendQueue) {
      this.writeBlocked = true;
      return AGAIN;
    }
    this.sending++;
    this.touch();
    // Copied: node sends later, and the session may reuse its buffer once push() returns.
    this.socket.send(Buffer.from(datagram), this.rinfo.port, this.rinfo.address, () => this.sent());
    return datagram.length;
  }

  private sent(): void {
    this.sending--;
    if (!this.writeBlocked) return;
    this.writeBlocked = false;
    this.writable.next();
  }

  private pull(): Uint8Array | Again | Eof {
    const next = this.inbox.shift();
    if (next) return next;
    return this.closed ? EOF : AGAIN;
  }

  private touch(): void {
    this.lastActivity = this.options.scheduler.now();
  }

  /**
   * One timer per peer, re-armed lazily: activity only moves `lastActivity`,
   * and the timer, when it fires early, waits out the rest.
   */
  private armIdle(delay: number): void {
    this.idleTimer = this.options.scheduler.schedule(() => {
      const idle = this.options.scheduler.now() - this.lastActivity;
      if (idle >= this.options.idleMs) this.close();
      else this.armIdle(this.options.idleMs - idle);
    }, delay);
  }
}
