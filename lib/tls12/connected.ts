/**
 * After a TLS 1.2 handshake, either role. We never renegotiate (as rustls
 * and BoringSSL): a server's HelloRequest, or a client's new ClientHello, is
 * answered with a no_renegotiation warning and the connection goes on
 * (RFC 5246 §7.4.1.1, RFC 5746 §4.5). Anything else is unexpected. It holds
 * the session's keying material exporter (RFC 5705).
 */
import { unexpectedMessage } from '../errors.js';
import type { HoldsExporter, KeyingMaterialExporter } from '../handshake/keying-material-exporter.js';
import type { ClientConfig, ServerConfig } from '../tls13/config.js';
import type { Context, State } from '../tls13/context.js';
import { HandshakeType } from '../wire/enums.js';
import { Tls12HandshakeType } from '../wire/tls12-enums.js';

export class Tls12Connected implements State<ClientConfig | ServerConfig, { type: number }>, HoldsExporter {
  readonly expects: readonly number[];

  constructor(
    private readonly role: 'client' | 'server',
    readonly exporter: KeyingMaterialExporter,
  ) {
    this.expects = role === 'client' ? [Tls12HandshakeType.hello_request] : [HandshakeType.client_hello];
  }

  handle(ctx: Context, msg: { type: number }): State<ClientConfig | ServerConfig, { type: number }> {
    const asked = this.role === 'client' ? Tls12HandshakeType.hello_request : HandshakeType.client_hello;
    if (msg.type !== asked) throw unexpectedMessage(`handshake message ${msg.type} after the handshake`);
    ctx.sendWarningAlert('no_renegotiation');
    return this;
  }
}
