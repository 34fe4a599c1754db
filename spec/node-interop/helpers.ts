/** Small helpers for the node specs: node:tls peers on 127.0.0.1 and byte collection. */
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { lastValueFrom, reduce, type Observable } from 'rxjs';
import { serverIdentity } from '../support/fixtures.js';

export const bytes = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Everything an Observable of chunks emits, joined. */
export const collect = (chunks: Observable<Uint8Array>) =>
  lastValueFrom(chunks.pipe(reduce((all: Buffer[], c) => [...all, Buffer.from(c)], []))).then((parts) => Buffer.concat(parts));

/** A node:tls server (TLS 1.3 only, the P-256 fixture identity) on 127.0.0.1 and a free port. */
export async function nodeTlsServer(
  onConnection: (socket: tls.TLSSocket) => void,
  options: tls.TlsOptions = {},
): Promise<{ server: tls.Server; port: number; close: () => Promise<void> }> {
  const server = tls.createServer({ ...serverIdentity('p256'), minVersion: 'TLSv1.3', ...options }, onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Resolves on the first emission of a node event. */
export const once = <T = unknown>(emitter: NodeJS.EventEmitter, event: string) =>
  new Promise<T>((resolve) => emitter.once(event, (v: T) => resolve(v)));

/**
 * Writes `data` and ends the socket a little later. (node's TLS 1.3 server
 * sends no close_notify when end() runs right at 'secureConnection', while
 * OpenSSL still counts the handshake as in progress: only a bare FIN.)
 */
export function endSoon(socket: tls.TLSSocket, data: string): void {
  socket.on('error', () => {});
  socket.write(data, () => setTimeout(() => socket.end(), 50));
}
