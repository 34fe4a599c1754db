/**
 * Server: the TLS 1.2 handshake, entered when a ClientHello offers TLS 1.2
 * and not TLS 1.3 within our range (lib/tls13/server/expect-client-hello.ts
 * hands over).
 */
import type { ServerConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import type { ClientHello } from '../../wire/handshake.js';
import { TlsError } from '../../errors.js';

/**
 * Answers a TLS 1.2 ClientHello (its raw bytes, for the transcript) with the
 * server flight, or the abbreviated one when its ticket resumes a session.
 */
export function tls12ClientHello(_ctx: Context<ServerConfig>, _hello: ClientHello, _raw: Uint8Array): State<ServerConfig, any> {
  throw new TlsError('protocol_version', 'TLS 1.2 server not built yet');
}
