/** The TLS 1.3 cipher suites we implement (RFC 8446 §B.4). */
import type { AeadName, HashName } from '../crypto/provider.js';
import { AES_GCM_RECORD_LIMIT, CHACHA_RECORD_LIMIT } from '../record/limits.js';

export type SuiteName = 'TLS_AES_128_GCM_SHA256' | 'TLS_AES_256_GCM_SHA384' | 'TLS_CHACHA20_POLY1305_SHA256';

export interface CipherSuite {
  name: SuiteName;
  code: number;
  aead: AeadName;
  hash: HashName;
  keyLength: number;
  /** Records per key before a KeyUpdate is due (RFC 8446 §5.5). */
  recordLimit: number;
}

export const SUITES: readonly CipherSuite[] = [
  { name: 'TLS_AES_128_GCM_SHA256', code: 0x1301, aead: 'aes-128-gcm', hash: 'sha256', keyLength: 16, recordLimit: AES_GCM_RECORD_LIMIT },
  { name: 'TLS_AES_256_GCM_SHA384', code: 0x1302, aead: 'aes-256-gcm', hash: 'sha384', keyLength: 32, recordLimit: AES_GCM_RECORD_LIMIT },
  { name: 'TLS_CHACHA20_POLY1305_SHA256', code: 0x1303, aead: 'chacha20-poly1305', hash: 'sha256', keyLength: 32, recordLimit: CHACHA_RECORD_LIMIT },
];

export function suiteByCode(code: number): CipherSuite | undefined {
  return SUITES.find((s) => s.code === code);
}

export function suiteByName(name: string): CipherSuite {
  const s = SUITES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown cipher suite ${name}`);
  return s;
}
