/**
 * Two Connections wired directly, without a Session: records from one
 * side's takeOutput() go through a RecordReader into the other's
 * receiveRecord(). Specs use it to act exactly where the protocol core
 * decides (a client whose ClientHello carries an extension we never send,
 * records slipped in between, a caller that says its writes are blocked).
 */
import { TlsError } from '../../lib/errors.js';
import { RecordReader } from '../../lib/record/record-reader.js';
import { buildClientHello } from '../../lib/tls13/client/client-hello.js';
import { startClient } from '../../lib/tls13/client/start-client.js';
import { ExpectServerHello } from '../../lib/tls13/client/expect-server-hello.js';
import {
  type ClientConfig,
  type ClientOptions,
  type ServerConfig,
  type ServerOptions,
  resolveClientConfig,
  resolveServerConfig,
} from '../../lib/tls13/config.js';
import { Connection } from '../../lib/connection/connection.js';
import type { Context, State } from '../../lib/tls13/context.js';
import { startServer } from '../../lib/tls13/server/expect-client-hello.js';
import { Transcript } from '../../lib/tls13/transcript.js';
import { concatBytes } from '../../lib/wire/codec.js';
import type { Extension } from '../../lib/wire/extension.js';
import { caPem, serverIdentity } from '../support/fixtures.js';

export type Conn<C extends ClientConfig | ServerConfig> = Connection<C>;

/** A client whose first ClientHello also carries `extra` extensions (e.g. early_data, which we never send). */
export function clientWith(extra: Extension[], options: Partial<ClientOptions> = {}): Conn<ClientConfig> {
  const config = resolveClientConfig({ serverName: 'localhost', ca: caPem(), ...options });
  if (extra.length === 0) return new Connection(config, startClient);
  return new Connection(config, (ctx: Context<ClientConfig>): State<ClientConfig> => {
    const shares = config.keyShareGroups.map((g) => config.crypto.keyShare(g, config.random));
    const hello = buildClientHello(config, config.random(32), config.middleboxCompat ? config.random(32) : new Uint8Array(0), shares);
    hello.extensions.push(...extra);
    const transcript = new Transcript();
    ctx.send(hello, transcript);
    return new ExpectServerHello({ hello, shares, transcript, retried: false, psks: [], earlyData: false });
  });
}

export function server(options: Partial<ServerOptions> = {}): Conn<ServerConfig> {
  return new Connection(resolveServerConfig({ ...serverIdentity('p256'), ...options }), startServer);
}

/** The records in `bytes` (whole ones), split as a reader on the other side would. */
export function records(bytes: Uint8Array): Uint8Array[] {
  const r = new RecordReader();
  r.feed(bytes);
  const out: Uint8Array[] = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push(concatBytes(rec.header, rec.fragment));
  return out;
}

/** Hands `bytes` to `to` record by record; a TlsError it throws is returned. */
export function feed(to: Conn<ClientConfig | ServerConfig>, bytes: Uint8Array): TlsError | undefined {
  const r = new RecordReader();
  r.feed(bytes);
  try {
    for (let rec = r.next(); rec; rec = r.next()) to.receiveRecord(rec);
  } catch (e) {
    if (e instanceof TlsError) return e;
    throw e;
  }
  return undefined;
}

/** Everything `from` has to write, as one buffer. */
export const output = (from: Conn<ClientConfig | ServerConfig>, earlierWritten = true) => concatBytes(...from.takeOutput(earlierWritten));

/** A protected-looking record (type 23) of `n` random bytes: what 0-RTT data looks like to a server without its key. */
export function opaqueRecord(n: number, seed = 1): Uint8Array {
  const body = Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17) & 0xff);
  return concatBytes(Uint8Array.of(23, 3, 3, n >> 8, n & 0xff), body);
}
