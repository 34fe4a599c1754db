/**
 * Client: the server's last flight, the same in both handshakes:
 * [NewSessionTicket] (RFC 5077 §3.3), ChangeCipherSpec, Finished (RFC 5246
 * §7.4.9). In a full handshake our Finished went first; in a resumed one
 * (RFC 5077 §3.4) ours follows the server's. Then application data.
 */
import { TlsError, unexpectedMessage } from '../../errors.js';
import type { Tls12SessionTicket } from '../../handshake/session-info.js';
import type { ClientConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import { equalBytes } from '../../wire/codec.js';
import { HandshakeType } from '../../wire/enums.js';
import { encodeTls12Handshake, type Tls12HandshakeMessage, type Tls12NewSessionTicket } from '../../wire/tls12-messages.js';
import { Tls12Connected } from '../connected.js';
import { tls12Exporter } from '../exporter.js';
import type { Tls12SessionKeys } from '../session-keys.js';
import { HELLO_REQUEST, type Negotiated } from './negotiated.js';

/** 'full': our Finished was sent; 'resumed': ours answers the server's. */
export type Handshake = 'full' | 'resumed';

/** The state after our keys are known: a NewSessionTicket first if the ServerHello promised one. */
export function expectServerFinish(n: Negotiated, keys: Tls12SessionKeys, handshake: Handshake): State<ClientConfig, any> {
  return n.ticketPromised ? new ExpectNewSessionTicket(n, keys, handshake) : new ExpectChangeCipherSpec(n, keys, handshake, undefined);
}

/** Our ChangeCipherSpec, then our Finished under the new write key, over every message before it. */
export function sendFinished(ctx: Context<ClientConfig>, n: Negotiated, keys: Tls12SessionKeys): void {
  keys.changeWrite(ctx, 'client');
  const verifyData = keys.verifyData(ctx, 'client finished', n.transcript);
  ctx.sendEncoded(encodeTls12Handshake({ type: HandshakeType.finished, verifyData }), n.transcript);
}

/** RFC 5077 §3.3: a server that sent an empty session_ticket MUST send NewSessionTicket before its ChangeCipherSpec. */
export class ExpectNewSessionTicket implements State<ClientConfig, Tls12HandshakeMessage> {
  readonly expects = [HandshakeType.new_session_ticket, HELLO_REQUEST];
  constructor(
    private readonly n: Negotiated,
    private readonly keys: Tls12SessionKeys,
    private readonly handshake: Handshake,
  ) {}

  handle(_ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    if (msg.type !== HandshakeType.new_session_ticket) throw unexpectedMessage(`expected NewSessionTicket, got ${msg.type}`);
    // The ticket is part of the transcript the server's Finished covers (RFC 5077 §3.3).
    this.n.transcript.add(raw);
    // An empty ticket: the server changed its mind and issues none (RFC 5077 §3.3). Kept only once Finished verifies.
    return new ExpectChangeCipherSpec(this.n, this.keys, this.handshake, msg.ticket.length > 0 ? msg : undefined);
  }
}

/** The server's ChangeCipherSpec (RFC 5246 §7.1): from here on its records are protected. */
export class ExpectChangeCipherSpec implements State<ClientConfig, Tls12HandshakeMessage> {
  /** No handshake message may come between: the ChangeCipherSpec is next (a HelloRequest is still ignored). */
  readonly expects = [HELLO_REQUEST];
  constructor(
    private readonly n: Negotiated,
    private readonly keys: Tls12SessionKeys,
    private readonly handshake: Handshake,
    private readonly ticket: Tls12NewSessionTicket | undefined,
  ) {}

  handle(_ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    throw unexpectedMessage(`expected ChangeCipherSpec, got handshake message ${msg.type}`);
  }

  handleChangeCipherSpec(ctx: Context<ClientConfig>): State<ClientConfig, any> {
    this.keys.installRead(ctx, 'client');
    return new ExpectFinished(this.n, this.keys, this.handshake, this.ticket);
  }
}

export class ExpectFinished implements State<ClientConfig, Tls12HandshakeMessage> {
  readonly expects = [HandshakeType.finished, HELLO_REQUEST];
  constructor(
    private readonly n: Negotiated,
    private readonly keys: Tls12SessionKeys,
    private readonly handshake: Handshake,
    private readonly ticket: Tls12NewSessionTicket | undefined,
  ) {}

  handle(ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    if (msg.type !== HandshakeType.finished) throw unexpectedMessage(`expected Finished, got ${msg.type}`);
    const expected = this.keys.verifyData(ctx, 'server finished', this.n.transcript);
    if (!equalBytes(expected, msg.verifyData)) throw new TlsError('decrypt_error', 'server Finished does not verify');
    this.n.transcript.add(raw);
    if (this.handshake === 'resumed') sendFinished(ctx, this.n, this.keys);
    if (this.ticket) keepTicket(ctx, this.ticket, this.keys);
    ctx.handshakeComplete();
    return new Tls12Connected('client', tls12Exporter(ctx.config.crypto, this.keys));
  }
}

/** Stores a ticket for resuming this session, keeping the newest `maxTickets`. */
function keepTicket(ctx: Context<ClientConfig>, msg: Tls12NewSessionTicket, keys: Tls12SessionKeys): void {
  const ticket: Tls12SessionTicket = {
    version: 'TLSv1.2',
    ticket: msg.ticket.slice(),
    lifetime: msg.lifetimeHint,
    masterSecret: keys.master.slice(),
    suite: keys.suite.name,
    extendedMasterSecret: keys.extendedMasterSecret,
    serverName: ctx.info.serverName,
    alpn: ctx.info.alpn,
    receivedAt: ctx.config.clock(),
  };
  const { tickets } = ctx.info;
  tickets.push(ticket);
  const max = ctx.config.maxTickets;
  if (tickets.length > max) tickets.splice(0, tickets.length - max);
}
