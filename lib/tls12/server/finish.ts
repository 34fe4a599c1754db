/**
 * Server: the end of a TLS 1.2 handshake, full or abbreviated. The client's
 * ChangeCipherSpec switches what we read (RFC 5246 §7.1), its Finished proves
 * it holds the master secret and saw the same messages (§7.4.9). In a full
 * handshake our [NewSessionTicket], ChangeCipherSpec and Finished follow it;
 * in an abbreviated one they went first (RFC 5077 §3.1).
 */
import { TlsError, unexpectedMessage } from '../../errors.js';
import type { ServerConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import type { Transcript } from '../../tls13/transcript.js';
import { equalBytes } from '../../wire/codec.js';
import { HandshakeType } from '../../wire/enums.js';
import { type Finished, type Tls12HandshakeMessage, type Tls12NewSessionTicket, encodeTls12Handshake } from '../../wire/tls12-messages.js';
import { Tls12Connected } from '../connected.js';
import { tls12Exporter } from '../exporter.js';
import type { Tls12SessionKeys } from '../session-keys.js';

/** Our flight after the client's Finished (full handshake): undefined once it was sent (resumption). */
export interface ServerFinish {
  ticket?: Tls12NewSessionTicket;
}

/** [NewSessionTicket], ChangeCipherSpec, Finished: the ticket is a handshake message, so our Finished covers it. */
export function sendServerFinish(ctx: Context<ServerConfig>, keys: Tls12SessionKeys, transcript: Transcript, finish: ServerFinish): void {
  if (finish.ticket) ctx.sendEncoded(encodeTls12Handshake(finish.ticket), transcript);
  keys.changeWrite(ctx, 'server');
  const verifyData = keys.verifyData(ctx, 'server finished', transcript);
  ctx.sendEncoded(encodeTls12Handshake({ type: HandshakeType.finished, verifyData }), transcript);
}

/** Waiting for the client's ChangeCipherSpec; a handshake message now (a Finished in the clear) is unexpected. */
export class ExpectChangeCipherSpec implements State<ServerConfig, Tls12HandshakeMessage> {
  readonly expects: readonly number[] = [];

  constructor(
    private readonly keys: Tls12SessionKeys,
    private readonly transcript: Transcript,
    private readonly reply: ServerFinish | undefined,
  ) {}

  handle(_ctx: Context<ServerConfig>, msg: Tls12HandshakeMessage): never {
    throw unexpectedMessage(`handshake message ${msg.type} before the client's ChangeCipherSpec`);
  }

  handleChangeCipherSpec(ctx: Context<ServerConfig>): State<ServerConfig, Tls12HandshakeMessage> {
    this.keys.installRead(ctx, 'server');
    return new ExpectFinished(this.keys, this.transcript, this.reply);
  }
}

/** Waiting for the client's Finished, the first message under its new keys. */
export class ExpectFinished implements State<ServerConfig, Tls12HandshakeMessage> {
  readonly expects: readonly number[] = [HandshakeType.finished];

  constructor(
    private readonly keys: Tls12SessionKeys,
    private readonly transcript: Transcript,
    private readonly reply: ServerFinish | undefined,
  ) {}

  handle(ctx: Context<ServerConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ServerConfig, { type: number }> {
    if (msg.type !== HandshakeType.finished) throw unexpectedMessage(`expected the client's Finished, got ${msg.type}`);
    this.verify(ctx, msg);
    this.transcript.add(raw);
    if (this.reply) sendServerFinish(ctx, this.keys, this.transcript, this.reply);
    ctx.handshakeComplete();
    return new Tls12Connected('server', tls12Exporter(ctx.config.crypto, this.keys));
  }

  /** Over every handshake message before this one (RFC 5246 §7.4.9). */
  private verify(ctx: Context<ServerConfig>, msg: Finished): void {
    const expected = this.keys.verifyData(ctx, 'client finished', this.transcript);
    if (!equalBytes(expected, msg.verifyData)) throw new TlsError('decrypt_error', 'client Finished does not verify');
  }
}
