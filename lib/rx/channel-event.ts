import { type AlertName, type UnknownAlert, TlsError } from '../errors.js';
import type { SessionInfo } from '../session/contract.js';

/**
 * What happens to a SecureChannel besides plaintext, in order, on
 * `channel.events$` (replayed to late subscribers; it completes after
 * 'closed'). At most one 'handshake', one alert each way, one 'closed'.
 *
 * - `handshake`: the handshake completed (and any `verify` hook accepted it).
 * - `alert`: close_notify received (`fromPeer: true`) or written by us
 *   (`fromPeer: false`), or the fatal alert that ended the connection: sent
 *   by us (`fromPeer: false`, the session already tried to write it) or
 *   received from the peer. A transport end without close_notify is no alert:
 *   it shows as 'closed' with a TlsError whose `code` is 'premature_termination'.
 * - `closed`: the channel is finished and its transport released; `error` is
 *   set when it ended by a failure or by `channel.error()`.
 *
 * @example
 * channel.events$.subscribe((e) => {
 *   if (e.type === 'handshake') console.log('negotiated', e.info.suite, e.info.alpn);
 *   if (e.type === 'alert' && e.fromPeer) console.log('peer sent', e.alert);
 *   if (e.type === 'closed') console.log('closed', e.error ?? 'cleanly');
 * });
 */
export type ChannelEvent =
  | { type: 'handshake'; info: SessionInfo }
  | { type: 'alert'; alert: AlertName | UnknownAlert; fromPeer: boolean }
  | { type: 'closed'; error?: unknown };

/**
 * What a DatagramChannel reports: the ChannelEvents, and `large_packet` when
 * one `next(bytes)` was larger than a datagram can carry (`size` >
 * `room`, the session's dataMtu() then). That message was not sent; the
 * channel goes on (GnuTLS's GNUTLS_E_LARGE_PACKET is not fatal either).
 *
 * @example
 * channel.events$.subscribe((e) => {
 *   if (e.type === 'large_packet') console.warn(`${e.size} bytes dropped: ${e.room} fit one datagram`);
 * });
 */
export type DatagramChannelEvent = ChannelEvent | { type: 'large_packet'; size: number; room: number };

/**
 * The alert event for the failure that ends a channel: the alert we sent
 * (the session tried to write it) or the one the peer sent; undefined for
 * failures without an alert (a transport end, a non-TLS error).
 *
 * @example
 * const event = failureAlertEvent(err);
 * if (event) events.next(event);
 */
export function failureAlertEvent(err: unknown): ChannelEvent | undefined {
  if (!(err instanceof TlsError) || !(err.sendsAlert || err.fromPeer)) return undefined;
  return { type: 'alert', alert: err.alert, fromPeer: err.fromPeer };
}
