/** Human-readable lines for what the CLI prints on stderr. */
import { TlsError } from '../../lib/errors.js';
import type { SessionInfo } from '../../lib/session/contract.js';

export function describeInfo(info: SessionInfo): string {
  return [
    `version: ${info.version ?? '-'}`,
    `suite: ${info.suite ?? '-'}`,
    `group: ${info.group ?? '-'}`,
    `signature: ${info.signatureScheme ?? '-'}`,
    `alpn: ${info.alpn ?? '-'}`,
    `server name: ${info.serverName ?? '-'}`,
    `hello retry: ${info.helloRetry ? 'yes' : 'no'}`,
  ].join('\n');
}

/** Names the alert, and whether we sent it or the peer did. */
export function describeError(e: unknown): string {
  if (e instanceof TlsError) {
    if (e.code === 'premature_termination') return `connection truncated: ${e.message}`;
    return `TLS alert ${e.alert} (${e.fromPeer ? 'received from the peer' : 'sent to the peer'}): ${e.message.replace(`${e.alert}: `, '')}`;
  }
  return e instanceof Error ? e.message : String(e);
}
