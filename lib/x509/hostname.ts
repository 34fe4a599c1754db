/**
 * Server identity checks (RFC 6125 as profiled by RFC 9525 and browsers):
 * - only subjectAltName is consulted; the subject CN is never a fallback;
 * - DNS names compare case-insensitively (ASCII only; IDNs must be A-labels);
 * - a wildcard is allowed only as the entire left-most label of a pattern with
 *   at least three labels, and matches exactly one non-empty label;
 * - IP literals (v4 or v6) match only iPAddress entries, byte for byte.
 */
import type { Certificate } from './certificate.js';
import { equalBytes } from '../wire/codec.js';

/** True if `serverName` (DNS name or IP literal) is covered by the certificate's SANs. */
export function matchesServerName(cert: Pick<Certificate, 'subjectAltNames'>, serverName: string): boolean {
  const ip = parseIpAddress(serverName);
  if (ip) return cert.subjectAltNames.ip.some((candidate) => equalBytes(candidate, ip));
  const host = normalizeHost(serverName);
  if (host === undefined) return false;
  return cert.subjectAltNames.dns.some((pattern) => matchDnsPattern(pattern, host));
}

/** Matches one SAN dNSName pattern against an already-normalized reference host. */
export function matchDnsPattern(pattern: string, host: string): boolean {
  const p = normalizeHost(pattern, true);
  if (p === undefined) return false;
  if (!p.startsWith('*.')) return p === host;
  const suffix = p.slice(1); // ".example.com"
  // "*.com" would cover a whole TLD; demand at least two labels after the wildcard.
  if (suffix.split('.').length < 3) return false;
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

/**
 * Lowercased ASCII host without a trailing dot, or undefined when it is not a
 * plausible DNS name. `allowWildcard` admits a "*" as the whole first label.
 */
function normalizeHost(name: string, allowWildcard = false): string | undefined {
  let s = name.toLowerCase();
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s.length === 0 || s.length > 253) return undefined;
  const labels = s.split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (allowWildcard && i === 0 && label === '*') continue;
    // Underscores are not hostname characters but do occur in the wild.
    if (!/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label)) return undefined;
  }
  return s;
}

/**
 * Parses an IPv4 dotted quad or an IPv6 literal (optionally in brackets, with
 * an embedded IPv4 tail) to 4 or 16 bytes; undefined if it is not an IP.
 * Leading zeros in IPv4 parts are rejected: some parsers read them as octal.
 */
export function parseIpAddress(text: string): Uint8Array | undefined {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes(':')) return parseIpv6(s);
  return parseIpv4(s);
}

function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | undefined {
  if (s.length > 45) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups: number[] = [];
  const pushGroups = (parts: string[], allowV4Tail: boolean): boolean => {
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (allowV4Tail && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return false;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) {
        groups.push(parseInt(p, 16));
      } else {
        return false;
      }
    }
    return true;
  };
  if (!pushGroups(head, halves.length === 1)) return undefined;
  const headCount = groups.length;
  if (!pushGroups(tail, true)) return undefined;
  const missing = 8 - groups.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...groups.slice(0, headCount), ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...groups.slice(headCount)];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
