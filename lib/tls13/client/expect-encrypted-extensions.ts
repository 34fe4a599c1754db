/** Client: waiting for EncryptedExtensions (RFC 8446 §4.3.1). */
import { illegalParameter, unexpectedMessage } from '../../errors.js';
import { ExtensionType as X, HandshakeType } from '../../wire/enums.js';
import { type Extension, decodeAlpn, findExtension } from '../../wire/extension.js';
import { EPOCH, installWriteSecret } from '../traffic-protection.js';
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

/**
 * RFC 8446 §4.2.10: early_data in EncryptedExtensions takes our 0-RTT data,
 * which it may only do for the first PSK (our ticket) under its suite.
 * Declined, the handshake write key replaces the early one now and what was
 * sent goes again after the handshake.
 */
function answerToEarlyData(ctx: Context<ClientConfig>, keys: HandshakeKeys, extensions: readonly Extension[]): HandshakeKeys {
  const accepted = findExtension(extensions, X.early_data) !== undefined;
  if (accepted) {
    if (ctx.info.resumed !== true || keys.earlyTicket?.suite !== keys.suite.name) throw illegalParameter('server accepted early data without resuming our ticket under its suite');
    return { ...keys, earlyAccepted: true };
  }
  ctx.endEarlyData(false);
  installWriteSecret(ctx, keys.secrets.clientHandshake, EPOCH.handshake);
  return keys;
}

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
    const keys = this.keys.earlyData ? answerToEarlyData(ctx, this.keys, msg.extensions) : this.keys;
    return keys.resumed ? new ExpectFinished(keys, undefined) : new ExpectCertificateOrRequest(keys);
  }
}
