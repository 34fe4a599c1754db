/**
 * A passive observer of both directions of an in-memory connection. It sees
 * every byte a session pushes and, given the NSS key-log lines, decrypts the
 * records independently of the sessions (including across KeyUpdates), so
 * specs can check what actually went over the wire.
 */
import { nobleCrypto } from '../../lib/crypto/index.js';
import { HandshakeBuffer } from '../../lib/record/handshake-buffer.js';
import { RecordOpener } from '../../lib/record/record-protection.js';
import { RecordReader } from '../../lib/record/record-reader.js';
import type { Transport } from '../../lib/session/contract.js';
import { nextTrafficSecret, trafficKeys } from '../../lib/tls13/key-schedule.js';
import { suiteByName, type SuiteName } from '../../lib/tls13/suites.js';
import { concatBytes } from '../../lib/wire/codec.js';
import type { PipeEnd } from '../support/memory-pipe.js';

export type WireEvent =
  | { kind: 'ccs'; protected: false }
  | { kind: 'handshake'; type: number; body: Uint8Array; protected: boolean; key: number; record: number }
  | { kind: 'alert'; level: number; description: number; protected: boolean; key: number; record: number }
  | { kind: 'data'; length: number; key: number; record: number }
  | { kind: 'undecryptable'; length: number };

export type Role = 'client' | 'server';

export class WireTap {
  readonly bytes: Record<Role, Uint8Array[]> = { client: [], server: [] };
  readonly secrets = new Map<string, Uint8Array>();

  /** Pass to the client's `keylog` option. */
  readonly keylog = (line: string) => {
    const [label, , secret] = line.split(' ');
    this.secrets.set(label!, Uint8Array.from(secret!.match(/../g)!, (h) => parseInt(h, 16)));
  };

  /** Wraps the transport a `role` session writes to. */
  wrap(role: Role, end: PipeEnd): PipeEnd {
    const bytes = this.bytes[role];
    return {
      push(b) {
        const n = end.push(b);
        if (typeof n === 'number') bytes.push(b.slice(0, n));
        return n;
      },
      pull: (max) => end.pull(max),
      close: () => end.close(),
    } satisfies Transport & PipeEnd;
  }

  /** Everything `role` sent, decrypted where the keys are known. */
  events(role: Role, suiteName: SuiteName): WireEvent[] {
    const suite = suiteByName(suiteName);
    const hash = nobleCrypto.hash(suite.hash);
    const prefix = role === 'client' ? 'CLIENT' : 'SERVER';
    const reader = new RecordReader();
    reader.feed(concatBytes(...this.bytes[role]));
    const hs = new HandshakeBuffer();
    const out: WireEvent[] = [];
    let opener: RecordOpener | undefined;
    let secret: Uint8Array | undefined;
    let key = 0; // 0 = handshake key, 1 = application key 0, 2 = after one KeyUpdate, ...
    const use = (s: Uint8Array | undefined) => {
      secret = s;
      if (!s) return (opener = undefined);
      const k = trafficKeys(hash, s, suite.keyLength);
      opener = new RecordOpener(nobleCrypto.aead(suite.aead, k.key), k.iv);
    };
    let record = -1;
    for (let rec = reader.next(); rec; rec = reader.next()) {
      record++;
      if (rec.type === 20) {
        out.push({ kind: 'ccs', protected: false });
        continue;
      }
      let type = rec.type;
      let content = rec.fragment;
      const isProtected = rec.type === 23;
      if (isProtected) {
        if (!opener && key === 0) use(this.secrets.get(`${prefix}_HANDSHAKE_TRAFFIC_SECRET`));
        if (!opener) {
          out.push({ kind: 'undecryptable', length: rec.fragment.length });
          continue;
        }
        try {
          ({ type, content } = opener.open(rec.header, rec.fragment));
        } catch {
          out.push({ kind: 'undecryptable', length: rec.fragment.length });
          opener = undefined;
          key = -1;
          continue;
        }
      }
      if (type === 21) {
        out.push({ kind: 'alert', level: content[0]!, description: content[1]!, protected: isProtected, key, record });
      } else if (type === 23) {
        out.push({ kind: 'data', length: content.length, key, record });
      } else if (type === 22) {
        hs.add(content);
        for (let m = hs.next(); m; m = hs.next()) {
          out.push({ kind: 'handshake', type: m.type, body: m.body, protected: isProtected, key, record });
          if (m.type === 20 && key === 0) {
            key = 1;
            use(this.secrets.get(`${prefix}_TRAFFIC_SECRET_0`));
          } else if (m.type === 24 && secret) {
            key++;
            use(nextTrafficSecret(hash, secret));
          }
        }
      }
    }
    return out;
  }
}

/** A compact rendering of events, for assertions and failure messages. */
export function describeEvents(events: WireEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'ccs':
        return 'ccs';
      case 'handshake':
        return `${e.protected ? '{' : ''}hs${e.type}${e.type === 24 ? `(${e.body[0]})` : ''}${e.protected ? '}' : ''}@${e.key}`;
      case 'alert':
        return `${e.protected ? '{' : ''}alert${e.description}${e.protected ? '}' : ''}`;
      case 'data':
        return `data${e.length}@${e.key}`;
      case 'undecryptable':
        return `?${e.length}`;
    }
  });
}

/** What two sessions on the default (noble) provider negotiate with no suites configured: its fastest AEAD. */
export const NOBLE_DEFAULT_SUITE = 'TLS_CHACHA20_POLY1305_SHA256';
