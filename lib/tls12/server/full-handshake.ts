/**
 * Server: a full TLS 1.2 handshake (RFC 5246 §7.3), with a certificate
 * (ECDHE_ECDSA, RFC 8422 §2) or a PSK (RFC 4279 §2, RFC 5489 §2: psk.ts):
 *   ServerHello, Certificate, ServerKeyExchange, ServerHelloDone
 *   ServerHello, [ServerKeyExchange], ServerHelloDone            (PSK)
 * ([CertificateRequest] before ServerHelloDone with `requestCert`:
 * expect-client-certificate.ts), then the client's [Certificate],
 * ClientKeyExchange, [CertificateVerify], ChangeCipherSpec and Finished
 * (finish.ts), and ours.
 */
import type { GroupName, KeyShare, PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import { ExpectClientCertificate, ExpectClientCertificateVerify, sendCertificateRequest } from './expect-client-certificate.js';
import { ecdhePskPremaster, plainPskPremaster } from '../psk-premaster.js';
import { sendPskServerKeyExchange, serverPsk } from './psk.js';
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
import { type ServerCertificateChoice, chooseServerCertificateType, serverCertificateData } from '../../tls13/certificate-type.js';

/** What the full handshake settled on before the key exchange: a group for the ECDHE kinds, a scheme when a certificate signs. */
interface FullChoice {
  suite: Tls12CipherSuite;
  group?: GroupName;
  scheme?: SignatureSchemeName;
  alpn?: string;
  /** What our Certificate carries (RFC 7250); none under a PSK suite, which sends no Certificate. */
  certificateType?: ServerCertificateChoice;
}

function choose(config: ServerConfig, offer: Tls12Offer): FullChoice {
  const suite = chooseTls12Suite(config, offer);
  return {
    suite,
    group: suite.kx === 'psk' ? undefined : chooseTls12Group(config, offer),
    scheme: suite.auth === 'psk' ? undefined : chooseTls12Scheme(config, offer),
    alpn: chooseTls12Alpn(config, offer),
    certificateType: suite.auth === 'psk' ? undefined : chooseServerCertificateType(config, offer.hello),
  };
}

/** Sends the server's first flight and waits for the ClientKeyExchange. */
export function fullHandshake(ctx: Context<ServerConfig>, offer: Tls12Offer, raw: Uint8Array): State<ServerConfig, Tls12HandshakeMessage> {
  const { config } = ctx;
  const choice = choose(config, offer);
  const transcript = new Transcript();
  // Mutual TLS (never with PSK suites, RFC 4279 §2): the client's CertificateVerify signs the messages themselves.
  const clientAuth = config.clientAuth?.inHandshake === true && choice.suite.auth !== 'psk';
  if (clientAuth) transcript.retainMessages();
  transcript.selectHash(config.crypto.hash(choice.suite.hash));
  transcript.add(raw);
  const random = serverRandom(config);
  const ticket = willIssueTicket(config, offer);
  sendServerHello(ctx, offer, { suite: choice.suite, random, resumed: false, ems: offer.ems, alpn: choice.alpn, ticket, certificateType: choice.certificateType?.answer }, transcript);
  const share = choice.suite.auth === 'psk' ? sendPskServerKeyExchange(ctx, choice.suite, choice.group, transcript) : sendCertificateAndKey(ctx, offer, choice, random, transcript);
  if (clientAuth) sendCertificateRequest(ctx, transcript);
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
  const pending: AwaitingKeyExchange = { offer, suite: choice.suite, serverRandom: random, share, alpn: choice.alpn, ticket };
  if (!clientAuth) return new ExpectClientKeyExchange(pending, transcript);
  return new ExpectClientCertificate(transcript, (clientKey) => new ExpectClientKeyExchange(pending, transcript, clientKey));
}

/** Our Certificate, then our ephemeral key for the chosen group, signed together with both randoms (RFC 8422 §5.4). */
function sendCertificateAndKey(ctx: Context<ServerConfig>, offer: Tls12Offer, choice: FullChoice, random: Uint8Array, transcript: Transcript): KeyShare {
  const { config } = ctx;
  const certificateType = choice.certificateType!;
  const certificates = serverCertificateData(config, certificateType);
  ctx.sendEncoded(encodeTls12Handshake({ type: HandshakeType.certificate, certificates, rawPublicKey: certificateType.type === 'RawPublicKey' }), transcript);
  const [group, scheme] = [choice.group!, choice.scheme!];
  const share = config.crypto.keyShare(group, config.random);
  const params = { group: NamedGroupCode[group], point: share.publicKey };
  // A certificate suite is chosen only when we have a certificate and its key (offer.ts).
  const signature = tls12Sign(config.crypto, scheme, config.key!, ecdheSignedContent(offer.hello.random, random, params));
  const ske = { type: Tls12HandshakeType.server_key_exchange, kx: 'ecdhe', params, scheme: SignatureSchemeCode[scheme], signature } as const;
  ctx.sendEncoded(encodeTls12Handshake(ske), transcript);
  return share;
}

/** What ClientKeyExchange needs to become a session. */
interface AwaitingKeyExchange {
  offer: Tls12Offer;
  suite: Tls12CipherSuite;
  serverRandom: Uint8Array;
  /** Our ephemeral key; none for plain PSK. */
  share?: KeyShare;
  alpn?: string;
  /** A NewSessionTicket was promised in the ServerHello. */
  ticket: boolean;
}

/** Waiting for the client's ephemeral key and/or PSK identity; they make the premaster secret. */
export class ExpectClientKeyExchange implements State<ServerConfig, Tls12HandshakeMessage> {
  readonly expects: readonly number[] = [Tls12HandshakeType.client_key_exchange];

  constructor(
    private readonly pending: AwaitingKeyExchange,
    private readonly transcript: Transcript,
    /** The key of the client's certificate: its CertificateVerify comes after this message. */
    private readonly clientKey?: PublicKey,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ServerConfig, Tls12HandshakeMessage> {
    if (msg.type !== Tls12HandshakeType.client_key_exchange) throw unexpectedMessage(`expected ClientKeyExchange, got ${msg.type}`);
    const p = this.pending;
    const premaster = premasterSecret(ctx, p.share, msg as ClientKeyExchange);
    // RFC 7627 §4: the session hash runs through ClientKeyExchange.
    this.transcript.add(raw);
    const randoms = { client: p.offer.hello.random, server: p.serverRandom };
    const keys = Tls12SessionKeys.fromPremaster(ctx, p.suite, premaster, randoms, p.offer.ems, this.transcript);
    const next = new ExpectChangeCipherSpec(keys, this.transcript, this.serverFinish(ctx, keys));
    return this.clientKey ? new ExpectClientCertificateVerify(this.transcript, this.clientKey, next) : next;
  }

  /** The ticket is sealed now that the master secret exists; it goes out after the client's Finished. */
  private serverFinish(ctx: Context<ServerConfig>, keys: Tls12SessionKeys): ServerFinish {
    if (!this.pending.ticket) return {};
    const session = { alpn: this.pending.alpn, serverName: this.pending.offer.serverName };
    return { ticket: newSessionTicket(ctx.config, keys, session, freshTerms(ctx.config)) };
  }
}

/**
 * The premaster secret from the client's key exchange (the decoder gave it
 * the suite's shape). A bad point is illegal_parameter (RFC 8422 §5.7), an
 * unknown PSK identity unknown_psk_identity (psk.ts).
 */
function premasterSecret(ctx: Context<ServerConfig>, share: KeyShare | undefined, msg: ClientKeyExchange): Uint8Array {
  switch (msg.kx) {
    case 'ecdhe':
      return share!.sharedSecret(msg.point);
    case 'psk':
      return plainPskPremaster(serverPsk(ctx, msg.pskIdentity));
    case 'ecdhe_psk': {
      const psk = serverPsk(ctx, msg.pskIdentity);
      return ecdhePskPremaster(share!.sharedSecret(msg.point), psk);
    }
  }
}
