/** Client: the server's CertificateVerify (RFC 8446 §4.4.3). */
import type { PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError, illegalParameter, unexpectedMessage } from '../../errors.js';
import { HandshakeType, SignatureSchemeCode, nameOf } from '../../wire/enums.js';
import type { HandshakeMessage } from '../../wire/handshake.js';
import { certificateVerifyContent, schemeFitsKey } from '../certificate-verify.js';
import type { ClientConfig } from '../config.js';
import type { Context, State } from '../context.js';
import { ExpectFinished } from './expect-finished.js';
import type { HandshakeKeys } from './handshake-keys.js';
import type { ClientAuthAnswer } from './client-auth.js';

export class ExpectCertificateVerify implements State<ClientConfig> {
  readonly expects = [HandshakeType.certificate_verify];
  constructor(
    private readonly keys: HandshakeKeys,
    private readonly serverKey: PublicKey,
    private readonly clientAuth: ClientAuthAnswer | undefined,
  ) {}

  handle(ctx: Context<ClientConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ClientConfig> {
    if (msg.type !== HandshakeType.certificate_verify) throw unexpectedMessage(`expected CertificateVerify, got ${msg.type}`);
    const scheme = nameOf(SignatureSchemeCode, msg.scheme) as SignatureSchemeName | undefined;
    if (!scheme || !ctx.config.signatureSchemes.includes(scheme)) throw illegalParameter(`signature scheme ${msg.scheme} was not offered`);
    if (!schemeFitsKey(scheme, this.serverKey)) throw illegalParameter(`signature scheme ${scheme} does not fit the certificate key`);
    const content = certificateVerifyContent('server', this.keys.transcript.current());
    if (!ctx.config.crypto.verify(scheme, this.serverKey, content, msg.signature)) {
      throw new TlsError('decrypt_error', 'server CertificateVerify signature is invalid');
    }
    ctx.info.signatureScheme = scheme;
    this.keys.transcript.add(raw);
    return new ExpectFinished(this.keys, this.clientAuth);
  }
}
