/**
 * record_size_limit (RFC 8449) against GnuTLS, which implements it, both
 * roles, TLS 1.3 and TLS 1.2: the peer advertises a small limit
 * (`--recordsize`), and the records we send, read off the socket, keep to
 * it, while a payload many times the limit still goes through both ways
 * (GnuTLS refuses an oversized record with record_overflow, so a clean run
 * is its verdict too). Our small limit is kept by GnuTLS, read off the
 * socket likewise. OpenSSL 3.0 has no RFC 8449: against it the extension
 * is simply not negotiated and nothing changes.
 */
import { expect } from 'chai';
import type { ClientOptions } from '../../lib/tls13/config.js';
import {
  parseGnutlsDescription,
  requirePeer,
  runGnutlsClient,
  runOpensslClient,
  startGnutlsServer,
  startOpensslServer,
  stopAll,
  type GnutlsServer,
} from './peers.js';
import { CA_FILE, CERTS, closeOurs, connectOurs, listenOurs, text, token, utf8, type OurEnd, type TapRecord } from './tls13-support.js';

const PRIORITY = { 'TLSv1.3': 'NORMAL:-VERS-ALL:+VERS-TLS1.3', 'TLSv1.2': 'NORMAL:-VERS-ALL:+VERS-TLS1.2' } as const;
type Version = keyof typeof PRIORITY;
/** AES-128-GCM: plaintextOf() knows its expansion (TLS 1.2 ChaCha20 has no explicit nonce). */
const GCM: Record<Version, ClientOptions['suites']> = { 'TLSv1.3': ['TLS_AES_128_GCM_SHA256'], 'TLSv1.2': ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] };

/**
 * Fragment lengths of the protected records in `records`: TLS 1.3's all go
 * out as application_data; TLS 1.2's are the ones after ChangeCipherSpec.
 */
function protectedLengths(records: TapRecord[], version: Version): number[] {
  const protectedOnes = version === 'TLSv1.3' ? records.filter((r) => r.type === 23) : records.slice(records.findIndex((r) => r.type === 20) + 1);
  return protectedOnes.map((r) => r.fragment.length);
}

/**
 * The most plaintext a protected fragment of `length` bytes can carry, as
 * RFC 8449 counts it: TLS 1.3 less the 16-byte tag (the inner plaintext,
 * type byte included); TLS 1.2 AES-GCM less the 8-byte explicit nonce too.
 */
const plaintextOf = (length: number, version: Version) => length - (version === 'TLSv1.3' ? 16 : 24);

/** A line of `n` characters, newline included, that an echo server sends back whole. */
const longLine = (label: string, n: number) => {
  const t = token(label);
  return `${t}${'x'.repeat(n - t.length - 1)}\n`;
};

async function echo(end: OurEnd, line: string): Promise<void> {
  await end.driver.send(utf8(line));
  expect(text(await end.driver.readBytes(line.length))).to.equal(line);
}

describe('record_size_limit interop (RFC 8449)', function () {
  this.timeout(30_000);
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    describe(`${version}: our client -> gnutls-serv --echo`, () => {
      let server: GnutlsServer;
      before(async function () {
        requirePeer('gnutls-serv', this);
        // gnutls-serv advertises 512 (its plaintext limit; TLS 1.3 adds the type byte); -d 4 logs what it negotiated.
        server = await startGnutlsServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, priority: PRIORITY[version], args: ['--recordsize=512', '-d', '4'] });
      });
      after(() => server?.stop());

      // GnuTLS 3.7 ignores a client limit under 512 ("client requested too small record_size_limit"), so ours is 600.
      it('we keep to the server\'s limit, and gnutls-serv keeps to our limit of 600', async () => {
        const end = await connectOurs(server.port, { recordSizeLimit: 600, maxVersion: version, suites: GCM[version] });
        expect(end.session.info.version).to.equal(version);
        const serverLimit = end.session.info.peerRecordSizeLimit!;
        expect(serverLimit).to.equal(version === 'TLSv1.3' ? 513 : 512);
        await echo(end, longLine('rsl-client', 6000));
        await end.driver.bye();

        const ours = protectedLengths(end.sent.records(), version);
        const theirs = protectedLengths(end.tap.records(), version);
        const ourMax = Math.max(...ours.map((l) => plaintextOf(l, version)));
        const theirMax = Math.max(...theirs.map((l) => plaintextOf(l, version)));
        // 6000 bytes in records of at most the limit: both limits were reached, neither exceeded.
        expect(ourMax).to.equal(serverLimit);
        expect(theirMax).to.equal(600);
        expect(ours.length).to.be.at.least(Math.ceil(6000 / serverLimit));
        expect(theirs.length).to.be.at.least(Math.ceil(6000 / 600));
        // GnuTLS's own word that it took our limit.
        expect(server.output()).to.include('record_size_limit 600 negotiated');
        console.log(`      ${version} gnutls-serv: our records ${ours.length}, largest plaintext ${ourMax} (limit ${serverLimit}); theirs ${theirs.length}, largest ${theirMax} (limit 600)`);
      });
    });

    describe(`${version}: gnutls-cli --recordsize -> our server`, () => {
      before(function () {
        requirePeer('gnutls-cli', this);
      });

      // gnutls-cli takes 512 to 4096 (it sends max_fragment_length too, which RFC 8449 §5 tells us to ignore: we do not implement it).
      it('we keep to the client\'s limit of 512 (the handshake flight too), and gnutls-cli to ours of 1000', async () => {
        const ours = await listenOurs({ cert: CERTS.p256.cert, key: CERTS.p256.key, recordSizeLimit: 1000, maxVersion: version, suites: GCM[version] });
        // gnutls-cli sends one record per read of its stdin, and drops what does not fit its own 512: a short line up, a long answer down.
        const hello = `${token('rsl-hello')}\n`;
        const lines = Array.from({ length: 12 }, (_, i) => longLine(`rsl-server-${i}`, 400));
        const run = runGnutlsClient({
          port: ours.port,
          insecure: false,
          priority: PRIORITY[version],
          args: [`--x509cafile=${CA_FILE}`, '--sni-hostname=localhost', '--verify-hostname=localhost', '--recordsize=512', '-d', '4'],
          input: hello,
          closeWhen: lines.at(-1)!.trim(),
          timeoutMs: 10_000,
        });
        const conn = await ours.accepted(0);
        await conn.handshake;
        expect(text(await conn.driver.readBytes(hello.length))).to.equal(hello);
        await conn.driver.send(utf8(lines.join('')));
        const r = await run;
        expect(r.code, r.stderr).to.equal(0);
        for (const l of lines) expect(r.stdout).to.include(l.trim());
        expect(parseGnutlsDescription(r.stdout).protocol).to.equal(version === 'TLSv1.3' ? 'TLS1.3' : 'TLS1.2');
        const clientLimit = conn.session.info.peerRecordSizeLimit!;
        // GnuTLS advertises its plaintext limit, plus the type byte in TLS 1.3.
        expect(clientLimit).to.equal(version === 'TLSv1.3' ? 513 : 512);
        expect(r.stderr).to.include('record_size_limit 1000 negotiated');
        await ours.close();

        const sentByUs = protectedLengths(conn.sent.records(), version);
        const sentByThem = protectedLengths(conn.tap.records(), version);
        const ourMax = Math.max(...sentByUs.map((l) => plaintextOf(l, version)));
        const theirMax = Math.max(...sentByThem.map((l) => plaintextOf(l, version)));
        expect(ourMax).to.equal(clientLimit);
        expect(theirMax).to.be.at.most(1000);
        expect(sentByUs.length).to.be.at.least(Math.ceil(4800 / clientLimit));
        console.log(`      ${version} gnutls-cli: our records ${sentByUs.length}, largest plaintext ${ourMax} (limit ${clientLimit}); theirs ${sentByThem.length}, largest ${theirMax} (limit 1000)`);
      });
    });
  }

  describe('OpenSSL 3.0 (no RFC 8449)', () => {
    before(function () {
      requirePeer('openssl', this);
    });

    it('s_server ignores our offer: not negotiated, full-size records from both', async () => {
      const srv = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile });
      const end = await connectOurs(srv.port, { recordSizeLimit: 256 });
      expect(end.session.info.version).to.equal('TLSv1.3');
      expect(end.session.info.peerRecordSizeLimit).to.equal(undefined);
      await end.driver.send(utf8('x'.repeat(3000)));
      expect(Math.max(...protectedLengths(end.sent.records(), 'TLSv1.3'))).to.equal(3000 + 1 + 16);
      await srv.stop();
    });

    it('s_client offers none: our server answers none and sends full-size records', async () => {
      const ours = await listenOurs({ cert: CERTS.p256.cert, key: CERTS.p256.key });
      const run = runOpensslClient({ port: ours.port, args: ['-servername', 'localhost', '-CAfile', CA_FILE], input: 'hi\n', closeWhen: 'y'.repeat(3000), timeoutMs: 10_000 });
      const conn = await ours.accepted(0);
      await conn.handshake;
      expect(conn.session.info.peerRecordSizeLimit).to.equal(undefined);
      await conn.driver.send(utf8('y'.repeat(3000)));
      const r = await run;
      expect(r.code, r.stderr).to.equal(0);
      expect(Math.max(...protectedLengths(conn.sent.records(), 'TLSv1.3'))).to.be.at.least(3000 + 1 + 16);
      await ours.close();
    });
  });
});
