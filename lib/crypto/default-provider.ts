/**
 * The provider a config falls back on when it names none. The protocol core
 * depends on the CryptoProvider interface only; which implementation is the
 * default is chosen where the package is entered: `rxtls` sets @noble's
 * (lib/index.ts), and connectTls/listenTls name it themselves (lib/node).
 */
import type { CryptoProvider } from './provider.js';

let fallback: CryptoProvider | undefined;

/** Makes `provider` the one used by configs without `crypto`. */
export function setDefaultCryptoProvider(provider: CryptoProvider): void {
  fallback = provider;
}

/** The provider for a config that names none; throws when no entry point set one. */
export function defaultCryptoProvider(): CryptoProvider {
  if (!fallback) throw new Error("no crypto provider: pass `crypto` (nobleCrypto from 'rxtls', nodeCrypto from 'rxtls/node'), or import 'rxtls' once");
  return fallback;
}
