/**
 * Our TLS 1.3 client resuming, as a standalone process: for peers in a
 * private network namespace (gnutls-serv), run there with
 * `node --import tsx resume-client-main.ts <port>`. It connects to
 * 127.0.0.1:port (serverName localhost, spec/fixtures/ca.pem), sends a line,
 * waits for its echo and closes; then again with the newest ticket the first
 * connection received (from channel.session$). Prints one JSON line:
 * { first: { resumed, version, tickets }, second: { resumed, version } }.
 */
import '../support/default-crypto.js';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { connectTls } from '../../lib/node/index.js';
import { caPem } from '../support/fixtures.js';

const port = Number(process.argv[2]);

async function echo(line: string, session?: Tls13SessionTicket) {
  const channel = await firstValueFrom(connectTls({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem(), session: { session } }));
  const tickets = lastValueFrom(channel.session$.pipe(toArray()));
  await new Promise<void>((resolve, reject) => {
    let got = '';
    channel.subscribe({ next: (c) => (got += new TextDecoder().decode(c)).includes('\n') && resolve(), error: reject });
    channel.next(new TextEncoder().encode(`${line}\n`));
  });
  channel.complete();
  return { info: channel.info, tickets: await tickets };
}

const first = await echo('one');
const ticket = first.tickets.at(-1) as Tls13SessionTicket | undefined;
const second = ticket ? await echo('two', ticket) : undefined;
console.log(
  JSON.stringify({
    first: { resumed: first.info.resumed, version: first.info.version, tickets: first.tickets.length },
    second: second && { resumed: second.info.resumed, version: second.info.version },
  }),
);
