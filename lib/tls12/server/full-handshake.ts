/**
 * Server: a full TLS 1.2 ECDHE handshake (RFC 5246 §7.3, RFC 8422 §2):
 *   ServerHello, Certificate, ServerKeyExchange, ServerHelloDone
 * then the client's ClientKeyExchange, ChangeCipherSpec and Finished
 * (finish.ts), and ours.
 */
import type { GroupName, KeyShare, SignatureSchemeName } from '../../crypto/provider.js';
import { unexpectedMessage } from '../../errors.js';
import type { ServerConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import { Transcript } from '../../tls13/transcript.js';
import { HandshakeType, NamedGroupCode, SignatureSchemeCode } from '../../wire/enums.js';
import { Tls12HandshakeType } from '../../wire/tls12-enums.js';
import { type ClientKeyExchange, type Tls12HandshakeMessage, ecdheSignedContent, encodeTls12Handshake } from '../../wire/tls12-messages.js';
import { Tls12SessionKeys } from '../session-keys.js';
import type { Tls12CipherSuite } from '../suites.js';
import { ExpectChangeCipherSpec, type ServerFinish } from './finish.js';
import { type Tls12Offer, chooseTls12Alpn, chooseTls12Group, chooseTls12Scheme, chooseTls12Suite } from './offer.js';
import { sendServerHello, serverRandom } from './server-hello.js';
import { freshTerms, newSessionTicket, willIssueTicket } from './tickets.js';
import { tls12Sign } from '../signature.js';

/** What the full handshake settled on before the key exchange. */
interface FullChoice {
  suite: Tls12CipherSuite;
  group: GroupName;
  scheme: SignatureSchemeName;
  alpn?: string;
}

function choose(config: ServerConfig, offer: Tls12Offer): FullChoice {
  return {
    suite: chooseTls12Suite(config, offer),
    group: chooseTls12Group(config, offer),
    scheme: chooseTls12Scheme(config, offer),
    alpn: chooseTls12Alpn(config, offer),
  };
}

/** Sends the server's first flight and waits for the ClientKeyExchange. */
export function fullHandshake(ctx: Context<ServerConfig>, offer: Tls12Offer, raw: Uint8Array): State<ServerConfig, Tls12HandshakeMessage> {
  const { config } = ctx;
  const choice = choose(config, offer);
  const transcript = new Transcript();
  transcript.selectHash(config.crypto.hash(choice.suite.hash));
  transcript.add(raw);
  const random = serverRandom(config);
  const ticket = willIssueTicket(config, offer);
  sendServerHello(ctx, offer, { suite: choice.suite, random, resumed: false, ems: offer.ems, alpn: choice.alpn, ticket }, transcript);
  ctx.sendEncoded(encodeTls12Handshake({ type: HandshakeType.certificate, certificates: config.chain }), transcript);
  const share = sendServerKeyExchange(ctx, offer, choice, random, transcript);
  ctx.sendEncoded(encodeTls12Handshake({ type: Tls12HandshakeType.server_hello_done }), transcript);
  Object.assign(ctx.info, {
    suite: choice.suite.name,
    group: choice.group,
    signatureScheme: choice.scheme,
    alpn: choice.alpn,
    serverName: offer.serverName,
    extendedMasterSecret: offer.ems,
    resumed: false,
  });
  return new ExpectClientKeyExchange({ offer, suite: choice.suite, serverRandom: random, share, alpn: choice.alpn, ticket }, transcript);
}

/** Our ephemeral key for the chosen group, signed together with both randoms (RFC 8422 §5.4). */
function sendServerKeyExchange(ctx: Context<ServerConfig>, offer: Tls12Offer, choice: FullChoice, random: Uint8Array, transcript: Transcript): KeyShare {
  const { config } = ctx;
  const share = config.crypto.keyShare(choice.group, config.random);
  const params = { group: NamedGroupCode[choice.group], point: share.publicKey };
  const signature = tls12Sign(config.crypto, choice.scheme, config.key, ecdheSignedContent(offer.hello.random, random, params));
  const ske = { type: Tls12HandshakeType.server_key_exchange, kx: 'ecdhe', params, scheme: SignatureSchemeCode[choice.scheme], signature } as const;
  ctx.sendEncoded(encodeTls12Handshake(ske), transcript);
  return share;
}

/** What ClientKeyExchange needs to become a session. */
interface AwaitingKeyExchange {
  offer: Tls12Offer;
  suite: Tls12CipherSuite;
  serverRandom: Uint8Array;
  share: KeyShare;
  alpn?: string;
  /** A NewSessionTicket was promised in the ServerHello. */
  ticket: boolean;
}

/** Waiting for the client's ephemeral key; it makes the premaster secret. */
export class ExpectClientKeyExchange implements State<ServerConfig, Tls12HandshakeMessage> {
  readonly expects: readonly number[] = [Tls12HandshakeType.client_key_exchange];

  constructor(
    private readonly pending: AwaitingKeyExchange,
    private readonly transcript: Transcript,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ServerConfig, Tls12HandshakeMessage> {
    if (msg.type !== Tls12HandshakeType.client_key_exchange) throw unexpectedMessage(`expected ClientKeyExchange, got ${msg.type}`);
    const p = this.pending;
    // Throws illegal_parameter for a point that is not on the curve, of the wrong size or encoding (RFC 8422 §5.7).
    const premaster = p.share.sharedSecret((msg as ClientKeyExchange).point);
    // RFC 7627 §4: the session hash runs through ClientKeyExchange.
    this.transcript.add(raw);
    const randoms = { client: p.offer.hello.random, server: p.serverRandom };
    const keys = Tls12SessionKeys.fromPremaster(ctx, p.suite, premaster, randoms, p.offer.ems, this.transcript);
    return new ExpectChangeCipherSpec(keys, this.transcript, this.serverFinish(ctx, keys));
  }

  /** The ticket is sealed now that the master secret exists; it goes out after the client's Finished. */
  private serverFinish(ctx: Context<ServerConfig>, keys: Tls12SessionKeys): ServerFinish {
    if (!this.pending.ticket) return {};
    const session = { alpn: this.pending.alpn, serverName: this.pending.offer.serverName };
    return { ticket: newSessionTicket(ctx.config, keys, session, freshTerms(ctx.config)) };
  }
}
