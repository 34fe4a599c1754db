/**
 * Hostile TLS 1.3 hellos built byte by byte, independently of lib/wire (whose
 * encoders would refuse the lengths we want to lie about), and the PSK binder
 * computed with node:crypto straight from RFC 8446 §4.2.11.2 and §7.1, so the
 * oracle does not share code with what it checks. Used by the pre_shared_key
 * and key-share fuzzing specs.
 */
import { createHash, createHmac } from 'node:crypto';

export const u8 = (n: number) => Uint8Array.of(n & 0xff);
export const u16 = (n: number) => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
export const u24 = (n: number) => Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
export const u32 = (n: number) => Uint8Array.of((n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
export const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
/** opaque<..> with a 1- or 2-byte length (the true one). */
export const vec1 = (b: Uint8Array) => cat(u8(b.length), b);
export const vec2 = (b: Uint8Array) => cat(u16(b.length), b);

/** Extension type codes (RFC 8446 §4.2). */
export const EXT = { server_name: 0, supported_groups: 10, signature_algorithms: 13, pre_shared_key: 41, supported_versions: 43, psk_key_exchange_modes: 45, key_share: 51 } as const;
/** Group codes: x25519, secp256r1, X25519MLKEM768. */
export const GROUP = { x25519: 0x001d, secp256r1: 0x0017, X25519MLKEM768: 0x11ec } as const;
/** The share sizes the groups require (RFC 8446 §4.2.8.2, draft-ietf-tls-ecdhe-mlkem). */
export const CLIENT_SHARE = { [GROUP.x25519]: 32, [GROUP.secp256r1]: 65, [GROUP.X25519MLKEM768]: 1216 } as Record<number, number>;
export const SERVER_SHARE = { [GROUP.x25519]: 32, [GROUP.secp256r1]: 65, [GROUP.X25519MLKEM768]: 1120 } as Record<number, number>;

export interface RawExtension {
  type: number;
  body: Uint8Array;
}
export const ext = (type: number, body: Uint8Array): RawExtension => ({ type, body });
const encodeExtensions = (exts: readonly RawExtension[]) => vec2(cat(...exts.map((e) => cat(u16(e.type), vec2(e.body)))));

export const serverNameExt = (host: string) => ext(EXT.server_name, vec2(cat(u8(0), vec2(new TextEncoder().encode(host)))));
export const supportedVersionsExt = () => ext(EXT.supported_versions, vec1(u16(0x0304)));
export const supportedGroupsExt = (groups: number[]) => ext(EXT.supported_groups, vec2(cat(...groups.map(u16))));
export const sigAlgsExt = () => ext(EXT.signature_algorithms, vec2(cat(u16(0x0403), u16(0x0807))));
export const keyShareExt = (shares: Array<{ group: number; key: Uint8Array }>) => ext(EXT.key_share, vec2(cat(...shares.map((s) => cat(u16(s.group), vec2(s.key))))));
export const pskModesExt = (modes: number[]) => ext(EXT.psk_key_exchange_modes, vec1(Uint8Array.from(modes)));

/** A ClientHello handshake message (4-byte header included) offering TLS_AES_128_GCM_SHA256 only. */
export function clientHello(extensions: readonly RawExtension[], random = new Uint8Array(32).fill(1)): Uint8Array {
  const body = cat(u16(0x0303), random, vec1(new Uint8Array(0)), vec2(u16(0x1301)), vec1(u8(0)), encodeExtensions(extensions));
  return cat(u8(1), u24(body.length), body);
}

/** Handshake bytes as plaintext handshake records of at most 2^14 bytes each. */
export function records(handshake: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  for (let i = 0; i < handshake.length; i += 16384) {
    const frag = handshake.subarray(i, i + 16384);
    out.push(cat(Uint8Array.of(22, 3, 1), u16(frag.length), frag));
  }
  return cat(...out);
}

// --- the binder, RFC 8446 §7.1 with SHA-256 ---

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const hmac = (key: Uint8Array, data: Uint8Array) => new Uint8Array(createHmac('sha256', key).update(data).digest());
function expandLabel(secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const info = cat(u16(length), vec1(new TextEncoder().encode(`tls13 ${label}`)), vec1(context));
  // HKDF-Expand with a single block (length <= 32).
  return hmac(secret, cat(info, u8(1))).subarray(0, length);
}

/** The binder of a resumption PSK over the ClientHello truncated before its binders list. */
export function resumptionBinder(psk: Uint8Array, truncatedHello: Uint8Array): Uint8Array {
  const early = hmac(new Uint8Array(32), psk); // HKDF-Extract(salt 0, psk)
  const binderKey = expandLabel(early, 'res binder', sha256(new Uint8Array(0)), 32);
  const finishedKey = expandLabel(binderKey, 'finished', new Uint8Array(0), 32);
  return hmac(finishedKey, sha256(truncatedHello));
}

// --- reading what a server wrote ---

/** The content type and bytes of each plaintext record in `bytes` (stops at the first incomplete one). */
export function splitPlainRecords(bytes: Uint8Array): Array<{ type: number; body: Uint8Array }> {
  const out: Array<{ type: number; body: Uint8Array }> = [];
  for (let i = 0; i + 5 <= bytes.length; ) {
    const len = (bytes[i + 3]! << 8) | bytes[i + 4]!;
    if (i + 5 + len > bytes.length) break;
    out.push({ type: bytes[i]!, body: bytes.subarray(i + 5, i + 5 + len) });
    i += 5 + len;
  }
  return out;
}

export interface RawServerHello {
  random: Uint8Array;
  sessionId: Uint8Array;
  suite: number;
  extensions: RawExtension[];
}

/** A ServerHello body (after the 4-byte header), read by hand. */
export function parseServerHello(body: Uint8Array): RawServerHello {
  let at = 2;
  const random = body.subarray(at, (at += 32));
  const sidLen = body[at++]!;
  const sessionId = body.subarray(at, (at += sidLen));
  const suite = (body[at]! << 8) | body[at + 1]!;
  at += 3; // suite, compression
  const end = at + 2 + ((body[at]! << 8) | body[at + 1]!);
  at += 2;
  const extensions: RawExtension[] = [];
  while (at < end) {
    const type = (body[at]! << 8) | body[at + 1]!;
    const len = (body[at + 2]! << 8) | body[at + 3]!;
    extensions.push({ type, body: body.subarray(at + 4, at + 4 + len) });
    at += 4 + len;
  }
  return { random, sessionId, suite, extensions };
}

/** A ServerHello handshake message (header included) from its parts. */
export function serverHello(h: RawServerHello): Uint8Array {
  const body = cat(u16(0x0303), h.random, vec1(h.sessionId), u16(h.suite), u8(0), encodeExtensions(h.extensions));
  return cat(u8(2), u24(body.length), body);
}
