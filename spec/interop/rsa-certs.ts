/**
 * Certificates for the RSA interop specs, made with the openssl CLI once per
 * spec file (RSA key generation is slow): an RSA root, RSA leaves of 2048,
 * 3072 and 4096 bits, an RSASSA-PSS leaf signed with PSS, an ECDSA leaf under
 * the RSA root, a P-521 leaf under a P-384 root signed with SHA-512, and the
 * refused ones: a 1024-bit leaf and a SHA-1-signed leaf.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type LeafName = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'rsaPss' | 'ecUnderRsa' | 'p521' | 'rsa1024' | 'sha1';

export interface RsaPki {
  readonly dir: string;
  /** PEM of the roots (the RSA one and the P-384 one), for `ca` / -CAfile. */
  readonly caFile: string;
  readonly ca: string;
  readonly leaves: Record<LeafName, { certFile: string; keyFile: string; cert: string; key: string }>;
  remove(): void;
}

const openssl = (dir: string, ...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

const LEAF_EXT = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n';

/** A self-signed root from `keyArgs` (genpkey arguments), signed with `digest`. */
function root(dir: string, name: string, keyArgs: string[], digest: string): void {
  openssl(dir, 'genpkey', ...keyArgs, '-out', `${name}.key`);
  openssl(dir, 'req', '-new', '-x509', '-key', `${name}.key`, '-out', `${name}.pem`, '-days', '30', `-${digest}`, '-subj', `/CN=rxtls ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
}

/** A leaf for localhost / 127.0.0.1 from `keyArgs`, signed by `issuer` with `signArgs` (e.g. ['-sha384'], PSS -sigopt). */
function leaf(dir: string, name: string, keyArgs: string[], issuer: string, signArgs: string[]): void {
  openssl(dir, 'genpkey', ...keyArgs, '-out', `${name}.key`);
  openssl(dir, 'req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=rxtls ${name}`);
  writeFileSync(join(dir, 'leaf.ext'), LEAF_EXT);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`,
    '-days', '30', '-extfile', 'leaf.ext', ...signArgs);
}

const rsa = (bits: number) => ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`];
const PSS_SHA256 = ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-sigopt', 'rsa_mgf1_md:sha256'];

export function makeRsaPki(): RsaPki {
  const dir = mkdtempSync(join(tmpdir(), 'rxtls-rsa-'));
  root(dir, 'rsa-root', rsa(3072), 'sha256');
  root(dir, 'p384-root', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'sha384');
  leaf(dir, 'rsa2048', rsa(2048), 'rsa-root', ['-sha256']);
  leaf(dir, 'rsa3072', rsa(3072), 'rsa-root', ['-sha384']);
  leaf(dir, 'rsa4096', rsa(4096), 'rsa-root', ['-sha512']);
  leaf(dir, 'rsaPss', ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'], 'rsa-root', PSS_SHA256);
  leaf(dir, 'ecUnderRsa', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'rsa-root', ['-sha256']);
  leaf(dir, 'p521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'p384-root', ['-sha512']);
  leaf(dir, 'rsa1024', rsa(1024), 'rsa-root', ['-sha256']);
  leaf(dir, 'sha1', rsa(2048), 'rsa-root', ['-sha1']);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const ca = read('rsa-root.pem') + read('p384-root.pem');
  writeFileSync(join(dir, 'roots.pem'), ca);
  const names: LeafName[] = ['rsa2048', 'rsa3072', 'rsa4096', 'rsaPss', 'ecUnderRsa', 'p521', 'rsa1024', 'sha1'];
  const leaves = Object.fromEntries(
    names.map((n) => [n, { certFile: join(dir, `${n}.pem`), keyFile: join(dir, `${n}.key`), cert: read(`${n}.pem`), key: read(`${n}.key`) }]),
  ) as RsaPki['leaves'];
  return { dir, caFile: join(dir, 'roots.pem'), ca, leaves, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The same RSA key as PKCS#1 ("RSA PRIVATE KEY"), as `openssl rsa -traditional` writes it. */
export function pkcs1Pem(pki: RsaPki, name: LeafName): string {
  return openssl(pki.dir, 'rsa', '-in', pki.leaves[name].keyFile, '-traditional').toString('utf8');
}
