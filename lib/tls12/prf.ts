/**
 * The TLS 1.2 pseudorandom function (RFC 5246 §5) and the secrets made with it:
 * the master secret (§8.1), the extended master secret (RFC 7627 §4), the key
 * block (§6.3) and Finished's verify_data (§7.4.9).
 *
 *   P_hash(secret, seed) = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ...
 *   A(0) = seed, A(i) = HMAC(secret, A(i-1))
 *   PRF(secret, label, seed) = P_<hash>(secret, label || seed)
 *
 * The hash is the cipher suite's PRF hash (SHA-256 unless the suite says
 * SHA-384); HMAC comes from the CryptoProvider's HashFunctions.
 */
import type { HashFunctions } from '../crypto/provider.js';
import { concatBytes } from '../wire/codec.js';

/** Length of the master secret and of the extended master secret (RFC 5246 §8.1). */
export const MASTER_SECRET_LENGTH = 48;
/** Length of Finished.verify_data for every suite we implement (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LENGTH = 12;
/** Length of ClientHello.random and ServerHello.random. */
export const RANDOM_LENGTH = 32;

export type FinishedLabel = 'client finished' | 'server finished';

/** A label's bytes: labels are ASCII strings without a length or terminator. */
function ascii(label: string): Uint8Array {
  const out = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c > 0x7f) throw new RangeError('PRF labels are ASCII');
    out[i] = c;
  }
  return out;
}

/** The labels this module uses, encoded once. */
const LABELS = {
  master: ascii('master secret'),
  extendedMaster: ascii('extended master secret'),
  keyExpansion: ascii('key expansion'),
} as const;
const FINISHED_LABELS: Readonly<Record<FinishedLabel, Uint8Array>> = {
  'client finished': ascii('client finished'),
  'server finished': ascii('server finished'),
};

/**
 * P_hash(secret, seed) cut to `length` bytes. A(i) and the seed share one
 * buffer, so each round is two HMAC calls and no concatenation.
 */
function pHash(hash: HashFunctions, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const h = hash.outputLength;
  const out = new Uint8Array(length);
  const input = new Uint8Array(h + seed.length); // A(i) || seed
  input.set(seed, h);
  let a = seed; // A(0)
  for (let done = 0; done < length; done += h) {
    a = hash.hmac(secret, a);
    input.set(a, 0);
    const block = hash.hmac(secret, input);
    out.set(length - done < h ? block.subarray(0, length - done) : block, done);
  }
  return out;
}

/** PRF with an already-encoded label. */
function prfBytes(hash: HashFunctions, secret: Uint8Array, label: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('PRF output length must be a non-negative integer');
  return pHash(hash, secret, concatBytes(label, seed), length);
}

/** PRF(secret, label, seed) cut to `length` bytes (RFC 5246 §5); `label` is ASCII. */
export function prf(hash: HashFunctions, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return prfBytes(hash, secret, ascii(label), seed, length);
}

function checkRandoms(clientRandom: Uint8Array, serverRandom: Uint8Array): void {
  if (clientRandom.length !== RANDOM_LENGTH || serverRandom.length !== RANDOM_LENGTH) {
    throw new RangeError(`client and server randoms are ${RANDOM_LENGTH} bytes`);
  }
}

/**
 * master_secret = PRF(pre_master_secret, "master secret", ClientHello.random ||
 * ServerHello.random)[0..47] (RFC 5246 §8.1): the session's secret without
 * extended_master_secret.
 */
export function masterSecret(hash: HashFunctions, preMaster: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array {
  checkRandoms(clientRandom, serverRandom);
  return prfBytes(hash, preMaster, LABELS.master, concatBytes(clientRandom, serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * master_secret = PRF(pre_master_secret, "extended master secret",
 * session_hash)[0..47] (RFC 7627 §4), where session_hash is the transcript
 * hash up to and including ClientKeyExchange, with the PRF hash.
 */
export function extendedMasterSecret(hash: HashFunctions, preMaster: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prfBytes(hash, preMaster, LABELS.extendedMaster, sessionHash, MASTER_SECRET_LENGTH);
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random ||
 * client_random) (RFC 5246 §6.3): note the randoms in the other order than
 * for the master secret. Split it with splitKeyBlock (key-block.ts).
 */
export function keyBlock(hash: HashFunctions, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, length: number): Uint8Array {
  checkRandoms(clientRandom, serverRandom);
  return prfBytes(hash, master, LABELS.keyExpansion, concatBytes(serverRandom, clientRandom), length);
}

/**
 * Finished.verify_data = PRF(master_secret, finished_label,
 * Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9); `handshakeHash` is that
 * hash, made with the PRF hash.
 */
export function verifyData(hash: HashFunctions, master: Uint8Array, label: FinishedLabel, handshakeHash: Uint8Array): Uint8Array {
  const encoded = Object.hasOwn(FINISHED_LABELS, label) ? FINISHED_LABELS[label] : undefined;
  if (!encoded) throw new RangeError(`not a Finished label: ${String(label)}`);
  return prfBytes(hash, master, encoded, handshakeHash, VERIFY_DATA_LENGTH);
}
