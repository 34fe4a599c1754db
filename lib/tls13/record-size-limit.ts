/**
 * Negotiating record_size_limit (RFC 8449) for TLS 1.3 and TLS 1.2 alike:
 * the client offers its limit in the ClientHello, a server answers with its
 * own (TLS 1.3: in EncryptedExtensions; TLS 1.2: in the ServerHello) and
 * both then keep to the other's limit for every protected record. A
 * connection that cannot enforce limits (no ctx.limitRecords: DTLS) neither
 * offers nor answers, so nothing is promised that is not kept.
 */
import { ExtensionType as X } from '../wire/enums.js';
import { type Extension, findExtension } from '../wire/extension.js';
import type { ClientHello } from '../wire/handshake.js';
import {
  MAX_RECORD_SIZE_LIMIT_TLS12,
  MAX_RECORD_SIZE_LIMIT_TLS13,
  decodeRecordSizeLimit,
  encodeRecordSizeLimit,
} from '../wire/record-size-limit.js';
import type { ClientConfig, ServerConfig } from './config.js';
import type { Context, ProtocolName } from './context.js';

/** The protocol's own maximum: 2^14 of content, plus TLS 1.3's content type byte. */
function protocolMax(version: ProtocolName): number {
  return version === 'TLSv1.3' ? MAX_RECORD_SIZE_LIMIT_TLS13 : MAX_RECORD_SIZE_LIMIT_TLS12;
}

/**
 * Both limits as the connection keeps them. A value over the protocol's
 * maximum is read as the maximum: RFC 8449 §4 lets a client offer 2^14+1
 * when it might end up in TLS 1.2, and tells servers not to refuse it.
 */
function apply(ctx: Context, version: ProtocolName, peer: number, own: number): void {
  const send = Math.min(peer, protocolMax(version));
  // TLS 1.3 counts the content type byte in the limit (we add no padding): one byte less of content.
  ctx.limitRecords?.(version === 'TLSv1.3' ? send - 1 : send, Math.min(own, protocolMax(version)));
}

/** Client: the limit to offer, or undefined where this connection does not enforce one or the user turned it off. */
export function recordSizeLimitToOffer(ctx: Context<ClientConfig>): number | undefined {
  return ctx.limitRecords ? ctx.config.recordSizeLimit : undefined;
}

/** Client: the ClientHello extension; a TLS 1.2-only hello caps the value at 1.2's maximum. */
export function recordSizeLimitOffer(limit: number | undefined, tls13: boolean): Extension[] {
  if (limit === undefined) return [];
  return [{ type: X.record_size_limit, data: encodeRecordSizeLimit(tls13 ? limit : Math.min(limit, MAX_RECORD_SIZE_LIMIT_TLS12)) }];
}

/**
 * Client: the server's answer (EncryptedExtensions or a 1.2 ServerHello,
 * already checked to be something we offered). Without an answer the
 * extension is not negotiated and neither side is bound (RFC 8449 §4).
 */
export function acceptRecordSizeLimit(ctx: Context<ClientConfig>, version: ProtocolName, hello: ClientHello, received: readonly Extension[]): void {
  const answer = findExtension(received, X.record_size_limit);
  const offered = findExtension(hello.extensions, X.record_size_limit);
  if (!answer || !offered) return;
  const peer = decodeRecordSizeLimit(answer);
  apply(ctx, version, peer, decodeRecordSizeLimit(offered));
  ctx.info.peerRecordSizeLimit = peer;
}

/**
 * Server: when the client offered a limit, keep to it and return our answer
 * for EncryptedExtensions (TLS 1.3) or the ServerHello (TLS 1.2). A
 * malformed offer fails the handshake (decode_error, illegal_parameter).
 */
export function answerRecordSizeLimit(ctx: Context<ServerConfig>, version: ProtocolName, hello: ClientHello): Extension[] {
  const offered = findExtension(hello.extensions, X.record_size_limit);
  if (!offered || ctx.config.recordSizeLimit === undefined) return [];
  const peer = decodeRecordSizeLimit(offered);
  if (!ctx.limitRecords) return [];
  const own = Math.min(ctx.config.recordSizeLimit, protocolMax(version));
  apply(ctx, version, peer, own);
  ctx.info.peerRecordSizeLimit = peer;
  return [{ type: X.record_size_limit, data: encodeRecordSizeLimit(own) }];
}
