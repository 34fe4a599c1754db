/**
 * Client: the server's Finished, then the client's second flight
 * ([CCS], [Certificate, [CertificateVerify]], Finished) and the switch to application keys.
 */
import { TlsError, unexpectedMessage } from '../../errors.js';
import { equalBytes } from '../../wire/codec.js';
import { HandshakeType } from '../../wire/enums.js';
import type { HandshakeMessage } from '../../wire/handshake.js';
import type { ClientConfig } from '../config.js';
import { Connected } from '../connected.js';
import type { Context, State } from '../context.js';
import { finishedVerifyData } from '../key-schedule.js';
import type { HandshakeKeys } from './handshake-keys.js';
import { type ClientAuthAnswer, sendClientAuth } from './client-auth.js';
import { EPOCH, installReadSecret, installWriteSecret } from '../traffic-protection.js';

export class ExpectFinished implements State<ClientConfig> {
  readonly expects = [HandshakeType.finished];
  constructor(
    private readonly keys: HandshakeKeys,
    private readonly clientAuth: ClientAuthAnswer | undefined,
  ) {}

  handle(ctx: Context<ClientConfig>, msg: HandshakeMessage, raw: Uint8Array): State<ClientConfig> {
    if (msg.type !== HandshakeType.finished) throw unexpectedMessage(`expected Finished, got ${msg.type}`);
    const { transcript, schedule, secrets, hello } = this.keys;
    const hash = schedule.hash;
    const expected = finishedVerifyData(hash, secrets.serverHandshake, transcript.current());
    if (!equalBytes(expected, msg.verifyData)) throw new TlsError('decrypt_error', 'server Finished does not verify');
    transcript.add(raw);
    const app = schedule.application(secrets.handshakeSecret, transcript.current());
    ctx.keylog('CLIENT_TRAFFIC_SECRET_0', hello.random, app.clientApplication);
    ctx.keylog('SERVER_TRAFFIC_SECRET_0', hello.random, app.serverApplication);
    ctx.keylog('EXPORTER_SECRET', hello.random, app.exporter);

    if (this.keys.earlyAccepted) {
      // RFC 8446 §4.5: EndOfEarlyData, under the early key, ends the 0-RTT data; then the handshake key.
      ctx.sendEarly({ type: HandshakeType.end_of_early_data }, transcript);
      ctx.endEarlyData(true);
      installWriteSecret(ctx, secrets.clientHandshake, EPOCH.handshake);
    }
    if (this.clientAuth) sendClientAuth(ctx, this.clientAuth, transcript);
    const verifyData = finishedVerifyData(hash, secrets.clientHandshake, transcript.current());
    ctx.send({ type: HandshakeType.finished, verifyData }, transcript);
    installWriteSecret(ctx, app.clientApplication, EPOCH.application);
    installReadSecret(ctx, app.serverApplication, EPOCH.application);
    const resumption = schedule.resumptionMaster(app.masterSecret, transcript.current());
    ctx.handshakeComplete();
    return new Connected('client', {
      schedule,
      suite: this.keys.suite,
      readSecret: app.serverApplication,
      writeSecret: app.clientApplication,
      resumption,
      exporter: app.exporter,
      transcript,
      // The ClientHello offered post_handshake_auth exactly when we have a certificate source.
      postHandshakeAuth: ctx.config.clientCertificate !== undefined,
    });
  }
}
