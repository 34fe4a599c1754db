import { expect } from 'chai';
import { Session } from '../../lib/session/session.js';
import { AGAIN } from '../../lib/session/contract.js';
import { memoryPipe } from '../support/memory-pipe.js';
import { driveBoth } from '../support/drive.js';
import { caPem, serverIdentity } from '../support/fixtures.js';

describe('quick pair', () => {
  it('handshakes', () => {
    const [a, b] = memoryPipe();
    const client = Session.client({ serverName: 'localhost', ca: caPem() });
    const server = Session.server(serverIdentity('p256'));
    client.setTransport(a);
    server.setTransport(b);
    driveBoth(() => client.handshake(), () => server.handshake());
    expect(client.info.suite).to.equal('TLS_AES_128_GCM_SHA256');
    expect(client.send(new TextEncoder().encode('hello'))).to.equal(5);
    const got = driveBoth(() => server.recv(), () => 'x' as const)[0];
    expect(new TextDecoder().decode(got as Uint8Array)).to.equal('hello');
  });
});
