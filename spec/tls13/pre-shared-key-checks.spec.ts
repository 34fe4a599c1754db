/**
 * What our server does with crafted pre_shared_key extensions (RFC 8446
 * §4.2.11): misplaced or malformed ones are fatal with the RFC's alert, a
 * binder that does not verify is decrypt_error, and identities that are not
 * our live tickets (or psk_ke alone) just mean a full handshake.
 */
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import type { Tls13SessionTicket } from '../../lib/handshake/session-info.js';
import { AGAIN } from '../../lib/session/contract.js';
import { Session } from '../../lib/session/session.js';
import { generateTicketKey } from '../../lib/tls12/ticket-keys.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { ExtensionType as X } from '../../lib/wire/enums.js';
import { encodePskModes, encodeServerName, encodeU16List, type Extension, keyShare } from '../../lib/wire/extension.js';
import { type ClientHello, encodeHandshake } from '../../lib/wire/handshake.js';
import { encodeOfferedPsks, type OfferedPsks } from '../../lib/wire/pre-shared-key.js';
import { serverIdentity } from '../support/fixtures.js';
import { connect, payload, transfer } from '../session/pair-helpers.js';

const KEY = generateTicketKey((n) => new Uint8Array(n).fill(7));

function serverAnswer(msg: ClientHello): { error?: TlsError; wrote: number } {
  const s = Session.server({ ...serverIdentity('p256'), minVersion: 'TLSv1.3', ticketKeys: [KEY] });
  const raw = encodeHandshake(msg);
  const record = concatBytes(Uint8Array.of(22, 3, 1, raw.length >> 8, raw.length & 0xff), raw);
  let fed = false;
  let wrote = 0;
  s.setTransport({ push: (b) => ((wrote += b.length), b.length), pull: () => (fed ? AGAIN : ((fed = true), record)) });
  try {
    s.handshake();
    return { wrote };
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    return { error: e, wrote };
  }
}

const base: Extension[] = [
  { type: X.server_name, data: encodeServerName('localhost') },
  { type: X.supported_versions, data: encodeU16List([0x0304], 1) },
  { type: X.supported_groups, data: encodeU16List([0x1d]) },
  { type: X.signature_algorithms, data: encodeU16List([0x0403]) },
  { type: X.key_share, data: keyShare.encodeClient([{ group: 0x1d, keyExchange: new Uint8Array(32).fill(9) }]) },
];
const modes = (m: number[]): Extension => ({ type: X.psk_key_exchange_modes, data: encodePskModes(m) });
const psk = (o: OfferedPsks): Extension => ({ type: X.pre_shared_key, data: encodeOfferedPsks(o) });

const hello = (extensions: Extension[]): ClientHello => ({
  type: 1,
  legacyVersion: 0x0303,
  random: new Uint8Array(32).fill(1),
  sessionId: new Uint8Array(0),
  cipherSuites: [0x1301],
  compressionMethods: Uint8Array.of(0),
  extensions,
});

describe('TLS 1.3 server: pre_shared_key checks', () => {
  let ticket: Tls13SessionTicket;
  before(() => {
    const p = connect({ suites: ['TLS_AES_128_GCM_SHA256'] }, { ticketKeys: [KEY] });
    transfer(p.server, p.client, payload(1));
    ticket = p.client.info.tickets[0] as Tls13SessionTicket;
  });
  const ours = (binder = new Uint8Array(32)) => psk({ identities: [{ identity: ticket.ticket, obfuscatedTicketAge: ticket.ageAdd }], binders: [binder] });

  it('our ticket with a binder that does not verify: decrypt_error', () => {
    expect(serverAnswer(hello([...base, modes([1]), ours()])).error?.alert).to.equal('decrypt_error');
  });

  it('pre_shared_key not last: illegal_parameter', () => {
    expect(serverAnswer(hello([...base, ours(), modes([1])])).error?.alert).to.equal('illegal_parameter');
  });

  it('pre_shared_key without psk_key_exchange_modes: missing_extension', () => {
    expect(serverAnswer(hello([...base, ours()])).error?.alert).to.equal('missing_extension');
  });

  it('more binders than identities: illegal_parameter', () => {
    const two = psk({ identities: [{ identity: ticket.ticket, obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32), new Uint8Array(32)] });
    expect(serverAnswer(hello([...base, modes([1]), two])).error?.alert).to.equal('illegal_parameter');
  });

  it('a binder shorter than 32 bytes: decode_error', () => {
    expect(serverAnswer(hello([...base, modes([1]), ours(new Uint8Array(31))])).error?.alert).to.equal('decode_error');
  });

  it('identities that are not our tickets: a full handshake, no error', () => {
    const other = psk({ identities: [{ identity: new Uint8Array(80).fill(3), obfuscatedTicketAge: 5 }], binders: [new Uint8Array(32)] });
    const r = serverAnswer(hello([...base, modes([1]), other]));
    expect(r.error).to.equal(undefined);
    expect(r.wrote).to.be.greaterThan(0);
  });

  it('psk_ke alone (no (EC)DHE): the ticket is not used, a full handshake', () => {
    const r = serverAnswer(hello([...base, modes([0]), ours()]));
    expect(r.error).to.equal(undefined);
    expect(r.wrote).to.be.greaterThan(0);
  });
});
