/**
 * A DatagramChannelLink over one connected node:dgram socket: the client's
 * side of DTLS, where the socket talks to a single peer (connect() makes the
 * kernel drop datagrams from anyone else). The server side, one socket for
 * many peers, is UdpDemux.
 *
 * Reading: every datagram goes to a bounded inbox (further ones are dropped,
 * as a full socket buffer would) and `readable$` fires. Writing: push()
 * hands the datagram to the socket; past `sendQueue` sends node has not
 * completed it says AGAIN, and `writable$` fires once one completes.
 *
 * A socket error (ECONNREFUSED: the ICMP "port unreachable" a connected
 * socket is told about, on receive or on send) fails the link: pull() then
 * returns EOF with `transport.error` set, and the session reports it. Other
 * send errors lose that datagram only, as the network might.
 */
import type { Socket } from 'node:dgram';
import { Subject } from 'rxjs';
import { AGAIN, EOF, type Again, type DatagramTransport, type Eof } from '../session/contract.js';
import type { DatagramChannelLink } from '../rx/datagram-channel.js';

export interface UdpLinkOptions {
  /** Datagrams waiting unread; further ones are dropped. Default 64. */
  inboxSize?: number;
  /** Sends not yet completed before push() says AGAIN. Default 64. */
  sendQueue?: number;
}

/** A DatagramChannelLink whose destroy() closes the socket, with counters. */
export interface UdpLink extends DatagramChannelLink {
  destroy(): void;
  /** Datagrams dropped because the inbox was full. */
  readonly dropped: number;
  readonly closed: boolean;
}

/**
 * @example
 * const socket = dgram.createSocket('udp4');
 * socket.connect(port, host, () => openDatagramChannel(Session.client({ protocol: 'dtls', ... }), udpLink(socket)));
 */
export function udpLink(socket: Socket, { inboxSize = 64, sendQueue = 64 }: UdpLinkOptions = {}): UdpLink {
  const readable = new Subject<void>();
  const writable = new Subject<void>();
  const inbox: Uint8Array[] = [];
  let sending = 0;
  let writeBlocked = false;
  let dropped = 0;
  let closed = false;
  let error: Error | undefined;

  const onMessage = (msg: Buffer) => {
    if (inbox.length >= inboxSize) {
      dropped++;
      return;
    }
    // Copied: node may hand out views of a shared pool.
    inbox.push(new Uint8Array(msg));
    readable.next();
  };
  const fail = (err: Error) => {
    if (closed) return;
    error ??= err;
    readable.next();
    writable.next();
  };
  socket.on('message', onMessage);
  socket.on('error', fail);

  const sent = (err: Error | null) => {
    sending--;
    if (err && (err as NodeJS.ErrnoException).code === 'ECONNREFUSED') fail(err);
    if (!writeBlocked) return;
    writeBlocked = false;
    writable.next();
  };

  const transport: DatagramTransport = {
    push(datagram: Uint8Array): number | Again {
      if (closed || error) return datagram.length; // nowhere to go; pull() reports the end
      if (sending >= sendQueue) {
        writeBlocked = true;
        return AGAIN;
      }
      sending++;
      // Copied: the session may reuse its buffer once push() returns.
      socket.send(Buffer.from(datagram), sent);
      return datagram.length;
    },
    pull(): Uint8Array | Again | Eof {
      const next = inbox.shift();
      if (next) return next;
      return closed || error ? EOF : AGAIN;
    },
    get error() {
      return error;
    },
  };

  return {
    transport,
    readiness: { readable$: readable.asObservable(), writable$: writable.asObservable() },
    get dropped() {
      return dropped;
    },
    get closed() {
      return closed;
    },
    destroy() {
      if (closed) return;
      closed = true;
      socket.off('message', onMessage);
      // Sends on a connected socket are handed to the kernel synchronously: a
      // close_notify pushed just before is not lost by closing now.
      socket.close();
      // Errors after close (none expected) must not become uncaught exceptions.
      socket.on('error', () => {});
    },
  };
}
