/**
 * Server: the TLS 1.3 CertificateRequest (RFC 8446 §4.3.2), in the handshake
 * (empty context) or after it (a fresh random context, §4.6.2): the schemes
 * we verify and, when `ca` is small enough to list, its subjects.
 */
import { ExtensionType as X, HandshakeType, SignatureSchemeCode } from '../../wire/enums.js';
import { encodeCertificateAuthorities } from '../../wire/certificate-authorities.js';
import { type Extension, encodeU16List } from '../../wire/extension.js';
import type { CertificateRequest } from '../../wire/handshake.js';
import type { ServerConfig } from '../config.js';

export function certificateRequest(config: ServerConfig, context: Uint8Array): CertificateRequest {
  const extensions: Extension[] = [{ type: X.signature_algorithms, data: encodeU16List(config.signatureSchemes.map((s) => SignatureSchemeCode[s])) }];
  const authorities = config.clientAuth!.authorities;
  if (authorities.length) extensions.push({ type: X.certificate_authorities, data: encodeCertificateAuthorities(authorities) });
  return { type: HandshakeType.certificate_request, context, extensions };
}
