/**
 * Not a spec: records what a real `openssl s_server -tls1_2` sends our TLS
 * 1.2 client, for client-fuzz.spec.ts to replay. The client's randomness is
 * seeded and its clock and date fixed, so a client built the same way sends
 * the same ClientHello and ClientKeyExchange again, and the recorded server
 * bytes (its signature over our random, its Finished over our messages) fit
 * it byte for byte. Run again only to refresh the recording:
 *   node --import tsx spec/tls12/client-record-flight.ts > spec/tls12/client-openssl-flight.json
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { Session } from '../../lib/session/session.js';
import { stopAll } from '../interop/peers.js';
import { startOpensslTls12Server } from '../interop/tls12-peers.js';
import { fixturePath } from '../support/fixtures.js';
import { SocketDriver } from '../support/run-over-socket.js';
import { REPLAY, replayClientOptions } from './client-replay.js';

const server = await startOpensslTls12Server({
  cert: fixturePath('server-p256.pem'),
  key: fixturePath('server-p256.key'),
  args: ['-cipher', REPLAY.openssl, '-groups', 'X25519'],
});
const socket = net.connect(server.port, '127.0.0.1');
const chunks: Buffer[] = [];
socket.on('data', (d: Buffer) => chunks.push(d));
await once(socket, 'connect');
const session = Session.client(replayClientOptions());
const driver = new SocketDriver(session, socket);
await driver.handshake();
await server.waitForOutput('CIPHER is');
server.send(REPLAY.serverData);
await driver.readBytes(REPLAY.serverData.length);
// "q": s_server ends this connection (openssl 3.0 closes the socket without close_notify).
server.send('q\n');
await driver.readAll().catch(() => {});
const bytes = Buffer.concat(chunks);
process.stdout.write(
  `${JSON.stringify(
    {
      what: `openssl s_server -tls1_2 -cipher ${REPLAY.openssl} -groups X25519 (P-256 fixture certificate) answering replayClientOptions(): every byte it sent, through its application data`,
      openssl: execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim(),
      recorded: new Date().toISOString().slice(0, 10),
      server: bytes.toString('hex'),
    },
    null,
    2,
  )}\n`,
);
socket.destroy();
await stopAll();
