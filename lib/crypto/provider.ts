/**
 * The CryptoProvider interface: everything the protocol core needs from
 * cryptography, as plain synchronous functions over Uint8Arrays. The core never
 * imports a crypto library directly; it is handed a provider in its config.
 */

/** sha512 is for signatures only (RSA, ECDSA P-521): no cipher suite uses it as its hash. */
export type HashName = 'sha256' | 'sha384' | 'sha512';
/**
 * 'aes-128-ccm' (16-byte tag) and 'aes-128-ccm-8' (8-byte tag) are AES-CCM
 * (RFC 3610) for the TLS/DTLS 1.2 CCM suites (RFC 6655, RFC 7251); TLS 1.3
 * suites use the other three.
 */
export type AeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm' | 'aes-128-ccm-8';
/**
 * Key-exchange groups. 'X25519MLKEM768' is the post-quantum hybrid of
 * draft-ietf-tls-ecdhe-mlkem (ML-KEM-768 with X25519), TLS 1.3 only: a KEM,
 * not a Diffie-Hellman, so TLS 1.2's ECDHE never uses it.
 */
export type GroupName = 'X25519MLKEM768' | 'x25519' | 'secp256r1' | 'secp384r1' | 'secp521r1' | 'x448';
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256'
  | 'ecdsa_secp384r1_sha384'
  | 'ecdsa_secp521r1_sha512'
  | 'ed25519'
  | 'ed448'
  | RsaSchemeName;
/**
 * RSA schemes (RFC 8446 §4.2.3): PSS with MGF1 of the same hash and a salt as
 * long as the hash, for an rsaEncryption key (rsae) or an RSASSA-PSS key
 * (pss); PKCS#1 v1.5 for TLS 1.2 and certificates. No SHA-1, ever.
 */
export type RsaSchemeName =
  | 'rsa_pss_rsae_sha256'
  | 'rsa_pss_rsae_sha384'
  | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256'
  | 'rsa_pss_pss_sha384'
  | 'rsa_pss_pss_sha512'
  | 'rsa_pkcs1_sha256'
  | 'rsa_pkcs1_sha384'
  | 'rsa_pkcs1_sha512';
export type CurveName = 'P-256' | 'P-384' | 'P-521';

/** Random bytes source; injected so tests can be deterministic. */
export type RandomSource = (length: number) => Uint8Array;

/** An AEAD bound to one key: per-key state (e.g. GHASH tables) is built once. */
export interface Aead {
  readonly keyLength: number;
  readonly nonceLength: number; // 12 for every suite we support
  readonly tagLength: number; // 16; 8 for aes-128-ccm-8
  /** Returns ciphertext || tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Returns the plaintext, or undefined when authentication fails. Never throws on bad input. */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
  /**
   * Optional fast path for record layers: the protected record
   * `header || seal(nonce, body || trailer, header)` as pieces to write in
   * order (a gather write sends them as one). A provider whose cipher returns
   * fresh buffers (node:crypto) hands them over as they are instead of
   * copying them into one: at 16 KiB that copy and its allocation cost about
   * a third as much CPU as the sealing itself; one that can encrypt in place
   * (noble) builds the whole record in one buffer. Without it the record
   * layer builds the same bytes from seal().
   */
  sealRecord?(nonce: Uint8Array, header: Uint8Array, body: Uint8Array, trailer: Uint8Array): Uint8Array[];
}

/** An incremental hash whose state can be forked (for transcript hashes). */
export interface HashState {
  update(data: Uint8Array): void;
  /** Digest of everything so far; the state stays usable. */
  digest(): Uint8Array;
  clone(): HashState;
}

export interface HashFunctions {
  readonly name: HashName;
  readonly outputLength: number;
  digest(data: Uint8Array): Uint8Array;
  create(): HashState;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
  hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
}

/**
 * The side of a key exchange that speaks first, holding an ephemeral private
 * key for one handshake: a TLS 1.3 client (its key_share), or either TLS 1.2
 * peer (ECDHE is symmetric).
 */
export interface KeyShare {
  readonly group: GroupName;
  /**
   * The encoded share as sent in key_share (X25519: 32 bytes; X448: 56; NIST:
   * uncompressed point; X25519MLKEM768: ML-KEM encapsulation key || X25519 key).
   */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret from the peer's share (NIST curves: the x-coordinate;
   * X25519MLKEM768: ML-KEM decapsulation of the server's ciphertext, then X25519).
   * Throws TlsError('illegal_parameter') when the peer share is invalid
   * (wrong length, not on the curve, all-zero X25519/X448 output).
   */
  sharedSecret(peerShare: Uint8Array): Uint8Array;
}

/**
 * The answering side of a key exchange (a TLS 1.3 server): its share and the
 * secret, made at once from the client's share. For (EC)DHE that is a fresh
 * key pair and an agreement; for a KEM it is an encapsulation to the client's
 * key, which has no other shape: so every group is answered this way.
 */
export interface KeyShareAnswer {
  readonly group: GroupName;
  /** Our share for the ServerHello's key_share (X25519MLKEM768: ML-KEM ciphertext || X25519 key). */
  readonly publicKey: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

/**
 * An RSA public key: big-endian unsigned integers without leading zeros.
 * `pss` marks an RSASSA-PSS key (id-RSASSA-PSS, RFC 4055), which may only
 * make PSS signatures (the rsa_pss_pss_* schemes); an rsaEncryption key makes
 * rsa_pss_rsae_* and rsa_pkcs1_* ones.
 */
export interface RsaPublicKey {
  readonly kind: 'rsa';
  readonly pss: boolean;
  readonly n: Uint8Array;
  readonly e: Uint8Array;
}

/** An RSA private key with its CRT parameters (PKCS#1 RSAPrivateKey, RFC 8017 §A.1.2). */
export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
  /** d mod (p-1), d mod (q-1), q^-1 mod p. */
  readonly dp: Uint8Array;
  readonly dq: Uint8Array;
  readonly qi: Uint8Array;
}

/** A private key as parsed from PKCS#8 / SEC1 / PKCS#1. */
export type PrivateKey =
  | { readonly kind: 'ec'; readonly curve: CurveName; readonly d: Uint8Array }
  | { readonly kind: 'ed25519'; readonly seed: Uint8Array }
  /** RFC 8032 §5.2.5: a 57-byte private key, as PKCS#8 carries it (RFC 8410). */
  | { readonly kind: 'ed448'; readonly seed: Uint8Array }
  | RsaPrivateKey;

/** A public key as found in a certificate's SubjectPublicKeyInfo. */
export type PublicKey =
  | { readonly kind: 'ec'; readonly curve: CurveName; readonly point: Uint8Array /* uncompressed SEC1 */ }
  | { readonly kind: 'ed25519'; readonly key: Uint8Array }
  | { readonly kind: 'ed448'; readonly key: Uint8Array }
  | RsaPublicKey;

export interface CryptoProvider {
  readonly name: string;
  /**
   * Fastest first: with no `suites` configured, the suites are offered and
   * chosen in this order. AES-CCM is not listed (aead() makes it all the
   * same): as in OpenSSL, its suites are used only when named in `suites`.
   */
  readonly aeads: readonly AeadName[];
  readonly hashes: readonly HashName[];
  readonly groups: readonly GroupName[];
  readonly signatureSchemes: readonly SignatureSchemeName[];
  aead(name: AeadName, key: Uint8Array): Aead;
  hash(name: HashName): HashFunctions;
  /** Generates an ephemeral key pair, taking its private key material from `random`. */
  keyShare(group: GroupName, random: RandomSource): KeyShare;
  /**
   * Answers the peer's share (TLS 1.3 server): our share and the shared secret,
   * randomness from `random`. Throws TlsError('illegal_parameter') when the
   * peer share is invalid (wrong size, off the curve, an ML-KEM key failing
   * FIPS 203's modulus check, an all-zero X25519/X448 result).
   */
  answerKeyShare(group: GroupName, peerShare: Uint8Array, random: RandomSource): KeyShareAnswer;
  /**
   * Signs `message` (hashing it as the scheme says). ECDSA signatures are
   * DER-encoded. RSA keys must be 2048 to 8192 bits (rsa.ts); an RSA
   * signature is checked before it is returned (a faulty computation would
   * leak the key).
   */
  sign(scheme: SignatureSchemeName, key: PrivateKey, message: Uint8Array): Uint8Array;
  /**
   * Verifies a signature over `message`; ECDSA signatures are DER (high-S
   * accepted). RSA: the signature is exactly as long as the modulus, PKCS#1
   * v1.5 encodings are compared whole, PSS salts are as long as the hash;
   * keys outside 2048 to 8192 bits never verify. Never throws.
   */
  verify(scheme: SignatureSchemeName, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
  /**
   * ECDSA with `hash` on the curve of `key`, whatever that curve is. TLS 1.2
   * names only the hash in a scheme (RFC 5246 §7.4.1.4.1: "ecdsa_secp256r1_sha256"
   * is ECDSA with SHA-256 on any curve); TLS 1.3 binds both, and uses sign()/verify().
   */
  ecdsaSign(hash: HashName, key: PrivateKey, message: Uint8Array): Uint8Array;
  /** Verifies ECDSA with `hash` on `key`'s curve (DER, high-S accepted). Never throws. */
  ecdsaVerify(hash: HashName, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
  /** The public key belonging to a private key (to match a key with its certificate). */
  publicKeyOf(key: PrivateKey): PublicKey;
  /** Cryptographically secure random bytes. */
  random: RandomSource;
}
