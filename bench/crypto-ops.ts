/**
 * A CryptoProvider wrapper that records every crypto operation a handshake
 * performs (with copies of its inputs) as replayable closures, so the cost of
 * exactly those operations can be timed on their own: the "crypto-ops bound".
 */
import type { Aead, CryptoProvider, HashFunctions, HashName, HashState, KeyShare, RandomSource } from '../lib/crypto/provider.js';

export interface RecordedOp {
  kind: string;
  replay: () => void;
}

/** Replays run in order; slots carry objects (key shares, hash states, AEADs) from one op to a later one. */
type Slot<T> = { value?: T };

export function recordingProvider(base: CryptoProvider, log: RecordedOp[], skip: Set<string> = new Set()): CryptoProvider {
  const add = (kind: string, replay: () => void) => {
    if (!skip.has(kind)) log.push({ kind, replay });
  };
  const copy = (b: Uint8Array) => b.slice();

  function wrapState(state: HashState, slot: Slot<HashState>, kind: string): HashState {
    return {
      update(data) {
        const d = copy(data);
        add(`${kind} update`, () => slot.value!.update(d));
        state.update(data);
      },
      digest() {
        add(`${kind} digest`, () => slot.value!.digest());
        return state.digest();
      },
      clone() {
        const next: Slot<HashState> = {};
        add(`${kind} clone`, () => (next.value = slot.value!.clone()));
        return wrapState(state.clone(), next, kind);
      },
    };
  }

  const hashes = new Map<HashName, HashFunctions>();
  function hash(name: HashName): HashFunctions {
    let h = hashes.get(name);
    if (h) return h;
    const b = base.hash(name);
    h = {
      name: b.name,
      outputLength: b.outputLength,
      digest(data) {
        const d = copy(data);
        add(`${name} digest`, () => b.digest(d));
        return b.digest(data);
      },
      create() {
        const slot: Slot<HashState> = {};
        add(`${name} create`, () => (slot.value = b.create()));
        return wrapState(b.create(), slot, name);
      },
      hmac(key, data) {
        const k = copy(key);
        const d = copy(data);
        add(`${name} hmac`, () => b.hmac(k, d));
        return b.hmac(key, data);
      },
      hkdfExtract(salt, ikm) {
        const s = copy(salt);
        const i = copy(ikm);
        add(`${name} hkdfExtract`, () => b.hkdfExtract(s, i));
        return b.hkdfExtract(salt, ikm);
      },
      hkdfExpand(prk, info, length) {
        const p = copy(prk);
        const i = copy(info);
        add(`${name} hkdfExpand`, () => b.hkdfExpand(p, i, length));
        return b.hkdfExpand(prk, info, length);
      },
    };
    hashes.set(name, h);
    return h;
  }

  function aead(name: Parameters<CryptoProvider['aead']>[0], key: Uint8Array): Aead {
    const k = copy(key);
    const slot: Slot<Aead> = {};
    add(`aead create`, () => (slot.value = base.aead(name, k)));
    const a = base.aead(name, key);
    return {
      keyLength: a.keyLength,
      nonceLength: a.nonceLength,
      tagLength: a.tagLength,
      seal(nonce, plaintext, aad) {
        const [n, p, d] = [copy(nonce), copy(plaintext), copy(aad)];
        add(`aead seal`, () => slot.value!.seal(n, p, d));
        return a.seal(nonce, plaintext, aad);
      },
      open(nonce, ct, aad) {
        const [n, c, d] = [copy(nonce), copy(ct), copy(aad)];
        add(`aead open`, () => slot.value!.open(n, c, d));
        return a.open(nonce, ct, aad);
      },
    };
  }

  function recordRandom(random: RandomSource): { source: RandomSource; bytes: Uint8Array[] } {
    const bytes: Uint8Array[] = [];
    return { source: (n) => (bytes.push(random(n)), bytes[bytes.length - 1]!), bytes };
  }

  return {
    name: `${base.name}+recording`,
    aeads: base.aeads,
    hashes: base.hashes,
    groups: base.groups,
    signatureSchemes: base.signatureSchemes,
    aead,
    hash,
    keyShare(group, random) {
      const r = recordRandom(random);
      const share = base.keyShare(group, r.source);
      const used = r.bytes.map(copy);
      const slot: Slot<KeyShare> = {};
      add(`keyShare ${group}`, () => {
        let i = 0;
        slot.value = base.keyShare(group, () => used[i++]!);
      });
      return {
        group: share.group,
        publicKey: share.publicKey,
        sharedSecret(peer) {
          const p = copy(peer);
          add(`sharedSecret ${group}`, () => slot.value!.sharedSecret(p));
          return share.sharedSecret(peer);
        },
      };
    },
    answerKeyShare(group, peer, random) {
      const r = recordRandom(random);
      const answer = base.answerKeyShare(group, peer, r.source);
      const [used, p] = [r.bytes.map(copy), copy(peer)];
      add(`answerKeyShare ${group}`, () => {
        let i = 0;
        base.answerKeyShare(group, p, () => used[i++]!);
      });
      return answer;
    },
    sign(scheme, key, message) {
      const m = copy(message);
      add(`sign ${scheme}`, () => base.sign(scheme, key, m));
      return base.sign(scheme, key, message);
    },
    verify(scheme, key, message, signature) {
      const [m, s] = [copy(message), copy(signature)];
      add(`verify ${scheme}`, () => base.verify(scheme, key, m, s));
      return base.verify(scheme, key, message, signature);
    },
    ecdsaSign(hashName, key, message) {
      const m = copy(message);
      add(`ecdsaSign ${hashName}`, () => base.ecdsaSign(hashName, key, m));
      return base.ecdsaSign(hashName, key, message);
    },
    ecdsaVerify(hashName, key, message, signature) {
      const [m, s] = [copy(message), copy(signature)];
      add(`ecdsaVerify ${hashName}`, () => base.ecdsaVerify(hashName, key, m, s));
      return base.ecdsaVerify(hashName, key, message, signature);
    },
    publicKeyOf(key) {
      add('publicKeyOf', () => base.publicKeyOf(key));
      return base.publicKeyOf(key);
    },
    random(n) {
      add('random', () => base.random(n));
      return base.random(n);
    },
  };
}
