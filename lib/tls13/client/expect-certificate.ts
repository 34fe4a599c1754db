/**
 * Client: the server's CertificateRequest (optional) and Certificate
 * (RFC 8446 §4.3.2, §4.4.2), verified against the configured roots.
 */
import type { PublicKey } from '../../crypto/provider.js';
import { TlsError, decodeError, illegalParameter, unexpectedMessage } from '../../errors.js';
import { HandshakeType } from '../../wire/enums.js';
import type { Certificate, HandshakeMessage } from '../../wire/handshake.js';
import { verifyServerCertificate } from '../verify-server-certificate.js';
import { serverRawPublicKey } from '../certificate-type.js';
import type { ClientConfig } from '../config.js';
import type { Context, State } from '../context.js';
import { ExpectCertificateVerify } from './expect-certificate-verify.js';
import { type ClientAuthAnswer, answerCertificateRequest } from './client-auth.js';
import type { HandshakeKeys } from './handshake-keys.js';

export class ExpectCertificateOrRequest implements State<ClientConfig> {
  readonly expects = [HandshakeType.certificate, HandshakeType.certificate_request];
  constructor(private readonly keys: HandshakeKeys) {}

  handle(ctx: Context<ClientConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ClientConfig> {
    if (msg.type === HandshakeType.certificate) return new ExpectCertificate(this.keys, undefined).handle(ctx, msg, raw);
    if (msg.type !== HandshakeType.certificate_request) throw unexpectedMessage(`expected Certificate, got ${msg.type}`);
    if (msg.context.length !== 0) throw illegalParameter('handshake CertificateRequest with a context');
    // Chosen now (the callback sees the server's CA list); sent after the server's Finished.
    const answer = answerCertificateRequest(ctx.config, msg);
    this.keys.transcript.add(raw);
    return new ExpectCertificate(this.keys, answer);
  }
}

export class ExpectCertificate implements State<ClientConfig> {
  readonly expects = [HandshakeType.certificate];
  constructor(
    private readonly keys: HandshakeKeys,
    /** Set when the server asked for a client certificate. */
    private readonly clientAuth: ClientAuthAnswer | undefined,
  ) {}

  handle(ctx: Context<ClientConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ClientConfig> {
    if (msg.type !== HandshakeType.certificate) throw unexpectedMessage(`expected Certificate, got ${msg.type}`);
    if (msg.context.length !== 0) throw illegalParameter('server Certificate with a request context');
    if (msg.entries.length === 0) throw decodeError('server sent no certificate');
    const serverKey = peerKey(ctx, msg);
    this.keys.transcript.add(raw);
    return new ExpectCertificateVerify(this.keys, serverKey, this.clientAuth);
  }
}

function peerKey(ctx: Context<ClientConfig>, msg: Certificate): PublicKey {
  const { config } = ctx;
  const chain = msg.entries.map((e) => e.data);
  const raw = serverRawPublicKey(ctx, chain);
  if (raw) return raw;
  ctx.info.peerCertificates = chain;
  const leaf = verifyServerCertificate(config, chain);
  if (!leaf.publicKey) throw new TlsError('unsupported_certificate', 'server key type is not supported');
  return leaf.publicKey;
}
