/**
 * Real TLS clients for the TLS 1.2 server interop spec: openssl s_client at
 * a chosen version (peers.ts's runOpensslClient always passes -tls1_3),
 * with a handle to write to it mid-connection (s_client's R command), and
 * name tables between us, openssl, node:tls and GnuTLS for the 1.2 suites.
 */
import type { GroupName } from '../../lib/crypto/provider.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { type ExecResult, type TrackedProcess, matches, spawnTracked, withTimeout } from './proc.js';
import type { ClientRunOptions } from './peers.js';

export const TLS12_SUITE_NAMES: Tls12SuiteName[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
];

/** OpenSSL's names (s_client -cipher, node's getCipher().name). */
export const OPENSSL_SUITE: Record<Tls12SuiteName, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/** GnuTLS's cipher names (priority strings and its "- Description:" line). */
export const GNUTLS_CIPHER: Record<Tls12SuiteName, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
};
export const GNUTLS_GROUP: Record<GroupName, string> = { x25519: 'X25519', secp256r1: 'SECP256R1', secp384r1: 'SECP384R1' };

/** A GnuTLS priority string for TLS 1.2 only, optionally one suite's cipher and some groups; `extra` is appended (e.g. ':%NO_SESSION_HASH'). */
export function gnutlsTls12Priority(suite?: Tls12SuiteName, groupList?: GroupName[], extra = ''): string {
  const cipher = suite ? `:-CIPHER-ALL:+${GNUTLS_CIPHER[suite]}` : '';
  const groups = groupList ? `:-GROUP-ALL${groupList.map((g) => `:+GROUP-${GNUTLS_GROUP[g]}`).join('')}` : '';
  return `NORMAL:-VERS-ALL:+VERS-TLS1.2${cipher}${groups}${extra}`;
}

export type ClientVersion = 'TLSv1.2' | 'TLSv1.3' | 'any';

const VERSION_FLAG: Record<ClientVersion, string[]> = { 'TLSv1.2': ['-tls1_2'], 'TLSv1.3': ['-tls1_3'], any: [] };

export interface RunningClient {
  readonly process: TrackedProcess;
  /** Resolves when the client exits (rejects with ExecTimeoutError after timeoutMs). */
  readonly result: Promise<ExecResult>;
  write(data: string | Uint8Array): void;
  /** EOF on stdin: s_client sends close_notify and exits. */
  end(): void;
}

/**
 * `openssl s_client -connect 127.0.0.1:PORT [-tls1_2|-tls1_3] ...`, stdin
 * kept open as peers.ts does (EOF once `closeWhen` appears on stdout). With
 * `commands`, lines starting with R, Q, k, K are s_client commands.
 */
export function startOpensslClient(version: ClientVersion, opts: ClientRunOptions & { commands?: boolean }): RunningClient {
  const argv = [
    'openssl', 's_client',
    '-connect', `${opts.host ?? '127.0.0.1'}:${opts.port}`,
    ...VERSION_FLAG[version],
    ...(opts.commands ? [] : ['-nocommands']),
    ...(opts.args ?? []),
  ];
  const t = spawnTracked(argv);
  if (opts.input !== undefined) t.proc.stdin!.write(opts.input);
  if (opts.closeWhen !== undefined) {
    const pattern = opts.closeWhen;
    const onData = (): void => {
      if (!matches(t.stdout(), pattern)) return;
      t.proc.stdout!.off('data', onData);
      t.proc.stdin!.end();
    };
    t.proc.stdout!.on('data', onData);
  }
  return {
    process: t,
    result: withTimeout(t, argv, opts.timeoutMs),
    write: (data) => void t.proc.stdin!.write(data),
    end: () => void t.proc.stdin!.end(),
  };
}

export function runOpensslClientAt(version: ClientVersion, opts: ClientRunOptions & { commands?: boolean }): Promise<ExecResult> {
  return startOpensslClient(version, opts).result;
}
