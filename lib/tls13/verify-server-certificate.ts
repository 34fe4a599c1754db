/**
 * The client's check of the server's Certificate message, shared by TLS 1.3
 * and TLS 1.2 (and DTLS 1.2): chain validation against the trust store (with
 * pins), or the WebRTC-style fingerprint instead, or nothing when the user
 * turned verification off.
 */
import type { Certificate } from '../x509/certificate.js';
import { parseCertificate } from '../x509/certificate.js';
import { checkFingerprint } from '../x509/pins.js';
import { verifyServerChain } from '../x509/verify-chain.js';
import type { ClientConfig } from './config.js';

/** The parsed leaf, once the server is authenticated as configured. Throws TlsError. */
export function verifyServerCertificate(config: ClientConfig, chain: readonly Uint8Array[]): Certificate {
  if (!config.verify) return parseCertificate(chain[0]!);
  if (config.fingerprints) {
    // Hash the bytes before parsing them: an unexpected certificate is refused without decoding it.
    checkFingerprint(chain[0]!, config.fingerprints, config.crypto);
    return parseCertificate(chain[0]!);
  }
  return verifyServerChain(chain, {
    roots: config.roots,
    date: config.date(),
    serverName: config.serverName,
    crypto: config.crypto,
    pins: config.pins,
  });
}
