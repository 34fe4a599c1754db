/**
 * Real TLS 1.2 peers for interop specs, next to peers.ts (whose s_server
 * helper always passes -tls1_3): `openssl s_server -tls1_2`, the TLS 1.2
 * names of our suites in each tool, and a reading of the server's plaintext
 * flight that does not go through lib/wire (what did the peer really send?).
 */
import type { GroupName } from '../../lib/crypto/provider.js';
import type { Tls12SuiteName } from '../../lib/tls12/suites.js';
import { type OpensslServer, type OpensslServerOptions, startOpensslServer } from './peers.js';
import type { ClassicalGroup, WireTap } from './tls13-support.js';

/** The ECDHE_ECDSA suites every peer runs by default (the CCM_8 and PSK ones have their own specs). */
export const TLS12_SUITE_NAMES: Tls12SuiteName[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
];

/** One suite's names: OpenSSL's (s_server -cipher, node's `ciphers`, getCipher().name), GnuTLS's cipher, its IANA code. */
export const TLS12_SUITES: Record<Tls12SuiteName, { openssl: string; gnutls: string; code: number }> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: { openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', gnutls: 'AES-128-GCM', code: 0xc02b },
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: { openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', gnutls: 'AES-256-GCM', code: 0xc02c },
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: { openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305', gnutls: 'CHACHA20-POLY1305', code: 0xcca9 },
  TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: { openssl: 'ECDHE-ECDSA-AES128-CCM8', gnutls: 'AES-128-CCM-8', code: 0xc0ae },
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: { openssl: 'ECDHE-RSA-AES128-GCM-SHA256', gnutls: 'AES-128-GCM', code: 0xc02f },
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: { openssl: 'ECDHE-RSA-AES256-GCM-SHA384', gnutls: 'AES-256-GCM', code: 0xc030 },
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: { openssl: 'ECDHE-RSA-CHACHA20-POLY1305', gnutls: 'CHACHA20-POLY1305', code: 0xcca8 },
  TLS_PSK_WITH_AES_128_GCM_SHA256: { openssl: 'PSK-AES128-GCM-SHA256', gnutls: 'AES-128-GCM', code: 0x00a8 },
  TLS_PSK_WITH_AES_128_CCM_8: { openssl: 'PSK-AES128-CCM8', gnutls: 'AES-128-CCM-8', code: 0xc0a8 },
  TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256: { openssl: 'ECDHE-PSK-CHACHA20-POLY1305', gnutls: 'CHACHA20-POLY1305', code: 0xccac },
};

export const GNUTLS_GROUP: Record<ClassicalGroup, string> = { x25519: 'X25519', secp256r1: 'SECP256R1', secp384r1: 'SECP384R1', secp521r1: 'SECP521R1', x448: 'X448' };

/** TLS 1.2 only, otherwise gnutls defaults. */
export const GNUTLS_TLS12_PRIORITY = 'NORMAL:-VERS-ALL:+VERS-TLS1.2';

/** A GnuTLS priority string for TLS 1.2 only, optionally one suite's cipher and some groups; `extra` is appended (e.g. ':%NO_SESSION_HASH'). */
export function gnutlsTls12Priority(suite?: Tls12SuiteName, groups?: ClassicalGroup[], extra = ''): string {
  const cipher = suite ? `:-CIPHER-ALL:+${TLS12_SUITES[suite].gnutls}` : '';
  const groupList = groups ? `:-GROUP-ALL${groups.map((g) => `:+GROUP-${GNUTLS_GROUP[g]}`).join('')}` : '';
  return `${GNUTLS_TLS12_PRIORITY}${cipher}${groupList}${extra}`;
}

export type OpensslTls12ServerOptions = Omit<OpensslServerOptions, 'version'>;

/**
 * `openssl s_server -accept 127.0.0.1:PORT -tls1_2 ...` until stop() (see
 * peers.ts). Lines written with send() go to the client, except command
 * letters: R (renegotiate: a HelloRequest in TLS 1.2), Q, q, ...
 */
export function startOpensslTls12Server(opts: OpensslTls12ServerOptions): Promise<OpensslServer> {
  return startOpensslServer({ ...opts, version: 'tls1_2' });
}

/** What the server's plaintext flight said, read from the raw bytes it sent us. */
export interface Tls12ServerFlight {
  /** Handshake message types, in order, up to its ChangeCipherSpec. */
  types: number[];
  suite?: number;
  /** ServerHello extension types. */
  extensions: number[];
  sessionId?: Buffer;
  /** The named group of its ServerKeyExchange. */
  group?: number;
  /** The SignatureAndHashAlgorithm of its ServerKeyExchange. */
  scheme?: number;
}

/** Decodes the server's plaintext handshake messages (before its ChangeCipherSpec) by hand. */
export function readServerFlight(tap: WireTap): Tls12ServerFlight {
  const records = tap.records();
  const ccs = records.findIndex((r) => r.type === 20);
  const plain = (ccs < 0 ? records : records.slice(0, ccs)).filter((r) => r.type === 22);
  const hs = Buffer.concat(plain.map((r) => r.fragment));
  const flight: Tls12ServerFlight = { types: [], extensions: [] };
  for (let o = 0; o + 4 <= hs.length; ) {
    const type = hs[o]!;
    const body = hs.subarray(o + 4, o + 4 + hs.readUIntBE(o + 1, 3));
    o += 4 + body.length;
    flight.types.push(type);
    if (type === 2) readServerHello(body, flight);
    // ECDHE's ServerKeyExchange starts with curve_type named_curve (3); a PSK one with its hint's length.
    if (type === 12 && body[0] === 3) {
      // curve_type(1) named_group(2) point<1..255> scheme(2) signature<..>
      flight.group = body.readUInt16BE(1);
      flight.scheme = body.readUInt16BE(4 + body[3]!);
    }
  }
  return flight;
}

function readServerHello(body: Buffer, flight: Tls12ServerFlight): void {
  let o = 2 + 32;
  flight.sessionId = body.subarray(o + 1, o + 1 + body[o]!);
  o += 1 + body[o]!;
  flight.suite = body.readUInt16BE(o);
  o += 3;
  if (o >= body.length) return;
  const end = o + 2 + body.readUInt16BE(o);
  for (o += 2; o < end; o += 4 + body.readUInt16BE(o + 2)) flight.extensions.push(body.readUInt16BE(o));
}
