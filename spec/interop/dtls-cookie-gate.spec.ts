/**
 * The cookie gate against real DTLS 1.2 clients: it parses the ClientHello
 * that `openssl s_client -dtls1_2` and `gnutls-cli --udp` send, answers with
 * a HelloVerifyRequest, and the client's second ClientHello carries exactly
 * our cookie (so our HelloVerifyRequest format is one they accept).
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { nobleCrypto } from '../../lib/crypto/index.js';
import { CookieJar } from '../../lib/dtls/cookie.js';
import { cookieGate } from '../../lib/dtls/cookie-gate.js';
import { toHex } from '../../lib/wire/codec.js';
import { splitDtlsClientHello } from '../../lib/wire/dtls-hello.js';
import { requirePeer, type PeerCommand } from './peers.js';
import { spawnTracked } from './proc.js';

/** The ClientHello body inside a one-record, one-message datagram (13-byte record header, 12-byte handshake header). */
const helloBody = (datagram: Uint8Array) => datagram.subarray(13 + 12);

/** One datagram from the client, the gate's verdict on it, and our reply if any. */
interface Step {
  datagram: Uint8Array;
  verdict: string;
  reply?: Uint8Array;
}

/**
 * Binds 127.0.0.1:0, starts the client against it and answers each datagram
 * through the gate until one is accepted (the client is then killed: the
 * handshake goes no further). `before(n)` runs before the gate sees the n-th
 * datagram (1-based), e.g. to move the jar's clock.
 */
async function exchangeWith(argv: (port: number) => string[], before: (n: number, server: { jar: CookieJar; tick(ms: number): void }) => void = () => {}): Promise<Step[]> {
  let now = 0;
  const jar = new CookieJar(nobleCrypto, nobleCrypto.random, () => now, 1000);
  const tick = (ms: number) => (now += ms);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  const client = spawnTracked(argv(port));
  const steps: Step[] = [];
  try {
    return await new Promise<Step[]>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`${why}; steps ${JSON.stringify(steps.map(summary))}; client output:\n${client.output()}`));
      const timer = setTimeout(() => fail('no accepted ClientHello'), 10_000);
      socket.on('message', (msg, rinfo) => {
        const datagram = new Uint8Array(msg);
        before(steps.length + 1, { jar, tick });
        const verdict = cookieGate(jar, `${rinfo.address}:${rinfo.port}`, datagram);
        steps.push({ datagram, verdict: verdict.verdict, reply: verdict.verdict === 'reply' ? verdict.datagram : undefined });
        if (verdict.verdict === 'reply') socket.send(verdict.datagram, rinfo.port, rinfo.address);
        if (verdict.verdict === 'accept') {
          clearTimeout(timer);
          resolve(steps);
        } else if (verdict.verdict === 'drop' || steps.length >= 4) {
          clearTimeout(timer);
          fail(`gave up at datagram ${steps.length}`);
        }
      });
    });
  } finally {
    await client.stop();
    await new Promise<void>((resolve) => socket.close(resolve));
  }
}

const summary = (s: Step) => ({ seq: seqOf(s.datagram), verdict: s.verdict, reply: s.reply && seqOf(s.reply) });

/** "record seq / message_seq" of a one-record handshake datagram. */
function seqOf(d: Uint8Array): string {
  return `${toHex(d.subarray(3, 11))}/${toHex(d.subarray(13 + 4, 13 + 6))}`;
}

/** Each hello repeats the first one's parameters and carries the cookie of the reply before it; each reply reuses its hello's sequence numbers. */
function checkSteps(steps: Step[]): void {
  const hellos = steps.map((s) => splitDtlsClientHello(helloBody(s.datagram)));
  expect(hellos[0]!.version).to.equal(0xfefd);
  expect(hellos[0]!.cookie).to.have.length(0);
  for (let i = 1; i < steps.length; i++) {
    const cookie = steps[i - 1]!.reply!.subarray(13 + 12 + 3);
    // Byte for byte our cookie, and otherwise the same hello (RFC 6347 §4.2.1).
    expect(toHex(hellos[i]!.cookie)).to.equal(toHex(cookie));
    expect(toHex(hellos[i]!.parameters)).to.equal(toHex(hellos[0]!.parameters));
  }
  for (const s of steps) if (s.reply) expect(seqOf(s.reply)).to.equal(seqOf(s.datagram));
}

describe('interop: the DTLS cookie gate against real clients', function () {
  this.timeout(20_000);

  const clients: Array<[PeerCommand, (port: number) => string[]]> = [
    ['openssl', (port) => ['openssl', 's_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`]],
    ['gnutls-cli', (port) => ['gnutls-cli', '--udp', '--insecure', '--port', String(port), '127.0.0.1']],
  ];

  for (const [cmd, argv] of clients) {
    it(`${cmd}: parses its ClientHello, and its second ClientHello carries exactly our cookie`, async function () {
      requirePeer(cmd, this);
      const steps = await exchangeWith(argv);
      expect(steps.map((s) => s.verdict)).to.deep.equal(['reply', 'accept']);
      checkSteps(steps);
      // The client moved on: a new record sequence number and message_seq 1.
      expect(seqOf(steps[1]!.datagram)).to.equal('0000000000000001/0001');
    });

    it(`${cmd}: a stale cookie gets a second HelloVerifyRequest (message_seq 1), and the third hello is accepted`, async function () {
      requirePeer(cmd, this);
      // Two rotations of the jar's secret between the first and second hello: the cookie it carries is stale.
      const steps = await exchangeWith(argv, (n, { jar, tick }) => {
        if (n !== 2) return;
        tick(1500);
        jar.make('rotate', new Uint8Array(1));
        tick(1500);
      });
      expect(steps.map((s) => s.verdict)).to.deep.equal(['reply', 'reply', 'accept']);
      checkSteps(steps);
      // Clients take the second HelloVerifyRequest only because its message_seq mirrors
      // their hello's (1): with message_seq 0 both openssl and gnutls ignore it and retransmit.
      expect(seqOf(steps[1]!.reply!)).to.equal('0000000000000001/0001');
      expect(seqOf(steps[2]!.datagram)).to.equal('0000000000000002/0002');
    });
  }
});
