/** Ephemeral (EC)DHE key shares for TLS 1.3 on @noble/curves. */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { TlsError } from '../../errors.js';
import type { GroupName, KeyShare, RandomSource } from '../provider.js';

function x25519Share(random: RandomSource): KeyShare {
  // RFC 7748: any 32 bytes are a private key; clamping happens inside scalarMult.
  const secret = random(32);
  return {
    group: 'x25519',
    publicKey: x25519.getPublicKey(secret),
    sharedSecret(peer) {
      if (peer.length !== 32) throw new TlsError('illegal_parameter', 'x25519 key share must be 32 bytes');
      try {
        // noble rejects low-order points, i.e. the all-zero output RFC 8446 §7.4.2 forbids.
        return x25519.getSharedSecret(secret, peer);
      } catch {
        throw new TlsError('illegal_parameter', 'x25519 key share yields an all-zero secret');
      }
    },
  };
}

/** seedLength: 1.5x the field size, what randomSecretKey needs for a negligible modulo bias. */
const NIST = {
  secp256r1: { curve: p256 as ECDSA, seedLength: 48, pointLength: 65 },
  secp384r1: { curve: p384 as ECDSA, seedLength: 72, pointLength: 97 },
};

function nistShare(group: keyof typeof NIST, random: RandomSource): KeyShare {
  const { curve, seedLength, pointLength } = NIST[group];
  // randomSecretKey reduces the seed into [1, n-1], so the scalar is never zero.
  const secret = curve.utils.randomSecretKey(random(seedLength));
  return {
    group,
    publicKey: curve.getPublicKey(secret, false),
    sharedSecret(peer) {
      // RFC 8446 §4.2.8.2: only the uncompressed form (0x04 || X || Y) is allowed.
      if (peer.length !== pointLength || peer[0] !== 0x04) {
        throw new TlsError('illegal_parameter', `${group} key share must be an uncompressed point`);
      }
      let shared: Uint8Array;
      try {
        // fromBytes inside getSharedSecret rejects points not on the curve and infinity.
        shared = curve.getSharedSecret(secret, peer, true);
      } catch {
        throw new TlsError('illegal_parameter', `${group} key share is not a valid curve point`);
      }
      return shared.slice(1); // drop the compressed-point prefix: the x-coordinate remains
    },
  };
}

export function nobleKeyShare(group: GroupName, random: RandomSource): KeyShare {
  switch (group) {
    case 'x25519':
      return x25519Share(random);
    case 'secp256r1':
    case 'secp384r1':
      return nistShare(group, random);
    default:
      throw new Error(`unsupported group ${String(group)}`);
  }
}
