/**
 * The TLS 1.2 keying material exporter (RFC 5705 §4):
 *
 *   PRF(master_secret, label, client_random + server_random
 *       [+ context_value_length + context_value])[length]
 *
 * with the suite's PRF hash. No context and an empty one give different
 * output: the empty one still adds its uint16 length of 0.
 *
 * RFC 7627 §5.4: without the extended master secret, a session's master
 * secret may equal another's (the triple handshake), so material exported
 * from it does not authenticate the connection; our sessions have EMS unless
 * the user allowed legacy peers (SessionInfo.extendedMasterSecret says so).
 */
import type { CryptoProvider, HashFunctions } from '../crypto/provider.js';
import { type KeyingMaterialExporter, checkExportContext, checkExportLength, exporterLabel } from '../handshake/keying-material-exporter.js';
import { concatBytes } from '../wire/codec.js';
import { prf } from './prf.js';
import type { Tls12SessionKeys } from './session-keys.js';

/**
 * Labels TLS itself feeds to the PRF (RFC 5705 §4 and the IANA TLS Exporter
 * Labels registry): an export under one of them could reproduce a
 * handshake secret. Like OpenSSL, a label that merely starts with one is
 * refused too.
 */
const RESERVED_LABELS = ['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret'];

/** The most we export at once: far above any use (SRTP takes 60 bytes), far below a mistaken allocation. */
export const MAX_TLS12_EXPORT = 0xffff;

export class Tls12Exporter implements KeyingMaterialExporter {
  constructor(
    private readonly hash: HashFunctions,
    private readonly master: Uint8Array,
    private readonly clientRandom: Uint8Array,
    private readonly serverRandom: Uint8Array,
  ) {}

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    exporterLabel(label); // ASCII, else TypeError
    const reserved = RESERVED_LABELS.find((r) => label.startsWith(r));
    if (reserved) throw new TypeError(`exporter label ${JSON.stringify(label)} is reserved for TLS itself ("${reserved}", RFC 5705 §4)`);
    checkExportContext(context);
    checkExportLength(length, MAX_TLS12_EXPORT);
    return prf(this.hash, this.master, label, this.seed(context), length);
  }

  private seed(context: Uint8Array | undefined): Uint8Array {
    if (context === undefined) return concatBytes(this.clientRandom, this.serverRandom);
    if (context.length > 0xffff) throw new RangeError(`an exporter context is at most 65535 bytes in TLS 1.2, not ${context.length}`);
    return concatBytes(this.clientRandom, this.serverRandom, Uint8Array.of(context.length >>> 8, context.length & 0xff), context);
  }
}

/** The exporter of a finished session: its master secret, randoms and PRF hash. */
export function tls12Exporter(crypto: CryptoProvider, keys: Tls12SessionKeys): Tls12Exporter {
  return new Tls12Exporter(crypto.hash(keys.suite.hash), keys.master, keys.clientRandom, keys.serverRandom);
}
