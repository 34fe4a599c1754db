/**
 * `--keymatexport LABEL --keymatexport-len N` on the rxtls command line: the
 * exported keying material as hex on stderr after the handshake, equal to
 * what openssl s_client -keymatexport prints for the same connection, and to
 * what the other end of an rxtls client/server pair prints (TLS 1.2 and 1.3).
 */
import { expect } from 'chai';
import { fixturePath } from '../support/fixtures.js';
import { CA, rxtls, rxtlsServer } from './cli-run.js';
import { requirePeer, stopAll } from './peers.js';
import { spawnTracked } from './proc.js';

const CERT = fixturePath('server-p256.pem');
const KEY = fixturePath('server-p256.key');
const GET = 'GET / HTTP/1.0\r\n\r\n';
const LABEL = 'EXPORTER-rxtls-cli';
const KEYMAT = /keying material: ([0-9a-f]+)/g;

/** Every "keying material: hex" line, in order. */
const keymats = (stderr: string) => [...stderr.matchAll(KEYMAT)].map((m) => m[1]!);

describe('rxtls CLI --keymatexport', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof rxtlsServer>>;
  before(async () => {
    server = await rxtlsServer(['--cert', CERT, '--key', KEY, '--http', '--keymatexport', LABEL, '--keymatexport-len', '32']);
  });
  after(async () => {
    server?.proc.kill();
    await stopAll();
  });

  it('rxtls server prints what openssl s_client -keymatexport prints (TLS 1.3)', async function () {
    requirePeer('openssl', this);
    const before = keymats(server.stderr()).length;
    const t = spawnTracked(['openssl', 's_client', '-connect', `127.0.0.1:${server.port}`, '-tls1_3', '-servername', 'localhost', '-CAfile', CA, '-ign_eof', '-keymatexport', LABEL, '-keymatexportlen', '32']);
    t.proc.stdin!.end(GET);
    const res = await t.exited();
    expect(res.code, t.stderr()).to.equal(0);
    const theirs = /Keying material: ([0-9A-F]+)/.exec(t.stdout())?.[1]?.toLowerCase();
    expect(theirs).to.have.length(64);
    expect(keymats(server.stderr()).slice(before)).to.deep.equal([theirs]);
  });

  for (const version of ['1.2', '1.3']) {
    it(`rxtls client and rxtls server print the same material (TLS ${version})`, async () => {
      const before = keymats(server.stderr()).length;
      const r = await rxtls(['client', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', CA, '--max-version', version, '--min-version', version, '--keymatexport', LABEL, '--keymatexport-len', '32'], GET);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.include(`version: TLSv${version}`);
      const ours = keymats(r.stderr);
      expect(ours).to.have.length(1);
      expect(ours[0]).to.have.length(64);
      expect(keymats(server.stderr()).slice(before)).to.deep.equal(ours);
    });
  }

  it('a reserved TLS 1.2 label is reported, not fatal', async () => {
    const r = await rxtls(['client', `127.0.0.1:${server.port}`, '--servername', 'localhost', '--ca', CA, '--max-version', '1.2', '--keymatexport', 'key expansion'], GET);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/keying material: cannot export under "key expansion": .*reserved/);
  });

  it('--keymatexport-len without --keymatexport, or a bad length, is a usage error', async () => {
    const noLabel = await rxtls(['client', '127.0.0.1:1', '--insecure', '--keymatexport-len', '32']);
    expect(noLabel.code).to.equal(2);
    expect(noLabel.stderr).to.include('--keymatexport-len needs --keymatexport LABEL');
    const bad = await rxtls(['client', '127.0.0.1:1', '--insecure', '--keymatexport', 'x', '--keymatexport-len', '0']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('invalid --keymatexport-len');
  });
});
