/**
 * Client: answering a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4, §7.4.6,
 * §7.4.8), stream or datagram alike: a certificate of a type the server
 * takes, signed with an algorithm of its list, or an empty Certificate.
 */
import type { PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import type { Credentials } from '../../tls13/client-auth-config.js';
import type { ClientConfig } from '../../tls13/config.js';
import type { Context } from '../../tls13/context.js';
import type { Transcript } from '../../tls13/transcript.js';
import { HandshakeType, SignatureSchemeCode, nameOf } from '../../wire/enums.js';
import { ClientCertificateType } from '../../wire/tls12-enums.js';
import { type Tls12CertificateRequest, encodeTls12Handshake } from '../../wire/tls12-messages.js';
import { chooseTls12Scheme, tls12Sign } from '../signature.js';

export interface Tls12ClientAuthAnswer {
  /** Undefined: an empty Certificate and no CertificateVerify. */
  credentials?: Credentials;
  scheme?: SignatureSchemeName;
}

/** ClientCertificateType of a key: ECDSA and EdDSA sign as ecdsa_sign (RFC 8422 §5.5), RSA as rsa_sign. */
function certificateType(key: PublicKey): number {
  return key.kind === 'rsa' ? ClientCertificateType.rsa_sign : ClientCertificateType.ecdsa_sign;
}

export function answerTls12CertificateRequest(config: ClientConfig, msg: Tls12CertificateRequest): Tls12ClientAuthAnswer {
  const signatureSchemes = msg.signatureAlgorithms.map((c) => nameOf(SignatureSchemeCode, c)).filter((n) => n !== undefined) as string[];
  const credentials = config.clientCertificate?.({ authorities: msg.certificateAuthorities, signatureSchemes });
  if (!credentials || !msg.certificateTypes.includes(certificateType(credentials.publicKey))) return {};
  const scheme = chooseTls12Scheme(config.signatureSchemes, msg.signatureAlgorithms, (s) => SignatureSchemeCode[s], credentials.publicKey);
  // A certificate the server could not check our signature for would only fail there.
  return scheme ? { credentials, scheme } : {};
}

/** Our Certificate; ClientKeyExchange goes between it and sendTls12CertificateVerify. */
export function sendTls12ClientCertificate(ctx: Context<ClientConfig>, answer: Tls12ClientAuthAnswer, transcript: Transcript): void {
  ctx.sendEncoded(encodeTls12Handshake({ type: HandshakeType.certificate, certificates: answer.credentials?.chain ?? [] }), transcript);
}

/** RFC 5246 §7.4.8: a signature over every handshake message so far (the transcript kept them). */
export function sendTls12CertificateVerify(ctx: Context<ClientConfig>, answer: Tls12ClientAuthAnswer, transcript: Transcript): void {
  const { credentials, scheme } = answer;
  if (!credentials || !scheme) return;
  const signature = tls12Sign(ctx.config.crypto, scheme, credentials.key, transcript.messages());
  ctx.sendEncoded(encodeTls12Handshake({ type: HandshakeType.certificate_verify, scheme: SignatureSchemeCode[scheme], signature }), transcript);
}
