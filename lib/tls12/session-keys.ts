/**
 * The secrets of one TLS 1.2 session (RFC 5246 §8.1, RFC 7627 §4) and what
 * both roles derive from them: the record protection for each direction and
 * the Finished verify_data. A full handshake makes them from the premaster
 * secret; a resumed one from the master secret its ticket carried.
 */
import { Tls12RecordOpener, Tls12RecordSealer } from '../record/tls12-protection.js';
import type { Context } from '../tls13/context.js';
import type { Transcript } from '../tls13/transcript.js';
import { toHex } from '../wire/codec.js';
import { deriveKeys, type Tls12Keys } from './key-block.js';
import { extendedMasterSecret, masterSecret, verifyData, type FinishedLabel } from './prf.js';
import type { Tls12CipherSuite } from './suites.js';

export class Tls12SessionKeys {
  private keys?: Tls12Keys;

  constructor(
    readonly suite: Tls12CipherSuite,
    readonly master: Uint8Array,
    readonly clientRandom: Uint8Array,
    readonly serverRandom: Uint8Array,
    readonly extendedMasterSecret: boolean,
  ) {}

  /**
   * From the premaster secret. With EMS the session hash is the transcript
   * through ClientKeyExchange (`transcript` must hold it); without, the randoms.
   */
  static fromPremaster(
    ctx: Context,
    suite: Tls12CipherSuite,
    premaster: Uint8Array,
    randoms: { client: Uint8Array; server: Uint8Array },
    ems: boolean,
    transcript: Transcript,
  ): Tls12SessionKeys {
    const hash = ctx.config.crypto.hash(suite.hash);
    const master = ems ? extendedMasterSecret(hash, premaster, transcript.current()) : masterSecret(hash, premaster, randoms.client, randoms.server);
    premaster.fill(0);
    // NSS key-log format for TLS 1.2: the master secret, named by the client random.
    ctx.config.keylog?.(`CLIENT_RANDOM ${toHex(randoms.client)} ${toHex(master)}`);
    return new Tls12SessionKeys(suite, master, randoms.client, randoms.server, ems);
  }

  /** A resumed session: the master secret from the ticket, fresh randoms. */
  static resumed(ctx: Context, suite: Tls12CipherSuite, master: Uint8Array, randoms: { client: Uint8Array; server: Uint8Array }, ems: boolean): Tls12SessionKeys {
    ctx.config.keylog?.(`CLIENT_RANDOM ${toHex(randoms.client)} ${toHex(master)}`);
    return new Tls12SessionKeys(suite, master, randoms.client, randoms.server, ems);
  }

  /** Installs the read protection of `role`'s peer: call on the peer's ChangeCipherSpec. */
  installRead(ctx: Context, role: 'client' | 'server'): void {
    const k = this.derived(ctx);
    const [key, iv] = role === 'client' ? [k.serverWriteKey, k.serverWriteIv] : [k.clientWriteKey, k.clientWriteIv];
    ctx.installRead(new Tls12RecordOpener(ctx.config.crypto.aead(this.suite.aead, key), iv, ctx.tls12Framing(1)), 1);
  }

  /** Sends our ChangeCipherSpec and protects what follows (our Finished) with `role`'s write key. */
  changeWrite(ctx: Context, role: 'client' | 'server'): void {
    const k = this.derived(ctx);
    const [key, iv] = role === 'client' ? [k.clientWriteKey, k.clientWriteIv] : [k.serverWriteKey, k.serverWriteIv];
    ctx.sendChangeCipherSpec();
    // TLS 1.2 has no KeyUpdate: a 64-bit sequence number is the only limit (the sealer enforces it).
    ctx.installWrite(new Tls12RecordSealer(ctx.config.crypto.aead(this.suite.aead, key), iv, Infinity, ctx.tls12Framing(1)), 1);
  }

  /** verify_data over the transcript so far (RFC 5246 §7.4.9). */
  verifyData(ctx: Context, label: FinishedLabel, transcript: Transcript): Uint8Array {
    return verifyData(ctx.config.crypto.hash(this.suite.hash), this.master, label, transcript.current());
  }

  private derived(ctx: Context): Tls12Keys {
    this.keys ??= deriveKeys(ctx.config.crypto.hash(this.suite.hash), this.master, this.clientRandom, this.serverRandom, this.suite);
    return this.keys;
  }
}
