import { expect } from 'chai';
import { HandshakeBuffer, type RawHandshake } from '../../lib/record/handshake-buffer.js';
import { MAX_HANDSHAKE_MESSAGE } from '../../lib/record/limits.js';
import { concatBytes } from '../../lib/wire/codec.js';
import { alertOf } from '../support/alerts.js';

function message(type: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  return concatBytes(Uint8Array.of(type, n >> 16, (n >> 8) & 0xff, n & 0xff), body);
}

const body = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);

function drain(b: HandshakeBuffer): RawHandshake[] {
  const out: RawHandshake[] = [];
  for (let m = b.next(); m; m = b.next()) out.push(m);
  return out;
}

describe('HandshakeBuffer', () => {
  it('reassembles a message fed one byte at a time', () => {
    const msg = message(11, body(1000));
    const b = new HandshakeBuffer();
    for (let i = 0; i < msg.length - 1; i++) {
      b.add(msg.subarray(i, i + 1));
      expect(b.next()).to.equal(undefined);
      expect(b.empty).to.equal(false);
    }
    b.add(msg.subarray(msg.length - 1));
    const m = b.next()!;
    expect(m.type).to.equal(11);
    expect(m.body).to.deep.equal(body(1000));
    expect(m.raw).to.deep.equal(msg);
    expect(b.empty).to.equal(true);
    b.requireAligned();
  });

  it('splits several messages from one record, including an empty body', () => {
    const msgs = [message(8, body(2)), message(20, new Uint8Array(0)), message(15, body(70000))];
    const b = new HandshakeBuffer();
    b.add(concatBytes(...msgs));
    const out = drain(b);
    expect(out.map((m) => m.type)).to.deep.equal([8, 20, 15]);
    expect(out.map((m) => m.raw)).to.deep.equal(msgs);
    expect(out[1]!.body.length).to.equal(0);
    expect(b.empty).to.equal(true);
  });

  it('handles a message spanning records followed by the start of another', () => {
    const a = message(11, body(50));
    const c = message(15, body(9));
    const wire = concatBytes(a, c);
    const b = new HandshakeBuffer();
    b.add(wire.subarray(0, 30));
    expect(b.next()).to.equal(undefined);
    b.add(wire.subarray(30, 56));
    expect(drain(b).map((m) => m.raw)).to.deep.equal([a]);
    expect(alertOf(() => b.requireAligned())).to.equal('unexpected_message');
    b.add(wire.subarray(56));
    expect(drain(b).map((m) => m.raw)).to.deep.equal([c]);
    b.requireAligned();
  });

  it('requireAligned: unexpected_message with a partial header or body buffered', () => {
    const b = new HandshakeBuffer();
    b.requireAligned();
    b.add(Uint8Array.of(20, 0));
    expect(b.next()).to.equal(undefined);
    expect(alertOf(() => b.requireAligned())).to.equal('unexpected_message');
    const b2 = new HandshakeBuffer();
    b2.add(message(20, body(32)).subarray(0, 10));
    expect(alertOf(() => b2.requireAligned())).to.equal('unexpected_message');
  });

  it('an empty handshake record is unexpected_message', () => {
    expect(alertOf(() => new HandshakeBuffer().add(new Uint8Array(0)))).to.equal('unexpected_message');
  });

  it('refuses a message longer than the buffering limit from its header alone', () => {
    const n = MAX_HANDSHAKE_MESSAGE + 1;
    const b = new HandshakeBuffer();
    b.add(Uint8Array.of(11, n >> 16, (n >> 8) & 0xff, n & 0xff));
    expect(alertOf(() => b.next())).to.equal('illegal_parameter');
    const ok = new HandshakeBuffer();
    const m = MAX_HANDSHAKE_MESSAGE;
    ok.add(Uint8Array.of(11, m >> 16, (m >> 8) & 0xff, m & 0xff));
    expect(ok.next()).to.equal(undefined);
  });

  it('checkHeader sees type and length from the 4-byte header, before any body, and can refuse', () => {
    const b = new HandshakeBuffer();
    const seen: Array<[number, number]> = [];
    b.add(Uint8Array.of(1, 0x02, 0x01, 0x45)); // a ClientHello header announcing 131,397 bytes, no body
    expect(() =>
      b.next((type, length) => {
        seen.push([type, length]);
        if (length > 131_396) throw new Error('too long');
      }),
    ).to.throw('too long');
    expect(seen).to.deep.equal([[1, 131_397]]);
    // Not called before the header is whole.
    const c = new HandshakeBuffer();
    c.add(Uint8Array.of(1, 0, 0));
    expect(c.next(() => expect.fail('called early'))).to.equal(undefined);
  });

  it('a message fed in small fragments costs at most its length + 4 bytes of buffer (doubling stops there)', () => {
    const n = 100_000;
    const msg = message(1, body(n));
    const b = new HandshakeBuffer();
    const capacity = () => (b as unknown as { buf: Uint8Array }).buf.length;
    let max = 0;
    for (let o = 0; o < msg.length; o += 1000) {
      b.add(msg.subarray(o, o + 1000));
      max = Math.max(max, capacity());
      if (o + 1000 < msg.length) expect(b.next()).to.equal(undefined);
    }
    expect(max).to.equal(n + 4); // not 131,072 (the next power of two)
    expect(b.next()!.raw).to.deep.equal(msg);
  });

  it('returned messages do not alias later input', () => {
    const b = new HandshakeBuffer();
    b.add(concatBytes(message(20, Uint8Array.of(1, 2, 3)), Uint8Array.of(8)));
    const m = b.next()!;
    b.add(Uint8Array.of(0, 0, 0));
    b.next();
    expect(Array.from(m.raw)).to.deep.equal([20, 0, 0, 3, 1, 2, 3]);
  });
});
