/**
 * Server: the TLS 1.2 handshake, entered when a ClientHello offers TLS 1.2
 * and not TLS 1.3 within our range (lib/tls13/server/expect-client-hello.ts
 * hands over).
 */
import type { ServerConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import type { ClientHello } from '../../wire/handshake.js';
import { fullHandshake } from './full-handshake.js';
import { readTls12Offer } from './offer.js';
import { resumable, resumeSession } from './resume.js';

/**
 * Answers a TLS 1.2 ClientHello (its raw bytes, for the transcript) with the
 * server flight, or the abbreviated one when its ticket resumes a session.
 */
export function tls12ClientHello(ctx: Context<ServerConfig>, hello: ClientHello, raw: Uint8Array): State<ServerConfig, any> {
  // From here the connection decodes TLS 1.2 bodies and protects every content type.
  ctx.useVersion('TLSv1.2');
  const offer = readTls12Offer(ctx.config, hello);
  const session = resumable(ctx.config, offer);
  return session ? resumeSession(ctx, offer, raw, session) : fullHandshake(ctx, offer, raw);
}
