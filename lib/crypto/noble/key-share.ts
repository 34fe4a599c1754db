/** Ephemeral key shares for TLS 1.3 (and TLS 1.2 ECDHE) on @noble/curves and @noble/post-quantum. */
import { x25519 } from '@noble/curves/ed25519.js';
import { x448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { TlsError } from '../../errors.js';
import { answerByAgreement } from '../answer-by-agreement.js';
import type { GroupName, KeyShare, KeyShareAnswer, RandomSource } from '../provider.js';
import { x25519MlKem768Answer, x25519MlKem768Share } from '../x25519-mlkem768.js';

/** RFC 7748 curves: any 32 (56) bytes are a private key; clamping happens inside scalarMult. */
const MONTGOMERY = {
  x25519: { curve: x25519, length: 32 },
  x448: { curve: x448, length: 56 },
};

function montgomeryShare(group: keyof typeof MONTGOMERY, random: RandomSource): KeyShare {
  const { curve, length } = MONTGOMERY[group];
  const secret = random(length);
  return {
    group,
    publicKey: curve.getPublicKey(secret),
    sharedSecret(peer) {
      if (peer.length !== length) throw new TlsError('illegal_parameter', `${group} key share must be ${length} bytes`);
      try {
        // noble rejects low-order points, i.e. the all-zero output RFC 8446 §7.4.2 forbids.
        return curve.getSharedSecret(secret, peer);
      } catch {
        throw new TlsError('illegal_parameter', `${group} key share yields an all-zero secret`);
      }
    },
  };
}

/** seedLength: 1.5x the field size, what randomSecretKey needs for a negligible modulo bias. */
const NIST = {
  secp256r1: { curve: p256 as ECDSA, seedLength: 48, pointLength: 65 },
  secp384r1: { curve: p384 as ECDSA, seedLength: 72, pointLength: 97 },
  secp521r1: { curve: p521 as ECDSA, seedLength: 99, pointLength: 133 },
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

const nobleX25519 = (random: RandomSource) => montgomeryShare('x25519', random);

export function nobleKeyShare(group: GroupName, random: RandomSource): KeyShare {
  switch (group) {
    case 'X25519MLKEM768':
      return x25519MlKem768Share(nobleX25519, random);
    case 'x25519':
    case 'x448':
      return montgomeryShare(group, random);
    case 'secp256r1':
    case 'secp384r1':
    case 'secp521r1':
      return nistShare(group, random);
    default:
      throw new Error(`unsupported group ${String(group)}`);
  }
}

export function nobleAnswerKeyShare(group: GroupName, peerShare: Uint8Array, random: RandomSource): KeyShareAnswer {
  if (group === 'X25519MLKEM768') return x25519MlKem768Answer(nobleX25519, peerShare, random);
  return answerByAgreement(nobleKeyShare(group, random), peerShare);
}
