/**
 * Extension lists (RFC 8446 §4.2) and the typed bodies of the extensions we
 * speak. Lists are kept as raw {type, data} pairs in wire order; each
 * extension body is decoded only by the state that needs it.
 */
import { illegalParameter, decodeError } from '../errors.js';
import { Reader, Writer, utf8 } from './codec.js';

export interface Extension {
  type: number;
  data: Uint8Array;
}

export function readExtensions(r: Reader): Extension[] {
  const list = r.sub(2);
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (!list.atEnd()) {
    const type = list.u16();
    if (seen.has(type)) throw illegalParameter(`duplicate extension ${type}`);
    seen.add(type);
    out.push({ type, data: list.vec(2) });
  }
  return out;
}

export function writeExtensions(w: Writer, exts: readonly Extension[]): void {
  w.nested(2, (l) => {
    for (const e of exts) l.u16(e.type).vec(2, e.data);
  });
}

export function findExtension(exts: readonly Extension[], type: number): Uint8Array | undefined {
  return exts.find((e) => e.type === type)?.data;
}

/** Decodes a whole extension body with `body`, requiring it to be consumed exactly. */
export function decodeBody<T>(data: Uint8Array, what: string, body: (r: Reader) => T): T {
  const r = new Reader(data, what);
  const v = body(r);
  r.end();
  return v;
}

function build(body: (w: Writer) => void): Uint8Array {
  const w = new Writer(64);
  body(w);
  return w.finish().slice();
}

// --- u16 lists: supported_groups, signature_algorithms(_cert), supported_versions (client) ---

export function encodeU16List(values: readonly number[], lenBytes: 1 | 2 = 2): Uint8Array {
  return build((w) => w.nested(lenBytes, (l) => values.forEach((v) => l.u16(v))));
}

export function decodeU16List(data: Uint8Array, what: string, lenBytes: 1 | 2 = 2): number[] {
  return decodeBody(data, what, (r) => {
    const l = r.sub(lenBytes, 2);
    if (l.remaining % 2) throw decodeError(`${what}: odd length`);
    const out: number[] = [];
    while (!l.atEnd()) out.push(l.u16());
    return out;
  });
}

// --- server_name (RFC 6066 §3) ---

export function encodeServerName(host: string): Uint8Array {
  return build((w) => w.nested(2, (l) => l.u8(0).vec(2, utf8.encode(host))));
}

export function decodeServerName(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined; // the server's empty acknowledgement
  return decodeBody(data, 'server_name', (r) => {
    const list = r.sub(2, 1);
    let host: string | undefined;
    while (!list.atEnd()) {
      const type = list.u8();
      const name = list.vec(2, 1);
      if (type !== 0) continue;
      if (host !== undefined) throw illegalParameter('server_name: two host names');
      host = asciiHost(name);
    }
    return host;
  });
}

function asciiHost(name: Uint8Array): string {
  for (const c of name) if (c <= 0x20 || c >= 0x7f) throw decodeError('server_name: not an ASCII host name');
  return new TextDecoder().decode(name).toLowerCase();
}

// --- ALPN (RFC 7301) ---

export function encodeAlpn(protocols: readonly string[]): Uint8Array {
  return build((w) =>
    w.nested(2, (l) =>
      protocols.forEach((p) => {
        if (p.length === 0) throw new RangeError('empty ALPN protocol name'); // RFC 7301 §3.1
        l.vec(1, utf8.encode(p));
      }),
    ),
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The protocol names of an ALPN body. Names are opaque bytes on the wire and
 * strings (sent as UTF-8) in our config, so a name that is not valid UTF-8
 * can never be one of ours: it is left out rather than decoded lossily, where
 * different byte strings would have become the same string with U+FFFD.
 */
export function decodeAlpn(data: Uint8Array): string[] {
  return decodeBody(data, 'alpn', (r) => {
    const list = r.sub(2, 2);
    const out: string[] = [];
    while (!list.atEnd()) {
      const name = list.vec(1, 1);
      try {
        out.push(strictUtf8.decode(name));
      } catch {
        // not UTF-8: cannot match a configured name
      }
    }
    return out;
  });
}

// --- key_share (RFC 8446 §4.2.8) ---

export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

function writeEntry(w: Writer, e: KeyShareEntry): void {
  w.u16(e.group).vec(2, e.keyExchange);
}

function readEntry(r: Reader): KeyShareEntry {
  return { group: r.u16(), keyExchange: r.vec(2, 1) };
}

export const keyShare = {
  encodeClient: (entries: readonly KeyShareEntry[]) =>
    build((w) => w.nested(2, (l) => entries.forEach((e) => writeEntry(l, e)))),
  decodeClient: (data: Uint8Array) =>
    decodeBody(data, 'key_share', (r) => {
      const l = r.sub(2);
      const out: KeyShareEntry[] = [];
      const groups = new Set<number>(); // linear in the number of shares, however many a hostile hello carries
      while (!l.atEnd()) {
        const e = readEntry(l);
        if (groups.has(e.group)) throw illegalParameter('key_share: duplicate group');
        groups.add(e.group);
        out.push(e);
      }
      return out;
    }),
  encodeServer: (e: KeyShareEntry) => build((w) => writeEntry(w, e)),
  decodeServer: (data: Uint8Array) => decodeBody(data, 'key_share', readEntry),
  encodeHrr: (group: number) => build((w) => w.u16(group)),
  decodeHrr: (data: Uint8Array) => decodeBody(data, 'key_share', (r) => r.u16()),
};

// --- supported_versions in ServerHello, cookie, psk_key_exchange_modes ---

export const encodeSelectedVersion = (v: number) => build((w) => w.u16(v));
export const decodeSelectedVersion = (data: Uint8Array) => decodeBody(data, 'supported_versions', (r) => r.u16());
export const encodeCookie = (cookie: Uint8Array) => build((w) => w.vec(2, cookie));
export const decodeCookie = (data: Uint8Array) => decodeBody(data, 'cookie', (r) => r.vec(2, 1));
export const encodePskModes = (modes: readonly number[]) => build((w) => w.vec(1, Uint8Array.from(modes)));
export const decodePskModes = (data: Uint8Array) =>
  Array.from(decodeBody(data, 'psk_key_exchange_modes', (r) => r.vec(1, 1)));
