/**
 * TLS 1.3 record protection for a traffic secret (RFC 8446 §7.3): the states
 * derive the key and IV of the negotiated suite and install the result
 * through their context; the connection no longer knows about key schedules.
 */
import { RecordOpener, RecordSealer } from '../record/record-protection.js';
import { TlsError } from '../errors.js';
import type { Context } from './context.js';
import { trafficKeys } from './key-schedule.js';
import type { CipherSuite } from './suites.js';

/**
 * Epochs of the keys as RFC 9147 §6.1 numbers them (TLS 1.3 over a stream
 * has no epoch on the wire, but the same numbers keep installs in order and
 * are what DTLS 1.3 will send): 2 handshake, 3 the first application keys,
 * then one more per KeyUpdate.
 */
export const EPOCH = { early: 1, handshake: 2, application: 3 } as const;

function requireSuite(ctx: Context): CipherSuite {
  if (!ctx.suite) throw new TlsError('internal_error', 'keys before a suite was chosen');
  return ctx.suite;
}

/** Client: the sealer for 0-RTT data under the ticket's suite (the connection's suite is not chosen yet). */
export function earlyDataSealer(ctx: Context, suite: CipherSuite, secret: Uint8Array): RecordSealer {
  const { key, iv } = trafficKeys(ctx.config.crypto.hash(suite.hash), secret, suite.keyLength);
  return new RecordSealer(ctx.config.crypto.aead(suite.aead, key), iv, suite.recordLimit);
}

/** Reads under `secret` from now on, as epoch `epoch`. */
export function installReadSecret(ctx: Context, secret: Uint8Array, epoch: number): void {
  const suite = requireSuite(ctx);
  const { key, iv } = trafficKeys(ctx.config.crypto.hash(suite.hash), secret, suite.keyLength);
  ctx.installRead(new RecordOpener(ctx.config.crypto.aead(suite.aead, key), iv), epoch);
}

/** Writes under `secret` from now on (a KeyUpdate is due after the suite's record limit, or the configured one). */
export function installWriteSecret(ctx: Context, secret: Uint8Array, epoch: number): void {
  const suite = requireSuite(ctx);
  const { key, iv } = trafficKeys(ctx.config.crypto.hash(suite.hash), secret, suite.keyLength);
  const limit = ctx.config.keyUpdateAfterRecords ?? suite.recordLimit;
  ctx.installWrite(new RecordSealer(ctx.config.crypto.aead(suite.aead, key), iv, limit), epoch);
}
