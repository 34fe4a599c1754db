/** What the client knows once the handshake keys exist (after ServerHello). */
import type { ClientHello } from '../../wire/handshake.js';
import type { Tls13SessionTicket } from '../../handshake/session-info.js';
import type { HandshakeSecrets, KeySchedule } from '../key-schedule.js';
import type { CipherSuite } from '../suites.js';
import type { Transcript } from '../transcript.js';

export interface HandshakeKeys {
  hello: ClientHello;
  transcript: Transcript;
  schedule: KeySchedule;
  secrets: HandshakeSecrets;
  suite: CipherSuite;
  /** The server selected one of our PSKs (a ticket or the external one): no Certificate follows (RFC 8446 §2.2). */
  resumed?: boolean;
  /** 0-RTT data was sent (early-data.ts): EncryptedExtensions says whether it was taken. */
  earlyData?: boolean;
  /** The ticket the early data went under (the first offered). */
  earlyTicket?: Tls13SessionTicket;
  /** The server took the 0-RTT data: EndOfEarlyData goes before our Finished. */
  earlyAccepted?: boolean;
}
