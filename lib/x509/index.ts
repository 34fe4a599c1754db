/** X.509 for TLS: PEM, certificate and private key parsing, chain and hostname verification. */
export { decodePem, decodePemLabel, encodePem, type PemBlock } from './pem.js';
export {
  parseCertificate,
  parseCertificates,
  KeyUsageBit,
  OID_SERVER_AUTH,
  OID_CLIENT_AUTH,
  type Certificate,
  type SignatureAlgorithm,
} from './certificate.js';
export { parsePrivateKey } from './private-key.js';
export { matchesServerName, matchDnsPattern, parseIpAddress } from './hostname.js';
export { verifyServerChain, MAX_PATH_LENGTH, type VerifyServerChainOptions } from './verify-chain.js';
