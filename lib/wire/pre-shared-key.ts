/**
 * The pre_shared_key extension (RFC 8446 §4.2.11):
 *
 *   ClientHello: PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>;
 *     struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity
 *     opaque PskBinderEntry<32..255>
 *   ServerHello: uint16 selected_identity
 */
import { illegalParameter } from '../errors.js';
import { Reader, Writer } from './codec.js';
import { decodeBody } from './extension.js';

export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

export interface OfferedPsks {
  identities: PskIdentity[];
  binders: Uint8Array[];
}

export function encodeOfferedPsks(o: OfferedPsks): Uint8Array {
  const w = new Writer(128);
  w.nested(2, (l) => o.identities.forEach((i) => l.vec(2, i.identity).u32(i.obfuscatedTicketAge)));
  w.nested(2, (l) => o.binders.forEach((b) => l.vec(1, b)));
  return w.finish().slice();
}

/** Length of the binders list as it ends the ClientHello: its u16 length and every binder. */
export function bindersLength(binders: readonly Uint8Array[]): number {
  return 2 + binders.reduce((n, b) => n + 1 + b.length, 0);
}

export function decodeOfferedPsks(data: Uint8Array): OfferedPsks {
  return decodeBody(data, 'pre_shared_key', (r: Reader) => {
    const ids = r.sub(2, 7);
    const identities: PskIdentity[] = [];
    while (!ids.atEnd()) identities.push({ identity: ids.vec(2, 1), obfuscatedTicketAge: ids.u32() });
    const list = r.sub(2, 33);
    const binders: Uint8Array[] = [];
    while (!list.atEnd()) binders.push(list.vec(1, 32));
    if (binders.length !== identities.length) throw illegalParameter('pre_shared_key: as many binders as identities are needed');
    return { identities, binders };
  });
}

export const encodeSelectedIdentity = (index: number) => new Writer(2).u16(index).finish().slice();
export const decodeSelectedIdentity = (data: Uint8Array) => decodeBody(data, 'pre_shared_key', (r) => r.u16());
