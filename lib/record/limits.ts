/** Record size limits (RFC 8446 §5.1, §5.2). */
export const MAX_PLAINTEXT = 1 << 14;
/** TLSCiphertext.length may exceed the plaintext limit by at most 256 (type byte, padding, tag). */
export const MAX_CIPHERTEXT = MAX_PLAINTEXT + 256;
export const RECORD_HEADER_LENGTH = 5;
/** Largest handshake message we buffer; certificate chains are the biggest we expect. */
export const MAX_HANDSHAKE_MESSAGE = 256 * 1024;
/**
 * AEAD confidentiality limits in records per key (RFC 8446 §5.5): 2^24.5 full
 * records for AES-GCM; ChaCha20-Poly1305's limit exceeds the 2^64 sequence space.
 */
export const AES_GCM_RECORD_LIMIT = Math.floor(2 ** 24.5);
export const CHACHA_RECORD_LIMIT = Number.MAX_SAFE_INTEGER;
/** AES-CCM and CCM_8 alike (the tag length does not matter here): 2^23 records (RFC 9147 §4.5.3, its CCM analysis). */
export const AES_CCM_RECORD_LIMIT = 2 ** 23;
