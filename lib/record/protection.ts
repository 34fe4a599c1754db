/**
 * Record protection behind one interface, whatever the version: TLS 1.3
 * (inner plaintext, IV xor sequence: record-protection.ts) and TLS 1.2 AEAD
 * (explicit or xor nonce, sequence number in the additional data:
 * tls12-protection.ts). Handshake states build one for each key they derive
 * and install it through their context; the connection only calls these.
 */

/**
 * An opened record: its real content type and content, and, where it differs
 * from the content's length, the plaintext length as RFC 8449 counts it
 * (TLS 1.3: the whole TLSInnerPlaintext, content type byte and padding too).
 */
export interface OpenedRecord {
  type: number;
  content: Uint8Array;
  plaintextLength?: number;
}

/** Opens protected records of one read key. */
export interface RecordOpen {
  /** Records opened so far (the next sequence number). */
  readonly seq: number;
  /** The record's real content type and content; throws TlsError bad_record_mac (or record_overflow). */
  open(header: Uint8Array, fragment: Uint8Array): OpenedRecord;
  /** Like open(), but a record that does not authenticate gives undefined (declined 0-RTT data). */
  tryOpen?(header: Uint8Array, fragment: Uint8Array): OpenedRecord | undefined;
}

/** Seals records under one write key. */
export interface RecordSeal {
  /** True once the key has sealed as many records as it safely may (TLS 1.3 then updates it). */
  readonly exhausted: boolean;
  /** Bytes a record adds to its content besides the header (explicit nonce, tag), where the datagram layer needs it. */
  readonly expansion?: number;
  /** One protected record of `content` (at most 2^14 bytes), as pieces to write in order. */
  sealPieces(type: number, content: Uint8Array): Uint8Array[];
}
