/**
 * Reading the CLI's certificate, key and CA files, with one-line errors that
 * name the option, the file and the problem (exit 1), checked at startup:
 * a missing file, a file that holds no certificate or key, a key that is not
 * the certificate's.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A failure to report in one line on stderr (exit 1): no usage, no stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  EPIPE: 'broken pipe: the reader went away',
  ECONNRESET: 'connection reset by the peer',
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'no such host',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
};

/** "no such file (ENOENT)", or the error's message. */
export function systemReason(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') return `${REASONS[code] ?? (e as Error).message} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

/** The bytes of `file`, given as `--option file`. */
export function readOptionFile(option: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read --${option} ${file}: ${systemReason(e)}`);
  }
}

const isPemBytes = (bytes: Buffer) => bytes.subarray(0, 64).toString('latin1').trimStart().startsWith('-----BEGIN');

/** The first certificate of a PEM file (a chain: the leaf) or a DER file. */
function firstCertificate(option: string, file: string, bytes: Buffer): X509Certificate {
  try {
    if (isPemBytes(bytes) && !bytes.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no CERTIFICATE block');
    return new X509Certificate(bytes);
  } catch {
    throw new CliError(`--${option} ${file} holds no certificate (expected PEM "BEGIN CERTIFICATE" or DER)`);
  }
}

function privateKey(file: string, bytes: Buffer): KeyObject {
  const attempts: Array<() => KeyObject> = isPemBytes(bytes)
    ? [() => createPrivateKey({ key: bytes, format: 'pem' })]
    : [() => createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' }), () => createPrivateKey({ key: bytes, format: 'der', type: 'sec1' })];
  let last: unknown;
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (e) {
      last = e;
    }
  }
  const code = (last as { code?: string })?.code;
  if (code === 'ERR_MISSING_PASSPHRASE') throw new CliError(`--key ${file} is encrypted; give an unencrypted key`);
  throw new CliError(`--key ${file} holds no private key (expected PEM "BEGIN PRIVATE KEY" / "BEGIN EC PRIVATE KEY", or DER)`);
}

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

/**
 * The server's certificate (chain) and key as read, once both parse and the
 * key's public key is the leaf certificate's.
 */
export function loadServerIdentity(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const cert = readOptionFile('cert', certFile);
  const key = readOptionFile('key', keyFile);
  const leaf = firstCertificate('cert', certFile, cert);
  const publicKey = createPublicKey(privateKey(keyFile, key));
  if (!spki(publicKey).equals(spki(leaf.publicKey))) {
    throw new CliError(`--key ${keyFile} does not match the certificate in --cert ${certFile} (their public keys differ)`);
  }
  return { cert, key };
}

/** The trusted roots of `--ca file` as read, once it holds at least one certificate. */
export function loadCa(file: string): Buffer {
  const ca = readOptionFile('ca', file);
  firstCertificate('ca', file, ca);
  return ca;
}
