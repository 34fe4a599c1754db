/**
 * Client: the server's Certificate in a full TLS 1.2 handshake (RFC 5246
 * §7.4.2), verified against the configured roots and server name.
 */
import type { PublicKey } from '../../crypto/provider.js';
import { TlsError, decodeError, unexpectedMessage } from '../../errors.js';
import type { ClientConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import { HandshakeType } from '../../wire/enums.js';
import type { Tls12HandshakeMessage } from '../../wire/tls12-messages.js';
import { verifyServerCertificate } from '../../tls13/verify-server-certificate.js';
import { serverRawPublicKey } from '../../tls13/certificate-type.js';
import { ExpectServerKeyExchange } from './expect-server-key-exchange.js';
import { type Tls12CipherSuite, keyFitsSuite } from '../suites.js';
import { HELLO_REQUEST, type Negotiated } from './negotiated.js';

export class ExpectCertificate implements State<ClientConfig, Tls12HandshakeMessage> {
  readonly expects = [HandshakeType.certificate, HELLO_REQUEST];
  constructor(private readonly n: Negotiated) {}

  handle(ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    if (msg.type !== HandshakeType.certificate) throw unexpectedMessage(`expected Certificate, got ${msg.type}`);
    const key = serverKey(ctx, msg.certificates, this.n.suite);
    this.n.transcript.add(raw);
    return new ExpectServerKeyExchange(this.n, key);
  }
}

/**
 * The leaf's public key, once the chain verifies (unless verification is
 * off). RFC 5246 names no alert for an empty server Certificate; we send
 * decode_error, as RFC 8446 §4.4.2.4 does for TLS 1.3.
 */
function serverKey(ctx: Context<ClientConfig>, chain: Uint8Array[], suite: Tls12CipherSuite): PublicKey {
  const { config } = ctx;
  if (chain.length === 0) throw decodeError('server sent no certificate');
  const raw = serverRawPublicKey(ctx, chain);
  if (raw) return fittingKey(raw, raw.kind === 'rsa' ? 'RSA' : raw.kind === 'ec' ? `EC ${raw.curve}` : raw.kind === 'ed448' ? 'Ed448' : 'Ed25519', suite);
  ctx.info.peerCertificates = chain.map((c) => c.slice());
  const leaf = verifyServerCertificate(config, chain);
  if (!leaf.publicKey) throw new TlsError('unsupported_certificate', `server key is ${leaf.publicKeyAlgorithm}, which is not supported`);
  return fittingKey(leaf.publicKey, leaf.publicKeyAlgorithm, suite);
}

/** ECDHE_ECDSA needs an ECDSA- or EdDSA-capable key (RFC 8422 §2), ECDHE_RSA an RSA one (RFC 5246 §7.4.2). */
function fittingKey(key: PublicKey, algorithm: string, suite: Tls12CipherSuite): PublicKey {
  if (!keyFitsSuite(suite, key)) throw new TlsError('unsupported_certificate', `server sent a certificate with a ${algorithm} key for ${suite.name}`);
  return key;
}
