/**
 * Headless Chromium against `rxtls server --http`: a browser that offers the
 * post-quantum hybrid X25519MLKEM768 (codepoint 0x11EC) ends up on it with
 * us. What Chromium rendered is the page our server wrote about the
 * connection, and a tap in front of the server keeps Chromium's ClientHello,
 * so both sides are checked from one browser launch (a launch costs seconds).
 *
 * The certificate is trusted by pinning its key
 * (--ignore-certificate-errors-spki-list), not by turning verification off:
 * any other certificate would still be refused.
 */
import { expect } from 'chai';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X25519MLKEM768_CLIENT_SHARE_LENGTH } from '../../lib/crypto/x25519-mlkem768.js';
import { ExtensionType, NamedGroupCode } from '../../lib/wire/enums.js';
import { decodeU16List, findExtension, keyShare } from '../../lib/wire/extension.js';
import type { ClientHello } from '../../lib/wire/handshake.js';
import { fixture, fixturePath } from '../support/fixtures.js';
import { rxtlsServer } from './cli-run.js';
import { type ClientHelloTap, tapClientHello } from './client-hello-tap.js';
import { requirePeer, stopAll } from './peers.js';
import { execTracked } from './proc.js';

/** base64 SHA-256 of the leaf's SubjectPublicKeyInfo, the form Chromium's SPKI allow-list takes. */
function spkiPin(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** RFC 8701 GREASE values (0x0A0A, 0x1A1A, ...), which Chromium puts among its groups and shares. */
const isGrease = (v: number) => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);

describe('headless Chromium against rxtls server --http', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof rxtlsServer>> | undefined;
  let tap: ClientHelloTap | undefined;
  let home: string | undefined;
  let page = '';
  let hello: ClientHello;

  before(async function () {
    requirePeer('chromium', this);
    server = await rxtlsServer(['--cert', fixturePath('server-p256.pem'), '--key', fixturePath('server-p256.key'), '--http']);
    tap = await tapClientHello(server.port);
    // A fresh HOME and profile: Chromium writes both, and must not share them with a desktop session or another run.
    home = await mkdtemp(join(tmpdir(), 'rxtls-chromium-'));
    const argv = [
      'chromium', '--headless=new', '--no-sandbox', '--disable-gpu',
      `--user-data-dir=${join(home, 'profile')}`,
      `--ignore-certificate-errors-spki-list=${spkiPin(fixture('server-p256.pem'))}`,
      '--dump-dom', `https://localhost:${tap.port}/`,
    ];
    const run = await execTracked(argv, { timeoutMs: 40_000, env: { ...process.env, HOME: home } });
    expect(run.code, run.stderr.slice(-2000)).to.equal(0);
    page = run.stdout;
    hello = await tap.clientHello(5_000);
  });
  after(async () => {
    server?.proc.kill();
    await tap?.close();
    await stopAll();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('shows our page: TLS 1.3 with X25519MLKEM768', () => {
    expect(page, 'the DOM Chromium rendered').to.include('<title>rxtls</title>');
    expect(page).to.match(/(^|<pre>)Protocol: TLSv1\.3$/m); // the first line shares its line with <pre>
    expect(page).to.match(/^Cipher suite: TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/m);
    expect(page).to.match(/^Group: X25519MLKEM768$/m);
    expect(page).to.match(/^Server name: localhost$/m);
  });

  it('Chromium offered X25519MLKEM768 first, with a share of the hybrid size', () => {
    const groups = decodeU16List(findExtension(hello.extensions, ExtensionType.supported_groups)!, 'supported_groups').filter((g) => !isGrease(g));
    expect(groups[0], `supported_groups ${groups.map((g) => g.toString(16))}`).to.equal(NamedGroupCode.X25519MLKEM768);
    const shares = keyShare.decodeClient(findExtension(hello.extensions, ExtensionType.key_share)!).filter((s) => !isGrease(s.group));
    const hybrid = shares.find((s) => s.group === NamedGroupCode.X25519MLKEM768);
    expect(hybrid?.keyExchange.length).to.equal(X25519MLKEM768_CLIENT_SHARE_LENGTH);
  });
});
