/**
 * Extras beyond the matrix, against openssl on 127.0.0.1: record shapes our
 * peers don't produce by default (padding, small fragments splitting the
 * handshake messages across records), and negotiation failures — the alert
 * must reach the peer, and the peer's alert must reach us, as TlsErrors.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { requirePeer, runOpensslClient, startOpensslServer, stopAll } from './peers.js';
import {
  CA_FILE,
  CERTS,
  closeGracefully,
  closeOurs,
  connectOurs,
  listenOurs,
  text,
  token,
  utf8,
  type OurServer,
} from './tls13-support.js';

/** The length field of every record in openssl's -trace that it sent with content type 23. */
function sentProtectedLengths(trace: string): number[] {
  return [...trace.matchAll(/^Sent Record\nHeader:\n {2}Version = [^\n]*\n {2}Content Type = ApplicationData \(23\)\n {2}Length = (\d+)$/gm)].map((m) => Number(m[1]));
}

describe('TLS 1.3 interop: record shapes and failures (openssl)', function () {
  this.timeout(20_000);

  before(function () {
    requirePeer('openssl', this);
  });

  after(async function () {
    await closeOurs();
    await stopAll();
  });

  const shapes: Array<[string, string[], (lengths: number[]) => void]> = [
    // Inner plaintext (content + type byte) padded to a multiple of 512, plus the 16-byte tag.
    ['-record_padding 512', ['-record_padding', '512'], (l) => expect(l.every((n) => (n - 16) % 512 === 0), `lengths ${l}`).to.equal(true)],
    // At most 512 bytes of content per record: 512 + type byte + tag.
    ['-max_send_frag 512 -split_send_frag 256', ['-max_send_frag', '512', '-split_send_frag', '256'], (l) => expect(Math.max(...l)).to.be.at.most(512 + 17)],
  ];

  for (const [name, args, check] of shapes) {
    it(`s_server ${name}: our client reassembles the server flight and reads the data`, async function () {
      const srv = await startOpensslServer({ cert: CERTS.p384.certFile, key: CERTS.p384.keyFile, args: [...args, '-trace'] });
      const end = await connectOurs(srv.port);
      const ping = token('ping');
      await end.driver.send(utf8(ping + '\n'));
      const out = await srv.waitForOutput(ping);
      const big = 'z'.repeat(3000);
      srv.send(big + '\n');
      expect(text(await end.driver.readBytes(big.length + 1))).to.equal(big + '\n');
      const lengths = sentProtectedLengths(out);
      expect(lengths.length, 'several protected records in the handshake').to.be.greaterThan(4);
      check(lengths);
      expect(end.session.info.signatureScheme).to.equal(CERTS.p384.scheme);
      await closeGracefully(end);
    });

    it(`s_client ${name}: our server reads its padded / fragmented records`, async function () {
      const server = await listenOurs(CERTS.p256);
      const big = 'y'.repeat(3000);
      const served = (async () => {
        const end = await server.accepted(0);
        await end.handshake;
        const got = text(await end.driver.readBytes(big.length + 1));
        await end.driver.send(utf8(`pong:${got.length}\n`));
        await end.driver.readAll();
        await end.driver.bye();
        return got;
      })();
      const res = await runOpensslClient({
        port: server.port,
        args: [...args, '-trace', '-CAfile', CA_FILE, '-servername', 'localhost', '-verify_return_error'],
        input: big + '\n',
        closeWhen: `pong:${big.length + 1}\n`,
        timeoutMs: 10_000,
      });
      expect(res.code, res.stderr).to.equal(0);
      expect(await served).to.equal(big + '\n');
      check(sentProtectedLengths(res.stdout));
      await server.close();
    });
  }

  describe('no parameters in common: our server sends handshake_failure, s_client reports it', function () {
    let server: OurServer;
    let index = 0;
    before(async function () {
      server = await listenOurs(CERTS.p256);
    });

    for (const [what, args, reason] of [
      ['group (ffdhe2048 only)', ['-groups', 'ffdhe2048'], 'no key-exchange group in common'],
      ['suite (CCM only)', ['-ciphersuites', 'TLS_AES_128_CCM_SHA256'], 'no cipher suite in common'],
      ['signature scheme (RSA-PSS only)', ['-sigalgs', 'RSA-PSS+SHA256'], 'no signature scheme in common'],
    ] as const) {
      it(what, async function () {
        const accepted = server.accepted(index++);
        const res = await runOpensslClient({ port: server.port, args: [...args], timeoutMs: 10_000 });
        const err = await (await accepted).handshake.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(TlsError);
        expect((err as TlsError).alert).to.equal('handshake_failure');
        expect((err as TlsError).message).to.contain(reason);
        expect(res.code).to.equal(1);
        expect(res.stderr).to.match(/alert handshake failure.*SSL alert number 40/);
      });
    }
  });

  describe("the server's alert reaches our client as a TlsError from the peer", function () {
    for (const [what, srvArgs, ours, reason] of [
      ['group: s_server -groups ffdhe2048', ['-groups', 'ffdhe2048'], {}, /no suitable key share/],
      [
        'suite: s_server -ciphersuites TLS_AES_128_GCM_SHA256, we offer ChaCha20 only',
        ['-ciphersuites', 'TLS_AES_128_GCM_SHA256'],
        { suites: ['TLS_CHACHA20_POLY1305_SHA256'] as const },
        /no shared cipher/,
      ],
    ] as const) {
      it(what, async function () {
        const srv = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, args: [...srvArgs] });
        const err = await connectOurs(srv.port, { ...ours, suites: ours.suites ? [...ours.suites] : undefined }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(TlsError);
        expect((err as TlsError).fromPeer).to.equal(true);
        expect((err as TlsError).alert).to.equal('handshake_failure');
        // s_server's own account of why it failed (its stderr). It writes "ERROR" and the reason in two
        // write()s: waiting for "ERROR" alone raced the second one on a busy machine. Wait for the reason.
        expect(await srv.waitForOutput(reason)).to.match(/^ERROR$/m);
        await srv.stop();
      });
    }
  });
});
