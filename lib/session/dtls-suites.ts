/**
 * DTLS's default cipher suites. RFC 7252 §9.1.3.1 makes
 * TLS_PSK_WITH_AES_128_CCM_8 mandatory for CoAP over DTLS, so a DTLS
 * endpoint with a PSK offers and accepts it by default, after the other
 * suites; over TLS, CCM_8 suites stay off unless named, as in OpenSSL.
 */
import { defaultCryptoProvider } from '../crypto/default-provider.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { defaultTls12Suites } from '../tls13/suite-choice.js';

export const COAP_PSK_SUITE = 'TLS_PSK_WITH_AES_128_CCM_8';

/**
 * The `suites` option a DTLS endpoint resolves with: the user's when given;
 * with a PSK, the TLS 1.2 defaults plus the CoAP suite; otherwise undefined
 * (the TLS 1.2 defaults). `certificate`: whether the endpoint also
 * authenticates with certificates (a server with `cert`, a client with `ca`).
 */
export function dtlsSuites(o: { suites?: readonly string[]; psk?: unknown; crypto?: CryptoProvider }, certificate: boolean): string[] | undefined {
  if (o.suites || !o.psk) return o.suites ? [...o.suites] : undefined;
  const names = defaultTls12Suites(o.crypto ?? defaultCryptoProvider(), { certificate, psk: true }).map((s) => s.name);
  return names.includes(COAP_PSK_SUITE) ? names : [...names, COAP_PSK_SUITE];
}
