/**
 * Client: the TLS 1.2 handshake, entered when the server's ServerHello picks
 * TLS 1.2 (lib/tls13/client/expect-server-hello.ts hands over; the downgrade
 * sentinel was checked there). The ServerHello decides between the full
 * handshake (RFC 5246 §7.3) and the abbreviated one that resumes the session
 * of our ticket (RFC 5077 §3.4).
 */
import type { ClientConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import type { Transcript } from '../../tls13/transcript.js';
import { TlsError, illegalParameter } from '../../errors.js';
import type { Tls12SessionTicket } from '../../handshake/session-info.js';
import { equalBytes } from '../../wire/codec.js';
import type { ClientHello, ServerHello } from '../../wire/handshake.js';
import { Tls12SessionKeys } from '../session-keys.js';
import { ExpectCertificate } from './expect-certificate.js';
import { expectServerFinish } from './expect-server-finish.js';
import { checkServerHelloExtensions } from './server-hello-extensions.js';
import { type Negotiated, randoms } from './negotiated.js';
import { isPskSuite, tls12SuiteByCode, type Tls12CipherSuite } from '../suites.js';
import { ExpectPskServerKeyExchange } from './expect-psk-key-exchange.js';
import { acceptServerCertificateType } from '../../tls13/certificate-type.js';
import { acceptRecordSizeLimit } from '../../tls13/record-size-limit.js';

/** What the client sent: its hello, and the transcript holding it (its hash not yet chosen). */
export interface Tls12HelloSent {
  hello: ClientHello;
  transcript: Transcript;
}

/** Checks the TLS 1.2 ServerHello and returns the state that waits for the server's next message. */
export function tls12ServerHello(ctx: Context<ClientConfig>, sent: Tls12HelloSent, msg: ServerHello, raw: Uint8Array): State<ClientConfig, any> {
  const suite = chosenSuite(ctx.config, sent.hello, msg);
  const ext = checkServerHelloExtensions(ctx.config, sent.hello, msg.extensions);
  ctx.useVersion('TLSv1.2');
  acceptRecordSizeLimit(ctx, 'TLSv1.2', sent.hello, msg.extensions);
  // A client that may be asked for its certificate keeps the messages: its CertificateVerify signs them (RFC 5246 §7.4.8).
  if (ctx.config.clientCertificate && !isPskSuite(suite)) sent.transcript.retainMessages();
  sent.transcript.selectHash(ctx.config.crypto.hash(suite.hash));
  sent.transcript.add(raw);
  Object.assign(ctx.info, { suite: suite.name, alpn: ext.alpn, extendedMasterSecret: ext.ems, srtpProfile: ext.srtpProfile });
  const n: Negotiated = { hello: sent.hello, serverRandom: msg.random, suite, transcript: sent.transcript, ems: ext.ems, ticketPromised: ext.ticketPromised };
  const ticket = resumedTicket(ctx.config, sent.hello, msg);
  if (ticket) return resume(ctx, n, ticket);
  // A PSK suite has no Certificate: knowing the PSK authenticates the server (RFC 4279 §2).
  if (isPskSuite(suite)) return new ExpectPskServerKeyExchange(n);
  // RFC 7250: the ServerHello settles what the Certificate carries (and how to decode it).
  acceptServerCertificateType(ctx, msg.extensions);
  return new ExpectCertificate(n);
}

/** The suite the server chose: one of our TLS 1.2 suites, offered in this hello. */
function chosenSuite(config: ClientConfig, hello: ClientHello, msg: ServerHello): Tls12CipherSuite {
  if (msg.legacyVersion !== 0x0303) throw new TlsError('protocol_version', 'ServerHello.server_version is not TLS 1.2');
  // RFC 5246 §7.4.1.3: the server picks one of the client's compression methods; we offer null only.
  if (msg.compressionMethod !== 0) throw illegalParameter('ServerHello chose a compression method we did not offer');
  const suite = tls12SuiteByCode(msg.cipherSuite);
  const offered = suite && config.tls12Suites.includes(suite) && hello.cipherSuites.includes(suite.code);
  if (!offered) throw illegalParameter(`server chose cipher suite 0x${msg.cipherSuite.toString(16).padStart(4, '0')}, not a TLS 1.2 suite we offered`);
  return suite;
}

/**
 * The ticket whose session the server resumes, or undefined for a full
 * handshake. RFC 5077 §3.4: a server that accepts our ticket echoes the
 * session id we sent with it; one that refuses it does not. Our session id
 * is random, so an echo while we sent no ticket names a session we never had.
 */
function resumedTicket(config: ClientConfig, hello: ClientHello, msg: ServerHello): Tls12SessionTicket | undefined {
  const echoed = hello.sessionId.length > 0 && equalBytes(msg.sessionIdEcho, hello.sessionId);
  if (!echoed) return undefined;
  if (config.session?.version !== 'TLSv1.2') throw illegalParameter('ServerHello echoes our session id, but we offered no session to resume');
  return config.session;
}

/** The abbreviated handshake: keys from the ticket's master secret; the server's CCS and Finished come next. */
function resume(ctx: Context<ClientConfig>, n: Negotiated, ticket: Tls12SessionTicket): State<ClientConfig, any> {
  // RFC 5246 §7.4.1.3: a resumed session keeps its suite.
  if (ticket.suite !== n.suite.name) throw illegalParameter(`server resumed our session with ${n.suite.name}, not its suite ${ticket.suite}`);
  // RFC 7627 §5.3: resuming across a change of extended master secret is refused.
  if (ticket.extendedMasterSecret !== n.ems) {
    throw new TlsError('handshake_failure', `server resumed a session ${ticket.extendedMasterSecret ? 'with' : 'without'} the extended master secret ${n.ems ? 'with' : 'without'} it`);
  }
  const keys = Tls12SessionKeys.resumed(ctx, n.suite, ticket.masterSecret, randoms(n), n.ems);
  ctx.info.resumed = true;
  return expectServerFinish(n, keys, 'resumed');
}
