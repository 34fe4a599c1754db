/**
 * Which key-exchange groups we offer and accept by default, and which of them
 * a client sends key shares for. Apart from config.ts so that the group policy
 * reads in one place.
 */
import type { GroupName } from '../crypto/provider.js';

/**
 * The post-quantum hybrid first (as Chrome, Firefox and OpenSSL 3.5 offer
 * it), then the classical groups in the order we always had, then secp521r1
 * and x448 after the others, as GnuTLS lists them: accepted when a peer
 * offers them, never worth a share by default.
 */
export const DEFAULT_GROUPS: readonly GroupName[] = Object.freeze(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1', 'secp521r1', 'x448']);

/**
 * Shares for the first group; when that is the hybrid, an X25519 share beside
 * it (as browsers send), so a server without ML-KEM (OpenSSL before 3.5,
 * GnuTLS 3.7) picks X25519 without a HelloRetryRequest; the two shares cost
 * one X25519 key generation more.
 */
export function defaultKeyShareGroups(groups: readonly GroupName[]): GroupName[] {
  const first = groups[0];
  if (first === undefined) return [];
  return first === 'X25519MLKEM768' && groups.includes('x25519') ? [first, 'x25519'] : [first];
}
