/**
 * Client: the TLS 1.2 handshake, entered when the server's ServerHello picks
 * TLS 1.2 (lib/tls13/client/expect-server-hello.ts hands over; the downgrade
 * sentinel was checked there).
 */
import type { ClientConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import type { Transcript } from '../../tls13/transcript.js';
import type { ClientHello, ServerHello } from '../../wire/handshake.js';
import { TlsError } from '../../errors.js';

/** What the client sent: its hello, and the transcript holding it (its hash not yet chosen). */
export interface Tls12HelloSent {
  hello: ClientHello;
  transcript: Transcript;
}

/** Checks the TLS 1.2 ServerHello and returns the state that waits for the server's next message. */
export function tls12ServerHello(_ctx: Context<ClientConfig>, _sent: Tls12HelloSent, _msg: ServerHello, _raw: Uint8Array): State<ClientConfig, any> {
  throw new TlsError('protocol_version', 'TLS 1.2 client not built yet');
}
