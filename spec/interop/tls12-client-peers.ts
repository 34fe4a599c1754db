/**
 * Real TLS clients for the TLS 1.2 server interop spec: openssl s_client at
 * a chosen version (peers.ts's runOpensslClient always passes -tls1_3),
 * with a handle to write to it mid-connection (s_client's R command), and
 * name tables between us, openssl, node:tls and GnuTLS for the 1.2 suites.
 */
import { type ExecResult, type TrackedProcess, matches, spawnTracked, withTimeout } from './proc.js';
import type { ClientRunOptions } from './peers.js';

export { GNUTLS_GROUP, TLS12_SUITE_NAMES, gnutlsTls12Priority } from './tls12-peers.js';

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
