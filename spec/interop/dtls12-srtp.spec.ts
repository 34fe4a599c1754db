/**
 * DTLS-SRTP (RFC 5764) and the RFC 5705 exporter over DTLS 1.2 against
 * OpenSSL and GnuTLS on 127.0.0.1: the profile each side negotiated and the
 * keying material each side printed must be the ones we derived.
 */
import { expect } from 'chai';
import { srtpKeyingMaterial } from '../../lib/handshake/srtp-keying-material.js';
import { Session } from '../../lib/session/session.js';
import { toHex } from '../../lib/wire/codec.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { freePort, requirePeer, stopAll } from './peers.js';
import { spawnTracked } from './proc.js';

const CERT = ['-cert', 'spec/fixtures/server-p256.pem', '-key', 'spec/fixtures/server-p256.key'];
const EXPORT = 'EXTRACTOR-dtls_srtp';

/** The hex an OpenSSL tool printed after "Keying material:". */
const opensslKeyingMaterial = (out: string) => /Keying material: ([0-9A-F]+)/.exec(out)?.[1]?.toLowerCase();

describe('DTLS 1.2 SRTP keys and exporter against real peers', function () {
  this.timeout(20_000);
  after(stopAll);

  it('our client and openssl s_server -dtls1_2 -use_srtp agree on the profile and the SRTP keying material', async function () {
    requirePeer('openssl', this);
    const port = await freePort();
    const server = spawnTracked(['openssl', 's_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, ...CERT, '-use_srtp', 'SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80', '-keymatexport', EXPORT, '-keymatexportlen', '60']);
    await server.waitForOutput('ACCEPT', 5000);
    const u = new UdpSession(Session.client({ protocol: 'dtls', serverName: 'localhost', ca: caPem(), clock: () => performance.now(), srtpProfiles: ['SRTP_AES128_CM_SHA1_80', 'SRTP_AEAD_AES_128_GCM'] }));
    await u.open(port);
    try {
      await u.handshake();
      const out = await server.waitForOutput(/Keying material: [0-9A-F]+/, 5000);
      // OpenSSL's server takes its own preference among the profiles we offered.
      expect(out).to.include('SRTP Extension negotiated, profile=SRTP_AEAD_AES_128_GCM');
      expect(u.session.info.srtpProfile).to.equal('SRTP_AEAD_AES_128_GCM');
      const keys = srtpKeyingMaterial(u.session);
      const ours = toHex(u.session.exportKeyingMaterial(EXPORT, undefined, 60));
      expect(ours).to.equal(opensslKeyingMaterial(out));
      expect(toHex(keys.clientMasterKey)).to.equal(ours.slice(0, 32));
    } finally {
      u.close();
      await server.stop();
    }
  });

  it('openssl s_client -dtls1_2 -use_srtp and our server agree on the profile and the exporter output', async function () {
    requirePeer('openssl', this);
    const u = new UdpSession(Session.server({ protocol: 'dtls', ...serverIdentity('p256'), clock: () => performance.now(), srtpProfiles: ['SRTP_AES128_CM_SHA1_32', 'SRTP_AES128_CM_SHA1_80'] }));
    const port = await u.open();
    const client = spawnTracked(['openssl', 's_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-use_srtp', 'SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32', '-keymatexport', 'EXPORTER-rxtls', '-keymatexportlen', '32']);
    try {
      await u.handshake();
      const out = await client.waitForOutput(/Keying material: [0-9A-F]+/, 5000);
      expect(u.session.info.srtpProfile).to.equal('SRTP_AES128_CM_SHA1_32'); // ours: the server's preference
      expect(out).to.include('SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_32');
      expect(toHex(u.session.exportKeyingMaterial('EXPORTER-rxtls', undefined, 32))).to.equal(opensslKeyingMaterial(out));
    } finally {
      u.close();
      await client.stop();
    }
  });

  it('gnutls-cli --udp --srtp-profiles and our server derive the same SRTP keys', async function () {
    requirePeer('gnutls-cli', this);
    const u = new UdpSession(Session.server({ protocol: 'dtls', ...serverIdentity('p256'), clock: () => performance.now(), srtpProfiles: ['SRTP_AES128_CM_SHA1_80'] }));
    const port = await u.open();
    const client = spawnTracked(['gnutls-cli', '--udp', '--x509cafile', 'spec/fixtures/ca.pem', '--srtp-profiles', 'SRTP_AES128_CM_HMAC_SHA1_80', '--keymatexport', EXPORT, '--keymatexportsize', '60', '-p', String(port), 'localhost']);
    try {
      await u.handshake();
      const out = await client.waitForOutput(/Key material: ([0-9A-F]+)/i, 5000);
      expect(out).to.match(/SRTP profile: SRTP_AES128_CM_HMAC_SHA1_80/i);
      const printed = /Key material: ([0-9A-F]+)/i.exec(out)![1]!.toLowerCase();
      expect(toHex(u.session.exportKeyingMaterial(EXPORT, undefined, 60))).to.equal(printed);
    } finally {
      u.close();
      await client.stop();
    }
  });
});
