/**
 * Certificate hierarchies made with the openssl CLI in a temp directory (ECDSA
 * P-256 keys, SHA-256 signatures; or Ed448/Ed25519 keys signing as themselves), so the specs test chains as a real CA tool
 * encodes them: roots, intermediates with basicConstraints/pathlen/name
 * constraints, cross-signed intermediates (one key, several issuers).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  readonly dir: string;
  /** A new P-256 key; returns its path. */
  key(name: string): string;
  /** A self-signed root CA for `key`; returns the PEM path. */
  root(name: string, cn: string, opts?: { key?: string; ext?: string[] }): string;
  /**
   * A certificate for `key` (default: a key of the same name) issued by
   * `issuer` (a name given to root() or issue()), with the extensions given in
   * openssl config syntax (e.g. 'basicConstraints=critical,CA:TRUE'); returns the PEM path.
   */
  issue(name: string, cn: string, issuer: string, ext: string[], opts?: { key?: string; days?: number }): string;
  pem(name: string): string;
  der(name: string): Uint8Array;
  keyPem(name: string): string;
  cleanup(): void;
}

export const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'];
export const leafExt = (...sans: string[]) => [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  `subjectAltName=${sans.join(',')}`,
];

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** The key type of every key a Pki makes; EdDSA signs with no separate digest (openssl refuses -sha256 for it). */
export type PkiKeyType = 'P-256' | 'ED448' | 'ED25519';

export function makePki(keyType: PkiKeyType = 'P-256'): Pki {
  const digest = keyType === 'P-256' ? ['-sha256'] : [];
  const dir = mkdtempSync(join(tmpdir(), 'rxtls-pki-'));
  const p = (name: string, ext: string) => join(dir, `${name}.${ext}`);
  let serial = 1;
  const keyOf = (name: string, key: string | undefined) => {
    const k = key ?? name;
    try {
      readFileSync(p(k, 'key'));
    } catch {
      pki.key(k);
    }
    return p(k, 'key');
  };
  const pki: Pki = {
    dir,
    key(name) {
      const alg = keyType === 'P-256' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-algorithm', keyType];
      openssl(['genpkey', ...alg, '-out', p(name, 'key')]);
      return p(name, 'key');
    },
    root(name, cn, opts = {}) {
      const extFile = p(name, 'ext');
      writeFileSync(extFile, `[v3]\n${(opts.ext ?? CA_EXT).join('\n')}\n`);
      openssl([
        'req', '-x509', '-new', '-key', keyOf(name, opts.key), '-subj', `/CN=${cn}`, '-days', '3650', ...digest,
        '-set_serial', String(serial++), '-config', extFile, '-extensions', 'v3', '-out', p(name, 'pem'),
      ]);
      if (opts.key) issuerKey.set(name, keyOf(name, opts.key));
      return p(name, 'pem');
    },
    issue(name, cn, issuer, ext, opts = {}) {
      const key = keyOf(name, opts.key);
      const extFile = p(name, 'ext');
      writeFileSync(extFile, `${ext.join('\n')}\nauthorityKeyIdentifier=keyid\n`);
      openssl(['req', '-new', '-key', key, '-subj', `/CN=${cn}`, '-out', p(name, 'csr')]);
      openssl([
        'x509', '-req', '-in', p(name, 'csr'), '-CA', p(issuer, 'pem'), '-CAkey', issuerKey.get(issuer) ?? p(issuer, 'key'),
        '-set_serial', String(serial++), '-days', String(opts.days ?? 3650), ...digest, '-extfile', extFile, '-out', p(name, 'pem'),
      ]);
      if (opts.key) issuerKey.set(name, key);
      return p(name, 'pem');
    },
    pem: (name) => readFileSync(p(name, 'pem'), 'utf8'),
    der: (name) => {
      const b64 = readFileSync(p(name, 'pem'), 'utf8').replace(/-----[A-Z ]+-----|\s/g, '');
      return new Uint8Array(Buffer.from(b64, 'base64'));
    },
    keyPem: (name) => readFileSync(issuerKey.get(name) ?? p(name, 'key'), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  // Certificates issued for another name's key (cross-signed copies) sign with that key.
  const issuerKey = new Map<string, string>();
  return pki;
}

/** 'sha256/BASE64' of a PEM certificate's key, as openssl computes it (the documented recipe). */
export function opensslPin(certPath: string): string {
  const pub = execFileSync('openssl', ['x509', '-in', certPath, '-pubkey', '-noout']);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
  const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
  return `sha256/${digest.toString('base64')}`;
}

/** 'sha-256 AB:CD:...' of a PEM certificate, as openssl prints it (WebRTC's a=fingerprint form). */
export function opensslFingerprint(certPath: string): string {
  const out = execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  return `sha-256 ${out.trim().split('=')[1]}`;
}
