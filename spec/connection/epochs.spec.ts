/**
 * States install record protection with an epoch (DESIGN.md: installRead /
 * installWrite with a protection object and an epoch); the connection lets
 * keys only move forward, and a handshake leaves the epochs TLS 1.3 and 1.2 use.
 */
import { expect } from 'chai';
import { Connection } from '../../lib/connection/connection.js';
import { TlsError } from '../../lib/errors.js';
import type { RecordOpen, RecordSeal } from '../../lib/record/protection.js';
import { resolveClientConfig } from '../../lib/tls13/config.js';
import type { Context, State } from '../../lib/tls13/context.js';
import { caPem } from '../support/fixtures.js';
import { connect } from '../session/pair-helpers.js';

const opener: RecordOpen = { seq: 0, open: () => ({ type: 23, content: new Uint8Array(0) }) };
const sealer: RecordSeal = { exhausted: false, sealPieces: () => [] };

/** A connection whose first state runs `install` against the context. */
function installing(install: (ctx: Context) => void): () => unknown {
  return () =>
    new Connection(resolveClientConfig({ serverName: 'localhost', ca: caPem() }), (ctx) => {
      install(ctx as Context);
      return { expects: [] } as unknown as State;
    });
}

describe('key epochs', () => {
  it('move forward only: the same or an older epoch again is internal_error', () => {
    expect(installing((ctx) => (ctx.installRead(opener, 2), ctx.installRead(opener, 3)))).not.to.throw();
    for (const again of [2, 1]) {
      expect(installing((ctx) => (ctx.installRead(opener, 2), ctx.installRead(opener, again)))).to.throw(TlsError, /epoch/);
      expect(installing((ctx) => (ctx.installWrite(sealer, 2), ctx.installWrite(sealer, again)))).to.throw(TlsError, /epoch/);
    }
  });

  it('TLS 1.3 ends the handshake in epoch 3 each way; a KeyUpdate moves one way on', () => {
    const p = connect();
    const epochs = (s: typeof p.client) => {
      const conn = (s as unknown as { conn: Connection<never> }).conn;
      return [conn.readEpoch, conn.writeEpoch];
    };
    expect(epochs(p.client)).to.deep.equal([3, 3]);
    expect(p.client.keyUpdate(false)).to.equal('done');
    expect(epochs(p.client)).to.deep.equal([3, 4]);
  });

  it('TLS 1.2 reads and writes in epoch 1 after the ChangeCipherSpecs', () => {
    const p = connect({ maxVersion: 'TLSv1.2' });
    const conn = (p.server as unknown as { conn: Connection<never> }).conn;
    expect([p.server.info.version, conn.readEpoch, conn.writeEpoch]).to.deep.equal(['TLSv1.2', 1, 1]);
  });
});
