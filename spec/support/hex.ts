/** Bytes from hex text, whitespace ignored (test vectors are written spread over lines). */
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
