/** rxtls: the non-blocking Session, its configuration and errors. */
export { Session } from './session/session.js';
export { AGAIN, EOF } from './session/contract.js';
export type { Again, Eof, Direction, Transport, NonBlockingSession, SessionInfo, SessionTicket, Tls12SessionTicket, Tls13SessionTicket } from './session/contract.js';
export type { ClientOptions, ServerOptions, CommonOptions, PemOrDer, ClientConfig, ServerConfig } from './tls13/config.js';
export { resolveClientConfig, resolveServerConfig } from './tls13/config.js';
export type { SuiteName } from './tls13/suites.js';
export { TlsError, Alert, alertName, type AlertName } from './errors.js';
export type { CryptoProvider, GroupName, SignatureSchemeName, RandomSource } from './crypto/provider.js';
export { nobleCrypto } from './crypto/noble/index.js';
