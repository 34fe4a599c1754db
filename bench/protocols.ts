/**
 * The protocol versions the TCP benches (handshake, bulk) measure, each with
 * one suite and an X25519 key exchange, as both implementations are
 * configured for it. The TLS 1.3 lines keep the names they had before TLS 1.2
 * (no prefix), so earlier results.json files still compare; TLS 1.2 lines
 * start "TLS 1.2 ".
 *
 * TLS 1.2 offers P-256 after X25519: there supported_groups also names the
 * curves the server's ECDSA certificate may use (RFC 8422 §5.1.1), and both
 * node:tls (OpenSSL: "no shared cipher") and rxtls refuse a P-256
 * certificate to a client offering X25519 alone. Both servers pick X25519.
 */
import type { GroupName } from '../lib/crypto/provider.js';
import type { SuiteName } from '../lib/tls13/suites.js';
import type { Tls12SuiteName } from '../lib/tls12/suites.js';

export type BenchVersion = 'TLSv1.3' | 'TLSv1.2';

export interface Protocol {
  version: BenchVersion;
  /** The suite's IANA name: ours, and node's getCipher().standardName. */
  suite: SuiteName | Tls12SuiteName;
  /** Put before a line's name. */
  prefix: string;
  /** node:tls options, the same for tls.connect and tls.createServer. */
  node: { minVersion: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; ciphers: string; ecdhCurve: string };
  /** rxtls ClientOptions/ServerOptions for either side (connectTls/listenTls `session`). */
  rxtls: { suites: Array<SuiteName | Tls12SuiteName>; groups: GroupName[]; minVersion?: BenchVersion; maxVersion?: BenchVersion };
}

export const TLS13: Protocol = {
  version: 'TLSv1.3',
  suite: 'TLS_AES_128_GCM_SHA256',
  prefix: '',
  node: { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256', ecdhCurve: 'X25519' },
  rxtls: { suites: ['TLS_AES_128_GCM_SHA256'], groups: ['x25519'] },
};

export const TLS12: Protocol = {
  version: 'TLSv1.2',
  suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  prefix: 'TLS 1.2 ',
  node: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', ecdhCurve: 'X25519:P-256' },
  rxtls: { suites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], groups: ['x25519', 'secp256r1'], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
};

export const PROTOCOLS: Record<BenchVersion, Protocol> = { 'TLSv1.3': TLS13, 'TLSv1.2': TLS12 };

/** node:tls client side: throws unless the connection is a full handshake of `p` (version, suite, X25519 key exchange). */
export function checkNodeTls(p: Protocol, socket: { getProtocol(): string | null; getCipher(): { standardName?: string; name: string }; isSessionReused(): boolean; getEphemeralKeyInfo(): object | null }): void {
  const group = (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name;
  const got = `${socket.getProtocol()} ${socket.getCipher().standardName} ${group}${socket.isSessionReused() ? ' resumed' : ''}`;
  if (got !== `${p.version} ${p.suite} X25519`) throw new Error(`bench: node:tls negotiated ${got}, wanted ${p.version} ${p.suite} X25519, full handshake`);
}

/** rxtls side: the same check on a SessionInfo. */
export function checkRxtls(p: Protocol, info: { version?: string; suite?: string; group?: string; resumed: boolean }): void {
  const got = `${info.version} ${info.suite} ${info.group}${info.resumed ? ' resumed' : ''}`;
  if (got !== `${p.version} ${p.suite} x25519`) throw new Error(`bench: rxtls negotiated ${got}, wanted ${p.version} ${p.suite} x25519, full handshake`);
}
