/**
 * TLS 1.3 full handshakes with X25519MLKEM768 beside X25519, in memory, per
 * provider: what the post-quantum default costs (ML-KEM-768 is noble's in
 * both providers; the client also makes the X25519 share beside the hybrid,
 * as it does by default). node:tls on Node 20 has no ML-KEM to compare with.
 */
import type { CryptoProvider, GroupName } from '../lib/crypto/provider.js';
import { Session } from '../lib/session/session.js';
import { resolveServerConfig } from '../lib/tls13/config.js';
import { clientOptions, memoryHandshake, serverOptions } from './handshake.js';
import type { Line } from './stats.js';
import { interleavedAsync } from './support.js';

/** The options of one side, the bench protocol's but with `groups` (and, for the client, its default key shares). */
function handshaker(crypto: CryptoProvider, groups: GroupName[]): () => Promise<void> {
  const client = { ...clientOptions(crypto), groups, keyShareGroups: undefined };
  const server = resolveServerConfig({ ...serverOptions(crypto), groups });
  return async () => {
    let c: Session | undefined;
    memoryHandshake(() => (c = Session.client(client)), () => Session.server(server));
    if (c!.info.group !== groups[0]) throw new Error(`bench: negotiated ${c!.info.group}, wanted ${groups[0]}`);
  };
}

export async function hybridLines(providers: CryptoProvider[], timing: { rounds: number; sliceMs: number; slices: number; warmMs: number }): Promise<Line[]> {
  const lines: Line[] = [];
  for (const provider of providers) {
    const r = await interleavedAsync(handshaker(provider, ['X25519MLKEM768', 'x25519']), handshaker(provider, ['x25519']), timing);
    lines.push({
      section: 'handshake',
      name: `${provider.name} TLS 1.3 handshakes, X25519MLKEM768 vs X25519 (in-memory)`,
      unit: 'hs/s',
      a: { label: 'X25519MLKEM768', ...r.a },
      b: { label: 'X25519', ...r.b },
      ratio: r.ratio,
      better: 'higher',
      note: 'the hybrid client also sends an X25519 share (the default); ML-KEM-768 is @noble/post-quantum in both providers',
    });
  }
  return lines;
}
