/**
 * Which cipher suites an endpoint offers or accepts: the ones named in
 * `suites` (checked against how the endpoint authenticates), or the
 * defaults of its provider, fastest AEAD first. Part of config resolution
 * (config.ts), apart so that DTLS can build on the TLS 1.2 defaults.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { type CipherSuite, SUITES } from './suites.js';
import { type Tls12CipherSuite, TLS12_SUITES, isPskSuite } from '../tls12/suites.js';

/** The suites of `table` the provider implements, in its order of AEAD preference (its fastest first). */
export function defaultSuites<S extends { aead: CryptoProvider['aeads'][number] }>(crypto: CryptoProvider, table: readonly S[]): S[] {
  const rank = (s: S) => crypto.aeads.indexOf(s.aead);
  return table.filter((s) => rank(s) >= 0).sort((a, b) => rank(a) - rank(b));
}

/** Splits the named suites by version, keeping their order; an unknown name is an error. */
export function namedSuites(names: readonly string[]): { tls13: CipherSuite[]; tls12: Tls12CipherSuite[] } {
  const tls13: CipherSuite[] = [];
  const tls12: Tls12CipherSuite[] = [];
  for (const name of names) {
    const s13 = SUITES.find((s) => s.name === name);
    const s12 = TLS12_SUITES.find((s) => s.name === name);
    if (s13) tls13.push(s13);
    else if (s12) tls12.push(s12);
    else throw new Error(`unknown cipher suite ${name}`);
  }
  return { tls13, tls12 };
}

/** How this endpoint can authenticate: with certificates (TLS 1.3 and the ECDSA suites), with a PSK (the PSK suites), or both. */
export interface Authenticators {
  certificate: boolean;
  psk: boolean;
  /** The hash of a client's TLS 1.3 PSK (a server's PSKs may have either). */
  pskHash?: 'sha256' | 'sha384';
}

/** Named suites this endpoint cannot run are a configuration error, not something to drop silently. */
export function checkNamedSuites(named: { tls13: CipherSuite[]; tls12: Tls12CipherSuite[] }, auth: Authenticators, role: 'client' | 'server'): void {
  const needsPsk = named.tls12.find((s) => isPskSuite(s));
  if (needsPsk && !auth.psk) throw new Error(`${needsPsk.name} needs the \`psk\` option`);
  // TLS 1.3 suites run with an external PSK too.
  const needsCertificate = (auth.psk ? undefined : named.tls13[0]) ?? named.tls12.find((s) => !isPskSuite(s));
  if (needsCertificate && !auth.certificate) {
    throw new Error(`${needsCertificate.name} needs ${role === 'server' ? 'a certificate (`cert` and `key`)' : '`ca` to verify the server (or dangerouslySkipCertificateVerification)'}`);
  }
}

/** The default TLS 1.2 suites: the certificate ones first (as before PSK existed), then the PSK ones, each in the provider's AEAD order. */
export function defaultTls12Suites(crypto: CryptoProvider, auth: Authenticators): Tls12CipherSuite[] {
  const certificate = auth.certificate ? defaultSuites(crypto, TLS12_SUITES.filter((s) => !isPskSuite(s))) : [];
  const psk = auth.psk ? defaultSuites(crypto, TLS12_SUITES.filter(isPskSuite)) : [];
  return [...certificate, ...psk];
}

