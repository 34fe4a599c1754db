/**
 * Negotiating what the server's Certificate message carries (RFC 7250 §4):
 * an X.509 chain, or a raw public key (its bare SubjectPublicKeyInfo). Shared
 * by TLS 1.3 (the server answers in EncryptedExtensions) and TLS 1.2 / DTLS
 * 1.2 (in the ServerHello); the states only say where the answer goes.
 *
 * The client offers server_certificate_type when it was given raw public keys
 * (`serverRawPublicKey`): [RawPublicKey], or [RawPublicKey, X509] when it can
 * verify a certificate too (`ca` or `fingerprint`). The server sends a raw
 * public key to a client that can take one when configured with
 * `rawPublicKey: true`, else X.509 (our preference decides, not the order of
 * the client's list). client_certificate_type (mutual TLS with raw keys) is
 * not offered nor answered here.
 */
import type { PublicKey } from '../crypto/provider.js';
import { TlsError, illegalParameter } from '../errors.js';
import { ExtensionType as X } from '../wire/enums.js';
import { type Extension, findExtension } from '../wire/extension.js';
import type { ClientHello } from '../wire/handshake.js';
import {
  CertificateType,
  type CertificateTypeName,
  certificateTypeName,
  decodeCertificateTypeList,
  decodeSelectedCertificateType,
  encodeCertificateTypeList,
  encodeSelectedCertificateType,
} from '../wire/certificate-type.js';
import { matchRawPublicKey, parseTrustedPublicKeys, type TrustedPublicKey } from '../x509/raw-public-key.js';
import type { ClientConfig, ClientOptions, ServerConfig } from './config.js';
import type { Context } from './context.js';

// --- client ---

/** What the client's raw-public-key options resolve to (ClientConfig fields). */
export interface ServerRawPublicKeyConfig {
  /** The keys the server may present as raw public keys; undefined: none configured. */
  rawPublicKeys?: TrustedPublicKey[];
  /** The server_certificate_type list to offer, most preferred first; undefined: no extension. */
  serverCertificateTypes?: CertificateTypeName[];
}

/** Resolves `serverRawPublicKey` against the other ways to authenticate the server. Throws Error. */
export function resolveServerRawPublicKeys(o: ClientOptions, verify: boolean): ServerRawPublicKeyConfig {
  if (o.serverRawPublicKey === undefined) return {};
  if (!verify) throw new Error('`serverRawPublicKey` authenticates the server: drop dangerouslySkipCertificateVerification');
  if (o.pins && o.ca === undefined) throw new Error('`pins` check a verified certificate chain: with `serverRawPublicKey` alone there is none');
  const rawPublicKeys = parseTrustedPublicKeys(o.serverRawPublicKey);
  // Raw keys first: they are what this client was set up for; a certificate is the fallback.
  const x509 = o.ca !== undefined || o.fingerprint !== undefined;
  return { rawPublicKeys, serverCertificateTypes: x509 ? ['RawPublicKey', 'X509'] : ['RawPublicKey'] };
}

/** The ClientHello extension, when raw public keys are configured. */
export function serverCertificateTypeOffer(config: ClientConfig): Extension[] {
  if (!config.serverCertificateTypes) return [];
  const types = config.serverCertificateTypes.map((t) => CertificateType[t]);
  return [{ type: X.server_certificate_type, data: encodeCertificateTypeList(types) }];
}

/**
 * Settles the type of the server's Certificate from its answer (in `received`,
 * the ServerHello's or EncryptedExtensions' extensions) before the Certificate
 * arrives, and records it in info.peerCertificateType (the TLS 1.2 decoder
 * reads the Certificate body by it). No answer means X.509 (RFC 7250 §4.2),
 * which fails cleanly when we offered raw public keys alone.
 */
export function acceptServerCertificateType(ctx: Context<ClientConfig>, received: readonly Extension[]): void {
  const offered = ctx.config.serverCertificateTypes;
  const answer = findExtension(received, X.server_certificate_type);
  if (answer === undefined && offered && !offered.includes('X509')) {
    throw new TlsError('unsupported_certificate', 'the server does not support raw public keys (RFC 7250) and without `ca` we cannot verify a certificate');
  }
  const code = answer === undefined ? CertificateType.X509 : decodeSelectedCertificateType(answer, 'server_certificate_type');
  const type = certificateTypeName(code);
  if (answer !== undefined && (!type || !offered?.includes(type))) throw illegalParameter(`server_certificate_type ${code} was not offered`);
  ctx.info.peerCertificateType = type;
}

/**
 * The server's key when it sent a raw public key: one entry, exactly one of
 * the configured keys (else bad_certificate, ERR_TLS_RAW_PUBLIC_KEY_MISMATCH).
 * Undefined when its Certificate is an X.509 chain, for the caller to verify.
 */
export function serverRawPublicKey(ctx: Context<ClientConfig>, entries: readonly Uint8Array[]): PublicKey | undefined {
  if (ctx.info.peerCertificateType !== 'RawPublicKey') return undefined;
  if (entries.length !== 1) throw new TlsError('bad_certificate', `a raw public key is one Certificate entry, not ${entries.length}`);
  const { config } = ctx;
  const key = matchRawPublicKey(entries[0]!, config.rawPublicKeys!, (d) => config.crypto.hash('sha256').digest(d));
  ctx.info.peerRawPublicKey = entries[0]!.slice();
  return key;
}

// --- server ---

/** The server's choice: the type its Certificate carries, and the answer to send (none when the client did not ask). */
export interface ServerCertificateChoice {
  type: CertificateTypeName;
  answer?: Extension;
}

/**
 * RFC 7250 §4.2: one of the types the client offered, or unsupported_certificate
 * when we can send none of them. A client without the extension gets X.509.
 * Our preference decides, as for suites (and as GnuTLS's server does): a
 * server set up with `rawPublicKey` sends it to every client that can take
 * one, though clients such as gnutls-cli list X.509 first, being their default.
 */
export function chooseServerCertificateType(config: ServerConfig, hello: ClientHello): ServerCertificateChoice {
  const ext = findExtension(hello.extensions, X.server_certificate_type);
  if (ext === undefined) return { type: 'X509' };
  const offered = decodeCertificateTypeList(ext, 'server_certificate_type').map(certificateTypeName);
  const ours: CertificateTypeName[] = config.rawPublicKey ? ['RawPublicKey', 'X509'] : ['X509'];
  const type = ours.find((t) => offered.includes(t));
  if (!type) {
    const why = config.rawPublicKey ? '' : ' (a raw public key needs the `rawPublicKey` option)';
    throw new TlsError('unsupported_certificate', `no server certificate type in common with the client${why}`);
  }
  return { type, answer: { type: X.server_certificate_type, data: encodeSelectedCertificateType(CertificateType[type]) } };
}

/** What the server's Certificate message holds: its chain, or its key's SubjectPublicKeyInfo alone. */
export function serverCertificateData(config: ServerConfig, choice: ServerCertificateChoice): Uint8Array[] {
  return choice.type === 'RawPublicKey' ? [config.rawPublicKey!] : config.chain;
}
