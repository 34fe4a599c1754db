/**
 * The published package works the way users install it: `npm pack` (which
 * builds through `prepack`), then `npm install <tarball>` into an empty
 * project, with nothing else from this repository.
 *
 * - rxjs arrives as the (required) peer dependency, once, at the top level;
 * - every entry point (`rxtls`, `rxtls/rx`, `rxtls/node`, `rxtls/testing`)
 *   loads with `import` and with `require()`, and both give the same module
 *   (no second copy of the classes);
 * - `npx rxtls` runs;
 * - TypeScript projects compile against the installed types with
 *   `skipLibCheck: false`: CommonJS (module node16), ESM (nodenext), bundler
 *   and legacy node10 resolution; the compiled CommonJS and ESM programs run;
 * - the tarball holds no source maps, no install-time build, a LICENSE, and a
 *   README whose relative links point at files in the package.
 *
 * The package is built from a copy of this tree in a temporary directory, so
 * the spec never writes dist/ here (other runs may be using it).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => join(root, 'spec', 'fixtures', name);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; never rejects, the caller checks `code`. */
function run(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    // Lifecycle variables of an outer `npm test` must not leak into the inner npm runs.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(lifecycle|package|config_(prefix|global|cache_lock))/i.test(k)));
    execFile(cmd, args, { cwd, timeout, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const ok = (r: Run, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).to.equal(0);

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

/** Every entry point, with one export of each that must be a function at runtime. */
const ENTRIES = { rxtls: 'Session', 'rxtls/rx': 'openChannel', 'rxtls/node': 'connectTls', 'rxtls/testing': 'virtualStreamLink' };

/** A TypeScript program that uses each entry point with real types (no `any`). */
const TS_USAGE = `
import { Session, AGAIN, TlsError, type SessionInfo, type ClientOptions } from 'rxtls';
import { openChannel, retryOnAgain, type SecureChannel } from 'rxtls/rx';
import { connectTls, listenTls, nodeCrypto, type ConnectTlsOptions } from 'rxtls/node';
import { virtualStreamLink } from 'rxtls/testing';

const options: ClientOptions = { serverName: 'localhost', dangerouslySkipCertificateVerification: true };
const session = Session.client(options);
const version: SessionInfo['version'] | undefined = undefined;
const connect: ConnectTlsOptions = { host: '127.0.0.1', port: 1 };
const [a] = virtualStreamLink({ latency: 1 });
const channel: SecureChannel = openChannel(session, a);
const fns = [connectTls, listenTls, retryOnAgain];
const again: typeof AGAIN = AGAIN;
console.log(JSON.stringify({
  again,
  version: version ?? null,
  err: TlsError.prototype instanceof Error,
  crypto: typeof nodeCrypto,
  fns: fns.every((f) => typeof f === 'function'),
  channel: typeof channel.subscribe,
  connect: connect.host,
}));
channel.complete();
`;

describe('the published package (npm pack, npm install into an empty project)', function () {
  this.timeout(240_000);
  let work: string;
  let project: string;
  let pkgDir: string;

  before(async function () {
    work = mkdtempSync(join(tmpdir(), 'rxtls-package-'));
    const src = join(work, 'src');
    cpSync(root, src, {
      recursive: true,
      filter: (from) => !['node_modules', '.git', 'dist'].includes(basename(from)) || dirname(from) !== root.replace(/\/$/, ''),
    });
    symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
    const packed = await run('npm', ['pack', '--pack-destination', work], src);
    ok(packed, 'npm pack');
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball, 'npm pack wrote a tarball').to.be.a('string');

    project = join(work, 'project');
    write(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
    const typesNode = JSON.parse(readFileSync(join(root, 'node_modules/@types/node/package.json'), 'utf8')).version;
    const installed = await run(
      'npm',
      ['install', join(work, tarball!), `@types/node@${typesNode}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      project,
    );
    ok(installed, 'npm install <tarball>');
    pkgDir = join(project, 'node_modules', 'rxtls');
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('contents', () => {
    it('rxjs came in as the peer dependency, one copy at the top level', () => {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      expect(pkg.peerDependencies).to.deep.equal({ rxjs: '^7.8.0' });
      expect(pkg.peerDependenciesMeta?.rxjs?.optional, 'rxjs is not optional').to.not.equal(true);
      expect(existsSync(join(project, 'node_modules/rxjs/package.json'))).to.equal(true);
      expect(existsSync(join(pkgDir, 'node_modules/rxjs'))).to.equal(false);
    });

    it('no install-time build, a LICENSE, a repository, built files only, no source maps', () => {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts ?? {}).to.not.have.property(script);
      expect(pkg.license).to.equal('MIT');
      expect(pkg.repository).to.deep.include({ type: 'git' });
      const files = listFiles(pkgDir);
      expect(files).to.include.members(['LICENSE', 'README.md', 'package.json', 'dist/bin/rxtls.js', 'dist/cjs/package.json']);
      expect(readFileSync(join(pkgDir, 'LICENSE'), 'utf8')).to.match(/MIT License[\s\S]*Copyright \(c\) 2026 the rxtls authors/);
      expect(files.filter((f) => f.endsWith('.map')), 'source maps').to.deep.equal([]);
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'TypeScript sources').to.deep.equal([]);
      const mapped = files.filter((f) => f.endsWith('.js') && readFileSync(join(pkgDir, f), 'utf8').includes('sourceMappingURL'));
      expect(mapped, 'sourceMappingURL comments').to.deep.equal([]);
    });

    it("the README's relative links point at files in the package", () => {
      const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
      const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
      const relativeLinks = links.filter((l) => !/^(https?:|mailto:|#)/.test(l));
      for (const link of relativeLinks) expect(existsSync(join(pkgDir, link.split('#')[0]!)), link).to.equal(true);
    });

    it('the description claims only what works: TLS 1.3, TLS 1.2 and DTLS 1.2, DTLS 1.3 as roadmap', () => {
      const { description } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
      expect(description).to.match(/TLS 1\.3, TLS 1\.2 and DTLS 1\.2/);
      expect(description.replace(/\([^)]*roadmap[^)]*\)/, '')).to.not.match(/DTLS 1\.3/);
    });
  });

  describe('runtime', () => {
    it('ESM: import every entry point; a TLS 1.3 handshake in virtual time with the peer rxjs', async () => {
      write(
        join(project, 'esm.mjs'),
        `import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
${Object.entries(ENTRIES).map(([m, name], i) => `import * as m${i} from '${m}';\nassert.equal(typeof m${i}.${name}, 'function', '${m}');`).join('\n')}
const { Session } = m0, { openChannel } = m1, { virtualStreamLink } = m3;
const ca = readFileSync(${JSON.stringify(fixture('ca.pem'))}, 'utf8');
const cert = readFileSync(${JSON.stringify(fixture('server-p256.pem'))}, 'utf8');
const key = readFileSync(${JSON.stringify(fixture('server-p256.key'))}, 'utf8');
new TestScheduler((actual, expected) => assert.deepStrictEqual(actual, expected)).run(({ expectObservable }) => {
  const [a, b] = virtualStreamLink({ latency: 10 });
  const client = openChannel(Session.client({ serverName: 'localhost', ca }), a);
  const server = openChannel(Session.server({ cert, key }), b);
  expectObservable(client.handshake$.pipe(map((i) => i.version))).toBe('20ms (v|)', { v: 'TLSv1.3' });
  expectObservable(server.handshake$.pipe(map((i) => i.version))).toBe('30ms (v|)', { v: 'TLSv1.3' });
});
console.log('esm ok');
`,
      );
      const r = await run(process.execPath, ['esm.mjs'], project);
      ok(r, 'node esm.mjs');
      expect(r.stdout).to.include('esm ok');
      expect(r.stderr, 'no warnings').to.equal('');
    });

    it('CommonJS: require() every entry point, the same module objects as import', async () => {
      write(
        join(project, 'cjs.cjs'),
        `const assert = require('node:assert/strict');
(async () => {
${Object.entries(ENTRIES).map(([m, name]) => `  assert.equal(typeof require('${m}').${name}, 'function', '${m}');\n  assert.equal(require('${m}').${name}, (await import('${m}')).${name}, '${m}: one copy');`).join('\n')}
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
`,
      );
      const r = await run(process.execPath, ['cjs.cjs'], project);
      ok(r, 'node cjs.cjs');
      expect(r.stdout).to.include('cjs ok');
      expect(r.stderr, 'no warnings').to.equal('');
    });

    it('npx rxtls runs (help or usage), without crashing on a missing module', async () => {
      const help = await run('npx', ['rxtls', '--help'], project);
      const output = help.stdout + help.stderr;
      expect(output).to.not.match(/Cannot find (package|module)|ERR_MODULE_NOT_FOUND|ERR_REQUIRE_ESM/);
      expect([0, 2], output).to.include(help.code);
      expect(output).to.match(/usage/i);
      expect(output).to.include('rxtls client');

      // A usage error: exit code 2 and a message, not a crash with a stack trace.
      const bad = await run('npx', ['rxtls', 'client'], project);
      expect(bad.code, bad.stdout + bad.stderr).to.equal(2);
      expect(bad.stderr).to.not.equal('');
      expect(bad.stderr).to.not.match(/Cannot find (package|module)|^\s+at /m);
    });
  });

  describe('TypeScript consumers (skipLibCheck: false, the repository typescript)', () => {
    type Kind = 'commonjs' | 'module';
    /** name -> [package type, compiler options, file extension]; compiled in parallel once. */
    const PROJECTS: Record<string, [Kind, Record<string, unknown>, string]> = {
      'ts-cjs': ['commonjs', { module: 'node16', moduleResolution: 'node16' }, 'ts'],
      'ts-esm': ['module', { module: 'nodenext', moduleResolution: 'nodenext' }, 'ts'],
      'ts-cts': ['module', { module: 'nodenext', moduleResolution: 'nodenext' }, 'cts'],
      'ts-bundler': ['module', { module: 'preserve', moduleResolution: 'bundler', noEmit: true }, 'ts'],
      'ts-node10': ['commonjs', { module: 'commonjs', moduleResolution: 'node10' }, 'ts'],
    };
    const compiled = new Map<string, Run>();

    before(async () => {
      await Promise.all(
        Object.entries(PROJECTS).map(async ([name, [type, options, ext]]) => {
          const dir = join(project, name);
          write(join(dir, 'package.json'), JSON.stringify({ type }));
          write(
            join(dir, 'tsconfig.json'),
            JSON.stringify({
              compilerOptions: { target: 'ES2022', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out', ...options },
              include: [`*.${ext}`],
            }),
          );
          write(join(dir, `index.${ext}`), TS_USAGE);
          compiled.set(name, await run(process.execPath, [tsc, '-p', dir], dir));
        }),
      );
    });

    const compiles = (name: string) => {
      ok(compiled.get(name)!, `tsc ${name}`);
      return join(project, name);
    };
    const runs = async (dir: string, file: string) => {
      const r = await run(process.execPath, [join(dir, 'out', file)], dir);
      ok(r, `node ${file}`);
      expect(JSON.parse(r.stdout)).to.deep.include({ again: 'AGAIN', err: true, fns: true, channel: 'function', connect: '127.0.0.1' });
      expect(r.stderr, 'no warnings').to.equal('');
    };

    it('CommonJS project, module node16: compiles and runs', async () => {
      const dir = compiles('ts-cjs');
      expect(readFileSync(join(dir, 'out/index.js'), 'utf8')).to.include('require("rxtls")');
      await runs(dir, 'index.js');
    });

    it('ESM project, module nodenext: compiles and runs', async () => {
      await runs(compiles('ts-esm'), 'index.js');
    });

    it('CommonJS file in an ESM project, module nodenext (.cts): compiles and runs', async () => {
      await runs(compiles('ts-cts'), 'index.cjs');
    });

    it('bundler resolution (module preserve): compiles', () => {
      compiles('ts-bundler');
    });

    it('legacy CommonJS project, module commonjs with node10 resolution: compiles and runs', async () => {
      await runs(compiles('ts-node10'), 'index.js');
    });
  });
});
