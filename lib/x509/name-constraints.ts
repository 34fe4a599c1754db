/**
 * Name constraints (RFC 5280 §4.2.1.10): a CA limits the names the
 * certificates below it may carry to permitted subtrees, minus excluded ones.
 *
 * Enforced for dNSName and iPAddress, the only name forms a TLS client here
 * authenticates (hostname.ts reads subjectAltName dNSName and iPAddress, never
 * the subject CN). Constraints on other forms (rfc822Name, URI,
 * directoryName, ...) restrict names we never rely on, so they are parsed and
 * kept but not enforced; a CA that sets them still constrains what matters.
 */
import { TlsError } from '../errors.js';
import type { Certificate } from './certificate.js';
import { parseAsn, RawNameConstraints, type RawGeneralSubtrees } from './schema.js';

export const OID_NAME_CONSTRAINTS = '2.5.29.30';

export interface Subtrees {
  /** Lowercase, without a trailing dot; a leading dot means "proper subdomains only". */
  readonly dns: readonly string[];
  /** 8 bytes (IPv4 address and mask) or 32 (IPv6). */
  readonly ip: readonly Uint8Array[];
  /** Other name forms present (e.g. "rfc822Name"): recorded, not enforced (see above). */
  readonly other: readonly string[];
}

export interface NameConstraints {
  readonly permitted: Subtrees | undefined;
  readonly excluded: Subtrees | undefined;
}

const bad = (msg: string) => new TlsError('bad_certificate', `nameConstraints: ${msg}`);

/** Parses the extension value. Throws TlsError('bad_certificate'). */
export function readNameConstraints(value: Uint8Array): NameConstraints {
  const nc = parseAsn(value, RawNameConstraints);
  // RFC 5280: "Conforming CAs MUST NOT issue certificates where name constraints is an empty sequence."
  if (!nc.permittedSubtrees && !nc.excludedSubtrees) throw bad('neither permitted nor excluded subtrees');
  return { permitted: subtrees(nc.permittedSubtrees), excluded: subtrees(nc.excludedSubtrees) };
}

function subtrees(list: RawGeneralSubtrees | undefined): Subtrees | undefined {
  if (!list) return undefined;
  const dns: string[] = [];
  const ip: Uint8Array[] = [];
  const other: string[] = [];
  for (const subtree of list) {
    // RFC 5280: minimum MUST be zero and maximum MUST be absent; anything else we cannot honour.
    if ((subtree.minimum ?? 0) !== 0 || subtree.maximum !== undefined) throw bad('minimum/maximum in a subtree');
    const base = subtree.base;
    const rawIp = (base as { iPAddress?: unknown }).iPAddress;
    if (base.dNSName !== undefined) dns.push(normalize(base.dNSName));
    else if (rawIp instanceof ArrayBuffer) {
      if (rawIp.byteLength !== 8 && rawIp.byteLength !== 32) throw bad(`iPAddress constraint of ${rawIp.byteLength} bytes`);
      ip.push(new Uint8Array(rawIp));
    } else other.push(Object.keys(base).find((k) => (base as unknown as Record<string, unknown>)[k] !== undefined) ?? 'unknown');
  }
  return { dns, ip, other };
}

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, '');

/**
 * Throws unless every dNSName and iPAddress in `cert`'s subjectAltName lies
 * within `ca`'s permitted subtrees (per form, when the CA names that form)
 * and outside its excluded ones.
 */
export function checkNameConstraints(ca: Pick<Certificate, 'subject'>, constraints: NameConstraints, cert: Certificate): void {
  const { permitted, excluded } = constraints;
  const violation = (kind: 'PERMITTED_VIOLATION' | 'EXCLUDED_VIOLATION', name: string) =>
    new TlsError(
      'bad_certificate',
      `"${cert.subject}" names ${name}, ${kind === 'EXCLUDED_VIOLATION' ? 'excluded by' : 'outside the names permitted by'} the name constraints of CA "${ca.subject}"`,
      false,
      kind,
    );
  for (const raw of cert.subjectAltNames.dns) {
    const name = normalize(raw);
    if (permitted?.dns.length && !permitted.dns.some((c) => dnsWithin(name, c))) throw violation('PERMITTED_VIOLATION', raw);
    if (excluded?.dns.some((c) => dnsIntersects(name, c))) throw violation('EXCLUDED_VIOLATION', raw);
  }
  for (const ip of cert.subjectAltNames.ip) {
    const shown = ip.length === 4 ? ip.join('.') : `IPv6 ${Array.from(ip, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    if (permitted?.ip.length && !permitted.ip.some((c) => ipWithin(ip, c))) throw violation('PERMITTED_VIOLATION', shown);
    if (excluded?.ip.some((c) => ipWithin(ip, c))) throw violation('EXCLUDED_VIOLATION', shown);
  }
}

/**
 * True when every host `name` matches lies in subtree `constraint`: "example.com"
 * is that name and its subdomains, ".example.com" its subdomains only, "" all.
 * A wildcard's "*" is kept as a label, which gives the right answer: "*.a.com"
 * lies within "a.com" and ".a.com", not within "x.a.com".
 */
export function dnsWithin(name: string, constraint: string): boolean {
  if (constraint === '') return true;
  if (constraint.startsWith('.')) return name.endsWith(constraint);
  return name === constraint || name.endsWith(`.${constraint}`);
}

/**
 * True when some host `name` matches lies in subtree `constraint`. Differs from
 * dnsWithin for wildcards only: "*.a.com" also meets "x.a.com" (the host it
 * matches), so an excluded "x.a.com" refuses it.
 */
export function dnsIntersects(name: string, constraint: string): boolean {
  if (dnsWithin(name, constraint)) return true;
  if (!name.startsWith('*.')) return false;
  const suffix = name.slice(1); // ".a.com"
  const c = constraint.replace(/^\./, '');
  return c.endsWith(suffix) && !c.slice(0, -suffix.length).includes('.') && c.length > suffix.length;
}

/** `ip` (4 or 16 bytes) within address/mask `constraint` (8 or 32 bytes) of the same family. */
export function ipWithin(ip: Uint8Array, constraint: Uint8Array): boolean {
  const n = ip.length;
  if (constraint.length !== 2 * n) return false;
  for (let i = 0; i < n; i++) {
    const mask = constraint[n + i]!;
    if ((ip[i]! & mask) !== (constraint[i]! & mask)) return false;
  }
  return true;
}
