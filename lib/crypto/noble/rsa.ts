/**
 * RSA signatures (RFC 8017) on JavaScript bigints, with @noble/hashes for the
 * digests and MGF1: RSASSA-PSS (salt as long as the hash, as TLS requires) and
 * RSASSA-PKCS1-v1_5, sign and verify.
 *
 * Written here rather than taken from micro-rsa-dsa-dh: that package keeps
 * private keys as (n, d) and exponentiates with the whole d, with no CRT, no
 * blinding and no check of its own output, which a TLS server signing for
 * anyone who connects needs; it is unaudited and picks its own PSS salt
 * source. What it would give us (the paddings) is a hundred lines.
 *
 * bigint arithmetic is not constant time. A private-key operation therefore
 *  - blinds the message (m * r^e, then divides r out), so the exponentiation
 *    never works on a value the peer chose or knows;
 *  - blinds the exponents (dp + k(p-1), a fresh random k each time), so timing
 *    differences do not add up over many signatures to the same exponent;
 *  - uses CRT (two half-size exponentiations, about 3x faster);
 *  - verifies its own signature before returning it: a fault in one CRT half
 *    (a glitch, a bit flip) yields a signature that reveals p through
 *    gcd(s^e - m, n) (Boneh, DeMillo, Lipton 1997), so a signature that does
 *    not verify is never let out.
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import type { HashName, PublicKey, RsaPrivateKey, RsaPublicKey, SignatureSchemeName } from '../provider.js';
import { pkcs1Encoding, rsaKeyProblem, rsaScheme } from '../rsa.js';

const HASHES: Record<HashName, (m: Uint8Array) => Uint8Array> = { sha256, sha384, sha512 };

export function toBigInt(bytes: Uint8Array): bigint {
  let hex = '0x0';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return BigInt(hex);
}

/** Big-endian, left-padded to `length` bytes; the value must fit. */
export function toBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new RangeError('integer too large for its encoding');
  const padded = hex.padStart(length * 2, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(padded.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * base^exp mod m with fixed 4-bit windows: four squarings and one multiply per
 * window whatever the exponent's bits (the multiply by table[0] = 1 included),
 * so the count of operations does not follow the exponent.
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  const table = [1n, base % m];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * table[1]!) % m);
  let r = 1n;
  for (const digit of exp.toString(16)) {
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * table[parseInt(digit, 16)]!) % m;
  }
  return r;
}

/** a^-1 mod m (extended Euclid); throws when none exists. */
function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('no modular inverse');
  return ((s0 % m) + m) % m;
}

interface PublicNumbers {
  readonly n: bigint;
  readonly e: bigint;
  /** Modulus length in bytes (k) and bits. */
  readonly k: number;
  readonly bits: number;
}

interface PrivateNumbers extends PublicNumbers {
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
}

/** bigint forms, converted once per key object (keys are immutable, as their types say). */
const publicCache = new WeakMap<RsaPublicKey, PublicNumbers>();
const privateCache = new WeakMap<RsaPrivateKey, PrivateNumbers>();

function publicNumbers(key: RsaPublicKey): PublicNumbers {
  let numbers = publicCache.get(key);
  if (!numbers) {
    const n = toBigInt(key.n);
    const bits = n.toString(2).length;
    numbers = { n, e: toBigInt(key.e), bits, k: Math.ceil(bits / 8) };
    publicCache.set(key, numbers);
  }
  return numbers;
}

function privateNumbers(key: RsaPrivateKey): PrivateNumbers {
  let numbers = privateCache.get(key);
  if (!numbers) {
    const problem = rsaKeyProblem(key);
    if (problem) throw new Error(`RSA key: ${problem}`);
    const pub = publicNumbers(key);
    const [p, q] = [toBigInt(key.p), toBigInt(key.q)];
    if (p * q !== pub.n) throw new Error('RSA private key: p * q is not the modulus');
    numbers = { ...pub, p, q, dp: toBigInt(key.dp), dq: toBigInt(key.dq), qi: toBigInt(key.qi) };
    privateCache.set(key, numbers);
  }
  return numbers;
}

/** A uniformly random integer in [2, n - 1]. */
function randomBelow(n: bigint, bytes: number): bigint {
  for (;;) {
    const r = toBigInt(randomBytes(bytes)) % n; // 8 spare bytes make the modulo bias negligible
    if (r > 1n) return r;
  }
}

/** s = m^d mod n by CRT, blinded and self-checked (see the file comment). */
function privateOperation(key: PrivateNumbers, m: bigint): bigint {
  const { n, e, p, q, dp, dq, qi, k } = key;
  const r = randomBelow(n, k + 8);
  const blinded = (m * modPow(r, e, n)) % n;
  // Exponent blinding: d + k(p-1) is d again modulo p-1, so the result is the same.
  const kp = toBigInt(randomBytes(4));
  const kq = toBigInt(randomBytes(4));
  const s1 = modPow(blinded % p, dp + kp * (p - 1n), p);
  const s2 = modPow(blinded % q, dq + kq * (q - 1n), q);
  const h = (qi * (((s1 - s2) % p) + p)) % p;
  const s = ((s2 + h * q) * modInverse(r, n)) % n;
  if (modPow(s, e, n) !== m) throw new Error('RSA signature failed its own verification (a computation fault); not sent');
  return s;
}

/** MGF1 (RFC 8017 §B.2.1) with the scheme's hash. */
function mgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  const h = HASHES[hash];
  const out = new Uint8Array(length);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0, offset = 0; offset < length; counter++) {
    new DataView(input.buffer).setUint32(seed.length, counter);
    const block = h(input);
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
    offset += block.length;
  }
  return out;
}

/** H = Hash(00 x 8 || mHash || salt). */
function pssHash(hash: HashName, mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  const input = new Uint8Array(8 + mHash.length + salt.length);
  input.set(mHash, 8);
  input.set(salt, 8 + mHash.length);
  return HASHES[hash](input);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen; emBits = modBits - 1. */
function pssEncode(hash: HashName, message: Uint8Array, emBits: number): Uint8Array {
  const mHash = HASHES[hash](message);
  const hLen = mHash.length;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < 2 * hLen + 2) throw new Error('RSA modulus too short for PSS with this hash');
  const salt = randomBytes(hLen);
  const h = pssHash(hash, mHash, salt);
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - hLen - 1] = 0x01;
  db.set(salt, db.length - hLen);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(h, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen: every fixed bit of the encoding is checked. */
function pssVerify(hash: HashName, message: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const mHash = HASHES[hash](message);
  const hLen = mHash.length;
  const emLen = em.length;
  if (emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const unused = 8 * emLen - emBits;
  const db = em.slice(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if ((db[0]! & ~(0xff >> unused) & 0xff) !== 0) return false;
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> unused;
  const psLength = db.length - hLen - 1;
  for (let i = 0; i < psLength; i++) if (db[i] !== 0) return false;
  if (db[psLength] !== 0x01) return false;
  return equal(h, pssHash(hash, mHash, db.subarray(db.length - hLen)));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function nobleRsaSign(name: SignatureSchemeName, key: RsaPrivateKey, message: Uint8Array): Uint8Array {
  const scheme = rsaScheme(name);
  if (!scheme) throw new Error(`${name} is not an RSA scheme`);
  if (key.pss !== scheme.pssKey) throw new Error(`${name} needs ${scheme.pssKey ? 'an RSASSA-PSS' : 'an rsaEncryption'} key`);
  const numbers = privateNumbers(key);
  const em = scheme.padding === 'pss' ? pssEncode(scheme.hash, message, numbers.bits - 1) : pkcs1Encoding(scheme.hash, HASHES[scheme.hash](message), numbers.k);
  return toBytes(privateOperation(numbers, toBigInt(em)), numbers.k);
}

export function nobleRsaVerify(name: SignatureSchemeName, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const scheme = rsaScheme(name);
  if (!scheme || key.kind !== 'rsa' || key.pss !== scheme.pssKey || rsaKeyProblem(key)) return false;
  const { n, e, k, bits } = publicNumbers(key);
  // RFC 8017 §8.1.2 step 1 and §8.2.2 step 1: exactly k bytes; then s < n.
  if (signature.length !== k) return false;
  const s = toBigInt(signature);
  if (s >= n) return false;
  const m = modPow(s, e, n);
  if (scheme.padding === 'pkcs1') return equal(toBytes(m, k), pkcs1Encoding(scheme.hash, HASHES[scheme.hash](message), k));
  const emLen = Math.ceil((bits - 1) / 8);
  if (m >> BigInt(8 * emLen) !== 0n) return false; // does not fit emLen bytes (k - 1 when bits ≡ 1 mod 8)
  return pssVerify(scheme.hash, message, toBytes(m, emLen), bits - 1);
}

export function nobleRsaPublicKey(key: RsaPrivateKey): RsaPublicKey {
  return { kind: 'rsa', pss: key.pss, n: key.n, e: key.e };
}
