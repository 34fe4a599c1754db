/**
 * Server: 0-RTT early data (RFC 8446 §4.2.10, §8). Taken only when we allow
 * it (`maxEarlyData`), from a client resuming our ticket as its first
 * identity, on its first ClientHello, with the ticket's suite and ALPN
 * protocol, and a ticket never used for early data before (the replay
 * guard: single-use tickets, RFC 8446 §8.1). Accepted data is read under client_early_traffic_secret until
 * EndOfEarlyData, kept apart as replayable; declined data is skipped.
 *
 *   ClientHello + early_data, (0-RTT data)...  -->
 *                 <--  ServerHello ... {EncryptedExtensions + early_data} ... {Finished}
 *   (0-RTT data)..., (EndOfEarlyData)          -->   now the client handshake key
 *   {Finished}                                 -->
 */
import { unexpectedMessage } from '../../errors.js';
import { HandshakeType } from '../../wire/enums.js';
import type { ClientHello, HandshakeMessage } from '../../wire/handshake.js';
import { Tls13Exporter } from '../exporter.js';
import type { KeySchedule } from '../key-schedule.js';
import type { ServerConfig } from '../config.js';
import type { Context, State } from '../context.js';
import type { CipherSuite } from '../suites.js';
import type { Transcript } from '../transcript.js';
import { EPOCH, installReadSecret } from '../traffic-protection.js';
import type { AcceptedPsk } from './choose-psk.js';

export interface EarlyDataTerms {
  psk: AcceptedPsk | undefined;
  suite: CipherSuite;
  alpn: string | undefined;
  /** This hello answers a HelloRetryRequest (RFC 8446 §4.2.10: no early data then). */
  retried: boolean;
}

/** Whether to take the 0-RTT data the client offered; claims the ticket when yes. */
export function acceptsEarlyData(config: ServerConfig, t: EarlyDataTerms): boolean {
  const state = t.psk?.state;
  if (config.maxEarlyData === 0 || !state || t.psk!.index !== 0 || t.retried) return false;
  if (state.cipherSuite !== t.suite.code || state.alpn !== t.alpn) return false;
  const digest = config.crypto.hash('sha256').digest(t.psk!.identity);
  return config.earlyDataReplay.claim(digest, config.date().getTime(), state.issuedAt + state.lifetime * 1000);
}

export interface EarlyDataKeys {
  hello: ClientHello;
  /** The transcript hash through the ClientHello. */
  helloHash: Uint8Array;
  schedule: KeySchedule;
  transcript: Transcript;
  clientHandshakeSecret: Uint8Array;
  /** The state after EndOfEarlyData (the client's Finished). */
  next: State<ServerConfig>;
}

/** After our flight: the early key becomes the read key, accepted data is kept apart, and we wait for EndOfEarlyData. */
export function readEarlyData(ctx: Context<ServerConfig>, k: EarlyDataKeys): State<ServerConfig> {
  const secret = k.schedule.earlyTraffic(k.helloHash);
  const exporterSecret = k.schedule.earlyExporter(k.helloHash);
  ctx.keylog('CLIENT_EARLY_TRAFFIC_SECRET', k.hello.random, secret);
  ctx.keylog('EARLY_EXPORTER_SECRET', k.hello.random, exporterSecret);
  installReadSecret(ctx, secret, EPOCH.early);
  ctx.acceptEarlyData(ctx.config.maxEarlyData, new Tls13Exporter(k.schedule.hash, exporterSecret));
  return new ExpectEndOfEarlyData(k.transcript, k.clientHandshakeSecret, k.next);
}

/** Reading 0-RTT data until the client's EndOfEarlyData, then its handshake key. */
export class ExpectEndOfEarlyData implements State<ServerConfig> {
  readonly expects = [HandshakeType.end_of_early_data];
  constructor(
    private readonly transcript: Transcript,
    private readonly clientHandshakeSecret: Uint8Array,
    private readonly next: State<ServerConfig>,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ServerConfig> {
    if (msg.type !== HandshakeType.end_of_early_data) throw unexpectedMessage(`expected EndOfEarlyData, got ${msg.type}`);
    this.transcript.add(raw);
    installReadSecret(ctx, this.clientHandshakeSecret, EPOCH.handshake);
    return this.next;
  }
}
