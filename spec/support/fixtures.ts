/** Test certificates and keys from spec/fixtures (see its README). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export const fixture = (name: string) => readFileSync(fixturePath(name), 'utf8');

export type CertKind = 'p256' | 'p384' | 'ed25519';
export const serverIdentity = (kind: CertKind) => ({ cert: fixture(`server-${kind}.pem`), key: fixture(`server-${kind}.key`) });
export const caPem = () => fixture('ca.pem');
