/**
 * (EC)DHE answered the way a KEM is (provider.answerKeyShare): a fresh key
 * pair of our own and the agreement with the peer's share, so the TLS 1.3
 * server states treat every group alike.
 */
import type { KeyShare, KeyShareAnswer } from './provider.js';

export function answerByAgreement(share: KeyShare, peerShare: Uint8Array): KeyShareAnswer {
  return { group: share.group, publicKey: share.publicKey, sharedSecret: share.sharedSecret(peerShare) };
}
