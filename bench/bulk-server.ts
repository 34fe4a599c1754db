/**
 * The receiving side of the bulk section, in its own process (forked by
 * bulk.ts), so sender and receiver each have a core as a real client and
 * server would. argv[2] picks the implementation: `node:tls`, `rxtls-node`,
 * `rxtls-noble` or `records-node` (bulk-protocol.ts), argv[3] the protocol
 * version of the TLS ones, 'TLSv1.3' or 'TLSv1.2' (protocols.ts). It listens on
 * 127.0.0.1, sends `{ port }`, and for each `{ until: total }` message answers `{ received }` once that many plaintext
 * bytes arrived in all, over any number of connections.
 */
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { nobleCrypto } from '../lib/crypto/noble/index.js';
import { nodeCrypto } from '../lib/crypto/node/index.js';
import { listenTls } from '../lib/node/listen-tls.js';
import { RecordOpener } from '../lib/record/record-protection.js';
import { RecordReader } from '../lib/record/record-reader.js';
import { type BulkCommand, type BulkImpl, type BulkMessage, RECORDS_IV, RECORDS_KEY } from './bulk-protocol.js';
import { type BenchVersion, type Protocol, PROTOCOLS } from './protocols.js';
import { CERT, KEY } from './support.js';

let until = Infinity;
let received = 0;
const send = (m: BulkMessage) => process.send!(m);
const check = () => {
  if (received < until) return;
  until = Infinity;
  send({ received });
};
const add = (n: number) => {
  received += n;
  check();
};
// The parent gone (finished, or crashed before sending exit): stop too.
process.on('disconnect', () => process.exit(0));
process.on('message', (m: BulkCommand) => {
  if ('exit' in m) process.exit(0);
  until = m.until;
  check();
});

function listenNodeTls(protocol: Protocol): void {
  const server = tls.createServer({ cert: CERT, key: KEY, ...protocol.node }, (s) => {
    s.on('data', (chunk: Buffer) => add(chunk.length));
    s.on('error', () => {});
    s.on('end', () => s.end());
  });
  server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
}

function listenRxtls(impl: BulkImpl, protocol: Protocol): void {
  const crypto = impl === 'rxtls-noble' ? nobleCrypto : nodeCrypto;
  listenTls({
    port: 0,
    host: '127.0.0.1',
    cert: CERT,
    key: KEY,
    session: { crypto, ...protocol.rxtls },
    listeningObserver: { next: (a) => send({ port: a.port }) },
  }).subscribe((channel) => channel.subscribe({ next: (c) => add(c.length), error: () => {} }));
}

/** Records straight off TCP: RecordReader + RecordOpener per connection, nothing else. */
function listenRecords(): void {
  const server = net.createServer((s) => {
    const reader = new RecordReader();
    const opener = new RecordOpener(nodeCrypto.aead('aes-128-gcm', RECORDS_KEY), RECORDS_IV);
    s.on('data', (chunk: Buffer) => {
      reader.feed(chunk);
      for (let r = reader.next(); r; r = reader.next()) add(opener.open(r.header, r.fragment).content.length);
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
}

const impl = process.argv[2] as BulkImpl;
const protocol = PROTOCOLS[process.argv[3] as BenchVersion];
if (impl === 'records-node') listenRecords();
else if (!protocol) throw new Error(`bulk receiver: unknown version ${process.argv[3]}`);
else if (impl === 'node:tls') listenNodeTls(protocol);
else listenRxtls(impl, protocol);
