/**
 * The SRTP master keys and salts of a DTLS-SRTP session (RFC 5764 §4.2):
 * one export with the label "EXTRACTOR-dtls_srtp" and no context, of
 * 2 * (key + salt) bytes for the negotiated profile, cut as
 *
 *   client_write_SRTP_master_key | server_write_SRTP_master_key |
 *   client_write_SRTP_master_salt | server_write_SRTP_master_salt
 *
 * The client protects what it sends with the client key and salt, the server
 * with the server's, whichever side the caller is.
 */
import type { KeyingMaterialExporter } from './keying-material-exporter.js';
import type { SessionInfo } from './session-info.js';
import type { SrtpProfileName } from '../wire/use-srtp.js';

/** RFC 5764 §4.2's exporter label. */
export const DTLS_SRTP_EXPORTER_LABEL = 'EXTRACTOR-dtls_srtp';

/** Master key and salt lengths in bytes: RFC 5764 §4.1.2 (AES-CM 128, 112-bit salt), RFC 7714 §12 (GCM, 96-bit salt). */
export const SRTP_PROFILE_LENGTHS: Readonly<Record<SrtpProfileName, { key: number; salt: number }>> = {
  SRTP_AES128_CM_SHA1_80: { key: 16, salt: 14 },
  SRTP_AES128_CM_SHA1_32: { key: 16, salt: 14 },
  SRTP_AEAD_AES_128_GCM: { key: 16, salt: 12 },
  SRTP_AEAD_AES_256_GCM: { key: 32, salt: 12 },
};

export interface SrtpKeyingMaterial {
  profile: SrtpProfileName;
  clientMasterKey: Uint8Array;
  serverMasterKey: Uint8Array;
  clientMasterSalt: Uint8Array;
  serverMasterSalt: Uint8Array;
}

/** What the helper needs of a session: TLS or DTLS, either version. */
export type SrtpSession = KeyingMaterialExporter & { readonly info: SessionInfo };

/** The SRTP keys of a finished handshake that negotiated use_srtp; an Error when none was negotiated. */
export function srtpKeyingMaterial(session: SrtpSession): SrtpKeyingMaterial {
  const profile = session.info.srtpProfile;
  if (!profile) throw new Error('no SRTP protection profile was negotiated (use_srtp, srtpProfiles)');
  const { key, salt } = SRTP_PROFILE_LENGTHS[profile];
  const m = session.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, undefined, 2 * (key + salt));
  return {
    profile,
    clientMasterKey: m.slice(0, key),
    serverMasterKey: m.slice(key, 2 * key),
    clientMasterSalt: m.slice(2 * key, 2 * key + salt),
    serverMasterSalt: m.slice(2 * key + salt, 2 * (key + salt)),
  };
}
