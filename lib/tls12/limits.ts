/**
 * How long each TLS 1.2 handshake message body can be (RFC 5246 §7.4,
 * RFC 8422 §5.4), the largest its encoding allows with every vector at its
 * maximum: a header announcing more is refused before the body is buffered.
 * The hellos keep TLS 1.3's limits (they are shared); Certificate is held to
 * MAX_HANDSHAKE_MESSAGE, the most we buffer for any message.
 */
import { MAX_HANDSHAKE_MESSAGE } from '../record/limits.js';
import { HandshakeType as HT } from '../wire/enums.js';
import { Tls12HandshakeType as HT12 } from '../wire/tls12-enums.js';
import { maxBodyLength } from '../tls13/limits.js';

const MAX_BODY: Record<number, number> = {
  [HT12.hello_request]: 0,
  [HT.certificate]: MAX_HANDSHAKE_MESSAGE,
  // ECDHE: curve type, named group, point <1..2^8-1>, signature scheme, signature <0..2^16-1>
  // (longer than ECDHE_PSK's hint <0..2^16-1> and the same params, RFC 5489 §2).
  [HT12.server_key_exchange]: 1 + 2 + (1 + 0xff) + 2 + (2 + 0xffff),
  // certificate types <1..2^8-1>, signature algorithms <2..2^16-2>, authorities <0..2^16-1>.
  [HT.certificate_request]: (1 + 0xff) + (2 + 0xfffe) + (2 + 0xffff),
  [HT12.server_hello_done]: 0,
  [HT.certificate_verify]: 2 + (2 + 0xffff),
  // ECDHE_PSK: psk_identity <0..2^16-1> and point <1..2^8-1> (RFC 5489 §2); PSK and ECDHE send less.
  [HT12.client_key_exchange]: (2 + 0xffff) + (1 + 0xff),
  [HT.finished]: 12,
  [HT.new_session_ticket]: 4 + (2 + 0xffff),
};

/** The longest body a TLS 1.2 handshake message of `type` can have; 0 for a type 1.2 does not send. */
export function maxTls12BodyLength(type: number): number {
  if (type === HT.client_hello || type === HT.server_hello) return maxBodyLength(type);
  return MAX_BODY[type] ?? 0;
}
