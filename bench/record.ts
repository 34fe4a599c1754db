/**
 * Item 1: TLS 1.3 record protect + unprotect (RecordSealer.seal, RecordReader,
 * RecordOpener.open) against the raw AEAD of the same provider sealing and
 * opening the same payload, per suite, provider and payload size.
 */
import type { CryptoProvider } from '../lib/crypto/provider.js';
import { RecordOpener, RecordSealer } from '../lib/record/record-protection.js';
import { RecordReader } from '../lib/record/record-reader.js';
import { SUITES } from '../lib/tls13/suites.js';
import { type Line, interleavedOps, payload, scale } from './stats.js';

const APPLICATION_DATA = 23;

export function recordLayerLines(
  providers: CryptoProvider[],
  sizes: number[],
  timing: { rounds: number; sliceMs: number; slices: number; warmMs: number },
): Line[] {
  const lines: Line[] = [];
  for (const provider of providers) {
    for (const suite of SUITES) {
      const key = payload(suite.keyLength).map((x) => x ^ 0x5a);
      const iv = payload(12);
      for (const size of sizes) {
        const data = payload(size);
        // Raw AEAD: seal + open of the same payload under one key (fixed nonce: speed only).
        const aead = provider.aead(suite.aead, key);
        const nonce = iv.slice();
        const aad = Uint8Array.of(23, 3, 3, 0, 0);
        const raw = () => {
          const sealed = aead.seal(nonce, data, aad);
          if (!aead.open(nonce, sealed, aad)) throw new Error('raw open failed');
        };
        // Record layer: seal a record, split it off a byte stream, open it.
        const sealer = new RecordSealer(provider.aead(suite.aead, key), iv, Number.MAX_SAFE_INTEGER);
        const opener = new RecordOpener(provider.aead(suite.aead, key), iv);
        const reader = new RecordReader();
        const rec = () => {
          reader.feed(sealer.seal(APPLICATION_DATA, data));
          const r = reader.next()!;
          if (opener.open(r.header, r.fragment).content.length !== size) throw new Error('record open failed');
        };
        const result = scale(interleavedOps(rec, raw, timing), size);
        lines.push({
          section: 'record',
          name: `${provider.name} ${suite.name} ${size >= 1024 ? `${size / 1024} KiB` : `${size} B`}`,
          unit: 'MB/s',
          a: { label: 'record seal+open', ...result.a },
          b: { label: 'raw AEAD seal+open', ...result.b },
          ratio: result.ratio,
          better: 'higher',
          target: provider.name === 'noble' ? { min: 0.9, text: '≥ 0.90' } : undefined,
        });
      }
    }
  }
  return lines;
}

