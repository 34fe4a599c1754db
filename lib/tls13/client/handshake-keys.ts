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
}
