/**
 * The README's code examples are the files in demos/readme (type-checked by
 * `npm test` with the rest of the tree), and its Quick start is the two
 * commands the guide promises.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const readme = readFileSync(root('README.md'), 'utf8');

describe('README', () => {
  it('Quick start is `npm ci && npm run demo` and `npm test`', () => {
    const quick = readme.split('## Quick start')[1]!.split('##')[0]!;
    expect(quick).to.include('npm ci && npm run demo');
    expect(quick).to.include('npm test');
  });

  for (const file of readdirSync(root('demos/readme')).filter((f) => f.endsWith('.example.ts'))) {
    it(`shows demos/readme/${file} verbatim`, () => {
      const code = readFileSync(root(`demos/readme/${file}`), 'utf8').trim();
      expect(readme).to.include('```ts\n' + code + '\n```');
    });
  }
});
