/**
 * Replaying a recorded TLS 1.2 server (client-openssl-flight.json) to our
 * client: a client with the recording's seeded randomness and fixed time,
 * and a transport that hands it the recorded bytes (mutated or not) in
 * chunks, then EOF. Synchronous: it ends after a bounded number of steps.
 */
import { readFileSync } from 'node:fs';
import { TlsError } from '../../lib/errors.js';
import { AGAIN, EOF } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import type { ClientOptions } from '../../lib/tls13/config.js';
import { caPem } from '../support/fixtures.js';
import { prng } from '../support/memory-pipe.js';

export const REPLAY = {
  suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  seed: 1205,
  date: '2026-06-01T00:00:00Z',
  serverData: 'hello from openssl\n',
} as const;

function seededRandom(seed: number): (n: number) => Uint8Array {
  const rand = prng(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

/** The client of the recording: TLS 1.2 only, one suite, seeded, fixed clock and date. */
export function replayClientOptions(): ClientOptions {
  return {
    serverName: 'localhost',
    ca: caPem(),
    maxVersion: 'TLSv1.2',
    suites: [REPLAY.suite],
    // The schemes of the recorded ClientHello (before RSA joined the defaults): the server's Finished covers them.
    signatureSchemes: ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ed25519'],
    // And its groups (before secp521r1 and x448 joined them).
    groups: ['x25519', 'secp256r1', 'secp384r1'],
    // And no record_size_limit (it joined later).
    recordSizeLimit: false,
    random: seededRandom(REPLAY.seed),
    clock: () => 0,
    date: () => new Date(REPLAY.date),
  };
}

/** Everything the recorded server sent. */
export function recordedServerBytes(): Uint8Array {
  const json = JSON.parse(readFileSync(new URL('./client-openssl-flight.json', import.meta.url), 'utf8')) as { server: string };
  return Uint8Array.from(Buffer.from(json.server, 'hex'));
}

export interface ReplayResult {
  /** How the client ended: 'done' (handshake, data read to EOF), or the error it threw. */
  outcome: 'done' | unknown;
  handshake: boolean;
  data: string;
  session: Session;
  /** What the client wrote. */
  written: Uint8Array[];
}

/**
 * Feeds `bytes` to a fresh replay client in chunks of `chunk` bytes (all at
 * once by default), then EOF; runs the handshake and reads to the end.
 */
export function replay(bytes: Uint8Array, chunk = Infinity): ReplayResult {
  const session = Session.client(replayClientOptions());
  const written: Uint8Array[] = [];
  let offset = 0;
  session.setTransport({
    push: (b) => (written.push(b.slice()), b.length),
    pull: (max) => {
      if (offset >= bytes.length) return EOF;
      const n = Math.min(max, chunk, bytes.length - offset);
      const out = bytes.subarray(offset, offset + n);
      offset += n;
      return out;
    },
  });
  const result: ReplayResult = { outcome: 'done', handshake: false, data: '', session, written };
  try {
    for (let i = 0; session.handshake() !== 'done'; i++) if (i > bytes.length + 10) throw new Error('handshake does not progress');
    result.handshake = true;
    for (let i = 0; ; i++) {
      if (i > bytes.length + 10) throw new Error('recv does not progress');
      const r = session.recv();
      if (r === EOF) break;
      if (r !== AGAIN) result.data += new TextDecoder().decode(r);
    }
  } catch (e) {
    result.outcome = e;
  }
  return result;
}

export { TlsError };
