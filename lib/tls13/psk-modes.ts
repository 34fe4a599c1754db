/**
 * TLS 1.3 PSK key exchange modes (RFC 8446 §4.2.9): psk_ke derives the keys
 * from the PSK alone (no forward secrecy), psk_dhe_ke adds an (EC)DHE share.
 */
export type PskModeName = 'psk_ke' | 'psk_dhe_ke';

export const PskModeCode: Readonly<Record<PskModeName, number>> = { psk_ke: 0, psk_dhe_ke: 1 };

export function checkPskModes(modes: readonly string[] | undefined): PskModeName[] {
  if (modes === undefined) return ['psk_dhe_ke'];
  if (modes.length === 0) throw new Error('pskModes is empty: list psk_dhe_ke, psk_ke or both');
  for (const m of modes) if (!Object.hasOwn(PskModeCode, m)) throw new Error(`unknown PSK mode ${JSON.stringify(m)} (psk_dhe_ke or psk_ke)`);
  if (new Set(modes).size !== modes.length) throw new Error('pskModes names a mode twice');
  return modes as PskModeName[];
}
