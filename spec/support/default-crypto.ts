/**
 * Specs import the core directly, not through the `rxtls` entry that sets
 * the default crypto provider: mocha loads this first (.mocharc.json) to do
 * what that entry does.
 */
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { setDefaultCryptoProvider } from '../../lib/crypto/default-provider.js';

setDefaultCryptoProvider(nobleCrypto);
