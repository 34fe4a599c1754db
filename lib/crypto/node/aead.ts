/**
 * AEADs on node:crypto (OpenSSL), bound to one key.
 *
 * node:crypto has no one-shot AEAD call: every record costs a createCipheriv /
 * createDecipheriv (a few µs of fixed JS and OpenSSL context set-up, dominant
 * for small records), plus one native Buffer per update() / final() /
 * getAuthTag(). We keep our own overhead to the unavoidable part: inputs are
 * passed to node as they are (it accepts any ArrayBufferView, aligned or not,
 * without copying), seal makes the single ciphertext || tag allocation the
 * interface requires, and open returns update()'s output without copying it.
 *
 * The key is held as a KeyObject (createSecretKey): it copies the caller's key
 * once, so a caller reusing its buffer cannot change ours, and createCipheriv
 * with a KeyObject skips re-validating and copying raw key bytes per record:
 * in interleaved A/B runs it was never slower and 2-5% faster per
 * createCipheriv / createDecipheriv than passing the bytes (a Buffer or a Uint8Array).
 */
import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import type { CipherGCMTypes, CipherChaCha20Poly1305Types, KeyObject } from 'node:crypto';
import { AEAD_KEY_LENGTHS, AEAD_NONCE_LENGTH as NONCE_LENGTH, AEAD_TAG_LENGTHS } from '../algorithms.js';
import type { Aead, AeadName } from '../provider.js';
import { own } from './bytes.js';

/** Shared and frozen: one options object per tag length for every record. */
const OPTIONS = { 8: Object.freeze({ authTagLength: 8 }), 16: Object.freeze({ authTagLength: 16 }) } as const;

/** node's cipher name: both CCM tag lengths are its aes-128-ccm. */
function nodeCipherName(name: AeadName): string {
  return name === 'aes-128-ccm-8' ? 'aes-128-ccm' : name;
}

/** The shape every cipher and decipher shares here: setAAD with CCM's plaintextLength (GCM and ChaCha20 ignore it). */
interface AadTaking {
  setAAD(aad: Uint8Array, options: { plaintextLength: number }): unknown;
}

/**
 * A TLS inner plaintext (content, type, padding) is at most 2^14 + 1 bytes
 * (RFC 8446 §5.4): one shared buffer holds any of them.
 */
const SCRATCH = new Uint8Array((1 << 14) + 1);

/**
 * `body || trailer` in the shared scratch buffer (valid until the next call;
 * update() consumes it synchronously). A 16 KiB copy is cheaper than the
 * second update() it saves: every update() returns a Buffer with its own
 * off-heap memory for the GC to track, here for a single byte.
 */
function joined(body: Uint8Array, trailer: Uint8Array): Uint8Array {
  const length = body.length + trailer.length;
  if (length > SCRATCH.length) throw new RangeError('record inner plaintext over 2^14 + 1 bytes');
  SCRATCH.set(body);
  SCRATCH.set(trailer, body.length);
  return SCRATCH.subarray(0, length);
}

export function nodeAead(name: AeadName, key: Uint8Array): Aead {
  const keyLength = AEAD_KEY_LENGTHS[name];
  if (keyLength === undefined) throw new Error(`unsupported AEAD ${String(name)}`);
  if (key.length !== keyLength) throw new RangeError(`${name} key must be ${keyLength} bytes`);
  // The literal-typed name picks node's AEAD overloads (CipherGCM / CipherChaCha20Poly1305 / CipherCCM).
  const cipher = nodeCipherName(name) as CipherGCMTypes | CipherChaCha20Poly1305Types;
  const tagLength = AEAD_TAG_LENGTHS[name];
  const options = OPTIONS[tagLength];
  const secret: KeyObject = createSecretKey(key);
  // CCM must know the message length before it sees the AAD; an empty AAD then is still passed (the length is needed).
  const setAad = (c: AadTaking, aad: Uint8Array, plaintextLength: number) => c.setAAD(aad, { plaintextLength });

  return {
    keyLength,
    nonceLength: NONCE_LENGTH,
    tagLength,
    seal(nonce, plaintext, aad) {
      if (nonce.length !== NONCE_LENGTH) throw new RangeError(`AEAD nonce must be ${NONCE_LENGTH} bytes`);
      const c = createCipheriv(cipher as CipherGCMTypes, secret, nonce, options);
      setAad(c, aad, plaintext.length);
      const ciphertext = c.update(plaintext);
      c.final(); // GCM, CCM and ChaCha20-Poly1305 are stream modes here: final() yields no bytes
      const out = new Uint8Array(plaintext.length + tagLength);
      out.set(ciphertext);
      out.set(c.getAuthTag(), plaintext.length);
      return out;
    },
    sealRecord(nonce, header, body, trailer) {
      if (nonce.length !== NONCE_LENGTH) throw new RangeError(`AEAD nonce must be ${NONCE_LENGTH} bytes`);
      const c = createCipheriv(cipher as CipherGCMTypes, secret, nonce, options);
      const inner = joined(body, trailer);
      setAad(c, header, inner.length);
      const ciphertext = c.update(inner);
      c.final();
      return [header, own(ciphertext), own(c.getAuthTag())];
    },
    open(nonce, ciphertextAndTag, aad) {
      if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < tagLength) return undefined;
      const split = ciphertextAndTag.length - tagLength;
      let plaintext: Buffer | undefined;
      try {
        const d = createDecipheriv(cipher as CipherGCMTypes, secret, nonce, options);
        d.setAuthTag(ciphertextAndTag.subarray(split));
        setAad(d, aad, split);
        plaintext = d.update(ciphertextAndTag.subarray(0, split));
        d.final(); // throws when the tag does not verify
        return own(plaintext);
      } catch {
        // Bad tag (or any other failure): wipe the unauthenticated plaintext OpenSSL
        // already produced, and report it as undefined as the interface says.
        plaintext?.fill(0);
        return undefined;
      }
    },
  };
}
