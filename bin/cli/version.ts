/**
 * The version of rxtls, read at run time from its package.json: the nearest
 * one named "rxtls" above this file, so it is found from bin/cli/ (run with
 * tsx), from dist/bin/cli/ (after the build) and inside node_modules/rxtls/.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    let pkg: { name?: unknown; version?: unknown } | undefined;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      // none here (or unreadable): keep walking up
    }
    if (pkg?.name === 'rxtls' && typeof pkg.version === 'string') return pkg.version;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json of rxtls above ${fileURLToPath(from)}`);
    dir = parent;
  }
}
