/**
 * The record_size_limit extension (28, RFC 8449 §4): the largest protected
 * record plaintext the sender is willing to receive, one uint16.
 *
 *   uint16 RecordSizeLimit;
 *
 * In TLS 1.3 the value counts the whole TLSInnerPlaintext (content, content
 * type byte, padding); in TLS 1.2 the plaintext alone. Below 64 is refused
 * (illegal_parameter); no upper bound is checked here, since a client may
 * offer more than the negotiated version allows (RFC 8449 §4 tells servers
 * not to enforce it) and the handshake caps it to the version's maximum.
 */
import { illegalParameter } from '../errors.js';
import { Writer } from './codec.js';
import { decodeBody } from './extension.js';

/** RFC 8449 §4: values smaller than this are a fatal illegal_parameter. */
export const MIN_RECORD_SIZE_LIMIT = 64;
/** The largest value a TLS 1.3 endpoint may send: 2^14 content plus the content type byte. */
export const MAX_RECORD_SIZE_LIMIT_TLS13 = (1 << 14) + 1;
/** TLS 1.2 counts no content type byte: 2^14. */
export const MAX_RECORD_SIZE_LIMIT_TLS12 = 1 << 14;

export function encodeRecordSizeLimit(limit: number): Uint8Array {
  if (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > 0xffff) throw new RangeError(`record_size_limit ${limit} (64 to 65535)`);
  return new Writer(2).u16(limit).finish().slice();
}

/** The limit in a record_size_limit body: not exactly two bytes is decode_error, below 64 illegal_parameter. */
export function decodeRecordSizeLimit(data: Uint8Array): number {
  const limit = decodeBody(data, 'record_size_limit', (r) => r.u16());
  if (limit < MIN_RECORD_SIZE_LIMIT) throw illegalParameter(`record_size_limit ${limit} is below 64`);
  return limit;
}
