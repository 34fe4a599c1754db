/**
 * Server: mutual TLS in a full TLS 1.2 handshake (RFC 5246 §7.4.4, §7.4.6,
 * §7.4.8), stream or datagram alike: our CertificateRequest before
 * ServerHelloDone, then the client's Certificate (before its
 * ClientKeyExchange) and, when it sent one, its CertificateVerify (after it),
 * a signature over every handshake message so far.
 */
import type { PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError, illegalParameter, unexpectedMessage } from '../../errors.js';
import type { ServerConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import type { Transcript } from '../../tls13/transcript.js';
import { verifyClientCertificate } from '../../tls13/verify-client-certificate.js';
import { HandshakeType, SignatureSchemeCode, nameOf } from '../../wire/enums.js';
import { ClientCertificateType } from '../../wire/tls12-enums.js';
import { type Tls12HandshakeMessage, encodeTls12Handshake } from '../../wire/tls12-messages.js';
import { tls12SchemeFits, tls12Verify } from '../signature.js';

/** ECDSA (and Ed25519, RFC 8422 §5.5) and RSA client keys; the signature algorithms say which hashes. */
const CERTIFICATE_TYPES = [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign];

export function sendCertificateRequest(ctx: Context<ServerConfig>, transcript: Transcript): void {
  const { config } = ctx;
  const request = {
    type: HandshakeType.certificate_request,
    certificateTypes: CERTIFICATE_TYPES,
    signatureAlgorithms: config.signatureSchemes.map((s) => SignatureSchemeCode[s]),
    certificateAuthorities: config.clientAuth!.authorities,
  } as const;
  ctx.sendEncoded(encodeTls12Handshake(request), transcript);
}

/** Waiting for the client's Certificate; `then` makes the state that takes its ClientKeyExchange. */
export class ExpectClientCertificate implements State<ServerConfig, Tls12HandshakeMessage> {
  readonly expects: readonly number[] = [HandshakeType.certificate];
  constructor(
    private readonly transcript: Transcript,
    private readonly then: (clientKey: PublicKey | undefined) => State<ServerConfig, Tls12HandshakeMessage>,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ServerConfig, Tls12HandshakeMessage> {
    if (msg.type !== HandshakeType.certificate) throw unexpectedMessage(`expected the client's Certificate, got ${msg.type}`);
    // RFC 5246 §7.4.6: a server that requires a certificate MAY answer an empty one with handshake_failure.
    const key = verifyClientCertificate(ctx, msg.certificates, 'handshake_failure');
    this.transcript.add(raw);
    return this.then(key);
  }
}

/** Waiting for the client's CertificateVerify (a client that sent a certificate must send it). */
export class ExpectClientCertificateVerify implements State<ServerConfig, Tls12HandshakeMessage> {
  readonly expects: readonly number[] = [HandshakeType.certificate_verify];
  constructor(
    private readonly transcript: Transcript,
    private readonly clientKey: PublicKey,
    private readonly then: State<ServerConfig, Tls12HandshakeMessage>,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ServerConfig, Tls12HandshakeMessage> {
    if (msg.type !== HandshakeType.certificate_verify) throw unexpectedMessage(`expected the client's CertificateVerify, got ${msg.type}`);
    const scheme = nameOf(SignatureSchemeCode, msg.scheme) as SignatureSchemeName | undefined;
    // RFC 5246 §7.4.8: one of the algorithms of our CertificateRequest.
    if (!scheme || !ctx.config.signatureSchemes.includes(scheme)) throw illegalParameter(`client signed with scheme 0x${msg.scheme.toString(16)}, which we did not ask for`);
    if (!tls12SchemeFits(scheme, this.clientKey)) throw illegalParameter(`client scheme ${scheme} does not fit its certificate key`);
    if (!tls12Verify(ctx.config.crypto, scheme, this.clientKey, this.transcript.messages(), msg.signature)) {
      throw new TlsError('decrypt_error', 'client CertificateVerify signature is invalid');
    }
    this.transcript.add(raw);
    return this.then;
  }
}
