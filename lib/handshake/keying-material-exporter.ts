/**
 * Keying material exporters (RFC 5705, RFC 8446 §7.5): the seam between a
 * finished handshake and `exportKeyingMaterial()`. Each version's Connected
 * state holds one (lib/tls12/exporter.ts, lib/tls13/exporter.ts); the
 * connection asks whatever state it is in, so TLS and DTLS of either version
 * reach the same call without knowing which one ran.
 */

import { TlsError } from '../errors.js';

export interface KeyingMaterialExporter {
  /**
   * `length` bytes bound to this connection's secret, `label` and `context`.
   * TLS 1.2 tells "no context" (undefined) from an empty one; TLS 1.3 does
   * not. Bad arguments (a reserved or non-ASCII label, a length or context
   * the version cannot encode) throw TypeError or RangeError.
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
}

/** A state that holds an exporter: the Connected state of either version. */
export interface HoldsExporter {
  readonly exporter: KeyingMaterialExporter;
}

export function holdsExporter(state: unknown): state is HoldsExporter {
  const e = (state as Partial<HoldsExporter> | undefined)?.exporter;
  return typeof e?.exportKeyingMaterial === 'function';
}

/**
 * What a connection answers to exportKeyingMaterial(): its Connected state's
 * export once the handshake is `done`; before, a usage error (not a
 * protocol failure).
 */
export function exportFromState(state: unknown, done: boolean, label: string, context: Uint8Array | undefined, length: number): Uint8Array {
  if (!done) throw new Error('keying material is exported after the handshake completed');
  if (!holdsExporter(state)) throw new TlsError('internal_error', 'the connected state holds no keying material exporter');
  return state.exporter.exportKeyingMaterial(label, context, length);
}

/** A label's bytes: RFC 5705 §4 labels are ASCII strings, without a length or terminator. */
export function exporterLabel(label: string): Uint8Array {
  if (typeof label !== 'string') throw new TypeError('an exporter label is a string');
  const out = new Uint8Array(label.length);
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c > 0x7f) throw new TypeError(`exporter labels are ASCII (RFC 5705 §4): ${JSON.stringify(label)}`);
    out[i] = c;
  }
  return out;
}

/** A usable output length: a whole number of bytes up to `max`. */
export function checkExportLength(length: number, max: number): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > max) {
    throw new RangeError(`exported keying material is 0 to ${max} bytes, not ${length}`);
  }
}

/** A context, when given, is bytes. */
export function checkExportContext(context: Uint8Array | undefined): void {
  if (context !== undefined && !(context instanceof Uint8Array)) throw new TypeError('an exporter context is a Uint8Array (or undefined)');
}
