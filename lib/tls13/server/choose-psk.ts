/**
 * Server: choosing a PSK from pre_shared_key (RFC 8446 §4.2.11, §4.6.1):
 * the first identity that is one of our tickets (resumption.ts) or an
 * external PSK the `psk` callback knows, used with the first of our
 * `pskModes` the client also offers. The choice is made before the cipher
 * suite (a suite of the PSK's hash is picked for it); the binder is checked
 * on the hello we answer with a ServerHello, and a wrong one is
 * decrypt_error. Anything else about an identity means it is passed over,
 * never an error.
 */
import { TlsError, illegalParameter } from '../../errors.js';
import { equalBytes } from '../../wire/codec.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { decodePskModes, findExtension } from '../../wire/extension.js';
import type { ClientHello } from '../../wire/handshake.js';
import { type OfferedPsks, decodeOfferedPsks } from '../../wire/pre-shared-key.js';
import type { ServerConfig } from '../config.js';
import { askPskCallback } from '../../handshake/psk-callback.js';
import { type BinderLabel, computeBinder, truncateHello } from '../psk-binder.js';
import { type PskModeName, PskModeCode } from '../psk-modes.js';
import type { CipherSuite } from '../suites.js';
import type { Tls13TicketState } from '../ticket-state.js';
import type { Transcript } from '../transcript.js';
import type { ClientOffer } from './client-offer.js';
import { usableTicket } from './resumption.js';

/** A PSK we can use, before its binder is checked. */
export interface PskCandidate {
  /** The PSK for the key schedule. */
  key: Uint8Array;
  hashName: CipherSuite['hash'];
  /** selected_identity for the ServerHello. */
  index: number;
  identity: Uint8Array;
  mode: PskModeName;
  label: BinderLabel;
  /** Our ticket's state when the identity is a ticket; unset for an external PSK. */
  state?: Tls13TicketState;
  /** Every binder of the hello it came from: their length is what the binder does not cover. */
  binders: readonly Uint8Array[];
}

export interface AcceptedPsk extends PskCandidate {
  /** The verified binder: unique to its ClientHello (the 0-RTT replay key). */
  binder: Uint8Array;
}

/** Checks where the pre_shared_key extension sits and what goes with it; returns the offered PSKs, if any. */
export function offeredPsks(hello: ClientHello): { offered: OfferedPsks; modes: number[] } | undefined {
  const data = findExtension(hello.extensions, X.pre_shared_key);
  if (!data) return undefined;
  if (hello.extensions[hello.extensions.length - 1]!.type !== X.pre_shared_key) throw illegalParameter('pre_shared_key is not the last extension');
  const modes = findExtension(hello.extensions, X.psk_key_exchange_modes);
  if (!modes) throw new TlsError('missing_extension', 'pre_shared_key without psk_key_exchange_modes');
  return { offered: decodeOfferedPsks(data), modes: decodePskModes(modes) };
}

/** The first offered PSK we can use, and its mode; undefined for a full handshake. */
export function findPsk(config: ServerConfig, hello: ClientHello, offer: ClientOffer): PskCandidate | undefined {
  const psks = offeredPsks(hello);
  if (!psks) return undefined;
  const mode = config.pskModes.find((m) => psks.modes.includes(PskModeCode[m]));
  if (!mode) return undefined;
  const { identities, binders } = psks.offered;
  for (let index = 0; index < identities.length; index++) {
    const id = identities[index]!;
    // A server that authenticates clients resumes nothing: the ticket does not say who the client was.
    const state = config.clientAuth ? undefined : usableTicket(config, id, offer);
    if (state) return { key: state.psk, hashName: state.hashName, index, identity: id.identity, mode, label: 'res binder', state, binders };
    const external = externalPsk(config, id.identity, binders[index]!);
    if (external) return { ...external, index, identity: id.identity, mode, label: 'ext binder', binders };
  }
  return undefined;
}

/**
 * The `psk` callback's key for an identity. External PSKs carry no hash of
 * their own here: the client's binder, an HMAC output, has its hash's length.
 */
function externalPsk(config: ServerConfig, identity: Uint8Array, binder: Uint8Array): Pick<PskCandidate, 'key' | 'hashName'> | undefined {
  const hashName = binder.length === 32 ? 'sha256' : binder.length === 48 ? 'sha384' : undefined;
  const key = hashName && askPskCallback(config.psk, identity);
  return key ? { key, hashName: hashName! } : undefined;
}

/** The candidate once its binder verifies over the transcript before its hello (`raw`) and the truncated hello. */
export function verifyBinder(candidate: PskCandidate, raw: Uint8Array, transcript: Transcript): AcceptedPsk {
  const { binders } = candidate;
  const binder = binders[candidate.index]!;
  const expected = computeBinder(transcript.hashFunctions, candidate.key, candidate.label, transcript.hashWith(truncateHello(raw, binders)));
  if (!equalBytes(expected, binder)) throw new TlsError('decrypt_error', 'PSK binder does not verify');
  return { ...candidate, binder };
}
