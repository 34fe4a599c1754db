/** What bulk.ts and its forked receiver (bulk-server.ts) share. */
export const BULK_SUITE = 'TLS_AES_128_GCM_SHA256' as const;
export type BulkImpl = 'node:tls' | 'rxtls-node' | 'rxtls-noble';
/** Receiver -> sender. */
export type BulkMessage = { port: number } | { received: number };
/**
 * Sender -> receiver. `until` is a running total of plaintext bytes over all
 * connections (a per-transfer count could be reset after the data began to
 * arrive: IPC and TCP are not ordered with each other).
 */
export type BulkCommand = { until: number } | { exit: true };
