/**
 * The trust stores a Node process has at hand, each built on first use and
 * shared by every connection of the process (a TrustStore parses a root only
 * when a chain names it, so building one costs PEM decoding and a header walk
 * per root, not a parse).
 *
 * - nodeRootStore(): Node's bundled Mozilla roots, `tls.rootCertificates`:
 *   what node:tls trusts when given no `ca`, and so what connectTls trusts.
 * - systemRootStore(): those plus the operating system's bundle, the first of
 *   SYSTEM_BUNDLES that exists (Debian/Ubuntu, RHEL/Fedora, Alpine, SUSE, the
 *   BSDs): a private CA installed with update-ca-certificates is trusted too,
 *   as curl and openssl trust it. $SSL_CERT_FILE, when set, names the bundle
 *   instead (OpenSSL's variable). The `rxtls client` CLI uses this one.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { TrustStore } from '../x509/trust-store.js';

/** System CA bundle files, most common first. */
export const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
  '/etc/ssl/ca-bundle.pem',
  '/usr/local/share/certs/ca-root-nss.crt',
] as const;

let nodeRoots: TrustStore | undefined;
let systemRoots: { store: TrustStore; bundle: string | undefined } | undefined;

/** Node's bundled roots (`tls.rootCertificates`) as one TrustStore for the whole process. */
export function nodeRootStore(): TrustStore {
  return (nodeRoots ??= new TrustStore(rootCertificates.map(pemToDer)));
}

/** The CERTIFICATE blocks of a bundle (OpenSSL's "TRUSTED CERTIFICATE" blocks carry trust settings we cannot honour: skipped). */
function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/** One PEM certificate to DER with Buffer's native base64 (several times faster than the portable decoder on ~150 roots). */
function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/** nodeRootStore() plus the system bundle when one exists; `bundle` names the file used. */
export function systemRootStore(): { store: TrustStore; bundle: string | undefined } {
  if (systemRoots) return systemRoots;
  const fromEnv = process.env['SSL_CERT_FILE'];
  for (const bundle of fromEnv ? [fromEnv] : SYSTEM_BUNDLES) {
    const text = readBundle(bundle);
    if (text !== undefined) return (systemRoots = { store: nodeRootStore().with(pemBlocks(text).map(pemToDer)), bundle });
  }
  return (systemRoots = { store: nodeRootStore(), bundle: undefined });
}

/** The file's text, or undefined when it is missing, unreadable or holds no certificate. */
function readBundle(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'latin1');
    return text.includes('-----BEGIN CERTIFICATE-----') ? text : undefined;
  } catch {
    return undefined;
  }
}
