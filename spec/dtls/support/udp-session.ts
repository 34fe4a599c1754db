/**
 * A DTLS session over a real node:dgram socket for interop specs, driven by
 * plain callbacks and real timers (the RxJS layer has its own driver): each
 * call is retried when a datagram arrives or the session's timeout() passes.
 */
import dgram from 'node:dgram';
import { AGAIN, type Again, type DatagramTransport, EOF, type Eof } from '../../../lib/session/contract.js';
import type { DatagramSession } from '../../../lib/session/datagram-session.js';

export class UdpSession {
  readonly socket = dgram.createSocket('udp4');
  private readonly inbox: Uint8Array[] = [];
  private wake?: () => void;
  private closed = false;

  constructor(readonly session: DatagramSession) {
    this.socket.on('message', (m) => {
      this.inbox.push(new Uint8Array(m));
      this.wake?.();
    });
  }

  /** Binds to 127.0.0.1 and sends to `port` there (client), or answers whoever spoke first (server). */
  async open(peerPort?: number): Promise<number> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    let peer = peerPort;
    this.socket.on('message', (_m, rinfo) => {
      peer ??= rinfo.port;
    });
    const transport: DatagramTransport = {
      push: (d) => {
        if (peer === undefined) return AGAIN;
        if (!this.closed) this.socket.send(d, peer, '127.0.0.1');
        return d.length;
      },
      pull: () => this.inbox.shift() ?? (this.closed ? EOF : AGAIN),
    };
    this.session.setTransport(transport);
    return this.socket.address().port;
  }

  /** Calls `op` until it stops saying AGAIN, waking on datagrams and on the session's deadline. */
  until<T>(op: () => T | Again, limitMs = 15_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const giveUp = setTimeout(() => finish(new Error(`no result within ${limitMs} ms`)), limitMs);
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (err?: Error, value?: T) => {
        done = true;
        clearTimeout(giveUp);
        clearTimeout(timer);
        // Only our own wake-up: the next until() may have installed its own already.
        if (this.wake === wake) this.wake = undefined;
        if (err) reject(err);
        else resolve(value as T);
      };
      const step = () => {
        // A wake-up queued (setImmediate) before we finished must not run op() again,
        // nor clear the wake-up of the until() that follows.
        if (done) return;
        clearTimeout(timer);
        let r: T | Again;
        try {
          r = op();
        } catch (e) {
          return finish(e as Error);
        }
        if (r !== AGAIN) return finish(undefined, r as T);
        const ms = this.session.timeout();
        if (ms !== undefined) timer = setTimeout(step, ms);
      };
      const wake = () => void setImmediate(step);
      this.wake = wake;
      step();
    });
  }

  handshake(): Promise<'done'> {
    return this.until(() => this.session.handshake());
  }

  recv(limitMs?: number): Promise<Uint8Array | Eof> {
    return this.until(() => this.session.recv(), limitMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
