/**
 * The default crypto provider comes from the entry point, not the core: a
 * process that loads only the core has none and says how to get one; the
 * `rxtls` entry sets @noble's.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `code` in a fresh node (tsx) process in the repository; its stdout and status. */
function run(code: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('the default crypto provider', function () {
  this.timeout(30_000);

  it('the core alone has none: Session.client without `crypto` says what to pass', () => {
    const r = run(`import { Session } from './lib/session/session.ts';
      try { Session.client({ serverName: 'x', dangerouslySkipCertificateVerification: true }); console.log('made'); }
      catch (e) { console.log(e.message); }`);
    expect(r.stdout, r.stderr).to.match(/no crypto provider: pass `crypto`/);
  });

  it("the 'rxtls' entry sets @noble's", () => {
    const r = run(`import { Session } from './lib/index.ts';
      const s = Session.client({ serverName: 'x', dangerouslySkipCertificateVerification: true });
      console.log(typeof s.handshake);`);
    expect(r.stdout.trim(), r.stderr).to.equal('function');
  });
});
