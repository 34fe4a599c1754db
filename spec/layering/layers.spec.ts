/**
 * DESIGN.md's layering rule, checked on the source: imports only point down,
 * and the protocol core never imports rxjs, node:* or another I/O module.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const lib = join(root, 'lib');

/** Layer rank: a module may import only from its own layer or lower ranks. */
const RANK: Record<string, number> = {
  'errors.ts': 0,
  wire: 1,
  crypto: 1,
  record: 2,
  x509: 2,
  handshake: 2,
  tls13: 3,
  tls12: 3,
  dtls: 3,
  connection: 3.5,
  session: 4,
  rx: 5,
  testing: 5,
  node: 6,
  'index.ts': 7,
};
const CORE = ['wire', 'record', 'handshake', 'tls13', 'tls12', 'dtls', 'x509', 'connection', 'session'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2]!,
  );
}

const layerOf = (file: string) => relative(lib, file).split('/')[0]!;
const rankOf = (file: string) => RANK[layerOf(file)] ?? Infinity;

describe('layering (DESIGN.md)', () => {
  const all = files(lib);

  it('finds the library sources', () => {
    expect(all.length).to.be.greaterThan(20);
  });

  it('the protocol core never imports rxjs, node:* or I/O modules', () => {
    const bad = all
      .filter((f) => CORE.includes(layerOf(f)))
      .flatMap((f) => imports(f).filter((i) => /^(rxjs|node:|net$|dgram$|fs$|crypto$|tls$)/.test(i)).map((i) => `${relative(root, f)} -> ${i}`));
    expect(bad).to.deep.equal([]);
  });

  it('the protocol core names no concrete crypto provider: only the CryptoProvider interface (entry points choose the default)', () => {
    const bad = all
      .filter((f) => CORE.includes(layerOf(f)))
      .flatMap((f) =>
        imports(f)
          .filter((i) => i.startsWith('.') && /^crypto\/(noble|node)\//.test(relative(lib, resolve(dirname(f), i))))
          .map((i) => `${relative(root, f)} -> ${i}`),
      );
    expect(bad).to.deep.equal([]);
  });

  it('lib/crypto/noble never imports node:*', () => {
    const bad = all
      .filter((f) => relative(lib, f).startsWith('crypto/noble'))
      .flatMap((f) => imports(f).filter((i) => i.startsWith('node:')).map((i) => `${relative(root, f)} -> ${i}`));
    expect(bad).to.deep.equal([]);
  });

  it('lib/rx imports only rxjs public entry points', () => {
    const bad = all.flatMap((f) => imports(f).filter((i) => i.startsWith('rxjs/internal')).map((i) => `${relative(root, f)} -> ${i}`));
    expect(bad).to.deep.equal([]);
  });

  it('imports only point down', () => {
    const bad: string[] = [];
    for (const f of all) {
      for (const spec of imports(f).filter((i) => i.startsWith('.'))) {
        const target = resolve(dirname(f), spec.replace(/\.js$/, '.ts'));
        const rel = relative(lib, target);
        if (rankOf(target) > rankOf(f)) bad.push(`${relative(root, f)} -> ${relative(root, target)}`);
      }
    }
    expect(bad).to.deep.equal([]);
  });
});
