/**
 * Errors lib/node raises itself, with node-style `code`s so code written for
 * node:tls branches the same way:
 *
 * - `ERR_TLS_UNSUPPORTED_OPTION` (Error): a node:tls option rxtls recognises
 *   but does not support (`ciphers`, `pfx`, `maxVersion: 'TLSv1.2'`, ...); the
 *   message names what to use instead.
 * - `ERR_INVALID_ARG_VALUE` (TypeError): an option name we do not know (a typo
 *   such as `servrname`; the message lists the supported ones) or a bad value.
 * - `ERR_TLS_INVALID_PROTOCOL_VERSION` (TypeError): `minVersion`/`maxVersion`
 *   is not a TLS version name (node's code).
 * - `ABORT_ERR` (AbortError, name 'AbortError'): the `signal` aborted.
 */

export type NodeOptionErrorCode = 'ERR_TLS_UNSUPPORTED_OPTION' | 'ERR_INVALID_ARG_VALUE' | 'ERR_TLS_INVALID_PROTOCOL_VERSION';

/** An option refused: `code` says why (see above). */
export function optionError(code: NodeOptionErrorCode, message: string): Error & { code: NodeOptionErrorCode } {
  const err = code === 'ERR_TLS_UNSUPPORTED_OPTION' ? new Error(message) : new TypeError(message);
  return Object.assign(err, { code });
}

/** Like node's own AbortError: name 'AbortError', code 'ABORT_ERR', the signal's reason as `cause`. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const abortError = (signal: AbortSignal) => new AbortError(undefined, { cause: signal.reason });
