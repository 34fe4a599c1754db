/**
 * The demos run and say what they promise: `npm run demo` (real sockets on
 * 127.0.0.1, so this is an interop-style spec), the virtual-time demo and the
 * DTLS demo (virtual time, then real UDP on 127.0.0.1).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string) =>
  new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script], { cwd: root, timeout: 30_000 }, (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });

describe('demos', function () {
  this.timeout(40_000);

  it('npm run demo: handshake, messages both ways, close_notify, transcript', async () => {
    const { code, stdout } = await run('demos/demo.ts');
    expect(code, stdout).to.equal(0);
    expect(stdout).to.match(/negotiated\s+TLSv1\.3, TLS_CHACHA20_POLY1305_SHA256, group X25519MLKEM768, ALPN rxtls-demo/);
    expect(stdout).to.include('closed with close_notify both ways');
    const bytes = /client sent (\d+), server received (\d+), client received (\d+)/.exec(stdout)!;
    expect(bytes[1]).to.equal(bytes[2]).and.equal(bytes[3]);
  });

  it('npm run demo:virtual: the timeline in virtual milliseconds for a 50 ms link', async () => {
    const { code, stdout } = await run('demos/virtual-time.ts');
    expect(code, stdout).to.equal(0);
    expect(stdout).to.match(/t= 100 ms\s+client handshake done/);
    expect(stdout).to.match(/t= 150 ms\s+server handshake done/);
    expect(stdout).to.match(/t= 200 ms\s+client got the echo/);
  });

  it('npm run demo:dtls: lost flights retransmitted on the RFC 6347 timers, then an echo, in virtual time and over UDP', async () => {
    const { code, stdout } = await run('demos/dtls.ts');
    expect(code, stdout).to.equal(0);
    const [virtual, udp] = stdout.split('2. The same over real UDP');
    // Virtual time, 50 ms latency: the server's first flight (50) and the client's Finished flight (1100) are lost once.
    expect(virtual).to.match(/t=\s+50 ms\s+server → ServerHello, Certificate, ServerKeyExchange, ServerHelloDone .*✗ LOST/);
    expect(virtual).to.match(/t= 1000 ms\s+client → ClientHello .*\[retransmission\]/);
    expect(virtual).to.match(/t= 2100 ms\s+client → ClientKeyExchange, ChangeCipherSpec, encrypted record \(epoch 1\) .*\[retransmission\]\n/);
    expect(virtual).to.match(/t= 2150 ms\s+server handshake done/);
    expect(virtual).to.match(/t= 2200 ms\s+client handshake done: DTLSv1\.2/);
    expect(virtual).to.match(/t= 2300 ms\s+client got the echo "hello over DTLS"/);
    // Real UDP: the same losses and retransmissions, then the echo and a clean close on both sides.
    expect(udp).to.match(/✗ LOST/);
    expect(udp).to.match(/client → ClientKeyExchange.*\[retransmission\]\n/);
    expect(udp).to.include('client got the echo "hello over DTLS"');
    expect(udp).to.match(/client\s+closed/);
    expect(udp).to.match(/server\s+closed/);
  });
});
