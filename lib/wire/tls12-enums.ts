/**
 * Code points that TLS 1.2 (RFC 5246, RFC 8422, RFC 5746, RFC 7507) uses and
 * the TLS 1.3 tables in enums.ts do not hold. They live here, apart from
 * enums.ts, so the 1.2 work does not collide with edits to that file; the
 * handshake types shared by both versions (certificate, certificate_request,
 * certificate_verify, finished, new_session_ticket, client_hello,
 * server_hello) stay in enums.ts's HandshakeType and are not repeated here.
 * These tables may be folded into enums.ts later.
 */

/** Handshake types that exist in TLS 1.2 only (RFC 5246 §7.4). */
export const Tls12HandshakeType = {
  hello_request: 0,
  server_key_exchange: 12,
  server_hello_done: 14,
  client_key_exchange: 16,
} as const;

/**
 * Signalling cipher suite value: "I support secure renegotiation" in an
 * initial ClientHello that carries no renegotiation_info extension (RFC 5746 §3.3).
 */
export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

/** Signalling cipher suite value: "this hello is a fallback to a lower version" (RFC 7507 §2). */
export const TLS_FALLBACK_SCSV = 0x5600;

/**
 * ECCurveType of ServerECDHParams (RFC 8422 §5.4). RFC 8422 deprecates the
 * explicit curve types 1 and 2; only named_curve is used.
 */
export const EcCurveType = {
  explicit_prime: 1,
  explicit_char2: 2,
  named_curve: 3,
} as const;

/**
 * ECPointFormat of the ec_point_formats extension (RFC 8422 §5.1.2). RFC 8422
 * deprecates the compressed formats; uncompressed is the one every peer supports.
 */
export const EcPointFormat = {
  uncompressed: 0,
  ansiX962_compressed_prime: 1,
  ansiX962_compressed_char2: 2,
} as const;

/**
 * ClientCertificateType of a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4,
 * RFC 8422 §5.5; RFC 8422 deprecates the fixed-ECDH types 65 and 66).
 */
export const ClientCertificateType = {
  rsa_sign: 1,
  dss_sign: 2,
  rsa_fixed_dh: 3,
  dss_fixed_dh: 4,
  ecdsa_sign: 64,
  rsa_fixed_ecdh: 65,
  ecdsa_fixed_ecdh: 66,
} as const;
