/**
 * The 5-byte TLS record header (RFC 8446 §5.1, RFC 5246 §6.2.1): content
 * type, record version, length. One writer for every version: TLS 1.3 and
 * 1.2 both write 0x0303 (DTLS 1.2's 13-byte header is its own framing).
 */

/** The legacy_record_version TLS 1.2 and 1.3 write. */
export const TLS_RECORD_VERSION = 0x0303;

/** Writes a header into `hdr` (5 bytes) and returns it. */
export function writeRecordHeader(hdr: Uint8Array, type: number, length: number, version = TLS_RECORD_VERSION): Uint8Array {
  hdr[0] = type;
  hdr[1] = version >>> 8;
  hdr[2] = version & 0xff;
  hdr[3] = length >>> 8;
  hdr[4] = length & 0xff;
  return hdr;
}

/** A whole unprotected record: header and content. */
export function plaintextRecord(type: number, content: Uint8Array, version = TLS_RECORD_VERSION): Uint8Array {
  const record = new Uint8Array(5 + content.length);
  writeRecordHeader(record, type, content.length, version);
  record.set(content, 5);
  return record;
}
