/**
 * ML-KEM-768 (FIPS 203) on @noble/post-quantum, with its randomness taken
 * from the injected RandomSource (so handshakes are reproducible in tests) and
 * its failures turned into the TLS alert a bad peer share deserves. Both
 * providers use it: node:crypto has no ML-KEM before OpenSSL 3.5.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { TlsError } from '../../errors.js';
import type { RandomSource } from '../provider.js';

export const ML_KEM_768 = Object.freeze({ encapsulationKeyLength: 1184, ciphertextLength: 1088, secretLength: 32 });

/** The client's half: an encapsulation key to send, and the decapsulation that turns the server's ciphertext into the secret. */
export interface MlKemKeyPair {
  readonly encapsulationKey: Uint8Array;
  decapsulate(ciphertext: Uint8Array): Uint8Array;
}

/** A key pair from 64 random bytes: d || z of ML-KEM.KeyGen_internal (FIPS 203 Algorithm 16). */
export function mlKem768KeyPair(random: RandomSource): MlKemKeyPair {
  const { publicKey, secretKey } = ml_kem768.keygen(random(64));
  return {
    encapsulationKey: publicKey,
    decapsulate(ciphertext) {
      if (ciphertext.length !== ML_KEM_768.ciphertextLength) {
        throw new TlsError('illegal_parameter', `ML-KEM-768 ciphertext must be ${ML_KEM_768.ciphertextLength} bytes`);
      }
      // A tampered ciphertext does not throw: FIPS 203's implicit rejection yields an
      // unrelated secret, and the handshake then fails at Finished.
      return ml_kem768.decapsulate(ciphertext, secretKey);
    },
  };
}

/**
 * The server's half: encapsulates a fresh secret to the client's key with the
 * 32-byte message m from `random` (FIPS 203 Algorithm 17). The key must pass
 * FIPS 203 §7.2's input checks: its exact size and the modulus check (every
 * coefficient below q), which noble runs; failing keys are illegal_parameter.
 */
export function mlKem768Encapsulate(encapsulationKey: Uint8Array, random: RandomSource): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  if (encapsulationKey.length !== ML_KEM_768.encapsulationKeyLength) {
    throw new TlsError('illegal_parameter', `ML-KEM-768 encapsulation key must be ${ML_KEM_768.encapsulationKeyLength} bytes`);
  }
  try {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(encapsulationKey, random(32));
    return { ciphertext: cipherText, sharedSecret: sharedSecret.slice() };
  } catch {
    throw new TlsError('illegal_parameter', 'ML-KEM-768 encapsulation key fails the modulus check (FIPS 203 §7.2)');
  }
}
