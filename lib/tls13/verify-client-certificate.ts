/**
 * The server's check of a client's Certificate (mutual TLS), shared by TLS
 * 1.3 (handshake and post-handshake) and TLS 1.2 (and DTLS 1.2): path
 * validation against the `ca` anchors with clientAuth as the purpose, then
 * node's rule: with `rejectUnauthorized` a client without a certificate that
 * verifies fails, without it the client is let in and `info.authorized` says
 * what we found.
 */
import type { PublicKey } from '../crypto/provider.js';
import { type AlertName, TlsError } from '../errors.js';
import { parseCertificate } from '../x509/certificate.js';
import { verifyServerChain } from '../x509/verify-chain.js';
import type { ServerConfig } from './config.js';
import type { Context } from './context.js';

/**
 * The client's public key, to check its CertificateVerify with; undefined for
 * an empty Certificate that the policy lets in. `missing` is the alert for a
 * missing certificate: certificate_required in TLS 1.3 (RFC 8446 §4.4.2.4),
 * handshake_failure in TLS 1.2 (RFC 5246 §7.4.6).
 */
export function verifyClientCertificate(ctx: Context<ServerConfig>, chain: readonly Uint8Array[], missing: AlertName): PublicKey | undefined {
  const policy = ctx.config.clientAuth!;
  const { info } = ctx;
  info.peerCertificates = chain.map((c) => c.slice());
  if (chain.length === 0) {
    if (policy.rejectUnauthorized) throw new TlsError(missing, 'client sent no certificate');
    Object.assign(info, { authorized: false, authorizationError: 'ERR_TLS_NO_CLIENT_CERTIFICATE' });
    return undefined;
  }
  try {
    const leaf = verifyServerChain(chain, { roots: policy.roots, date: ctx.config.date(), crypto: ctx.config.crypto, purpose: 'client' });
    Object.assign(info, { authorized: true, authorizationError: undefined });
    return leaf.publicKey!;
  } catch (e) {
    if (!(e instanceof TlsError) || policy.rejectUnauthorized) throw e;
    Object.assign(info, { authorized: false, authorizationError: e.code });
    return keyOf(chain[0]!);
  }
}

/** An unverified client still proves it holds its leaf's key (CertificateVerify). */
function keyOf(der: Uint8Array): PublicKey {
  const leaf = parseCertificate(der);
  if (!leaf.publicKey) throw new TlsError('unsupported_certificate', `client certificate key is ${leaf.publicKeyAlgorithm}, which is not supported`);
  return leaf.publicKey;
}
