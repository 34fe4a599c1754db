/**
 * `--psk IDENTITY:HEX`: a pre-shared key for the TLS 1.2 PSK suites, as
 * openssl's `-psk_identity ID -psk HEX` in one option. The identity is
 * everything before the last colon (hex has none), sent as UTF-8.
 */
import { type ParsedArgs, UsageError, stringOption } from './args.js';

export interface CliPsk {
  identity: string;
  key: Uint8Array;
}

export function pskOption(args: ParsedArgs): CliPsk | undefined {
  const text = stringOption(args, 'psk');
  if (text === undefined) return undefined;
  const colon = text.lastIndexOf(':');
  const identity = colon < 0 ? '' : text.slice(0, colon);
  const hex = text.slice(colon + 1);
  if (!identity) throw new UsageError(`invalid --psk: expected IDENTITY:HEX, got ${JSON.stringify(text)}`);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new UsageError(`invalid --psk: the key ${JSON.stringify(hex)} is not an even number of hex digits`);
  return { identity, key: new Uint8Array(Buffer.from(hex, 'hex')) };
}

/** The server side: the one configured identity has the key, any other is unknown. */
export function pskLookup(psk: CliPsk): (identity: Uint8Array) => Uint8Array | undefined {
  return (identity) => (new TextDecoder().decode(identity) === psk.identity ? psk.key : undefined);
}
