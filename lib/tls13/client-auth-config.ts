/**
 * Mutual TLS options, both roles, resolved once like the rest of the config:
 * the client's certificate (fixed, or chosen per request by a callback) and
 * the server's policy for client certificates (node:tls's `requestCert`,
 * `rejectUnauthorized` and `ca`).
 */
import type { CryptoProvider, PrivateKey, PublicKey } from '../crypto/provider.js';
import { equalBytes } from '../wire/codec.js';
import { type Certificate, parseCertificate, parseCertificates } from '../x509/certificate.js';
import { isPem, decodePemLabel, pemText } from '../x509/pem.js';
import { parsePrivateKey } from '../x509/private-key.js';
import { TrustStore } from '../x509/trust-store.js';

type PemOrDer = string | Uint8Array;

/** What a server's CertificateRequest asks for, as a `clientCertificate` callback sees it. */
export interface CertificateRequestInfo {
  /** DER Names of the CAs the server accepts (certificate_authorities); empty: it did not say. */
  authorities: Uint8Array[];
  /** Signature schemes the server accepts, by name (unknown code points left out). */
  signatureSchemes: string[];
}

/** A certificate chain (leaf first) and the private key of its leaf. */
export interface ClientCertificateOption {
  cert: PemOrDer | PemOrDer[];
  key: PemOrDer;
}

/** Chooses the client certificate for one request; undefined sends an empty Certificate. */
export type ClientCertificateCallback = (request: CertificateRequestInfo) => ClientCertificateOption | undefined;

/** A chain ready to send: its DER certificates, the parsed leaf and the leaf's key. */
export interface Credentials {
  chain: Uint8Array[];
  leaf: Certificate;
  key: PrivateKey;
  publicKey: PublicKey;
}

/** Resolved client side: where the certificate for a request comes from. */
export type ClientCertificateSource = (request: CertificateRequestInfo) => Credentials | undefined;

/** Resolved server side: how client certificates are asked for and judged. */
export interface ClientAuthPolicy {
  /** Anchors for client chains (empty: no chain verifies, so only `rejectUnauthorized: false` accepts one). */
  roots: TrustStore;
  /** certificate_authorities to send (DER Names); empty: none. */
  authorities: Uint8Array[];
  /** A client without a certificate that verifies fails the handshake (node's default with requestCert). */
  rejectUnauthorized: boolean;
  /** False for requestCert 'post-handshake': TLS 1.3 clients are asked only by requestClientCertificate(). */
  inHandshake: boolean;
}

/**
 * Above this many anchors the server sends no certificate_authorities: a list
 * of a whole public root store helps no client and costs kilobytes per handshake.
 */
const MAX_AUTHORITIES = 64;

export function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  if (a.kind === 'ec' && b.kind === 'ec') return a.curve === b.curve && equalBytes(a.point, b.point);
  if (a.kind === 'rsa' && b.kind === 'rsa') return a.pss === b.pss && equalBytes(a.n, b.n) && equalBytes(a.e, b.e);
  return (a.kind === 'ed25519' || a.kind === 'ed448') && a.kind === b.kind && equalBytes(a.key, (b as typeof a).key);
}

function certificateList(input: PemOrDer | PemOrDer[]): Uint8Array[] {
  const list = Array.isArray(input) ? input : [input];
  return list.flatMap((item) => (isPem(item) ? decodePemLabel(pemText(item), 'CERTIFICATE') : [item as Uint8Array]));
}

/** A chain and key, checked to belong together; `who` names them in errors. */
export function loadCredentials(cert: PemOrDer | PemOrDer[], key: PemOrDer, crypto: CryptoProvider, who: string): Credentials {
  const chain = certificateList(cert);
  if (chain.length === 0) throw new Error(`${who} certificate: no CERTIFICATE found`);
  const leaf = parseCertificate(chain[0]!);
  const privateKey = parsePrivateKey(key);
  if (!leaf.publicKey) throw new Error(`${who} certificate key is ${leaf.publicKeyAlgorithm}, which is not supported (ECDSA P-256/P-384/P-521, Ed25519, Ed448, RSA or RSASSA-PSS)`);
  if (!samePublicKey(crypto.publicKeyOf(privateKey), leaf.publicKey)) throw new Error(`${who} private key does not match its certificate`);
  return { chain, leaf, key: privateKey, publicKey: leaf.publicKey };
}

export interface ClientAuthClientOptions {
  cert?: PemOrDer | PemOrDer[];
  key?: PemOrDer;
  clientCertificate?: ClientCertificateCallback;
}

/** The client's certificate source, or undefined when it has none (then it answers a request with an empty Certificate). */
export function resolveClientCertificate(o: ClientAuthClientOptions, crypto: CryptoProvider): ClientCertificateSource | undefined {
  if ((o.cert === undefined) !== (o.key === undefined)) throw new Error('a client certificate needs both `cert` and `key`');
  if (o.clientCertificate && o.cert !== undefined) throw new Error('give `cert`/`key` or `clientCertificate`, not both');
  if (o.cert !== undefined) {
    const fixed = loadCredentials(o.cert, o.key!, crypto, 'client');
    return () => fixed;
  }
  const choose = o.clientCertificate;
  if (!choose) return undefined;
  if (typeof choose !== 'function') throw new Error('`clientCertificate` is a function from the server\'s request to { cert, key }');
  return (request) => {
    const chosen = choose(request);
    return chosen ? loadCredentials(chosen.cert, chosen.key, crypto, 'client') : undefined;
  };
}

export interface ClientAuthServerOptions {
  /**
   * true: ask in every handshake (node's); 'post-handshake': only when
   * session.requestClientCertificate() asks a TLS 1.3 client that offered it
   * (RFC 8446 §4.6.2). Either way `rejectUnauthorized` and `ca` judge the answer.
   */
  requestCert?: boolean | 'post-handshake';
  rejectUnauthorized?: boolean;
  ca?: PemOrDer | PemOrDer[] | TrustStore;
}

/** The server's client-certificate policy, or undefined when it asks for none. */
export function resolveClientAuth(o: ClientAuthServerOptions): ClientAuthPolicy | undefined {
  if (!o.requestCert) return undefined;
  const rejectUnauthorized = o.rejectUnauthorized ?? true;
  const roots = o.ca instanceof TrustStore ? o.ca : TrustStore.ofCertificates(o.ca ? (Array.isArray(o.ca) ? o.ca : [o.ca]).flatMap((c) => parseCertificates(c)) : []);
  if (rejectUnauthorized && roots.size === 0) throw new Error('`requestCert` needs `ca` to verify client certificates (or rejectUnauthorized: false)');
  const authorities = roots.size <= MAX_AUTHORITIES ? roots.subjects() : [];
  return { roots, authorities, rejectUnauthorized, inHandshake: o.requestCert === true };
}
