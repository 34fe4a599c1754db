/**
 * connectTls()/listenTls() options are checked before anything happens: an
 * option is either honoured or refused with a message saying what to do
 * instead, never silently ignored (a typo such as `servrname` would otherwise
 * connect with the wrong name). Errors carry node-style codes (node-errors.ts):
 * ERR_INVALID_ARG_VALUE for unknown names and bad values,
 * ERR_TLS_UNSUPPORTED_OPTION for node:tls options rxtls does not support,
 * ERR_TLS_INVALID_PROTOCOL_VERSION for a bad version name.
 */
import type { ConnectTlsOptions, ListenTlsOptions } from './options.js';
import type { ConnectDtlsOptions, ListenDtlsOptions } from './dtls-options.js';
import { optionError } from './node-errors.js';
import { NODE_TICKET_KEYS_LENGTH } from './ticket-keys-option.js';

type Kind = 'connectTls' | 'listenTls' | 'connectDtls' | 'listenDtls';

const COMMON = ['ALPNProtocols', 'keylog', 'handshakeTimeout', 'allowHalfOpen', 'scheduler', 'highWaterMark', 'minVersion', 'maxVersion', 'signal', 'session'] as const;

const CONNECT = [...COMMON, 'host', 'port', 'servername', 'ca', 'rejectUnauthorized', 'checkServerIdentity', 'psk', 'pins', 'fingerprint', 'cert', 'key', 'clientCertificate'] as const satisfies ReadonlyArray<keyof ConnectTlsOptions>;
const LISTEN = [
  ...COMMON,
  'port',
  'host',
  'backlog',
  'cert',
  'key',
  'listeningObserver',
  'maxConnections',
  'maxConcurrentHandshakes',
  'requestCert',
  'rejectUnauthorized',
  'ca',
  'psk',
  'pskIdentityHint',
  'ticketKeys',
] as const satisfies ReadonlyArray<keyof ListenTlsOptions>;
/** Compile-time check that the lists name every declared option. */
type Unlisted = Exclude<keyof ConnectTlsOptions, (typeof CONNECT)[number]> | Exclude<keyof ListenTlsOptions, (typeof LISTEN)[number]>;
const listsComplete: [Unlisted] extends [never] ? true : Unlisted = true;

const DTLS_COMMON = ['ALPNProtocols', 'keylog', 'handshakeTimeout', 'mtu', 'retransmit', 'scheduler', 'signal', 'session'] as const;
const CONNECT_DTLS = [...DTLS_COMMON, 'host', 'port', 'servername', 'ca', 'rejectUnauthorized', 'checkServerIdentity', 'psk', 'cert', 'key', 'clientCertificate'] as const satisfies ReadonlyArray<keyof ConnectDtlsOptions>;
const LISTEN_DTLS = [
  ...DTLS_COMMON,
  'port',
  'host',
  'cert',
  'key',
  'listeningObserver',
  'cookie',
  'maxPeers',
  'idleTimeout',
  'requestCert',
  'rejectUnauthorized',
  'ca',
  'psk',
  'pskIdentityHint',
] as const satisfies ReadonlyArray<keyof ListenDtlsOptions>;
type UnlistedDtls = Exclude<keyof ConnectDtlsOptions, (typeof CONNECT_DTLS)[number]> | Exclude<keyof ListenDtlsOptions, (typeof LISTEN_DTLS)[number]>;
const dtlsListsComplete: [UnlistedDtls] extends [never] ? true : UnlistedDtls = true;

/** Every option name each function takes. */
const SUPPORTED: Record<Kind, readonly string[]> = { connectTls: CONNECT, listenTls: LISTEN, connectDtls: CONNECT_DTLS, listenDtls: LISTEN_DTLS };
void listsComplete;
void dtlsListsComplete;

/** node:tls / node:net options we know and do not support, with what to do instead. */
const NODE_ONLY: Record<string, string> = {
  ciphers: "choose TLS 1.3 cipher suites with `session: { suites: ['TLS_AES_128_GCM_SHA256', ...] }`",
  ecdhCurve: "choose key-exchange groups with `session: { groups: ['x25519', ...] }`",
  sigalgs: 'choose signature schemes with `session: { signatureSchemes: [...] }`',
  secureProtocol: "use minVersion/maxVersion ('TLSv1.2', 'TLSv1.3')",
  secureOptions: 'OpenSSL option flags do not apply to rxtls',
  secureContext: 'pass cert, key and ca to connectTls()/listenTls() directly',
  pfx: 'PKCS#12 is not supported: pass `cert` and `key` as PEM or DER',
  passphrase: 'encrypted private keys are not supported: pass an unencrypted PEM or DER `key`',
  crl: 'certificate revocation lists are not supported yet',
  dhparam: 'finite-field Diffie-Hellman is not supported (TLS 1.3 uses `session.groups`)',
  honorCipherOrder: 'the server chooses by its own `session.suites` order already',
  sessionIdContext: 'session IDs do not exist in TLS 1.3',
  ticketKeys: "pass `session: { ticketKeys: [{ name, key }] }` (ticketKeyFromNode() maps node's 48 bytes)",
  sessionTimeout: 'ticket lifetime is not configurable yet',
  SNICallback: 'per-name certificates are not supported yet',
  ALPNCallback: 'use ALPNProtocols (the server picks by its own order)',
  pskCallback: "use `psk`: on connectTls { identity, key }, on listenTls (identity: Uint8Array) => key | undefined (TLS 1.2 PSK suites)",
  enableTrace: 'use `keylog` and channel.events$ to follow a connection',
  clientCertEngine: 'OpenSSL engines do not apply to rxtls: pass `cert` and `key`, or a `clientCertificate` callback',
  privateKeyEngine: 'OpenSSL engines do not apply to rxtls',
  privateKeyIdentifier: 'OpenSSL engines do not apply to rxtls',
  minDHSize: 'finite-field Diffie-Hellman is not supported',
  requestOCSP: 'OCSP stapling is not supported yet',
  timeout: 'use `handshakeTimeout`, or toDuplex(channel).setTimeout() for idle connections',
  socket: 'connectTls opens its own socket; wrap an existing one with openChannel(Session.client(...), socketLink(socket))',
  path: 'only TCP is supported (host/port)',
  family: 'not supported yet: pass an address of the family you want as `host`',
  localAddress: 'not supported yet',
  localPort: 'not supported yet',
  lookup: 'not supported yet: resolve the name first and pass the address as `host` (keep the name as `servername`)',
  hints: 'not supported yet',
  noDelay: 'rxtls always sets TCP_NODELAY (records leave already coalesced)',
  keepAlive: 'use toDuplex(channel).setKeepAlive()',
  keepAliveInitialDelay: 'use toDuplex(channel).setKeepAlive()',
  pauseOnConnect: 'read only when you want to with channel.pause()/resume() or pacedRead()',
  ipv6Only: 'not supported yet',
  exclusive: 'not supported yet',
  reusePort: 'not supported yet',
  servername: 'a server takes the name the client sends: channel.info.serverName',
};

/** Options whose meaning depends on the side. */
const PER_KIND: Record<Kind, Record<string, string>> = {
  connectTls: {
    requestCert: 'requestCert is a server option',
    pskIdentityHint: 'pskIdentityHint is a server option',
    backlog: 'backlog is a server option',
    ticketKeys: 'ticketKeys is a server option (a client keeps tickets in channel.info.tickets)',
  },
  listenTls: {
    checkServerIdentity: 'checkServerIdentity is a client option',
    pins: 'pins is a client option',
    fingerprint: 'fingerprint is a client option',
  },
  connectDtls: {
    ...dtlsOnly(),
    requestCert: 'requestCert is a server option',
    pskIdentityHint: 'pskIdentityHint is a server option',
    cookie: 'cookie is a listenDtls option',
    maxPeers: 'maxPeers is a listenDtls option',
    ticketKeys: 'ticketKeys is a server option (a client keeps tickets in channel.info.tickets)',
    idleTimeout: 'idleTimeout is a listenDtls option',
  },
  listenDtls: {
    ...dtlsOnly(),
    checkServerIdentity: 'checkServerIdentity is a client option',
    maxConnections: 'use maxPeers (peers with a session at once)',
    maxConcurrentHandshakes: 'every admitted peer handshakes at once; cap them with maxPeers',
    backlog: 'UDP has no accept queue; cap peers with maxPeers',
  },
};

/** TLS-over-TCP options that mean nothing over DTLS. */
function dtlsOnly(): Record<string, string> {
  return {
    minVersion: 'DTLS sessions speak DTLS 1.2 only',
    maxVersion: 'DTLS sessions speak DTLS 1.2 only',
    allowHalfOpen: 'DTLS has no half-close: close_notify ends the association',
    highWaterMark: 'datagrams are not buffered as a byte stream (each peer keeps a small inbox)',
    timeout: 'use `handshakeTimeout`, and on listenDtls `idleTimeout`',
  };
}

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Edit distance, case-insensitive, for "did you mean". */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function suggestion(key: string, names: readonly string[]): string {
  const best = names.map((n) => [n, distance(key, n)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean '${best[0]}'?)` : '';
}

const isClientPsk = (v: unknown) => {
  const p = v as { identity?: unknown; key?: unknown };
  return typeof v === 'object' && v !== null && (typeof p.identity === 'string' || p.identity instanceof Uint8Array) && p.key instanceof Uint8Array;
};

const isCount = (v: unknown, min: number) => v === Infinity || (typeof v === 'number' && Number.isInteger(v) && v >= min);

function checkValue(kind: Kind, key: string, value: unknown): void {
  const bad = (what: string) => optionError('ERR_INVALID_ARG_VALUE', `${kind}: option '${key}' must be ${what}, got ${String(value)}`);
  switch (key) {
    case 'minVersion':
    case 'maxVersion':
      if (!VERSIONS.includes(value as string)) {
        throw optionError('ERR_TLS_INVALID_PROTOCOL_VERSION', `${kind}: ${key} '${String(value)}' is not a valid TLS protocol version (${VERSIONS.join(', ')})`);
      }
      if (key === 'maxVersion' && value !== 'TLSv1.3' && value !== 'TLSv1.2') {
        throw optionError('ERR_TLS_UNSUPPORTED_OPTION', `${kind}: maxVersion '${String(value)}': TLS 1.1 and older are not supported (rxtls speaks TLS 1.2 and 1.3)`);
      }
      return;
    case 'handshakeTimeout':
      if (typeof value !== 'number' || !(value >= 0)) throw bad('a number of ms (0 or Infinity: none)');
      return;
    case 'maxConnections':
      if (!isCount(value, 0)) throw bad('a non-negative integer or Infinity');
      return;
    case 'maxConcurrentHandshakes':
    case 'maxPeers':
      if (!isCount(value, 1)) throw bad('a positive integer or Infinity');
      return;
    case 'idleTimeout':
      if (typeof value !== 'number' || !(value > 0)) throw bad('a positive number of ms (Infinity: none)');
      return;
    case 'mtu':
      if (!Number.isInteger(value) || (value as number) < 64 || (value as number) > 65507) throw bad('an integer from 64 to 65507');
      return;
    case 'cookie':
      if (typeof value !== 'boolean') throw bad('true or false');
      return;
    case 'retransmit': {
      const r = value as { initialMs?: unknown; maxMs?: unknown };
      const ms = (v: unknown) => v === undefined || (typeof v === 'number' && v > 0);
      if (typeof value !== 'object' || value === null || !ms(r.initialMs) || !ms(r.maxMs)) throw bad('{ initialMs?, maxMs? } in positive ms');
      return;
    }
    case 'requestCert':
      if (typeof value !== 'boolean') throw bad('true or false');
      return;
    case 'clientCertificate':
      if (typeof value !== 'function') throw bad('a function ({ authorities, signatureSchemes }) => { cert, key } | undefined');
      return;
    case 'psk':
      if (kind === 'listenTls' || kind === 'listenDtls' ? typeof value !== 'function' : !isClientPsk(value)) {
        throw bad(kind === 'listenTls' || kind === 'listenDtls' ? 'a function (identity: Uint8Array) => Uint8Array | undefined' : 'an object { identity: string | Uint8Array, key: Uint8Array }');
      }
      return;
    case 'pins':
      if (!Array.isArray(value) || !value.every((p) => typeof p === 'string')) throw bad("an array of 'sha256/BASE64' strings");
      return;
    case 'fingerprint':
      if (typeof value !== 'string' && !(Array.isArray(value) && value.every((p) => typeof p === 'string'))) throw bad("a string 'sha-256 AB:CD:...' or an array of them");
      return;
    case 'pskIdentityHint':
      if (typeof value !== 'string') throw bad('a string');
      return;
    case 'ticketKeys':
      if (!(value instanceof Uint8Array) || value.length !== NODE_TICKET_KEYS_LENGTH) throw bad(`a ${NODE_TICKET_KEYS_LENGTH}-byte Buffer (16-byte name, 32 bytes of key), as node:tls's`);
      return;
    case 'signal':
      if (typeof (value as AbortSignal).aborted !== 'boolean' || typeof (value as AbortSignal).addEventListener !== 'function') throw bad('an AbortSignal');
      return;
    case 'session':
      if (value instanceof Uint8Array || typeof value !== 'object') {
        throw optionError(
          'ERR_TLS_UNSUPPORTED_OPTION',
          `${kind}: 'session' takes rxtls session options (suites, groups, crypto, ...); resuming from a node:tls session Buffer is not supported`,
        );
      }
      return;
  }
}

/** Throws (see the file comment) unless every option set in `options` is one `kind` honours. */
export function checkOptions(kind: Kind, options: object): void {
  if (typeof options !== 'object' || options === null) throw optionError('ERR_INVALID_ARG_VALUE', `${kind}: options must be an object`);
  const supported = SUPPORTED[kind];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue; // not set
    if (supported.includes(key)) {
      checkValue(kind, key, value);
      continue;
    }
    const hint = PER_KIND[kind][key] ?? NODE_ONLY[key];
    if (hint) throw optionError('ERR_TLS_UNSUPPORTED_OPTION', `${kind}: option '${key}' is not supported: ${hint}`);
    throw optionError(
      'ERR_INVALID_ARG_VALUE',
      `${kind}: unknown option '${key}'${suggestion(key, supported)}. Supported options: ${[...supported].sort().join(', ')}`,
    );
  }
}
