/**
 * The receiving side of the bulk section, in its own process (forked by
 * bulk.ts), so sender and receiver each have a core as a real client and
 * server would. argv[2] picks the implementation: `node:tls`, `rxtls-node`,
 * `rxtls-noble` or `records-node` (bulk-protocol.ts). It listens on
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
import { BULK_SUITE, type BulkCommand, type BulkImpl, type BulkMessage, RECORDS_IV, RECORDS_KEY } from './bulk-protocol.js';
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
process.on('message', (m: BulkCommand) => {
  if ('exit' in m) process.exit(0);
  until = m.until;
  check();
});

function listenNodeTls(): void {
  const server = tls.createServer({ cert: CERT, key: KEY, minVersion: 'TLSv1.3', ciphers: BULK_SUITE, ecdhCurve: 'X25519' }, (s) => {
    s.on('data', (chunk: Buffer) => add(chunk.length));
    s.on('error', () => {});
    s.on('end', () => s.end());
  });
  server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }));
}

function listenRxtls(impl: BulkImpl): void {
  const crypto = impl === 'rxtls-noble' ? nobleCrypto : nodeCrypto;
  listenTls({
    port: 0,
    host: '127.0.0.1',
    cert: CERT,
    key: KEY,
    session: { crypto, suites: [BULK_SUITE], groups: ['x25519'] },
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
if (impl === 'node:tls') listenNodeTls();
else if (impl === 'records-node') listenRecords();
else listenRxtls(impl);
