/** What loop-stall.ts and its forked servers (loop-stall-server.ts) share. */
export type StallImpl = 'node:tls' | 'rxtls-node' | 'rxtls-noble';
export const STALL_SUITE = 'TLS_AES_128_GCM_SHA256' as const;
/** Parent -> server. */
export type StallCommand = { start: true; expect: number } | { exit: true };
/** Server -> parent. `maxMs`: longest event-loop delay seen during the burst; `gcMaxMs`: longest GC pause; `ms`: burst duration on the server. */
export type StallMessage = { port: number } | { ready: true } | { done: true; maxMs: number; p99Ms: number; gcMaxMs: number; ms: number; handshakes: number };
