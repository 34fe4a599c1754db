/**
 * What the TLS 1.2 message decoders need from the negotiated suite: the
 * key exchange that shapes ServerKeyExchange and ClientKeyExchange bodies,
 * and the Finished length. One function for every connection flavour (TLS
 * here, DTLS 1.2 too), so that they read the same suites the same way.
 */
import { TLS12_VERIFY_DATA_LENGTH, type Tls12DecodeContext } from '../wire/tls12-messages.js';
import { TLS12_SUITES } from './suites.js';
import type { SessionInfo } from '../handshake/session-info.js';

/**
 * The decode options under the negotiated suite (SessionInfo.suite) and
 * certificate type. Before a suite is chosen no key-exchange message can be
 * expected (the states refuse it from its header), so any key exchange will
 * do: ECDHE. A peer's Certificate is read in the RFC 7250 form once its
 * type was negotiated as RawPublicKey (SessionInfo.peerCertificateType).
 */
export function tls12DecodeOptions(suiteName: string | undefined, peerCertificateType?: SessionInfo['peerCertificateType']): Tls12DecodeContext {
  const suite = suiteName === undefined ? undefined : TLS12_SUITES.find((s) => s.name === suiteName);
  const options: Tls12DecodeContext = { kx: suite?.kx ?? 'ecdhe', verifyDataLength: TLS12_VERIFY_DATA_LENGTH };
  if (peerCertificateType === 'RawPublicKey') options.rawPublicKey = true;
  return options;
}
