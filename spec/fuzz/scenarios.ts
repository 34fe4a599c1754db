/** The conversations the bad-input fuzzing records and attacks (see rig.ts). */
import { caPem, serverIdentity } from '../support/fixtures.js';
import type { Scenario } from './rig.js';

export const SCENARIOS: Scenario[] = [
  { name: 'x25519, P-256 certificate', seed: 1, client: { serverName: 'localhost', ca: caPem() }, server: serverIdentity('p256') },
  {
    name: 'HelloRetryRequest for a group, ALPN, SNI, P-384, AES-256',
    seed: 2,
    client: { serverName: 'rxtls.test', ca: caPem(), groups: ['x25519', 'secp256r1'], alpn: ['h2', 'http/1.1'] },
    server: { ...serverIdentity('p384'), groups: ['secp256r1'], alpn: ['http/1.1'], suites: ['TLS_AES_256_GCM_SHA384'], tickets: 1 },
  },
  {
    name: 'HelloRetryRequest with a cookie, no compat mode, Ed25519, ChaCha20',
    seed: 3,
    client: { serverName: 'localhost', ca: caPem(), middleboxCompat: false, suites: ['TLS_CHACHA20_POLY1305_SHA256'] },
    server: { ...serverIdentity('ed25519'), helloRetry: 'always', tickets: 3 },
  },
];
