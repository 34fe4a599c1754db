/**
 * Mutations of a recorded flight, described as plain data (so fast-check can
 * generate, print and shrink them) and applied at three levels:
 *
 *  - handshake/extension level: inside a record's content (messages dropped,
 *    duplicated, retyped, bodies and lengths changed, extensions edited);
 *  - record level: records dropped, duplicated, swapped, split, retyped,
 *    padded, emptied, oversized, random records inserted. Sealed records are
 *    re-sealed under the sender's real key with sequence numbers renumbered,
 *    so the receiver authenticates them and parses the hostile content;
 *  - byte level, on the serialized flight: bit flips, truncation, insertion,
 *    deletion, record length fields, duplication (these break the AEAD).
 *
 * Indices are taken modulo the size of what they index, so any plan applies
 * to any flight.
 */
import fc from 'fast-check';
import { ExtensionType, HandshakeType } from '../../lib/wire/enums.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { type Flight, type FlightRecord, type SealKey, nonceAt, recordBytes } from './rig.js';

// --- byte level ---

export type ByteMut =
  | { k: 'flip'; pos: number; mask: number }
  | { k: 'set'; pos: number; value: number }
  | { k: 'truncate'; keep: number }
  | { k: 'insert'; pos: number; bytes: Uint8Array }
  | { k: 'delete'; pos: number; n: number }
  | { k: 'dupRange'; pos: number; n: number }
  | { k: 'duplicate' }
  | { k: 'append'; bytes: Uint8Array }
  | { k: 'random'; bytes: Uint8Array };

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x04, 0x14, 0x15, 0x16, 0x17, 0x18, 0x20, 0x7f, 0x80, 0xfe, 0xff];

const byteValue = fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 }));

export const byteMutArb: fc.Arbitrary<ByteMut> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('flip' as const), pos: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('set' as const), pos: fc.nat(), value: byteValue }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('truncate' as const), keep: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('delete' as const), pos: fc.nat(), n: fc.integer({ min: 1, max: 32 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('dupRange' as const), pos: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'duplicate' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 300 }) }) },
);

export function applyByteMut(b: Uint8Array, m: ByteMut): Uint8Array {
  const at = (pos: number, extra = 0) => (b.length + extra === 0 ? 0 : pos % (b.length + extra));
  switch (m.k) {
    case 'flip':
    case 'set': {
      if (b.length === 0) return b;
      const out = b.slice();
      const i = at(m.pos);
      out[i] = m.k === 'flip' ? out[i]! ^ m.mask : m.value;
      return out;
    }
    case 'truncate':
      return b.slice(0, at(m.keep));
    case 'insert': {
      const i = at(m.pos, 1);
      return concatBytes(b.subarray(0, i), m.bytes, b.subarray(i));
    }
    case 'delete': {
      const i = at(m.pos);
      return concatBytes(b.subarray(0, i), b.subarray(i + m.n));
    }
    case 'dupRange': {
      const i = at(m.pos);
      return concatBytes(b.subarray(0, i + m.n), b.subarray(i));
    }
    case 'duplicate':
      return concatBytes(b, b);
    case 'append':
      return concatBytes(b, m.bytes);
    case 'random':
      return m.bytes;
  }
}

/** Sets a record's 16-bit length field in serialized records (walking the original framing). */
export type FramingMut = { k: 'recordLength'; rec: number; value: number } | { k: 'byte'; mut: ByteMut };

const LENGTH_VALUES = [0, 1, 2, 0x3fff, 0x4000, 0x4001, 0x40ff, 0x4100, 0x4101, 0x8000, 0xffff];

export const framingMutArb: fc.Arbitrary<FramingMut> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ k: fc.constant('recordLength' as const), rec: fc.nat(), value: fc.oneof(fc.constantFrom(...LENGTH_VALUES), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: -3, max: 3 }).map((d) => -1000 - d)) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('byte' as const), mut: byteMutArb }) },
);

function applyFramingMut(b: Uint8Array, m: FramingMut): Uint8Array {
  if (m.k === 'byte') return applyByteMut(b, m.mut);
  const starts: number[] = [];
  for (let o = 0; o + 5 <= b.length; o += 5 + ((b[o + 3]! << 8) | b[o + 4]!)) starts.push(o);
  if (starts.length === 0) return b;
  const o = starts[m.rec % starts.length]!;
  const old = (b[o + 3]! << 8) | b[o + 4]!;
  // Negative values (-1000 - d) mean "the real length + d": off by a few bytes.
  const v = m.value <= -997 ? Math.max(0, old + (-1000 - m.value)) & 0xffff : m.value;
  const out = b.slice();
  out[o + 3] = v >>> 8;
  out[o + 4] = v & 0xff;
  return out;
}

// --- handshake and extension level ---

export type ExtMut =
  | { k: 'dropExt'; e: number }
  | { k: 'dupExt'; e: number }
  | { k: 'swapExt'; e: number; f: number }
  | { k: 'extType'; e: number; type: number }
  | { k: 'extData'; e: number; mut: ByteMut }
  | { k: 'extLen'; e: number; delta: number }
  | { k: 'addExt'; e: number; type: number; data: Uint8Array }
  | { k: 'listLen'; delta: number };

const EXT_TYPES = Object.values(ExtensionType);
const extTypeArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EXT_TYPES) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) });

export const extMutArb: fc.Arbitrary<ExtMut> = fc.oneof(
  fc.record({ k: fc.constant('dropExt' as const), e: fc.nat() }),
  fc.record({ k: fc.constant('dupExt' as const), e: fc.nat() }),
  fc.record({ k: fc.constant('swapExt' as const), e: fc.nat(), f: fc.nat() }),
  fc.record({ k: fc.constant('extType' as const), e: fc.nat(), type: extTypeArb }),
  { weight: 4, arbitrary: fc.record({ k: fc.constant('extData' as const), e: fc.nat(), mut: byteMutArb }) },
  fc.record({ k: fc.constant('extLen' as const), e: fc.nat(), delta: fc.integer({ min: -4, max: 4 }).filter((d) => d !== 0) }),
  { weight: 2, arbitrary: fc.record({ k: fc.constant('addExt' as const), e: fc.nat(), type: extTypeArb, data: fc.uint8Array({ maxLength: 40 }) }) },
  fc.record({ k: fc.constant('listLen' as const), delta: fc.integer({ min: -4, max: 4 }).filter((d) => d !== 0) }),
);

export type HsMut =
  | { k: 'body'; m: number; mut: ByteMut; fixLength: boolean }
  | { k: 'type'; m: number; type: number }
  | { k: 'length'; m: number; delta: number }
  | { k: 'dropMsg'; m: number }
  | { k: 'dupMsg'; m: number }
  | { k: 'swapMsg'; m: number; n: number }
  | { k: 'insertMsg'; m: number; type: number; body: Uint8Array }
  | { k: 'ext'; m: number; mut: ExtMut };

const HS_TYPES = Object.values(HandshakeType);
const hsTypeArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HS_TYPES) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) });

export const hsMutArb: fc.Arbitrary<HsMut> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('body' as const), m: fc.nat(), mut: byteMutArb, fixLength: fc.boolean() }) },
  fc.record({ k: fc.constant('type' as const), m: fc.nat(), type: hsTypeArb }),
  fc.record({ k: fc.constant('length' as const), m: fc.nat(), delta: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(0x3ffff, 0x40000, 0x40001, 0xffffff)).filter((d) => d !== 0) }),
  fc.record({ k: fc.constant('dropMsg' as const), m: fc.nat() }),
  fc.record({ k: fc.constant('dupMsg' as const), m: fc.nat() }),
  fc.record({ k: fc.constant('swapMsg' as const), m: fc.nat(), n: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ k: fc.constant('insertMsg' as const), m: fc.nat(), type: hsTypeArb, body: fc.uint8Array({ maxLength: 80 }) }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('ext' as const), m: fc.nat(), mut: extMutArb }) },
);

interface HsMsg {
  type: number;
  body: Uint8Array;
  /** Length field override (otherwise body.length). */
  length?: number;
}

/** Splits handshake content into messages; an incomplete tail stays raw. */
function parseMessages(content: Uint8Array): { msgs: HsMsg[]; tail: Uint8Array } {
  const msgs: HsMsg[] = [];
  let o = 0;
  while (content.length - o >= 4) {
    const len = (content[o + 1]! << 16) | (content[o + 2]! << 8) | content[o + 3]!;
    if (content.length - o - 4 < len) break;
    msgs.push({ type: content[o]!, body: content.slice(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return { msgs, tail: content.slice(o) };
}

function encodeMessages(msgs: HsMsg[], tail: Uint8Array): Uint8Array {
  return concatBytes(
    ...msgs.map((m) => {
      const len = (m.length ?? m.body.length) & 0xffffff;
      return concatBytes(Uint8Array.of(m.type, len >>> 16, (len >>> 8) & 0xff, len & 0xff), m.body);
    }),
    tail,
  );
}

/** Where the extension block starts in a message body we know the layout of; undefined otherwise. */
function extensionsOffset(type: number, body: Uint8Array): number | undefined {
  const u8 = (o: number) => body[o] ?? 0;
  const u16 = (o: number) => (u8(o) << 8) | u8(o + 1);
  let o: number;
  switch (type) {
    case HandshakeType.client_hello:
      o = 2 + 32;
      o += 1 + u8(o); // session id
      o += 2 + u16(o); // cipher suites
      o += 1 + u8(o); // compression
      break;
    case HandshakeType.server_hello:
      o = 2 + 32;
      o += 1 + u8(o) + 2 + 1;
      break;
    case HandshakeType.encrypted_extensions:
      o = 0;
      break;
    case HandshakeType.certificate_request:
      o = 1 + u8(0);
      break;
    case HandshakeType.new_session_ticket:
      o = 8;
      o += 1 + u8(o);
      o += 2 + u16(o);
      break;
    default:
      return undefined;
  }
  return o + 2 <= body.length ? o : undefined;
}

interface Ext {
  type: number;
  data: Uint8Array;
  lengthDelta?: number;
}

function applyExtMut(type: number, body: Uint8Array, m: ExtMut): Uint8Array {
  const start = extensionsOffset(type, body);
  if (start === undefined) return body;
  const listLen = (body[start]! << 8) | body[start + 1]!;
  const listEnd = Math.min(body.length, start + 2 + listLen);
  const exts: Ext[] = [];
  let o = start + 2;
  while (listEnd - o >= 4) {
    const len = (body[o + 2]! << 8) | body[o + 3]!;
    if (listEnd - o - 4 < len) break;
    exts.push({ type: (body[o]! << 8) | body[o + 1]!, data: body.slice(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  const rest = body.slice(o); // unparsed remainder of the list and anything after it
  const pick = (i: number) => (exts.length ? i % exts.length : -1);
  let listDelta = 0;
  switch (m.k) {
    case 'dropExt':
      if (exts.length) exts.splice(pick(m.e), 1);
      break;
    case 'dupExt':
      if (exts.length) exts.splice(pick(m.e), 0, { ...exts[pick(m.e)]! });
      break;
    case 'swapExt':
      if (exts.length) {
        const [a, b] = [pick(m.e), pick(m.f)];
        [exts[a], exts[b]] = [exts[b]!, exts[a]!];
      }
      break;
    case 'extType':
      if (exts.length) exts[pick(m.e)] = { ...exts[pick(m.e)]!, type: m.type };
      break;
    case 'extData':
      if (exts.length) exts[pick(m.e)] = { ...exts[pick(m.e)]!, data: applyByteMut(exts[pick(m.e)]!.data, m.mut) };
      break;
    case 'extLen':
      if (exts.length) exts[pick(m.e)] = { ...exts[pick(m.e)]!, lengthDelta: m.delta };
      break;
    case 'addExt':
      exts.splice(m.e % (exts.length + 1), 0, { type: m.type, data: m.data });
      break;
    case 'listLen':
      listDelta = m.delta;
      break;
  }
  const encoded = concatBytes(
    ...exts.map((e) => {
      const len = (e.data.length + (e.lengthDelta ?? 0)) & 0xffff;
      return concatBytes(Uint8Array.of(e.type >>> 8, e.type & 0xff, len >>> 8, len & 0xff), e.data);
    }),
  );
  const newLen = (encoded.length + listDelta) & 0xffff;
  return concatBytes(body.subarray(0, start), Uint8Array.of(newLen >>> 8, newLen & 0xff), encoded, rest);
}

export function applyHsMut(content: Uint8Array, m: HsMut): Uint8Array {
  const { msgs, tail } = parseMessages(content);
  if (msgs.length === 0 && m.k !== 'insertMsg') return content;
  const pick = (i: number) => i % msgs.length;
  switch (m.k) {
    case 'body': {
      const msg = msgs[pick(m.m)]!;
      const body = applyByteMut(msg.body, m.mut);
      msgs[pick(m.m)] = { type: msg.type, body, length: m.fixLength ? undefined : msg.body.length };
      break;
    }
    case 'type':
      msgs[pick(m.m)] = { ...msgs[pick(m.m)]!, type: m.type };
      break;
    case 'length': {
      const msg = msgs[pick(m.m)]!;
      msgs[pick(m.m)] = { ...msg, length: Math.abs(m.delta) > 16 ? m.delta : Math.max(0, msg.body.length + m.delta) };
      break;
    }
    case 'dropMsg':
      msgs.splice(pick(m.m), 1);
      break;
    case 'dupMsg':
      msgs.splice(pick(m.m), 0, msgs[pick(m.m)]!);
      break;
    case 'swapMsg': {
      const [a, b] = [pick(m.m), pick(m.n)];
      [msgs[a], msgs[b]] = [msgs[b]!, msgs[a]!];
      break;
    }
    case 'insertMsg':
      msgs.splice(m.m % (msgs.length + 1), 0, { type: m.type, body: m.body });
      break;
    case 'ext': {
      // Aim at the messages that have an extension block.
      const targets = msgs.flatMap((x, j) => (extensionsOffset(x.type, x.body) !== undefined ? [j] : []));
      if (targets.length === 0) break;
      const j = targets[m.m % targets.length]!;
      msgs[j] = { type: msgs[j]!.type, body: applyExtMut(msgs[j]!.type, msgs[j]!.body, m.mut) };
      break;
    }
  }
  return encodeMessages(msgs, tail);
}

// --- record level ---

/** A record as the attacker models it: plaintext, or content to be sealed under `key`. */
interface ModelRecord {
  type: number;
  version: number;
  /** Plaintext records: the fragment. Sealed records: the inner content. */
  content: Uint8Array;
  /** Sealed records only. */
  key?: SealKey;
  innerType?: number;
  padding?: number;
}

export type RecMut =
  | { k: 'drop'; i: number }
  | { k: 'dup'; i: number }
  | { k: 'swap'; i: number; j: number }
  | { k: 'outerType'; i: number; type: number }
  | { k: 'version'; i: number; version: number }
  | { k: 'insertRandom'; i: number; type: number; body: Uint8Array; sealed: boolean }
  | { k: 'split'; i: number; at: number }
  | { k: 'merge'; i: number }
  | { k: 'content'; i: number; mut: ByteMut }
  | { k: 'innerType'; i: number; type: number }
  | { k: 'padding'; i: number; n: number }
  | { k: 'empty'; i: number }
  | { k: 'oversize'; i: number; extra: number }
  | { k: 'hs'; i: number; mut: HsMut };

const contentTypeArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(20, 21, 22, 23) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) });
const versionArb = fc.oneof(fc.constantFrom(0x0303, 0x0301, 0x0302, 0x0304, 0x0300, 0xfefd), fc.integer({ min: 0, max: 0xffff }));

/** Bodies for inserted records: short junk, alerts, CCS, and small handshake messages. */
const recordBodyArb = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([l, d]) => Uint8Array.of(l, d)),
  fc.constant(Uint8Array.of(1)),
  fc.tuple(hsTypeArb, fc.uint8Array({ maxLength: 48 })).map(([t, b]) => concatBytes(Uint8Array.of(t, 0, b.length >>> 8, b.length & 0xff), b)),
);

export const recMutArb: fc.Arbitrary<RecMut> = fc.oneof(
  fc.record({ k: fc.constant('drop' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('dup' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('swap' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ k: fc.constant('outerType' as const), i: fc.nat(), type: contentTypeArb }),
  fc.record({ k: fc.constant('version' as const), i: fc.nat(), version: versionArb }),
  { weight: 3, arbitrary: fc.record({ k: fc.constant('insertRandom' as const), i: fc.nat(), type: contentTypeArb, body: recordBodyArb, sealed: fc.boolean() }) },
  fc.record({ k: fc.constant('split' as const), i: fc.nat(), at: fc.nat() }),
  fc.record({ k: fc.constant('merge' as const), i: fc.nat() }),
  { weight: 3, arbitrary: fc.record({ k: fc.constant('content' as const), i: fc.nat(), mut: byteMutArb }) },
  fc.record({ k: fc.constant('innerType' as const), i: fc.nat(), type: contentTypeArb }),
  fc.record({ k: fc.constant('padding' as const), i: fc.nat(), n: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(16384, 16385, 16400)) }),
  fc.record({ k: fc.constant('empty' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('oversize' as const), i: fc.nat(), extra: fc.integer({ min: -1, max: 300 }) }),
  { weight: 8, arbitrary: fc.record({ k: fc.constant('hs' as const), i: fc.nat(), mut: hsMutArb }) },
);

function toModel(r: FlightRecord): ModelRecord {
  if (!r.sealed) return { type: r.type, version: r.version, content: r.fragment };
  const inner = r.sealed.inner;
  let end = inner.length - 1;
  while (end >= 0 && inner[end] === 0) end--;
  return { type: r.type, version: r.version, content: inner.slice(0, end), key: r.sealed.key, innerType: inner[end]!, padding: inner.length - 1 - end };
}

/** The content type the receiver will dispatch on. */
const effectiveType = (r: ModelRecord) => (r.key ? r.innerType! : r.type);

function applyRecMut(recs: ModelRecord[], m: RecMut): ModelRecord[] {
  if (recs.length === 0 && m.k !== 'insertRandom') return recs;
  const out = recs.slice();
  const pick = (i: number) => i % out.length;
  const edit = (i: number, f: (r: ModelRecord) => ModelRecord) => (out[pick(i)] = f(out[pick(i)]!));
  switch (m.k) {
    case 'drop':
      out.splice(pick(m.i), 1);
      break;
    case 'dup':
      out.splice(pick(m.i), 0, out[pick(m.i)]!);
      break;
    case 'swap': {
      const [a, b] = [pick(m.i), pick(m.j)];
      [out[a], out[b]] = [out[b]!, out[a]!];
      break;
    }
    case 'outerType':
      edit(m.i, (r) => ({ ...r, type: m.type }));
      break;
    case 'version':
      edit(m.i, (r) => ({ ...r, version: m.version }));
      break;
    case 'insertRandom': {
      const at = m.i % (out.length + 1);
      // Seal under the key of the nearest sealed record, if asked and there is one.
      const near = [...out.slice(at), ...out.slice(0, at).reverse()].find((r) => r.key);
      const rec: ModelRecord =
        m.sealed && near ? { type: 23, version: 0x0303, content: m.body, key: near.key, innerType: m.type, padding: 0 } : { type: m.type, version: 0x0303, content: m.body };
      out.splice(at, 0, rec);
      break;
    }
    case 'split': {
      const r = out[pick(m.i)]!;
      if (r.content.length < 2) break;
      const at = 1 + (m.at % (r.content.length - 1));
      out.splice(pick(m.i), 1, { ...r, content: r.content.slice(0, at) }, { ...r, content: r.content.slice(at) });
      break;
    }
    case 'merge': {
      const i = pick(m.i);
      const [a, b] = [out[i]!, out[i + 1]];
      if (!b || a.key !== b.key || effectiveType(a) !== effectiveType(b)) break;
      out.splice(i, 2, { ...a, content: concatBytes(a.content, b.content) });
      break;
    }
    case 'content':
      edit(m.i, (r) => ({ ...r, content: applyByteMut(r.content, m.mut) }));
      break;
    case 'innerType':
      edit(m.i, (r) => (r.key ? { ...r, innerType: m.type } : { ...r, type: m.type }));
      break;
    case 'padding':
      edit(m.i, (r) => (r.key ? { ...r, padding: m.n } : r));
      break;
    case 'empty':
      edit(m.i, (r) => ({ ...r, content: new Uint8Array(0), padding: 0 }));
      break;
    case 'oversize':
      edit(m.i, (r) => {
        const content = new Uint8Array(16384 + m.extra);
        content.set(r.content.subarray(0, content.length));
        return { ...r, content, padding: 0 };
      });
      break;
    case 'hs': {
      // Aim at the records that carry handshake messages.
      const targets = out.flatMap((r, j) => (effectiveType(r) === 22 ? [j] : []));
      if (targets.length === 0) break;
      const j = targets[m.i % targets.length]!;
      out[j] = { ...out[j]!, content: applyHsMut(out[j]!.content, m.mut) };
      break;
    }
  }
  return out;
}

/** Serializes model records; sealed ones get consecutive sequence numbers per key from the first one the flight used. */
function serialize(recs: ModelRecord[], firstSeq: Map<SealKey, number>): Uint8Array {
  const nextSeq = new Map(firstSeq);
  return concatBytes(
    ...recs.map((r) => {
      if (!r.key) return recordBytes(r.type, r.version, r.content);
      const inner = new Uint8Array(r.content.length + 1 + (r.padding ?? 0));
      inner.set(r.content);
      inner[r.content.length] = r.innerType!;
      const len = (inner.length + r.key.aead.tagLength) & 0xffff;
      const header = Uint8Array.of(r.type, r.version >>> 8, r.version & 0xff, len >>> 8, len & 0xff);
      const seq = nextSeq.get(r.key)!;
      nextSeq.set(r.key, seq + 1);
      const fragment = r.key.aead.seal(nonceAt(r.key.iv, seq), inner, header);
      return concatBytes(header, fragment);
    }),
  );
}

export interface Plan {
  records: RecMut[];
  bytes: FramingMut[];
}

const hsOnlyArb: fc.Arbitrary<RecMut> = fc.record({ k: fc.constant('hs' as const), i: fc.nat(), mut: hsMutArb });

/**
 * Mostly one structure-aware change (it gets past the AEAD and the framing to
 * the state machines), sometimes several, sometimes raw byte damage.
 */
export const planArb: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 5, arbitrary: hsOnlyArb.map((m): Plan => ({ records: [m], bytes: [] })) },
  { weight: 3, arbitrary: recMutArb.map((m): Plan => ({ records: [m], bytes: [] })) },
  { weight: 2, arbitrary: fc.array(recMutArb, { minLength: 2, maxLength: 4 }).map((records): Plan => ({ records, bytes: [] })) },
  { weight: 2, arbitrary: fc.array(framingMutArb, { minLength: 1, maxLength: 2 }).map((bytes): Plan => ({ records: [], bytes })) },
  {
    weight: 1,
    arbitrary: fc.record({ records: fc.array(recMutArb, { minLength: 1, maxLength: 2 }), bytes: fc.array(framingMutArb, { minLength: 1, maxLength: 2 }) }),
  },
);

/** The bytes of `flight` after `plan`. */
export function applyPlan(flight: Flight, plan: Plan): Uint8Array {
  const firstSeq = new Map<SealKey, number>();
  for (const r of flight.records) if (r.sealed && !firstSeq.has(r.sealed.key)) firstSeq.set(r.sealed.key, r.sealed.seq);
  let recs = flight.records.map(toModel);
  for (const m of plan.records) recs = applyRecMut(recs, m);
  let bytes = plan.records.length ? serialize(recs, firstSeq) : flight.bytes;
  for (const m of plan.bytes) bytes = applyFramingMut(bytes, m);
  return bytes;
}

/** Random records with plausible headers: known or random types and versions, right or wrong lengths. */
export const recordStreamArb: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.record({
      type: contentTypeArb,
      version: versionArb,
      body: fc.oneof({ weight: 6, arbitrary: recordBodyArb }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 16380, maxLength: 16700 }) }),
      lengthDelta: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((recs) =>
    concatBytes(
      ...recs.map((r) => {
        const bytes = recordBytes(r.type, r.version, r.body);
        const len = Math.max(0, r.body.length + r.lengthDelta) & 0xffff;
        bytes[3] = len >>> 8;
        bytes[4] = len & 0xff;
        return bytes;
      }),
    ),
  );
