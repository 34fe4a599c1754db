/** Buffer <-> Uint8Array helpers shared by the node:crypto provider. */

/**
 * A plain Uint8Array over a Buffer node:crypto returned. Buffers that own their
 * whole ArrayBuffer (everything node:crypto allocates natively) are wrapped
 * without copying; pooled slices (e.g. Buffer.from(string)) are copied so no
 * caller ever holds a view into node's shared 8 KiB pool.
 *
 * We never hand out Buffers themselves: Buffer#slice is a view, not a copy,
 * which would silently break code written against Uint8Array semantics.
 */
export function own(buffer: Buffer): Uint8Array {
  return buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.length
    ? new Uint8Array(buffer.buffer, 0, buffer.length)
    : new Uint8Array(buffer);
}

export const toBase64url = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');

export const fromBase64url = (text: string | undefined): Uint8Array => {
  if (text === undefined) throw new Error('missing JWK member');
  return own(Buffer.from(text, 'base64url'));
};
