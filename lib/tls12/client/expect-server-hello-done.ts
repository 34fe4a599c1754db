/**
 * Client: the end of the server's first flight in a full TLS 1.2 handshake,
 * an optional CertificateRequest (RFC 5246 §7.4.4) and ServerHelloDone
 * (§7.4.5), then our flight: [Certificate], ClientKeyExchange,
 * [CertificateVerify], ChangeCipherSpec, Finished (§7.3).
 */
import { unexpectedMessage } from '../../errors.js';
import type { ClientConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import { HandshakeType } from '../../wire/enums.js';
import { Tls12HandshakeType } from '../../wire/tls12-enums.js';
import { type ClientKeyExchange, encodeTls12Handshake, type Tls12Fields, type Tls12HandshakeMessage } from '../../wire/tls12-messages.js';
import { Tls12SessionKeys } from '../session-keys.js';
import { expectServerFinish, sendFinished } from './expect-server-finish.js';
import { HELLO_REQUEST, type Negotiated, randoms } from './negotiated.js';
import { type Tls12ClientAuthAnswer, answerTls12CertificateRequest, sendTls12CertificateVerify, sendTls12ClientCertificate } from './client-auth.js';

/** The key exchange as the server's messages left it: our ClientKeyExchange (public value and/or PSK identity) and the premaster secret. */
export interface KeyExchanged {
  message: Tls12Fields<ClientKeyExchange>;
  premaster: Uint8Array;
}

export class ExpectCertificateRequestOrDone implements State<ClientConfig, Tls12HandshakeMessage> {
  readonly expects = [HandshakeType.certificate_request, Tls12HandshakeType.server_hello_done, HELLO_REQUEST];
  constructor(
    private readonly n: Negotiated,
    private readonly kx: KeyExchanged,
  ) {}

  handle(ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    if (msg.type === Tls12HandshakeType.server_hello_done) return new ExpectServerHelloDone(this.n, this.kx, undefined).handle(ctx, msg, raw);
    if (msg.type !== HandshakeType.certificate_request) throw unexpectedMessage(`expected CertificateRequest or ServerHelloDone, got ${msg.type}`);
    // Chosen now (a callback sees the server's CA list); without one RFC 5246 §7.4.6 has us send an empty Certificate.
    const answer = answerTls12CertificateRequest(ctx.config, msg);
    this.n.transcript.add(raw);
    return new ExpectServerHelloDone(this.n, this.kx, answer);
  }
}

export class ExpectServerHelloDone implements State<ClientConfig, Tls12HandshakeMessage> {
  readonly expects = [Tls12HandshakeType.server_hello_done, HELLO_REQUEST];
  constructor(
    private readonly n: Negotiated,
    private readonly kx: KeyExchanged,
    /** Set when the server sent a CertificateRequest: what we answer. */
    private readonly clientAuth: Tls12ClientAuthAnswer | undefined,
  ) {}

  handle(ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    if (msg.type !== Tls12HandshakeType.server_hello_done) throw unexpectedMessage(`expected ServerHelloDone, got ${msg.type}`);
    const { transcript } = this.n;
    transcript.add(raw);
    if (this.clientAuth) sendTls12ClientCertificate(ctx, this.clientAuth, transcript);
    ctx.sendEncoded(encodeTls12Handshake({ type: Tls12HandshakeType.client_key_exchange, ...this.kx.message }), transcript);
    // RFC 7627 §3: the session hash runs through ClientKeyExchange, which the transcript now holds (and no further).
    const keys = Tls12SessionKeys.fromPremaster(ctx, this.n.suite, this.kx.premaster, randoms(this.n), this.n.ems, transcript);
    if (this.clientAuth) sendTls12CertificateVerify(ctx, this.clientAuth, transcript);
    sendFinished(ctx, this.n, keys);
    return expectServerFinish(this.n, keys, 'full');
  }
}
