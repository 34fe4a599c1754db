/**
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem, codepoint 0x11EC): ML-KEM-768
 * and X25519 side by side, each share and the secret a plain concatenation,
 * ML-KEM first for this group (unlike the older X25519Kyber768Draft00 and the
 * secp256r1 hybrids, which put the classical part first):
 *   client share  = ML-KEM encapsulation key (1184) || X25519 key (32) = 1216
 *   server share  = ML-KEM ciphertext (1088)        || X25519 key (32) = 1120
 *   shared secret = ML-KEM secret (32)              || X25519 secret (32)
 * The X25519 half comes from the provider (noble's or node's), so this file
 * only splits, checks sizes and joins.
 */
import { TlsError } from '../errors.js';
import { ML_KEM_768, mlKem768Encapsulate, mlKem768KeyPair } from './noble/ml-kem.js';
import type { KeyShare, KeyShareAnswer, RandomSource } from './provider.js';

/** Makes a provider's X25519 key pair. */
export type X25519Maker = (random: RandomSource) => KeyShare;

const X25519_LENGTH = 32;
export const X25519MLKEM768_CLIENT_SHARE_LENGTH = ML_KEM_768.encapsulationKeyLength + X25519_LENGTH;
export const X25519MLKEM768_SERVER_SHARE_LENGTH = ML_KEM_768.ciphertextLength + X25519_LENGTH;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The client's share; its sharedSecret() takes the server's ciphertext || X25519 key. */
export function x25519MlKem768Share(x25519: X25519Maker, random: RandomSource): KeyShare {
  const kem = mlKem768KeyPair(random);
  const ecdh = x25519(random);
  return {
    group: 'X25519MLKEM768',
    publicKey: concat(kem.encapsulationKey, ecdh.publicKey),
    sharedSecret(serverShare) {
      if (serverShare.length !== X25519MLKEM768_SERVER_SHARE_LENGTH) {
        throw new TlsError('illegal_parameter', `X25519MLKEM768 server share must be ${X25519MLKEM768_SERVER_SHARE_LENGTH} bytes`);
      }
      const split = ML_KEM_768.ciphertextLength;
      // X25519 first: its checks (all-zero result) are cheap and fail loudly; decapsulation never fails.
      const classical = ecdh.sharedSecret(serverShare.subarray(split));
      return concat(kem.decapsulate(serverShare.subarray(0, split)), classical);
    },
  };
}

/** The server's answer: encapsulation to the client's ML-KEM key, and a fresh X25519 agreement. */
export function x25519MlKem768Answer(x25519: X25519Maker, clientShare: Uint8Array, random: RandomSource): KeyShareAnswer {
  if (clientShare.length !== X25519MLKEM768_CLIENT_SHARE_LENGTH) {
    throw new TlsError('illegal_parameter', `X25519MLKEM768 client share must be ${X25519MLKEM768_CLIENT_SHARE_LENGTH} bytes`);
  }
  const split = ML_KEM_768.encapsulationKeyLength;
  const kem = mlKem768Encapsulate(clientShare.subarray(0, split), random);
  const ecdh = x25519(random);
  const classical = ecdh.sharedSecret(clientShare.subarray(split));
  return {
    group: 'X25519MLKEM768',
    publicKey: concat(kem.ciphertext, ecdh.publicKey),
    sharedSecret: concat(kem.sharedSecret, classical),
  };
}
