/**
 * A config resolved once (certificates and keys parsed) serves many sessions,
 * as listenTls does per listener; options are still resolved per session.
 */
import { expect } from 'chai';
import { Session } from '../../lib/session/session.js';
import { isResolvedConfig, resolveClientConfig, resolveServerConfig } from '../../lib/tls13/config.js';
import { driveBoth } from '../support/drive.js';
import { caPem, serverIdentity } from '../support/fixtures.js';
import { memoryPipe } from '../support/memory-pipe.js';

describe('resolved configs', () => {
  it('are recognised, and plain options are not', () => {
    const options = serverIdentity('p256');
    expect(isResolvedConfig(options)).to.equal(false);
    expect(isResolvedConfig(resolveServerConfig(options))).to.equal(true);
  });

  it('one resolved server config and one client config serve several handshakes', () => {
    const serverConfig = resolveServerConfig(serverIdentity('ed25519'));
    const clientConfig = resolveClientConfig({ serverName: 'localhost', ca: caPem() });
    for (let i = 0; i < 3; i++) {
      const [a, b] = memoryPipe({ seed: i + 1 });
      const client = Session.client(clientConfig);
      const server = Session.server(serverConfig);
      client.setTransport(a);
      server.setTransport(b);
      expect(driveBoth(() => client.handshake(), () => server.handshake())).to.deep.equal(['done', 'done']);
      expect(client.info.signatureScheme).to.equal('ed25519');
    }
  });
});
