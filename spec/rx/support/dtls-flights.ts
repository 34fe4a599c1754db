/**
 * DTLS 1.2 datagrams as handshake flights, for specs that drop a chosen
 * flight on a virtualDatagramLink ('a' is the client, 'b' the server):
 *
 *   1  client  ClientHello
 *   2  server  ServerHello, Certificate, ServerKeyExchange, ServerHelloDone
 *   3  client  ClientKeyExchange, [ChangeCipherSpec], Finished (epoch 1)
 *   4  server  NewSessionTicket, [ChangeCipherSpec], Finished (epoch 1)
 *
 * Read from the first record's header (content type at 0, epoch at 3..4) and,
 * for a plaintext handshake record, the message type at 13.
 */
import type { TestScheduler } from 'rxjs/testing';
import type { LinkSide } from '../../../lib/testing/index.js';

export type FlightNumber = 1 | 2 | 3 | 4;

const HANDSHAKE = 22;
const CCS = 20;
const CLIENT_HELLO = 1;
const NEW_SESSION_TICKET = 4;

/** The handshake flight a datagram belongs to, or undefined (application data, alerts). */
export function flightOf(side: LinkSide, d: Uint8Array): FlightNumber | undefined {
  const type = d[0];
  const epoch = (d[3]! << 8) | d[4]!;
  const plainHandshake = type === HANDSHAKE && epoch === 0;
  const finishing = type === CCS || (type === HANDSHAKE && epoch > 0);
  if (side === 'a') {
    if (plainHandshake) return d[13] === CLIENT_HELLO ? 1 : 3;
    return finishing ? 3 : undefined;
  }
  if (plainHandshake) return d[13] === NEW_SESSION_TICKET ? 4 : 2;
  return finishing ? 4 : undefined;
}

/**
 * A drop selector losing the first `times` transmissions of flight `flight`.
 * A transmission is everything the flight's side sends of it at one virtual
 * instant (all the datagrams a flight is cut into).
 */
export function loseFlight(scheduler: TestScheduler, flight: FlightNumber, times: number) {
  const instants: number[] = [];
  return (side: LinkSide, _index: number, d: Uint8Array): boolean => {
    if (flightOf(side, d) !== flight) return false;
    const now = scheduler.now();
    if (!instants.includes(now)) instants.push(now);
    return instants.indexOf(now) < times;
  };
}
