/** What the client knows once the handshake keys exist (after ServerHello). */
import type { ClientHello } from '../../wire/handshake.js';
import type { HandshakeSecrets, KeySchedule } from '../key-schedule.js';
import type { CipherSuite } from '../suites.js';
import type { Transcript } from '../transcript.js';

export interface HandshakeKeys {
  hello: ClientHello;
  transcript: Transcript;
  schedule: KeySchedule;
  secrets: HandshakeSecrets;
  suite: CipherSuite;
  /** The server selected our ticket: no Certificate follows (RFC 8446 §2.2). */
  resumed?: boolean;
}
