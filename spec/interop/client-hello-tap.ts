/**
 * A loopback TCP forwarder that keeps a copy of the first ClientHello passing
 * through it, so a spec can see what a closed peer (a browser) offered:
 * neither Chromium nor our server prints its hello, and the bytes on the wire
 * are the one account of it nobody can get wrong.
 */
import net from 'node:net';
import { decodeHandshake, type ClientHello } from '../../lib/wire/handshake.js';
import { HandshakeType } from '../../lib/wire/enums.js';

export interface ClientHelloTap {
  port: number;
  /** The first ClientHello seen, decoded; rejects if none arrived within `timeoutMs`. */
  clientHello(timeoutMs?: number): Promise<ClientHello>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (any port) and forwards every connection to 127.0.0.1:`target`. */
export async function tapClientHello(target: number): Promise<ClientHelloTap> {
  let hello: ClientHello | undefined;
  let failure: Error | undefined;
  const waiters: Array<() => void> = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {}); // a browser may reset a connection it no longer needs
    }
    let head = Buffer.alloc(0);
    const watch = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const found = firstClientHello(head);
      if (found === 'more') return;
      client.off('data', watch);
      if (found instanceof Error) failure ??= found;
      else hello ??= found;
      for (const w of waiters.splice(0)) w();
    };
    client.on('data', watch);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    clientHello: (timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ClientHello through the tap within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          if (!hello && !failure) return void waiters.push(check);
          clearTimeout(timer);
          if (hello) resolve(hello);
          else reject(failure);
        };
        check();
      }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * The ClientHello at the start of a client's byte stream, gathered across the
 * handshake records it may be split into (a hybrid share makes it ~1.8 KB,
 * still one record in practice, but TLS allows fragmenting it).
 */
function firstClientHello(stream: Buffer): ClientHello | Error | 'more' {
  let fragments = Buffer.alloc(0);
  for (let at = 0; at + 5 <= stream.length; ) {
    if (stream[at] !== 22) return new Error(`record type ${stream[at]} before the ClientHello was complete`);
    const length = stream.readUInt16BE(at + 3);
    if (at + 5 + length > stream.length) return 'more';
    fragments = Buffer.concat([fragments, stream.subarray(at + 5, at + 5 + length)]);
    at += 5 + length;
    if (fragments.length < 4) continue;
    if (fragments[0] !== HandshakeType.client_hello) return new Error(`first handshake message is type ${fragments[0]}`);
    const bodyLength = fragments.readUIntBE(1, 3);
    if (fragments.length < 4 + bodyLength) continue;
    try {
      return decodeHandshake(HandshakeType.client_hello, new Uint8Array(fragments.subarray(4, 4 + bodyLength)), 0) as ClientHello;
    } catch (e) {
      return e as Error;
    }
  }
  return 'more';
}
