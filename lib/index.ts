/** rxtls: the non-blocking Session (TLS over streams, DTLS over datagrams), its configuration and errors. */
import { nobleCrypto } from './crypto/noble/index.js';
import { setDefaultCryptoProvider } from './crypto/default-provider.js';
export { Session } from './session/session.js';
export { AGAIN, EOF } from './session/contract.js';
export { DatagramSession, DEFAULT_DTLS_MTU, type DatagramOptions, type DtlsClientOptions, type DtlsServerOptions } from './session/datagram-session.js';
export { CookieJar } from './dtls/cookie.js';
export { cookieGate, type CookieVerdict } from './dtls/cookie-gate.js';
export type { DatagramTransport } from './session/contract.js';
export type { Again, Eof, Direction, Transport, NonBlockingSession, SessionInfo, SessionTicket, Tls12SessionTicket, Tls13SessionTicket } from './session/contract.js';
export type { ClientOptions, ServerOptions, CommonOptions, PemOrDer, ClientConfig, ServerConfig } from './tls13/config.js';
export { resolveClientConfig, resolveServerConfig } from './tls13/config.js';
export type { SuiteName } from './tls13/suites.js';
export { TlsError, Alert, alertName, type AlertName } from './errors.js';
export type { KeyingMaterialExporter } from './handshake/keying-material-exporter.js';
export { srtpKeyingMaterial, DTLS_SRTP_EXPORTER_LABEL, type SrtpKeyingMaterial, type SrtpSession } from './handshake/srtp-keying-material.js';
export type { SrtpProfileName } from './wire/use-srtp.js';
export type { CryptoProvider, GroupName, SignatureSchemeName, RandomSource } from './crypto/provider.js';
export { nobleCrypto } from './crypto/noble/index.js';
export { setDefaultCryptoProvider } from './crypto/default-provider.js';

// The package's default provider: pure JavaScript, runs anywhere (the core names none itself).
setDefaultCryptoProvider(nobleCrypto);
