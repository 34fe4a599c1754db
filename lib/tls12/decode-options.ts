/**
 * What the TLS 1.2 message decoders need from the negotiated suite: the
 * key exchange that shapes ServerKeyExchange and ClientKeyExchange bodies,
 * and the Finished length. One function for every connection flavour (TLS
 * here, DTLS 1.2 too), so that they read the same suites the same way.
 */
import { TLS12_VERIFY_DATA_LENGTH, type Tls12DecodeContext } from '../wire/tls12-messages.js';
import { TLS12_SUITES } from './suites.js';

/**
 * The decode options under the suite named `suiteName` (SessionInfo.suite).
 * Before a suite is chosen no key-exchange message can be expected (the
 * states refuse it from its header), so any key exchange will do: ECDHE.
 */
export function tls12DecodeOptions(suiteName: string | undefined): Tls12DecodeContext {
  const suite = suiteName === undefined ? undefined : TLS12_SUITES.find((s) => s.name === suiteName);
  return { kx: suite?.kx ?? 'ecdhe', verifyDataLength: TLS12_VERIFY_DATA_LENGTH };
}
