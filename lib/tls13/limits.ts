/**
 * How long each TLS 1.3 handshake message body can be (RFC 8446 §4): the
 * largest the message's own encoding allows, every vector at its maximum.
 * A header announcing more is refused at once, before the body is waited for
 * and buffered. Certificate, whose encoding allows 2^24 - 1 bytes, is held to
 * MAX_HANDSHAKE_MESSAGE, the most we buffer for any message.
 */
import { MAX_HANDSHAKE_MESSAGE } from '../record/limits.js';
import { HandshakeType as HT } from '../wire/enums.js';

const EXTENSIONS = 2 + 0xffff;
const MAX_BODY: Record<number, number> = {
  // legacy_version, random, session id <0..32>, cipher_suites <2..2^16-2>, compression <1..2^8-1>, extensions:
  // 131,396 bytes, the limit OpenSSL applies to a ClientHello.
  [HT.client_hello]: 2 + 32 + (1 + 32) + (2 + 0xfffe) + (1 + 0xff) + EXTENSIONS,
  [HT.server_hello]: 2 + 32 + (1 + 32) + 2 + 1 + EXTENSIONS,
  [HT.new_session_ticket]: 4 + 4 + (1 + 0xff) + (2 + 0xffff) + EXTENSIONS,
  [HT.end_of_early_data]: 0,
  [HT.encrypted_extensions]: EXTENSIONS,
  [HT.certificate]: MAX_HANDSHAKE_MESSAGE,
  [HT.certificate_request]: (1 + 0xff) + EXTENSIONS,
  [HT.certificate_verify]: 2 + (2 + 0xffff),
  // verify_data is as long as the suite's hash: 48 bytes at most for the suites of RFC 8446.
  [HT.finished]: 48,
  [HT.key_update]: 1,
};

/** The longest body a handshake message of `type` can have; 0 for a type TLS 1.3 does not send. */
export function maxBodyLength(type: number): number {
  return MAX_BODY[type] ?? 0;
}
