/**
 * Issue 11, "Trust", through connectTls against node:tls on 127.0.0.1: Node's
 * root store as the default `ca`, a copy of it with a locally generated root
 * (chain made by the openssl CLI), laziness counted in parsed roots, SPKI pins
 * and WebRTC-style fingerprints both ways, each failure read on both sides
 * (our TlsError's alert and code, the alert node:tls received).
 */
import { expect } from 'chai';
import * as tls from 'node:tls';
import { firstValueFrom } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { connectTls, listenTls, nodeRootStore, TrustStore, type ConnectTlsOptions } from '../../lib/node/index.js';
import { parseCertificates, verifyServerChain } from '../../lib/x509/index.js';
import { nobleCrypto } from '../../lib/crypto/noble/index.js';
import { CA_EXT, leafExt, makePki, opensslFingerprint, opensslPin, type Pki } from '../support/openssl-pki.js';
import { endSoon, nodeTlsServer, text, collect } from './helpers.js';

describe('trust store, pins and fingerprints (connectTls against node:tls)', function () {
  this.timeout(30_000);
  let pki: Pki;
  before(() => {
    pki = makePki();
    pki.root('root', 'rxtls Local Root');
    pki.issue('int', 'rxtls Local Int', 'root', CA_EXT);
    pki.issue('leaf', 'localhost', 'int', leafExt('DNS:localhost', 'IP:127.0.0.1'));
    pki.root('self', 'rxtls WebRTC peer', { ext: leafExt('DNS:peer.invalid') });
  });
  after(() => pki.cleanup());

  /** A node:tls server with `identity`, recording the alert its handshake failed with. */
  async function serve(identity: 'chain' | 'self') {
    const cert = identity === 'chain' ? pki.pem('leaf') + pki.pem('int') : pki.pem('self');
    const key = pki.keyPem(identity === 'chain' ? 'leaf' : 'self');
    const peer = await nodeTlsServer((socket) => endSoon(socket, 'hello'), { cert, key });
    const clientErrors: Error[] = [];
    peer.server.on('tlsClientError', (e) => clientErrors.push(e));
    return { ...peer, clientErrors };
  }

  /** Connects and reads; resolves with the text, or the TlsError the channel failed with. */
  async function fetch(o: Omit<ConnectTlsOptions, 'host'>): Promise<string | TlsError> {
    const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', servername: 'localhost', ...o }));
    try {
      return text(await collect(channel));
    } catch (e) {
      if (e instanceof TlsError) return e;
      throw e;
    }
  }

  /** node:tls logs the alert it received as e.g. "...:tlsv1 alert unknown ca" on tlsClientError. */
  async function peerSaw(errors: Error[], alert: RegExp): Promise<void> {
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(errors.map((e) => e.message).join('\n')).to.match(alert);
  }

  describe('laziness', () => {
    it("builds Node's store once per process without parsing a root", () => {
      const store = nodeRootStore();
      expect(nodeRootStore()).to.equal(store);
      expect(store.size).to.equal(tls.rootCertificates.length);
      const fresh = new TrustStore(tls.rootCertificates);
      expect([fresh.size, fresh.parsed]).to.deep.equal([tls.rootCertificates.length, 0]);
    });

    it('parses only the root a chain names, once', () => {
      const store = new TrustStore(tls.rootCertificates).with([pki.pem('root')]);
      expect(store.parsed).to.equal(0);
      const opts = { roots: store, date: new Date(), serverName: 'localhost', crypto: nobleCrypto };
      verifyServerChain([pki.der('leaf'), pki.der('int')], opts);
      expect(store.parsed).to.equal(1);
      verifyServerChain([pki.der('leaf'), pki.der('int')], opts);
      expect(store.parsed).to.equal(1);
      // A chain naming no root in the store parses none.
      expect(() => verifyServerChain([pki.der('self')], opts)).to.throw(TlsError);
      expect(store.parsed).to.equal(1);
      expect(store.has(pki.der('root'))).to.equal(true);
      expect(store.issuersOf(parseCertificates(pki.pem('int'))[0]!.issuerDer)).to.have.length(1);
    });
  });

  describe("Node's root store as the default `ca`", () => {
    it('connects with a copy of the store holding a locally generated root, and no other `ca`', async () => {
      const peer = await serve('chain');
      try {
        const store = nodeRootStore().with([pki.pem('root')]);
        const start = performance.now();
        expect(await fetch({ port: peer.port, ca: store })).to.equal('hello');
        const ms = performance.now() - start;
        expect(store.parsed, 'roots parsed').to.equal(1);
        expect(ms).to.be.lessThan(5000);
      } finally {
        await peer.close();
      }
    });

    it('without `ca`, refuses a root that is not in Node’s store: unknown_ca on both sides', async () => {
      const peer = await serve('chain');
      try {
        const err = await fetch({ port: peer.port });
        expect(err).to.be.instanceOf(TlsError);
        expect([(err as TlsError).alert, (err as TlsError).code]).to.deep.equal(['unknown_ca', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
        expect((err as TlsError).message).to.include('rxtls Local Root');
        await peerSaw(peer.clientErrors, /alert unknown ca/i);
      } finally {
        await peer.close();
      }
    });
  });

  describe('pins', () => {
    it('connects when the chain holds a pinned key (the intermediate), and refuses otherwise, bad_certificate on both sides', async () => {
      const peer = await serve('chain');
      try {
        const ca = pki.pem('root');
        expect(await fetch({ port: peer.port, ca, pins: [opensslPin(`${pki.dir}/int.pem`)] })).to.equal('hello');
        const err = (await fetch({ port: peer.port, ca, pins: [opensslPin(`${pki.dir}/self.pem`)] })) as TlsError;
        expect([err.alert, err.code]).to.deep.equal(['bad_certificate', 'ERR_TLS_CERT_PIN_MISMATCH']);
        expect(err.message).to.include(opensslPin(`${pki.dir}/leaf.pem`));
        await peerSaw(peer.clientErrors, /alert bad certificate/i);
      } finally {
        await peer.close();
      }
    });

    it('refuses malformed pins before connecting, and pins on listenTls', async () => {
      const err = await firstValueFrom(connectTls({ port: 1, ca: pki.pem('root'), pins: ['md5/abc'] })).catch((e: unknown) => e);
      expect(String(err)).to.match(/pin is "sha256\//);
      const notArray = await firstValueFrom(connectTls({ port: 1, pins: 'sha256/x' as unknown as string[] })).catch((e: unknown) => e);
      expect((notArray as { code?: string }).code).to.equal('ERR_INVALID_ARG_VALUE');
      const onServer = await firstValueFrom(listenTls({ pins: [] } as never)).catch((e: unknown) => e);
      expect((onServer as { code?: string }).code).to.equal('ERR_TLS_UNSUPPORTED_OPTION');
      expect(String(onServer)).to.include('client option');
    });
  });

  describe('fingerprint (WebRTC style, self-signed peer)', () => {
    it('connects to the certificate with that fingerprint, with no `ca` and whatever its names', async () => {
      const peer = await serve('self');
      try {
        expect(await fetch({ port: peer.port, fingerprint: opensslFingerprint(`${pki.dir}/self.pem`) })).to.equal('hello');
      } finally {
        await peer.close();
      }
    });

    it('refuses another certificate: bad_certificate on both sides', async () => {
      const peer = await serve('self');
      try {
        const err = (await fetch({ port: peer.port, fingerprint: opensslFingerprint(`${pki.dir}/leaf.pem`) })) as TlsError;
        expect([err.alert, err.code]).to.deep.equal(['bad_certificate', 'ERR_TLS_CERT_FINGERPRINT_MISMATCH']);
        expect(err.message).to.include(opensslFingerprint(`${pki.dir}/self.pem`).slice('sha-256 '.length));
        await peerSaw(peer.clientErrors, /alert bad certificate/i);
      } finally {
        await peer.close();
      }
    });

    it('is refused beside `ca` (one or the other)', async () => {
      const err = await firstValueFrom(connectTls({ port: 1, ca: pki.pem('root'), fingerprint: opensslFingerprint(`${pki.dir}/self.pem`) })).catch((e: unknown) => e);
      expect(String(err)).to.match(/replaces `ca`/);
    });
  });
});
