/**
 * PSK binders (RFC 8446 §4.2.11.2): an HMAC, under a key derived from the
 * PSK's early secret, over the transcript through the ClientHello truncated
 * before its binders list (after a HelloRetryRequest: message_hash(ClientHello1),
 * the HelloRetryRequest, then the truncated ClientHello2).
 */
import type { HashFunctions } from '../crypto/provider.js';
import { ExtensionType as X } from '../wire/enums.js';
import { type Extension } from '../wire/extension.js';
import { type ClientHello, encodeHandshake } from '../wire/handshake.js';
import { bindersLength, encodeOfferedPsks, type PskIdentity } from '../wire/pre-shared-key.js';
import { KeySchedule, deriveSecret, finishedVerifyData } from './key-schedule.js';
import type { Transcript } from './transcript.js';

/** "res binder" for tickets, "ext binder" for external PSKs. */
export type BinderLabel = 'res binder' | 'ext binder';

/** The binder for `psk` over `transcriptHash` (the hash through the truncated ClientHello). */
export function computeBinder(hash: HashFunctions, psk: Uint8Array, label: BinderLabel, transcriptHash: Uint8Array): Uint8Array {
  const early = new KeySchedule(hash, psk).earlySecret;
  const binderKey = deriveSecret(hash, early, label, hash.digest(new Uint8Array(0)));
  return finishedVerifyData(hash, binderKey, transcriptHash);
}

/** The hash of what precedes the ClientHello (nothing, or the transcript after a retry), then `truncated`. */
export function truncatedHash(hash: HashFunctions, before: Transcript | undefined, truncated: Uint8Array): Uint8Array {
  if (before) return before.hashWith(truncated);
  return hash.digest(truncated);
}

/** The ClientHello (with its 4-byte header) minus its binders list: the pre_shared_key extension is the last one. */
export function truncateHello(raw: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  return raw.subarray(0, raw.length - bindersLength(binders));
}

export interface PskToOffer {
  identity: PskIdentity;
  psk: Uint8Array;
  hash: HashFunctions;
  label: BinderLabel;
}

/**
 * `hello` with a pre_shared_key extension appended (it must be last) whose
 * binders cover the truncated hello, after `before` when a retry preceded it.
 * The binders list is sized first with placeholders of each hash's length.
 */
export function withPskBinders(hello: ClientHello, offers: readonly PskToOffer[], before: Transcript | undefined): ClientHello {
  const identities = offers.map((o) => o.identity);
  const ext = (binders: Uint8Array[]): Extension => ({ type: X.pre_shared_key, data: encodeOfferedPsks({ identities, binders }) });
  const placeholders = offers.map((o) => new Uint8Array(o.hash.outputLength));
  const draft: ClientHello = { ...hello, extensions: [...hello.extensions, ext(placeholders)] };
  const truncated = truncateHello(encodeHandshake(draft), placeholders);
  const binders = offers.map((o) => computeBinder(o.hash, o.psk, o.label, truncatedHash(o.hash, before, truncated)));
  return { ...hello, extensions: [...hello.extensions, ext(binders)] };
}
