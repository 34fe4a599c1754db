/**
 * Client: the server's PSK ServerKeyExchange (RFC 4279 §2, RFC 5489 §2),
 * where a certificate suite has Certificate and a signed ServerKeyExchange.
 * For plain PSK it carries only the identity hint and is sent only when the
 * server has one, so ServerHelloDone may come instead; for ECDHE_PSK it
 * carries the server's ephemeral key too, unsigned: knowing the PSK is what
 * authenticates the server, and the Finished messages prove it.
 */
import { unexpectedMessage } from '../../errors.js';
import type { ClientConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import { Tls12HandshakeType } from '../../wire/tls12-enums.js';
import type { ServerKeyExchange, Tls12HandshakeMessage } from '../../wire/tls12-messages.js';
import { ecdhePskPremaster, plainPskPremaster } from '../psk-premaster.js';
import { ExpectCertificateRequestOrDone, ExpectServerHelloDone, type KeyExchanged } from './expect-server-hello-done.js';
import { offeredGroup } from './expect-server-key-exchange.js';
import { HELLO_REQUEST, type Negotiated } from './negotiated.js';

export class ExpectPskServerKeyExchange implements State<ClientConfig, Tls12HandshakeMessage> {
  readonly expects: readonly number[];
  constructor(private readonly n: Negotiated) {
    // RFC 4279 §2: without a hint a plain-PSK server sends no ServerKeyExchange.
    const hintOptional = n.suite.kx === 'psk' ? [Tls12HandshakeType.server_hello_done] : [];
    this.expects = [Tls12HandshakeType.server_key_exchange, ...hintOptional, HELLO_REQUEST];
  }

  handle(ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    ctx.info.pskIdentity = new TextDecoder().decode(ourPsk(ctx.config).identity);
    if (msg.type === Tls12HandshakeType.server_hello_done && this.n.suite.kx === 'psk') {
      return new ExpectServerHelloDone(this.n, plainPsk(ctx.config), undefined).handle(ctx, msg, raw);
    }
    if (msg.type !== Tls12HandshakeType.server_key_exchange) throw unexpectedMessage(`expected ServerKeyExchange, got ${msg.type}`);
    // We hold one identity, so the hint cannot change our choice (RFC 4279 §5.2 lets a client ignore it).
    const kx = exchange(ctx, msg);
    this.n.transcript.add(raw);
    return new ExpectCertificateRequestOrDone(this.n, kx);
  }
}

/** The client's PSK: the suite was offered only with one configured. */
function ourPsk(config: ClientConfig): { identity: Uint8Array; key: Uint8Array } {
  return config.psk!;
}

function plainPsk(config: ClientConfig): KeyExchanged {
  const psk = ourPsk(config);
  return { message: { kx: 'psk', pskIdentity: psk.identity }, premaster: plainPskPremaster(psk.key) };
}

/** Our ClientKeyExchange and premaster for the server's key exchange; a group we did not offer, or a bad point, is illegal_parameter. */
function exchange(ctx: Context<ClientConfig>, msg: ServerKeyExchange): KeyExchanged {
  const { config } = ctx;
  if (msg.kx === 'psk') return plainPsk(config);
  if (msg.kx !== 'ecdhe_psk') throw unexpectedMessage(`a ${msg.kx} ServerKeyExchange under a PSK suite`);
  const group = offeredGroup(config, msg.params.group);
  const share = config.crypto.keyShare(group, config.random);
  const premaster = ecdhePskPremaster(share.sharedSecret(msg.params.point), ourPsk(config).key);
  ctx.info.group = group;
  return { message: { kx: 'ecdhe_psk', pskIdentity: ourPsk(config).identity, point: share.publicKey }, premaster };
}
