/** rxtls/node: TLS over node:net sockets and DTLS over node:dgram sockets, as RxJS Observables of channels. */
export { connectTls } from './connect-tls.js';
export { listenTls } from './listen-tls.js';
export { connectDtls } from './connect-dtls.js';
export { listenDtls } from './listen-dtls.js';
export type { ConnectDtlsOptions, ListenDtlsOptions, DtlsListening, DtlsListenerStats } from './dtls-options.js';
export { udpLink, type UdpLink, type UdpLinkOptions } from './udp-link.js';
export { UdpDemux, type UdpDemuxOptions, type UdpPeer, type UdpDemuxDrops } from './udp-demux.js';
export { ticketKeyFromNode, NODE_TICKET_KEYS_LENGTH } from './ticket-keys-option.js';
export { generateTicketKey, TicketKeySet, type TicketKey } from '../tls12/ticket-keys.js';
export { toDuplex, type SecureDuplex } from './to-duplex.js';
export type { ChannelSocketInfo } from './channel-socket.js';
export { AbortError, type NodeOptionErrorCode } from './node-errors.js';
export { socketLink } from './socket-link.js';
export { nodeRootStore, systemRootStore, SYSTEM_BUNDLES } from './root-store.js';
export { TrustStore } from '../x509/trust-store.js';
export { socketTransport, type SocketTransport } from './socket-transport.js';
export { peerCertificate, type ConnectTlsOptions, type ListenTlsOptions, type TlsVersionName } from './options.js';
/** The node:crypto CryptoProvider (faster than noble on Node; pass it as `session: { crypto: nodeCrypto }`). */
export { nodeCrypto } from '../crypto/node/index.js';
export { SecureChannel, openChannel, pacedRead, type ChannelEvent, type ChannelOptions } from '../rx/index.js';
export { DatagramChannel, openDatagramChannel, type DatagramChannelEvent, type DatagramChannelOptions } from '../rx/index.js';
