/**
 * Drives a Session over a real socket with plain promises: enough for interop
 * specs of the protocol core, independent of the RxJS channel.
 */
import type { Socket } from 'node:net';
import { firstValueFrom, take } from 'rxjs';
import { AGAIN, EOF, type Again } from '../../lib/session/contract.js';
import type { Session } from '../../lib/session/session.js';
import { socketTransport } from '../../lib/node/socket-transport.js';

export class SocketDriver {
  private readonly st;
  constructor(readonly session: Session, readonly socket: Socket) {
    this.st = socketTransport(socket);
    session.setTransport(this.st.transport);
  }

  /** Repeats `op` after each readiness event in the session's direction until it is not AGAIN. */
  async until<T>(op: () => T | Again): Promise<T> {
    for (;;) {
      const r = op();
      if (r !== AGAIN) return r;
      // Socket events arrive on a later tick, so subscribing after the call misses none.
      const ready = this.session.direction() === 'write' ? this.st.readiness.writable$ : this.st.readiness.readable$;
      await firstValueFrom(ready.pipe(take(1)));
    }
  }

  handshake() {
    return this.until(() => this.session.handshake());
  }
  send(data: Uint8Array) {
    const first = this.session.send(data);
    return first === AGAIN ? this.until(() => this.session.send()) : Promise.resolve(first);
  }
  bye() {
    return this.until(() => this.session.bye());
  }
  /** Reads until `n` bytes came or EOF. */
  async readBytes(n: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < n) {
      const r = await this.until(() => this.session.recv());
      if (r === EOF) break;
      parts.push(r);
      got += r.length;
    }
    return Buffer.concat(parts);
  }
  /** Reads until EOF. */
  readAll(): Promise<Uint8Array> {
    return this.readBytes(Infinity);
  }
}
