/**
 * `rxtls client --sess-out F` / `--sess-in F` with TLS 1.3 (RFC 8446 §2.2),
 * against openssl s_server -www, whose page says whether the connection
 * reused a session: the ticket saved by one process resumes in the next
 * (its age counted on wall-clock time across the two processes).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '../support/fixtures.js';
import { rxtls } from './cli-run.js';
import { requirePeer, startOpensslServer, stopAll } from './peers.js';

const GET = 'GET / HTTP/1.0\r\n\r\n';

describe('rxtls client --sess-out / --sess-in over TLS 1.3 (openssl s_server)', function () {
  this.timeout(30_000);
  after(stopAll);

  it('saves the ticket openssl s_server -tls1_3 sent, and the next process resumes with it', async function () {
    requirePeer('openssl', this);
    const dir = mkdtempSync(join(tmpdir(), 'rxtls-sess13-'));
    const peer = await startOpensslServer({ cert: fixturePath('server-p256.pem'), key: fixturePath('server-p256.key'), version: 'tls1_3', www: true });
    try {
      const session = join(dir, 'session.json');
      const args = ['client', `127.0.0.1:${peer.port}`, '--servername', 'localhost', '--ca', fixturePath('ca.pem')];
      const first = await rxtls([...args, '--sess-out', session], GET);
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stdout).to.match(/New, TLSv1\.3, Cipher is TLS_/);
      expect(first.stderr).to.match(/version: TLSv1\.3[\s\S]*resumed: no/);
      expect(statSync(session).mode & 0o777).to.equal(0o600); // it holds the resumption PSK
      const again = await rxtls([...args, '--sess-in', session], GET);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.match(/Reused, TLSv1\.3, Cipher is TLS_/);
      expect(again.stderr).to.include('resumed: yes');
    } finally {
      await peer.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
