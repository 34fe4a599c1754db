/**
 * Server session-ticket keys a fleet can share and rotate (RFC 5077 §4's
 * recommended ticket shape, with an AEAD in place of AES-CBC + HMAC):
 *
 *   ticket = key_name(16) || nonce(12) || AEAD(key, nonce, state, aad = key_name)
 *
 * The first key seals; every key in the set opens, so servers that received
 * a new key can issue under it while tickets under the previous ones still
 * resume until those leave the set. The AEAD is AES-256-GCM when the provider
 * has it, else ChaCha20-Poly1305 (both take the 32-byte key): servers sharing
 * keys must make the same pick (both built-in providers pick AES-256-GCM).
 * Nonces are random, so rotate a key well before 2^32 tickets.
 *
 * Nothing here knows the protocol version: the state inside is opaque bytes
 * (ticket-state.ts for TLS 1.2), so a TLS 1.3 server can use the same set.
 */
import type { Aead, AeadName, CryptoProvider, RandomSource } from '../crypto/provider.js';
import { concatBytes, toHex } from '../wire/codec.js';

export const TICKET_KEY_NAME_LENGTH = 16;
export const TICKET_KEY_LENGTH = 32;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
/** key_name || nonce || tag. */
const OVERHEAD = TICKET_KEY_NAME_LENGTH + NONCE_LENGTH + TAG_LENGTH;
/** A ticket travels in an opaque<1..2^16-1> (RFC 5077 §3.3, RFC 8446 §4.6.1). */
export const MAX_TICKET_LENGTH = 0xffff;

export interface TicketKey {
  readonly name: Uint8Array;
  readonly key: Uint8Array;
}

/** One key of a set, with its AEAD built once per provider (AES key schedule, GHASH tables). */
class Entry {
  readonly id: string;
  private readonly aeads = new WeakMap<CryptoProvider, Aead>();

  constructor(readonly name: Uint8Array, readonly key: Uint8Array) {
    this.id = toHex(name);
  }

  aead(crypto: CryptoProvider, algorithm: AeadName): Aead {
    let aead = this.aeads.get(crypto);
    if (!aead) this.aeads.set(crypto, (aead = crypto.aead(algorithm, this.key)));
    return aead;
  }
}

/** The AEAD tickets use with `crypto`, or undefined when it has neither. */
function ticketAead(crypto: CryptoProvider): AeadName | undefined {
  if (crypto.aeads.includes('aes-256-gcm')) return 'aes-256-gcm';
  if (crypto.aeads.includes('chacha20-poly1305')) return 'chacha20-poly1305';
  return undefined;
}

function entryOf(k: TicketKey): Entry {
  if (k.name.length !== TICKET_KEY_NAME_LENGTH) throw new RangeError(`a ticket key name is ${TICKET_KEY_NAME_LENGTH} bytes`);
  if (k.key.length !== TICKET_KEY_LENGTH) throw new RangeError(`a ticket key is ${TICKET_KEY_LENGTH} bytes`);
  return new Entry(k.name.slice(), k.key.slice()); // ours: the caller may reuse its buffers
}

/** A fresh key from `random`. */
export function generateTicketKey(random: RandomSource): TicketKey {
  return { name: random(TICKET_KEY_NAME_LENGTH), key: random(TICKET_KEY_LENGTH) };
}

/** An immutable set of ticket keys; the first is current. */
export class TicketKeySet {
  private readonly entries: readonly Entry[];
  private readonly byName: ReadonlyMap<string, Entry>;

  /**
   * From `keys` (first = current, the rest still accepted), or, when none
   * are given, from one key generated with `random`. Throws RangeError on
   * wrong lengths or a name given twice.
   */
  constructor(keys?: readonly TicketKey[], random?: RandomSource) {
    this.entries = keys?.length ? keys.map((k) => (k instanceof Entry ? k : entryOf(k))) : [entryOf(generateFrom(random))];
    this.byName = new Map(this.entries.map((e) => [e.id, e]));
    if (this.byName.size !== this.entries.length) throw new RangeError('ticket key names must differ');
  }

  /** Copies of the keys, current first: what to hand to the other servers of a fleet. */
  get keys(): TicketKey[] {
    return this.entries.map((e) => ({ name: e.name.slice(), key: e.key.slice() }));
  }

  /** The name tickets are sealed under now. */
  get currentName(): Uint8Array {
    return this.entries[0]!.name.slice();
  }

  /**
   * A new set with `next` current and the newest keys of this one after it,
   * `size` keys in all; this set is unchanged (connections holding it go on).
   */
  rotated(next: TicketKey, size = this.entries.length + 1): TicketKeySet {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('a ticket key set holds at least one key');
    return new TicketKeySet([entryOf(next), ...this.entries].slice(0, size));
  }

  /** key_name || nonce || AEAD(plaintext) under the current key. */
  seal(plaintext: Uint8Array, crypto: CryptoProvider, random: RandomSource): Uint8Array {
    if (plaintext.length + OVERHEAD > MAX_TICKET_LENGTH) throw new RangeError('ticket state too long');
    const algorithm = ticketAead(crypto);
    if (!algorithm) throw new Error(`${crypto.name} has neither AES-256-GCM nor ChaCha20-Poly1305 for tickets`);
    const current = this.entries[0]!;
    const nonce = random(NONCE_LENGTH);
    if (nonce.length !== NONCE_LENGTH) throw new RangeError('random returned the wrong number of bytes');
    return concatBytes(current.name, nonce, current.aead(crypto, algorithm).seal(nonce, plaintext, current.name));
  }

  /**
   * The plaintext of a ticket sealed under any key of the set, or undefined
   * for anything else (unknown name, wrong tag, wrong length): never throws
   * on what a client sends.
   */
  open(ticket: Uint8Array, crypto: CryptoProvider): Uint8Array | undefined {
    if (ticket.length < OVERHEAD || ticket.length > MAX_TICKET_LENGTH) return undefined;
    const entry = this.byName.get(toHex(ticket.subarray(0, TICKET_KEY_NAME_LENGTH)));
    const algorithm = ticketAead(crypto);
    if (!entry || !algorithm) return undefined;
    const nonce = ticket.subarray(TICKET_KEY_NAME_LENGTH, TICKET_KEY_NAME_LENGTH + NONCE_LENGTH);
    return entry.aead(crypto, algorithm).open(nonce, ticket.subarray(TICKET_KEY_NAME_LENGTH + NONCE_LENGTH), entry.name);
  }
}

function generateFrom(random: RandomSource | undefined): TicketKey {
  if (!random) throw new RangeError('a ticket key set needs keys or a random source to make one');
  return generateTicketKey(random);
}
