/**
 * Our DTLS 1.2 client as a standalone process, for peers that must run in a
 * private network namespace (gnutls-serv --udp): dtls-peers.ts runs it there
 * with `node --import tsx dtls-client-main.ts '<json options>'`.
 *
 * Options: { port, message, expect, mtu?, limitMs, psk?, serverRawPublicKey? }. It handshakes with
 * 127.0.0.1:port (serverName localhost, spec/fixtures/ca.pem; or the PSK; or
 * the server's raw public key, PEM, alone), sends
 * `message` as one record, reads until `expect` has arrived, sends
 * close_notify, then prints one line
 * `{"ok":...}` (OurDtlsClientResult) and exits.
 */
import '../support/default-crypto.js';
import { Session } from '../../lib/session/session.js';
import { EOF } from '../../lib/session/contract.js';
import { UdpSession } from '../dtls/support/udp-session.js';
import { caPem } from '../support/fixtures.js';

const opts = JSON.parse(process.argv[2] ?? '{}') as {
  port: number;
  message: string;
  expect: string;
  mtu?: number;
  limitMs: number;
  /** A PSK instead of the certificate check: identity and key in hex, and the suites to offer. */
  psk?: { identity: string; keyHex: string; suites: string[] };
  /** The server's raw public key (RFC 7250), PEM: the only thing that authenticates it. */
  serverRawPublicKey?: string;
};
const auth = opts.psk
  ? { psk: { identity: opts.psk.identity, key: new Uint8Array(Buffer.from(opts.psk.keyHex, 'hex')) }, suites: opts.psk.suites as never }
  : opts.serverRawPublicKey
    ? { serverRawPublicKey: opts.serverRawPublicKey }
    : { serverName: 'localhost', ca: caPem() };
const session = Session.client({ protocol: 'dtls', ...auth, clock: () => performance.now(), mtu: opts.mtu });
const udp = new UdpSession(session);
const report: Record<string, unknown> = { ok: false, maxReceived: 0, maxSent: 0 };
udp.socket.on('message', (m) => (report.maxReceived = Math.max(report.maxReceived as number, m.length)));
// Count what we send, and know when the kernel has it (the last datagram, our close_notify, must leave before exit).
const send = udp.socket.send.bind(udp.socket) as (msg: Uint8Array, port: number, address: string, cb: () => void) => void;
let inFlight = 0;
let drained: (() => void) | undefined;
(udp.socket as { send: unknown }).send = (msg: Uint8Array, port: number, address: string) => {
  report.maxSent = Math.max(report.maxSent as number, msg.length);
  inFlight++;
  send(msg, port, address, () => {
    if (--inFlight === 0) drained?.();
  });
};
const allSent = () => new Promise<void>((resolve) => (inFlight === 0 ? resolve() : (drained = resolve)));
try {
  await udp.open(opts.port);
  await udp.handshake();
  report.version = session.info.version;
  report.suite = session.info.suite;
  report.peerCertificateType = session.info.peerCertificateType;
  if (session.info.peerRawPublicKey) report.peerRawPublicKeyHex = Buffer.from(session.info.peerRawPublicKey).toString('hex');
  session.send(new TextEncoder().encode(opts.message));
  let received = '';
  const deadline = Date.now() + opts.limitMs;
  while (!received.includes(opts.expect)) {
    const chunk = await udp.recv(Math.max(1, deadline - Date.now()));
    if (chunk === EOF) break;
    received += new TextDecoder().decode(chunk);
  }
  report.received = received;
  // close_notify; gnutls-serv prints EOF and drops the association without answering, so no wait for one.
  report.bye = session.bye();
  await allSent();
  report.discarded = session.discarded;
  report.ok = true;
} catch (e) {
  report.error = String((e as Error)?.stack ?? e);
  report.discarded = session.discarded;
} finally {
  udp.close();
}
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
