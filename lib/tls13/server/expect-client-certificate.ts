/**
 * Server: the client's answer to our CertificateRequest (RFC 8446 §4.4.2,
 * §4.4.3), in the handshake or after it: its Certificate, and when that is
 * not empty its CertificateVerify, before the Finished that `then` checks.
 */
import type { PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError, illegalParameter, unexpectedMessage } from '../../errors.js';
import { equalBytes } from '../../wire/codec.js';
import { HandshakeType, SignatureSchemeCode, nameOf } from '../../wire/enums.js';
import type { HandshakeMessage } from '../../wire/handshake.js';
import { certificateVerifyContent, schemeFitsKey } from '../certificate-verify.js';
import type { ServerConfig } from '../config.js';
import type { Context, State } from '../context.js';
import type { Transcript } from '../transcript.js';
import { verifyClientCertificate } from '../verify-client-certificate.js';

export class ExpectClientCertificate implements State<ServerConfig> {
  readonly expects = [HandshakeType.certificate];
  constructor(
    private readonly transcript: Transcript,
    /** certificate_request_context we sent: the Certificate must echo it. */
    private readonly context: Uint8Array,
    /** The state that takes the client's Finished. */
    private readonly then: State<ServerConfig>,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ServerConfig> {
    if (msg.type !== HandshakeType.certificate) throw unexpectedMessage(`expected the client's Certificate, got ${msg.type}`);
    if (!equalBytes(msg.context, this.context)) throw illegalParameter('client Certificate with another certificate_request_context');
    const key = verifyClientCertificate(ctx, msg.entries.map((e) => e.data), 'certificate_required');
    this.transcript.add(raw);
    return key ? new ExpectClientCertificateVerify(this.transcript, key, this.then) : this.then;
  }
}

class ExpectClientCertificateVerify implements State<ServerConfig> {
  readonly expects = [HandshakeType.certificate_verify];
  constructor(
    private readonly transcript: Transcript,
    private readonly clientKey: PublicKey,
    private readonly then: State<ServerConfig>,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ServerConfig> {
    if (msg.type !== HandshakeType.certificate_verify) throw unexpectedMessage(`expected the client's CertificateVerify, got ${msg.type}`);
    // Only the schemes of our signature_algorithms, each bound to its key type (RFC 8446 §4.4.3).
    const scheme = nameOf(SignatureSchemeCode, msg.scheme) as SignatureSchemeName | undefined;
    if (!scheme || !ctx.config.signatureSchemes.includes(scheme)) throw illegalParameter(`client signed with scheme ${msg.scheme}, which we did not ask for`);
    if (!schemeFitsKey(scheme, this.clientKey)) throw illegalParameter(`client scheme ${scheme} does not fit its certificate key`);
    const content = certificateVerifyContent('client', this.transcript.current());
    if (!ctx.config.crypto.verify(scheme, this.clientKey, content, msg.signature)) {
      throw new TlsError('decrypt_error', 'client CertificateVerify signature is invalid');
    }
    this.transcript.add(raw);
    return this.then;
  }
}
