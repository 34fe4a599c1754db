/**
 * TLS 1.3 post-handshake client authentication (RFC 8446 §4.6.2), both
 * roles. A server that the client told it may (post_handshake_auth in the
 * ClientHello) sends a CertificateRequest with a fresh context under the
 * application keys; the client answers Certificate, CertificateVerify and
 * Finished. Each exchange hashes its own messages after the whole handshake
 * (§4.4: a fork of the handshake transcript), and its Finished is keyed with
 * the current client_application_traffic_secret.
 */
import { TlsError, illegalParameter, unexpectedMessage } from '../errors.js';
import { equalBytes } from '../wire/codec.js';
import { HandshakeType } from '../wire/enums.js';
import type { CertificateRequest, HandshakeMessage } from '../wire/handshake.js';
import { answerCertificateRequest, sendClientAuth } from './client/client-auth.js';
import type { ClientConfig, ServerConfig } from './config.js';
import type { ApplicationKeys } from './connected.js';
import type { Context, State } from './context.js';
import { finishedVerifyData } from './key-schedule.js';
import { certificateRequest } from './server/certificate-request.js';
import { ExpectClientCertificate } from './server/expect-client-certificate.js';
import type { Transcript } from './transcript.js';

/** certificate_request_context length: unique per request on this connection (random). */
const CONTEXT_LENGTH = 16;

/** Client: answers one post-handshake CertificateRequest at once (a client never waits for anything here). */
export function answerPostHandshakeRequest(ctx: Context<ClientConfig>, keys: ApplicationKeys, msg: CertificateRequest, raw: Uint8Array): void {
  // RFC 8446 §4.3.2: a post-handshake request carries a context the client echoes; an empty one is the handshake's.
  if (msg.context.length === 0) throw illegalParameter('post-handshake CertificateRequest with an empty context');
  const transcript = keys.transcript!.fork();
  const answer = answerCertificateRequest(ctx.config, msg);
  transcript.add(raw);
  sendClientAuth(ctx, answer, transcript);
  const verifyData = finishedVerifyData(keys.schedule.hash, keys.writeSecret, transcript.current());
  ctx.send({ type: HandshakeType.finished, verifyData }, transcript);
}

/** Server: one outstanding request, from the CertificateRequest sent to the client's Finished. */
export class PostHandshakeRequest {
  private state: State<ServerConfig>;

  private constructor(transcript: Transcript, keys: ApplicationKeys, context: Uint8Array) {
    this.state = new ExpectClientCertificate(transcript, context, new ExpectPostHandshakeFinished(transcript, keys));
  }

  /** Sends a CertificateRequest and returns what waits for its answer. */
  static send(ctx: Context<ServerConfig>, keys: ApplicationKeys): PostHandshakeRequest {
    const context = ctx.config.random(CONTEXT_LENGTH);
    const transcript = keys.transcript!.fork();
    ctx.send(certificateRequest(ctx.config, context), transcript);
    return new PostHandshakeRequest(transcript, keys, context);
  }

  get expects(): readonly number[] {
    return this.state.expects;
  }

  /** Takes the next message of the answer; true once the client's Finished verified. */
  handle(ctx: Context<ServerConfig>, msg: HandshakeMessage, raw: Uint8Array): boolean {
    if (!this.state.expects.includes(msg.type)) throw unexpectedMessage(`handshake message ${msg.type} in the answer to our CertificateRequest`);
    const finished = msg.type === HandshakeType.finished;
    this.state = this.state.handle(ctx, msg, raw);
    return finished;
  }
}

class ExpectPostHandshakeFinished implements State<ServerConfig> {
  readonly expects = [HandshakeType.finished];
  constructor(
    private readonly transcript: Transcript,
    private readonly keys: ApplicationKeys,
  ) {}

  handle(_ctx: Context<ServerConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ServerConfig> {
    if (msg.type !== HandshakeType.finished) throw unexpectedMessage(`expected the client's Finished, got ${msg.type}`);
    // Keyed with the client's current application secret: a KeyUpdate between request and answer moves it.
    const expected = finishedVerifyData(this.keys.schedule.hash, this.keys.readSecret, this.transcript.current());
    if (!equalBytes(expected, msg.verifyData)) throw new TlsError('decrypt_error', 'client post-handshake Finished does not verify');
    this.transcript.add(raw);
    return this;
  }
}
