/**
 * RFC 8446 §4.6.3: a KeyUpdate with update_requested is answered with a
 * KeyUpdate of our own, and one answer may cover every request received
 * while we were silent. Our reply is "unsent" from when it is queued until
 * the caller of takeOutput() says everything taken before was written, so a
 * peer flooding requests while it does not read gets one reply, not one
 * queued per request.
 */
import { expect } from 'chai';
import type { ClientConfig, ServerConfig } from '../../lib/tls13/config.js';
import { type Conn, clientWith, feed, output, records, server } from './conn-pair.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

function connected(): { c: Conn<ClientConfig>; s: Conn<ServerConfig> } {
  const c = clientWith([]);
  const s = server({ tickets: 0 });
  expect(feed(s, output(c))).to.equal(undefined);
  expect(feed(c, output(s))).to.equal(undefined);
  expect(feed(s, output(c))).to.equal(undefined);
  expect(c.handshakeDone && s.handshakeDone).to.equal(true);
  return { c, s };
}

describe('KeyUpdate replies (RFC 8446 §4.6.3)', () => {
  it('2,000 requests while our writes are blocked: one reply, and the keys stay in step', () => {
    const { c, s } = connected();
    const written: Uint8Array[] = [];
    for (let i = 0; i < 2_000; i++) {
      c.updateKeys(true);
      expect(feed(s, output(c))).to.equal(undefined);
      // The server's caller still has everything it took unwritten (false): nothing new may pile up.
      written.push(output(s, false));
    }
    const sent = written.flatMap((b) => records(b));
    expect(sent).to.have.length(1); // one KeyUpdate(update_not_requested)
    // The client reads it, and data flows both ways under the updated keys.
    expect(feed(c, sent[0]!)).to.equal(undefined);
    s.writeApplicationData(utf8('still here'));
    expect(feed(c, output(s))).to.equal(undefined);
    expect(new TextDecoder().decode(c.takeApplicationData()!)).to.equal('still here');
    c.writeApplicationData(utf8('me too'));
    expect(feed(s, output(c))).to.equal(undefined);
    expect(new TextDecoder().decode(s.takeApplicationData()!)).to.equal('me too');
  });

  it('once the reply was written, the next request gets its own', () => {
    const { c, s } = connected();
    const replies: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        c.updateKeys(true);
        expect(feed(s, output(c))).to.equal(undefined);
      }
      const out = output(s, false); // taken while earlier output was unwritten...
      expect(output(s, true)).to.have.length(0); // ...then the caller reports it written
      replies.push(records(out).length);
      expect(feed(c, out)).to.equal(undefined);
    }
    expect(replies).to.deep.equal([1, 1, 1]);
  });

  it('a caller that writes everything it takes (the default) answers each request it takes separately', () => {
    const { c, s } = connected();
    let n = 0;
    for (let i = 0; i < 4; i++) {
      c.updateKeys(true);
      expect(feed(s, output(c))).to.equal(undefined);
      n += records(output(s)).length;
      n += records(output(s)).length; // a second take: nothing more
    }
    expect(n).to.equal(4);
  });

  it('our own KeyUpdate (keyUpdate(false)) does not stand in for an owed reply to a request, nor suppress it', () => {
    const { c, s } = connected();
    c.updateKeys(true);
    expect(feed(s, output(c))).to.equal(undefined);
    s.updateKeys(false);
    const out = records(output(s));
    expect(out).to.have.length(2);
    expect(feed(c, concatAll(out))).to.equal(undefined);
  });
});

function concatAll(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}
