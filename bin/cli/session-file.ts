/**
 * `--sess-out F` / `--sess-in F` (openssl s_client's names): a session ticket
 * saved as JSON, byte fields in base64. The file holds the session's secret
 * (a TLS 1.2 master secret or a TLS 1.3 resumption PSK), so it is written
 * readable by its owner only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { SessionTicket } from '../../lib/session/contract.js';

const BYTES = ['ticket', 'masterSecret', 'nonce', 'psk'] as const;

/**
 * `receivedAt` is the session's clock(), performance.now() in the CLI: it
 * restarts with each process, so the file holds wall-clock time instead and
 * the reader converts it back (TLS 1.3 ticket ages and lifetimes count from it).
 */
const toWallClock = (t: number) => Date.now() - (performance.now() - t);
const fromWallClock = (t: number) => performance.now() - (Date.now() - t);

export function saveSession(file: string, ticket: SessionTicket): void {
  const json: Record<string, unknown> = { ...ticket, receivedAt: toWallClock(ticket.receivedAt) };
  for (const k of BYTES) if (json[k] instanceof Uint8Array) json[k] = Buffer.from(json[k] as Uint8Array).toString('base64');
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`, { mode: 0o600 });
}

/** Reads a session saved by saveSession(); throws an Error naming the file when it is not one. */
export function loadSession(file: string): SessionTicket {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot read --sess-in ${file}: ${(e as Error).message}`);
  }
  if (json.version !== 'TLSv1.2' && json.version !== 'TLSv1.3') throw new Error(`--sess-in ${file} holds no rxtls session`);
  for (const k of BYTES) if (typeof json[k] === 'string') json[k] = new Uint8Array(Buffer.from(json[k] as string, 'base64'));
  if (typeof json.receivedAt === 'number') json.receivedAt = fromWallClock(json.receivedAt);
  return json as unknown as SessionTicket;
}
