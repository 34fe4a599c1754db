/**
 * Starting a client: the first ClientHello, then waiting for the server's
 * answer. Apart from client-hello.ts, so that the builder and the state that
 * rebuilds the hello after a HelloRetryRequest do not import each other.
 */
import type { ClientConfig } from '../config.js';
import type { Context, State } from '../context.js';
import { Transcript } from '../transcript.js';
import { buildClientHello, offersTls12, offersTls13 } from './client-hello.js';
import { ExpectServerHello } from './expect-server-hello.js';
import { recordSizeLimitToOffer } from '../record-size-limit.js';
import { offerPsks, psksToOffer } from './offer-psks.js';
import { earlyDataTicket, startEarlyData, withEarlyDataOffer } from './early-data.js';

/** Sends the first ClientHello and returns the state that waits for the server's answer. */
export function startClient(ctx: Context<ClientConfig>): State<ClientConfig> {
  const { config } = ctx;
  const random = config.random(32);
  // A session id also tells a resuming TLS 1.2 client that the server accepted its ticket (RFC 5077 §3.4).
  const resuming = config.session?.version === 'TLSv1.2' && offersTls12(config);
  const sessionId = config.middleboxCompat || resuming ? config.random(32) : new Uint8Array(0);
  const shares = offersTls13(config) ? config.keyShareGroups.map((g) => config.crypto.keyShare(g, config.random)) : [];
  const psks = psksToOffer(config, offersTls13(config));
  const early = earlyDataTicket(config, psks);
  const plain = buildClientHello(config, random, sessionId, shares, undefined, recordSizeLimitToOffer(ctx));
  const hello = offerPsks(config, early ? withEarlyDataOffer(plain) : plain, psks, undefined);
  const transcript = new Transcript();
  ctx.send(hello, transcript);
  ctx.info.serverName = config.serverName;
  if (early) startEarlyData(ctx, hello, early);
  return new ExpectServerHello({ hello, shares, transcript, retried: false, psks, earlyData: early !== undefined });
}
