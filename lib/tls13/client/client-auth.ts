/**
 * Client: answering a TLS 1.3 CertificateRequest (RFC 8446 §4.3.2, §4.4.2,
 * §4.4.3), in the handshake or after it (§4.6.2): the certificate chosen for
 * the request and a scheme both sides accept, or nothing (an empty
 * Certificate: the server decides whether that will do).
 */
import type { SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError } from '../../errors.js';
import { decodeCertificateAuthorities } from '../../wire/certificate-authorities.js';
import { ExtensionType as X, HandshakeType, SignatureSchemeCode, nameOf } from '../../wire/enums.js';
import { decodeU16List, findExtension } from '../../wire/extension.js';
import type { CertificateRequest } from '../../wire/handshake.js';
import { certificateVerifyContent, schemeFitsKey } from '../certificate-verify.js';
import type { Credentials } from '../client-auth-config.js';
import type { ClientConfig } from '../config.js';
import type { Context } from '../context.js';
import type { Transcript } from '../transcript.js';

/** What we will send for one request. */
export interface ClientAuthAnswer {
  /** certificate_request_context, echoed in our Certificate. */
  context: Uint8Array;
  /** Undefined: an empty Certificate, no CertificateVerify. */
  credentials?: Credentials;
  scheme?: SignatureSchemeName;
}

export function answerCertificateRequest(config: ClientConfig, msg: CertificateRequest): ClientAuthAnswer {
  const schemesExt = findExtension(msg.extensions, X.signature_algorithms);
  if (!schemesExt) throw new TlsError('missing_extension', 'CertificateRequest without signature_algorithms');
  const offered = decodeU16List(schemesExt, 'signature_algorithms');
  const authoritiesExt = findExtension(msg.extensions, X.certificate_authorities);
  const authorities = authoritiesExt ? decodeCertificateAuthorities(authoritiesExt) : [];
  const signatureSchemes = offered.map((c) => nameOf(SignatureSchemeCode, c)).filter((n) => n !== undefined) as string[];
  const credentials = config.clientCertificate?.({ authorities, signatureSchemes });
  if (!credentials) return { context: msg.context };
  const scheme = config.signatureSchemes.find((s) => offered.includes(SignatureSchemeCode[s]) && schemeFitsKey(s, credentials.publicKey));
  // No scheme the server takes fits our key: sending the certificate would only fail its check.
  return scheme ? { context: msg.context, credentials, scheme } : { context: msg.context };
}

/** Our Certificate and, with a certificate, CertificateVerify over the transcript through it. */
export function sendClientAuth(ctx: Context<ClientConfig>, answer: ClientAuthAnswer, transcript: Transcript): void {
  const { credentials, scheme } = answer;
  const entries = credentials ? credentials.chain.map((data) => ({ data, extensions: [] })) : [];
  ctx.send({ type: HandshakeType.certificate, context: answer.context, entries }, transcript);
  if (!credentials || !scheme) return;
  const signature = ctx.config.crypto.sign(scheme, credentials.key, certificateVerifyContent('client', transcript.current()));
  ctx.send({ type: HandshakeType.certificate_verify, scheme: SignatureSchemeCode[scheme], signature }, transcript);
}
