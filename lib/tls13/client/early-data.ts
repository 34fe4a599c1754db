/**
 * Client: 0-RTT early data (RFC 8446 §4.2.10). Sent only with a ticket that
 * allows it (max_early_data_size > 0), offered first, when `earlyData` is on
 * and the ticket's ALPN protocol is still one we offer (the server refuses
 * early data for another one). The early key comes from the ticket's PSK and
 * the ClientHello; the suite is the ticket's, which the server must keep to
 * accept the data.
 */
import type { Tls13SessionTicket } from '../../handshake/session-info.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { type ClientHello, encodeHandshake } from '../../wire/handshake.js';
import type { ClientConfig } from '../config.js';
import type { Context } from '../context.js';
import { KeySchedule } from '../key-schedule.js';
import { suiteByName } from '../suites.js';
import { earlyDataSealer } from '../traffic-protection.js';
import { Tls13Exporter } from '../exporter.js';
import type { OfferedPsk } from './offer-psks.js';

/** The ticket to send early data with, if any. */
export function earlyDataTicket(config: ClientConfig, psks: readonly OfferedPsk[]): Tls13SessionTicket | undefined {
  const ticket = psks[0]?.ticket;
  if (!config.earlyData || !ticket || ticket.maxEarlyData === 0) return undefined;
  if (ticket.alpn !== undefined && !config.alpn.includes(ticket.alpn)) return undefined;
  return ticket;
}

/** The hello with an empty early_data extension (the pre_shared_key one goes after it, last). */
export function withEarlyDataOffer(hello: ClientHello): ClientHello {
  return { ...hello, extensions: [...hello.extensions, { type: X.early_data, data: new Uint8Array(0) }] };
}

/**
 * After the ClientHello (and the compatibility ChangeCipherSpec, which RFC
 * 8446 §D.4 puts before early data): application data written from now on
 * until the server answers goes out under client_early_traffic_secret.
 */
export function startEarlyData(ctx: Context<ClientConfig>, hello: ClientHello, ticket: Tls13SessionTicket): void {
  const suite = suiteByName(ticket.suite);
  const hash = ctx.config.crypto.hash(suite.hash);
  const schedule = new KeySchedule(hash, ticket.psk);
  const helloHash = hash.digest(encodeHandshake(hello));
  const secret = schedule.earlyTraffic(helloHash);
  const exporterSecret = schedule.earlyExporter(helloHash);
  ctx.keylog('CLIENT_EARLY_TRAFFIC_SECRET', hello.random, secret);
  ctx.keylog('EARLY_EXPORTER_SECRET', hello.random, exporterSecret);
  if (ctx.config.middleboxCompat) ctx.sendCompatCcs();
  ctx.startEarlyData(earlyDataSealer(ctx, suite, secret), ticket.maxEarlyData, new Tls13Exporter(hash, exporterSecret));
}
