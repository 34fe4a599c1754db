/**
 * Client certificates for the mutual-TLS interop specs, made with the openssl
 * CLI (openssl-pki.ts): a client root, an intermediate under it, an ECDSA
 * P-256 and an RSA-2048 client leaf (extendedKeyUsage clientAuth) under the
 * intermediate, and a stranger under another root. Chains are written leaf
 * first, intermediate second, as clients send them.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA_EXT, makePki, type Pki } from '../support/openssl-pki.js';

export const CLIENT_EXT = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];

export type ClientKind = 'ecdsa' | 'rsa';

export interface ClientIdentity {
  /** The CN of the leaf. */
  cn: string;
  /** PEM: leaf then intermediate. */
  chain: string;
  key: string;
  chainFile: string;
  leafFile: string;
  intermediateFile: string;
  keyFile: string;
}

export interface ClientPki {
  /** The client root (PEM) and its file: the server's `ca` / -CAfile. */
  root: string;
  rootFile: string;
  clients: Record<ClientKind, ClientIdentity>;
  /** A clientAuth leaf under a root no server trusts (self-contained: leaf only). */
  stranger: ClientIdentity;
  cleanup(): void;
}

function identity(pki: Pki, name: string, cn: string, issuer: string, intermediate?: string): ClientIdentity {
  const leafFile = pki.issue(name, cn, issuer, CLIENT_EXT);
  const chain = pki.pem(name) + (intermediate ? pki.pem(intermediate) : '');
  const chainFile = join(pki.dir, `${name}-chain.pem`);
  writeFileSync(chainFile, chain);
  return { cn, chain, key: pki.keyPem(name), chainFile, leafFile, intermediateFile: intermediate ? join(pki.dir, `${intermediate}.pem`) : leafFile, keyFile: join(pki.dir, `${name}.key`) };
}

export function makeClientPki(): ClientPki {
  const pki = makePki();
  const rootFile = pki.root('client-root', 'rxtls client root');
  pki.issue('client-int', 'rxtls client intermediate', 'client-root', CA_EXT);
  // issue() uses an existing key file of the leaf's name: an RSA one here.
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(pki.dir, 'bob.key')], { stdio: 'ignore' });
  const clients = {
    ecdsa: identity(pki, 'alice', 'alice', 'client-int', 'client-int'),
    rsa: identity(pki, 'bob', 'bob', 'client-int', 'client-int'),
  };
  pki.root('stranger-root', 'rxtls stranger root');
  const stranger = identity(pki, 'mallory', 'mallory', 'stranger-root');
  return { root: pki.pem('client-root'), rootFile, clients, stranger, cleanup: () => pki.cleanup() };
}
