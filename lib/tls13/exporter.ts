/**
 * The TLS 1.3 keying material exporter (RFC 8446 §7.5):
 *
 *   TLS-Exporter(label, context_value, key_length) =
 *     HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
 *                       "exporter", Hash(context_value), key_length)
 *
 * exporter_master_secret is Derive-Secret(master secret, "exp master",
 * ClientHello..server Finished) (key-schedule.ts). "No context" is the empty
 * context here (§7.5), unlike TLS 1.2.
 */
import type { HashFunctions } from '../crypto/provider.js';
import { type KeyingMaterialExporter, checkExportContext, checkExportLength, exporterLabel } from '../handshake/keying-material-exporter.js';
import { deriveSecret, hkdfExpandLabel } from './key-schedule.js';

const EMPTY = new Uint8Array(0);
/** HkdfLabel.label is "tls13 " + label in at most 255 bytes. */
const MAX_LABEL = 255 - 'tls13 '.length;

export class Tls13Exporter implements KeyingMaterialExporter {
  constructor(
    private readonly hash: HashFunctions,
    private readonly exporterMasterSecret: Uint8Array,
  ) {}

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (exporterLabel(label).length > MAX_LABEL) throw new RangeError(`a TLS 1.3 exporter label is at most ${MAX_LABEL} bytes`);
    checkExportContext(context);
    // HKDF-Expand makes at most 255 blocks of the hash (RFC 5869 §2.3); HkdfLabel.length is a uint16.
    checkExportLength(length, Math.min(0xffff, 255 * this.hash.outputLength));
    const secret = deriveSecret(this.hash, this.exporterMasterSecret, label, this.hash.digest(EMPTY));
    return hkdfExpandLabel(this.hash, secret, 'exporter', this.hash.digest(context ?? EMPTY), length);
  }
}
