/** Client: waiting for EncryptedExtensions (RFC 8446 §4.3.1). */
import { illegalParameter, unexpectedMessage } from '../../errors.js';
import { ExtensionType as X, HandshakeType } from '../../wire/enums.js';
import { decodeAlpn, findExtension } from '../../wire/extension.js';
import type { HandshakeMessage } from '../../wire/handshake.js';
import type { ClientConfig } from '../config.js';
import type { Context, State } from '../context.js';
import { ExpectCertificateOrRequest } from './expect-certificate.js';
import { ExpectFinished } from './expect-finished.js';
import { checkExtensions } from './expect-server-hello.js';
import type { HandshakeKeys } from './handshake-keys.js';
import { acceptServerCertificateType } from '../certificate-type.js';
import { acceptRecordSizeLimit } from '../record-size-limit.js';

const EE_EXTENSIONS: number[] = [X.server_name, X.supported_groups, X.alpn, X.early_data, X.record_size_limit, X.server_certificate_type];

export class ExpectEncryptedExtensions implements State<ClientConfig> {
  readonly expects = [HandshakeType.encrypted_extensions];
  constructor(private readonly keys: HandshakeKeys) {}

  handle(ctx: Context<ClientConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ClientConfig> {
    if (msg.type !== HandshakeType.encrypted_extensions) throw unexpectedMessage(`expected EncryptedExtensions, got ${msg.type}`);
    checkExtensions(msg.extensions, EE_EXTENSIONS, this.keys.hello.extensions);
    const alpn = findExtension(msg.extensions, X.alpn);
    if (alpn) {
      const chosen = decodeAlpn(alpn);
      if (chosen.length !== 1 || !ctx.config.alpn.includes(chosen[0]!)) throw illegalParameter('server chose an ALPN protocol we did not offer');
      ctx.info.alpn = chosen[0];
    }
    acceptServerCertificateType(ctx, msg.extensions);
    acceptRecordSizeLimit(ctx, 'TLSv1.3', this.keys.hello, msg.extensions);
    this.keys.transcript.add(raw);
    return this.keys.resumed ? new ExpectFinished(this.keys, undefined) : new ExpectCertificateOrRequest(this.keys);
  }
}
