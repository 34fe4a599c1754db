import { TlsError } from '../errors.js';
import type { SessionInfo } from '../session/contract.js';

/**
 * Runs a channel's `verify` hook on a finished handshake. When the hook
 * returns or throws an Error, the session is aborted with bad_certificate
 * (the peer learns why, as a failed chain check would tell it) and that
 * Error is returned for the channel to fail with; otherwise undefined.
 *
 * @example
 * const rejected = vetHandshake(session, options.verify);
 * if (rejected) return fail(rejected.error);
 */
export function vetHandshake(
  session: { readonly info: SessionInfo; abort?(reason: TlsError): void },
  verify: ((info: SessionInfo) => Error | undefined | void) | undefined,
): { error: unknown } | undefined {
  try {
    const veto = verify?.(session.info);
    if (veto) throw veto;
    return undefined;
  } catch (err) {
    session.abort?.(new TlsError('bad_certificate', `rejected by the verify hook: ${(err as Error)?.message ?? err}`, false, 'CERT_REJECTED', { cause: err }));
    return { error: err };
  }
}
