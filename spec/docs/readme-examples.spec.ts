/**
 * The README's TestScheduler example runs, and fails loudly: with the
 * fixtures as its `ca`, `cert` and `key` it completes a handshake whose
 * marbles match, and the same text with a wrong expectation throws.
 *
 * The example declares `ca`, `cert` and `key` (`declare const`), so they are
 * globals here. The wrong-expectation copies are written to a temporary
 * directory (never into this tree) with a node_modules link back to ours, so
 * they import the same rxjs, and `rxtls` resolves through tsconfig paths as
 * for the example itself.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fixture } from '../support/fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(root, 'demos/readme/test-scheduler.example.ts');
const globals = globalThis as Record<string, unknown>;

describe('README TestScheduler example', () => {
  let dir: string;
  const source = readFileSync(EXAMPLE, 'utf8');

  before(() => {
    Object.assign(globals, { ca: fixture('ca.pem'), cert: fixture('server-p256.pem'), key: fixture('server-p256.key') });
    dir = mkdtempSync(join(tmpdir(), 'rxtls-readme-'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  });

  after(() => {
    for (const name of ['ca', 'cert', 'key']) delete globals[name];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the example with `from` replaced by `to`: resolves, or rejects with what the example threw. */
  const runWith = async (name: string, from: string, to: string) => {
    expect(source.split(from), `the example contains ${from} once`).to.have.length(2);
    const file = join(dir, `${name}.mts`);
    writeFileSync(file, source.replace(from, to));
    await import(pathToFileURL(file).href);
  };

  it('runs: the handshake matches its marbles', async () => {
    await import(pathToFileURL(EXAMPLE).href);
  });

  it('runs unchanged from a copy (the check below is not a resolution failure)', async () => {
    await runWith('unchanged', "'20ms (v|)'", "'20ms (v|)'");
  });

  for (const [name, from, to] of [
    ['wrong-time', "'20ms (v|)'", "'21ms (v|)'"],
    ['wrong-value', "'30ms (v|)', { v: 'TLSv1.3' }", "'30ms (v|)', { v: 'TLSv1.2' }"],
  ] as const) {
    it(`throws when its expectation is wrong (${name})`, async () => {
      const error = await runWith(name, from, to).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'the example threw').to.be.instanceOf(Error);
      expect((error as Error).name).to.equal('AssertionError');
    });
  }
});
