/** What bulk.ts and its forked receiver (bulk-server.ts) share; the TLS versions and suites are protocols.ts's. */
/**
 * `records-node` is the node:crypto ceiling: our record layer alone
 * (RecordSealer -> TCP -> RecordReader + RecordOpener on nodeCrypto), no
 * handshake, Session, RxJS or SendQueue.
 */
export type BulkImpl = 'node:tls' | 'rxtls-node' | 'rxtls-noble' | 'records-node';
/** Traffic key and IV of the records-node pipeline (it has no handshake to agree on any). */
export const RECORDS_KEY = new Uint8Array(16).fill(0x5a);
export const RECORDS_IV = new Uint8Array(12).fill(0xa5);
/** Receiver -> sender. */
export type BulkMessage = { port: number } | { received: number };
/**
 * Sender -> receiver. `until` is a running total of plaintext bytes over all
 * connections (a per-transfer count could be reset after the data began to
 * arrive: IPC and TCP are not ordered with each other).
 */
export type BulkCommand = { until: number } | { exit: true };
