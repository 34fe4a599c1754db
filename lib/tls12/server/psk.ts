/**
 * Server: the PSK side of the TLS 1.2 key exchanges (RFC 4279 §2, RFC 5489
 * §2). No Certificate: the ServerKeyExchange carries the identity hint (for
 * plain PSK only when one is configured) and, for ECDHE_PSK, our unsigned
 * ephemeral key; the client's ClientKeyExchange names the PSK to mix in.
 */
import type { GroupName, KeyShare } from '../../crypto/provider.js';
import { TlsError } from '../../errors.js';
import type { ServerConfig } from '../../tls13/config.js';
import type { Context } from '../../tls13/context.js';
import type { Transcript } from '../../tls13/transcript.js';
import { NamedGroupCode } from '../../wire/enums.js';
import { Tls12HandshakeType } from '../../wire/tls12-enums.js';
import { encodeTls12Handshake } from '../../wire/tls12-messages.js';
import { askPskCallback } from '../../handshake/psk-callback.js';
import type { Tls12CipherSuite } from '../suites.js';

const EMPTY = new Uint8Array(0);

/**
 * Sends the PSK ServerKeyExchange: for ECDHE_PSK always (it carries our
 * ephemeral key for `group`, which is returned), for plain PSK only with a
 * hint (RFC 4279 §2: omitted when there is none to give).
 */
export function sendPskServerKeyExchange(
  ctx: Context<ServerConfig>,
  suite: Tls12CipherSuite,
  group: GroupName | undefined,
  transcript: Transcript,
): KeyShare | undefined {
  const { config } = ctx;
  const pskIdentityHint = config.pskIdentityHint ?? EMPTY;
  const type = Tls12HandshakeType.server_key_exchange;
  if (suite.kx === 'psk') {
    if (config.pskIdentityHint) ctx.sendEncoded(encodeTls12Handshake({ type, kx: 'psk', pskIdentityHint }), transcript);
    return undefined;
  }
  const share = config.crypto.keyShare(group!, config.random);
  const params = { group: NamedGroupCode[group!], point: share.publicKey };
  ctx.sendEncoded(encodeTls12Handshake({ type, kx: 'ecdhe_psk', pskIdentityHint, params }), transcript);
  return share;
}

/**
 * The PSK the client's identity names, asked of the configured callback.
 * An unknown identity is unknown_psk_identity (RFC 4279 §2 allows it, and
 * OpenSSL does it); a wrong key only shows in the client's Finished.
 */
export function serverPsk(ctx: Context<ServerConfig>, identity: Uint8Array): Uint8Array {
  const key = askPskCallback(ctx.config.psk, identity);
  if (key === undefined) throw new TlsError('unknown_psk_identity', 'the client named a PSK identity we do not know');
  // RFC 4279 §5.1: identities are UTF-8; one that is not shows with replacement characters.
  ctx.info.pskIdentity = new TextDecoder().decode(identity);
  return key;
}
