/**
 * DTLS-SRTP's handshake part (RFC 5764 §4.1 use_srtp, §4.2 key export) on
 * 127.0.0.1 over TLS 1.2. RFC 5764 defines it for DTLS; GnuTLS negotiates it
 * over TLS too, which lets its gnutls-cli/gnutls-serv check our negotiation
 * and keys now ("- SRTP profile: ...", and --keymatexport of the RFC's
 * label and 2 * (key + salt) bytes). OpenSSL takes use_srtp over DTLS only
 * and refuses a TLS ClientHello carrying it, which this spec pins down (the
 * reason srtpProfiles is documented as DTLS's). Then rxtls against rxtls
 * over a real socket.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { DTLS_SRTP_EXPORTER_LABEL, type SrtpKeyingMaterial, srtpKeyingMaterial } from '../../lib/handshake/srtp-keying-material.js';
import type { SrtpProfileName } from '../../lib/wire/use-srtp.js';
import { requirePeer, runGnutlsClient, startGnutlsServer, startOpensslServer, stopAll } from './peers.js';
import { GNUTLS_TLS12_PRIORITY } from './tls12-peers.js';
import { CERTS, closeOurs, connectOurs, listenOurs, text, token, utf8, type OurEnd } from './tls13-support.js';

const P256 = { cert: CERTS.p256.cert, key: CERTS.p256.key };
const TLS12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
/** GnuTLS's names for the profiles it knows (3.7 has no AEAD ones). */
const GNUTLS_NAME: Partial<Record<SrtpProfileName, string>> = {
  SRTP_AES128_CM_SHA1_80: 'SRTP_AES128_CM_HMAC_SHA1_80',
  SRTP_AES128_CM_SHA1_32: 'SRTP_AES128_CM_HMAC_SHA1_32',
};
/** Both AES-CM profiles: 2 * (16 + 14) bytes (RFC 5764 §4.1.2). */
const KEYMAT_ARGS = [`--keymatexport=${DTLS_SRTP_EXPORTER_LABEL}`, '--keymatexportsize=60'];
const GNUTLS_KEYMAT = /- Key material: ([0-9a-fA-F]+)/;
const GNUTLS_PROFILE = /- SRTP profile: (\S+)/;

const joined = (k: SrtpKeyingMaterial) => Buffer.concat([k.clientMasterKey, k.serverMasterKey, k.clientMasterSalt, k.serverMasterSalt]).toString('hex');

function printed(output: string, pattern: RegExp): string {
  const m = pattern.exec(output);
  if (!m) expect.fail(`${pattern} not in the peer's output:\n${output}`);
  return m[1]!;
}

async function echoLine(conn: OurEnd & { handshake: Promise<'done'> }, line: string): Promise<void> {
  await conn.handshake;
  const got = await conn.driver.readBytes(line.length + 1);
  await conn.driver.send(got);
  await conn.driver.readAll();
  await conn.driver.bye().catch(() => {});
}

describe('use_srtp and SRTP keys: interop (TLS 1.2)', function () {
  this.timeout(30_000);
  after(async () => {
    await closeOurs();
    await stopAll();
  });

  it("gnutls-cli --srtp-profiles -> our server: our preference picks, GnuTLS's keys equal ours", async function () {
    requirePeer('gnutls-cli', this);
    const ours = await listenOurs({ ...P256, srtpProfiles: ['SRTP_AES128_CM_SHA1_80', 'SRTP_AES128_CM_SHA1_32'] });
    const msg = token('srtp');
    const run = runGnutlsClient({
      port: ours.port,
      priority: GNUTLS_TLS12_PRIORITY,
      // GnuTLS prefers _32; we prefer _80, and the server decides.
      args: [`--srtp-profiles=${GNUTLS_NAME.SRTP_AES128_CM_SHA1_32}:${GNUTLS_NAME.SRTP_AES128_CM_SHA1_80}`, ...KEYMAT_ARGS],
      input: `${msg}\n`,
      closeWhen: msg,
      timeoutMs: 10_000,
    });
    const conn = await ours.accepted(0);
    await echoLine(conn, msg);
    const r = await run;
    expect(r.code, r.stderr).to.equal(0);
    expect(conn.session.info).to.include({ version: 'TLSv1.2', srtpProfile: 'SRTP_AES128_CM_SHA1_80' });
    expect(printed(r.stdout, GNUTLS_PROFILE)).to.equal(GNUTLS_NAME.SRTP_AES128_CM_SHA1_80);
    expect(joined(srtpKeyingMaterial(conn.session))).to.equal(printed(r.stdout, GNUTLS_KEYMAT).toLowerCase());
    await ours.close();
  });

  it('our client -> gnutls-serv --srtp-profiles: the profile it chose, its keys equal ours', async function () {
    requirePeer('gnutls-serv', this);
    const server = await startGnutlsServer({
      cert: CERTS.p256.certFile,
      key: CERTS.p256.keyFile,
      priority: GNUTLS_TLS12_PRIORITY,
      args: [`--srtp-profiles=${GNUTLS_NAME.SRTP_AES128_CM_SHA1_32}`, ...KEYMAT_ARGS],
    });
    const end = await connectOurs(server.port, { ...TLS12, srtpProfiles: ['SRTP_AEAD_AES_128_GCM', 'SRTP_AES128_CM_SHA1_80', 'SRTP_AES128_CM_SHA1_32'] });
    expect(end.session.info.srtpProfile).to.equal('SRTP_AES128_CM_SHA1_32');
    await end.driver.send(utf8('ping\n'));
    expect(text(await end.driver.readBytes(5))).to.equal('ping\n');
    const theirs = printed(await server.waitForOutput(GNUTLS_KEYMAT), GNUTLS_KEYMAT).toLowerCase();
    expect(joined(srtpKeyingMaterial(end.session))).to.equal(theirs);
    await end.driver.bye();
    await server.stop();
  });

  // Why srtpProfiles is for DTLS: OpenSSL's extension table marks use_srtp DTLS-only and refuses it in a TLS ClientHello.
  it('openssl s_server -tls1_2 refuses a TLS ClientHello offering use_srtp (illegal_parameter); without the offer all is well', async function () {
    requirePeer('openssl', this);
    const server = await startOpensslServer({ cert: CERTS.p256.certFile, key: CERTS.p256.keyFile, version: 'tls1_2', args: ['-use_srtp', 'SRTP_AES128_CM_SHA1_80'] });
    const refused = await connectOurs(server.port, { ...TLS12, srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] }).then(
      () => expect.fail('OpenSSL took use_srtp over TLS'),
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(TlsError);
    expect(refused as TlsError).to.include({ alert: 'illegal_parameter', fromPeer: true });
    const end = await connectOurs(server.port, TLS12);
    expect(end.session.info).to.include({ version: 'TLSv1.2' });
    expect(end.session.info.srtpProfile).to.equal(undefined);
    expect(() => srtpKeyingMaterial(end.session)).to.throw(Error, /SRTP/);
    await end.driver.bye();
    await server.stop();
  });

  for (const profile of ['SRTP_AES128_CM_SHA1_80', 'SRTP_AEAD_AES_256_GCM'] as const) {
    it(`rxtls client -> rxtls server over 127.0.0.1 (${profile}): the same keys on both ends`, async () => {
      const ours = await listenOurs({ ...P256, srtpProfiles: [profile, 'SRTP_AES128_CM_SHA1_32'] });
      const end = await connectOurs(ours.port, { ...TLS12, srtpProfiles: ['SRTP_AES128_CM_SHA1_32', profile] });
      const conn = await ours.accepted(0);
      await conn.handshake;
      expect(end.session.info.srtpProfile).to.equal(profile);
      expect(conn.session.info.srtpProfile).to.equal(profile);
      expect(srtpKeyingMaterial(end.session)).to.deep.equal(srtpKeyingMaterial(conn.session));
      await ours.close();
    });
  }
});
