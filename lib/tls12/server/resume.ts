/**
 * Server: the abbreviated TLS 1.2 handshake by session ticket (RFC 5077
 * §3.1, §3.4):
 *   ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished
 * then the client's ChangeCipherSpec and Finished (finish.ts).
 */
import { TlsError } from '../../errors.js';
import type { ServerConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import { Transcript } from '../../tls13/transcript.js';
import type { Tls12HandshakeMessage } from '../../wire/tls12-messages.js';
import { Tls12SessionKeys } from '../session-keys.js';
import type { Tls12CipherSuite } from '../suites.js';
import type { Tls12TicketState } from '../ticket-state.js';
import { ExpectChangeCipherSpec, type ServerFinish, sendServerFinish } from './finish.js';
import { type Tls12Offer, chooseTls12Alpn } from './offer.js';
import { sendServerHello, serverRandom } from './server-hello.js';
import { newSessionTicket, openTicket, willIssueTicket } from './tickets.js';

/** A ticket we accept, with what this hello resumes it as. */
export interface Resumable {
  state: Tls12TicketState;
  suite: Tls12CipherSuite;
  alpn?: string;
}

/**
 * The session the client's ticket resumes, or undefined for a full
 * handshake: no ticket, one that does not open or has expired, or a session
 * this hello cannot continue (its suite no longer offered or configured,
 * another server name (RFC 6066 §3), another ALPN protocol).
 */
export function resumable(config: ServerConfig, offer: Tls12Offer): Resumable | undefined {
  // Tickets carry no client certificate (tickets.ts): with requestCert every handshake is a full one.
  if (config.clientAuth) return undefined;
  const state = offer.ticket && openTicket(config, offer.ticket);
  if (!state) return undefined;
  const suite = config.tls12Suites.find((s) => s.code === state.cipherSuite);
  if (!suite || !offer.hello.cipherSuites.includes(suite.code)) return undefined;
  if (state.serverName !== offer.serverName) return undefined;
  const alpn = chooseTls12Alpn(config, offer);
  if (alpn !== state.alpn) return undefined;
  if (!emsAllowsResumption(state, offer)) return undefined;
  return { state, suite, alpn };
}

/**
 * RFC 7627 §5.3: a session made with the extended master secret is resumed
 * only by a hello that asks for it again (else the handshake aborts); one
 * made without it is not resumed by a hello that has it (a full handshake
 * gives the client the EMS it asks for).
 */
function emsAllowsResumption(state: Tls12TicketState, offer: Tls12Offer): boolean {
  if (state.extendedMasterSecret && !offer.ems) {
    throw new TlsError('handshake_failure', 'resuming an extended-master-secret session without extended_master_secret (RFC 7627 §5.3)');
  }
  return state.extendedMasterSecret === offer.ems;
}

/** Sends the abbreviated flight, ours first, and waits for the client's ChangeCipherSpec. */
export function resumeSession(ctx: Context<ServerConfig>, offer: Tls12Offer, raw: Uint8Array, r: Resumable): State<ServerConfig, Tls12HandshakeMessage> {
  const { config } = ctx;
  const transcript = new Transcript();
  transcript.selectHash(config.crypto.hash(r.suite.hash));
  transcript.add(raw);
  const random = serverRandom(config);
  const ems = r.state.extendedMasterSecret;
  const keys = Tls12SessionKeys.resumed(ctx, r.suite, r.state.masterSecret, { client: offer.hello.random, server: random }, ems);
  const ticket = willIssueTicket(config, offer);
  sendServerHello(ctx, offer, { suite: r.suite, random, resumed: true, ems, alpn: r.alpn, ticket }, transcript);
  sendServerFinish(ctx, keys, transcript, renewal(config, keys, r, ticket));
  Object.assign(ctx.info, { suite: r.suite.name, alpn: r.alpn, serverName: offer.serverName, extendedMasterSecret: ems, resumed: true });
  return new ExpectChangeCipherSpec(keys, transcript, undefined);
}

/** A fresh ticket (sealed under our current key) for the same session, on the session's original terms. */
function renewal(config: ServerConfig, keys: Tls12SessionKeys, r: Resumable, issue: boolean): ServerFinish {
  if (!issue) return {};
  const terms = { issuedAt: r.state.issuedAt, lifetime: r.state.lifetime };
  return { ticket: newSessionTicket(config, keys, { alpn: r.alpn, serverName: r.state.serverName }, terms) };
}
