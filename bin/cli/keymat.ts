/**
 * --keymatexport LABEL [--keymatexport-len N]: after the handshake, the
 * keying material exported under LABEL (no context; RFC 5705 / RFC 8446
 * §7.5) as hex on stderr, as openssl's -keymatexport and gnutls's
 * --keymatexport print it.
 */
import type { SecureChannel } from '../../lib/rx/secure-channel.js';
import { type ParsedArgs, UsageError, stringOption } from './args.js';

export const KEYMAT_OPTIONS = ['keymatexport', 'keymatexport-len'] as const;

export interface KeymatRequest {
  label: string;
  length: number;
}

/** The export asked for, or undefined; a length without a label is a usage error. */
export function keymatOption(args: ParsedArgs): KeymatRequest | undefined {
  const label = stringOption(args, 'keymatexport');
  const lengthText = stringOption(args, 'keymatexport-len');
  if (label === undefined) {
    if (lengthText !== undefined) throw new UsageError('--keymatexport-len needs --keymatexport LABEL');
    return undefined;
  }
  const length = lengthText === undefined ? 20 : /^\d{1,5}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 1 && length <= 0xffff)) throw new UsageError(`invalid --keymatexport-len: ${JSON.stringify(lengthText)} (1 to 65535)`);
  return { label, length };
}

/** "keying material: HEX", or why it could not be exported (a reserved label, say). */
export function describeKeymat(channel: SecureChannel, request: KeymatRequest): string {
  try {
    return `keying material: ${Buffer.from(channel.exportKeyingMaterial(request.label, undefined, request.length)).toString('hex')}`;
  } catch (e) {
    return `keying material: cannot export under ${JSON.stringify(request.label)}: ${(e as Error).message}`;
  }
}
