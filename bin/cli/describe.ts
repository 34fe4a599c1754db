/** Human-readable lines for what the CLI prints on stderr. */
import { TlsError } from '../../lib/errors.js';
import type { SessionInfo } from '../../lib/session/contract.js';

export function describeInfo(info: SessionInfo): string {
  return [
    `version: ${info.version ?? '-'}`,
    `suite: ${info.suite ?? '-'}`,
    `group: ${info.group ?? '-'}`,
    `signature: ${info.signatureScheme ?? '-'}`,
    ...(info.pskIdentity !== undefined ? [`psk identity: ${info.pskIdentity}`] : []),
    `alpn: ${info.alpn ?? '-'}`,
    `server name: ${info.serverName ?? '-'}`,
    `hello retry: ${info.helloRetry ? 'yes' : 'no'}`,
    `resumed: ${info.resumed ? 'yes' : 'no'}`,
    ...(info.earlyData !== undefined ? [`early data: ${info.earlyData ? 'accepted' : 'rejected'}`] : []),
  ].join('\n');
}

/**
 * Names the alert, and whether we sent it or the peer did; a transport that
 * ended or failed without an alert is said so (no alert is named then).
 * Codes are matched loosely: 'premature_termination' and
 * 'ERR_TLS_PREMATURE_TERMINATION' alike.
 */
export function describeError(e: unknown): string {
  if (e instanceof TlsError) {
    const code = String((e as { code?: unknown }).code ?? '');
    const detail = e.message.replace(`${e.alert}: `, '');
    if (code.toLowerCase().includes('premature')) return `connection truncated: ${detail}`;
    // A system error code (ECONNRESET, EPIPE): no underscore, unlike ERR_TLS_* codes.
    if (/^E[A-Z0-9]+$/.test(code)) return `connection failed (${code}): ${detail}`;
    // A verification code (CERT_HAS_EXPIRED, ERR_TLS_CERT_PIN_MISMATCH...) says more than the alert: name it too.
    const verifyCode = /^ERR_TLS_(PEER_)?ALERT_/.test(code) ? '' : ` [${code}]`;
    return `TLS alert ${e.alert} (${e.fromPeer ? 'received from the peer' : 'sent to the peer'}): ${detail}${verifyCode}`;
  }
  return oneLine(e instanceof Error ? e.message : String(e));
}

/** Multi-line messages (some node errors) folded onto one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
