/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1): HKDF-Expand-Label,
 * Derive-Secret and the secret chain early -> handshake -> master.
 */
import type { HashFunctions } from '../crypto/provider.js';
import { utf8 } from '../wire/codec.js';

/** The labels RFC 8446 uses, encoded once ("tls13 " + label): a handshake expands ~18 labels per side. */
const FIXED_LABELS = new Map(
  [
    ...['derived', 'c hs traffic', 's hs traffic', 'c ap traffic', 's ap traffic', 'exp master', 'res master'],
    ...['key', 'iv', 'finished', 'traffic upd', 'resumption'],
  ].map((label) => [label, utf8.encode(`tls13 ${label}`)] as const),
);

export function hkdfExpandLabel(
  h: HashFunctions,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const fullLabel = FIXED_LABELS.get(label) ?? utf8.encode(`tls13 ${label}`);
  if (fullLabel.length > 255 || context.length > 255 || length > 0xffff) throw new RangeError('HkdfLabel field too long');
  // struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel
  const info = new Uint8Array(4 + fullLabel.length + context.length);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return h.hkdfExpand(secret, info, length);
}

export function deriveSecret(h: HashFunctions, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(h, secret, label, transcriptHash, h.outputLength);
}

export interface TrafficKeys {
  key: Uint8Array;
  iv: Uint8Array;
}

export function trafficKeys(h: HashFunctions, secret: Uint8Array, keyLength: number): TrafficKeys {
  return {
    key: hkdfExpandLabel(h, secret, 'key', new Uint8Array(0), keyLength),
    iv: hkdfExpandLabel(h, secret, 'iv', new Uint8Array(0), 12),
  };
}

/** verify_data = HMAC(finished_key, transcript hash) (RFC 8446 §4.4.4). */
export function finishedVerifyData(h: HashFunctions, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  const finishedKey = hkdfExpandLabel(h, baseKey, 'finished', new Uint8Array(0), h.outputLength);
  return h.hmac(finishedKey, transcriptHash);
}

/** application_traffic_secret_N+1 (RFC 8446 §7.2). */
export function nextTrafficSecret(h: HashFunctions, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(h, secret, 'traffic upd', new Uint8Array(0), h.outputLength);
}

export interface HandshakeSecrets {
  clientHandshake: Uint8Array;
  serverHandshake: Uint8Array;
  /** Input to the master secret. */
  handshakeSecret: Uint8Array;
}

export interface ApplicationSecrets {
  clientApplication: Uint8Array;
  serverApplication: Uint8Array;
  exporter: Uint8Array;
  masterSecret: Uint8Array;
}

/** Hash("") per hash implementation: Derive-Secret(., "derived", "") needs it twice per handshake. Only ever read. */
const EMPTY_HASHES = new WeakMap<HashFunctions, Uint8Array>();

/** The secret chain for one connection, holding only the hash and derived values. */
export class KeySchedule {
  private readonly zeros: Uint8Array;
  readonly earlySecret: Uint8Array;

  constructor(readonly hash: HashFunctions, psk?: Uint8Array) {
    this.zeros = new Uint8Array(hash.outputLength);
    this.earlySecret = hash.hkdfExtract(this.zeros, psk ?? this.zeros);
  }

  private emptyHash(): Uint8Array {
    let empty = EMPTY_HASHES.get(this.hash);
    if (!empty) EMPTY_HASHES.set(this.hash, (empty = this.hash.digest(new Uint8Array(0))));
    return empty;
  }

  /** client_early_traffic_secret (0-RTT keys), from the transcript through ClientHello. */
  earlyTraffic(helloHash: Uint8Array): Uint8Array {
    return deriveSecret(this.hash, this.earlySecret, 'c e traffic', helloHash);
  }

  /** early_exporter_master_secret (RFC 8446 §7.5), from the transcript through ClientHello. */
  earlyExporter(helloHash: Uint8Array): Uint8Array {
    return deriveSecret(this.hash, this.earlySecret, 'e exp master', helloHash);
  }

  /** From the (EC)DHE shared secret (zeros for psk_ke) and the transcript through ServerHello. */
  handshake(sharedSecret: Uint8Array, helloHash: Uint8Array): HandshakeSecrets {
    const salt = deriveSecret(this.hash, this.earlySecret, 'derived', this.emptyHash());
    const handshakeSecret = this.hash.hkdfExtract(salt, sharedSecret);
    return {
      handshakeSecret,
      clientHandshake: deriveSecret(this.hash, handshakeSecret, 'c hs traffic', helloHash),
      serverHandshake: deriveSecret(this.hash, handshakeSecret, 's hs traffic', helloHash),
    };
  }

  /** From the handshake secret and the transcript through server Finished. */
  application(handshakeSecret: Uint8Array, serverFinishedHash: Uint8Array): ApplicationSecrets {
    const salt = deriveSecret(this.hash, handshakeSecret, 'derived', this.emptyHash());
    const masterSecret = this.hash.hkdfExtract(salt, this.zeros);
    return {
      masterSecret,
      clientApplication: deriveSecret(this.hash, masterSecret, 'c ap traffic', serverFinishedHash),
      serverApplication: deriveSecret(this.hash, masterSecret, 's ap traffic', serverFinishedHash),
      exporter: deriveSecret(this.hash, masterSecret, 'exp master', serverFinishedHash),
    };
  }

  /** The resumption master secret, from the transcript through client Finished. */
  resumptionMaster(masterSecret: Uint8Array, clientFinishedHash: Uint8Array): Uint8Array {
    return deriveSecret(this.hash, masterSecret, 'res master', clientFinishedHash);
  }

  /** The PSK for one ticket (RFC 8446 §4.6.1). */
  ticketPsk(resumptionMaster: Uint8Array, nonce: Uint8Array): Uint8Array {
    return hkdfExpandLabel(this.hash, resumptionMaster, 'resumption', nonce, this.hash.outputLength);
  }
}
