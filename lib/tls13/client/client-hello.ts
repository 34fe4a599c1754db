/**
 * Building the ClientHello (RFC 8446 §4.1.2) and starting a client.
 */
import type { KeyShare } from '../../crypto/provider.js';
import { ExtensionType as X, HandshakeType, NamedGroupCode, ProtocolVersion, SignatureSchemeCode } from '../../wire/enums.js';
import {
  type Extension,
  encodeAlpn,
  encodeCookie,
  encodePskModes,
  encodeServerName,
  encodeU16List,
  keyShare,
} from '../../wire/extension.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { ClientConfig } from '../config.js';
import type { Context, State } from '../context.js';
import { Transcript } from '../transcript.js';
import { ExpectServerHello } from './expect-server-hello.js';

const PSK_DHE_KE = 1;

/** True for IPv4/IPv6 literals, which RFC 6066 forbids in server_name. */
export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

export function buildClientHello(
  config: ClientConfig,
  random: Uint8Array,
  sessionId: Uint8Array,
  shares: readonly KeyShare[],
  cookie?: Uint8Array,
): ClientHello {
  const ext: Extension[] = [];
  const schemes = encodeU16List(config.signatureSchemes.map((s) => SignatureSchemeCode[s]));
  if (config.serverName && !isIpLiteral(config.serverName)) {
    ext.push({ type: X.server_name, data: encodeServerName(config.serverName) });
  }
  ext.push(
    { type: X.supported_versions, data: encodeU16List([ProtocolVersion.TLS13], 1) },
    { type: X.supported_groups, data: encodeU16List(config.groups.map((g) => NamedGroupCode[g])) },
    { type: X.signature_algorithms, data: schemes },
    // The same list for certificate signatures: our path validation checks exactly these (RFC 8446 §4.2.3).
    { type: X.signature_algorithms_cert, data: schemes },
    {
      type: X.key_share,
      data: keyShare.encodeClient(shares.map((s) => ({ group: NamedGroupCode[s.group], keyExchange: s.publicKey }))),
    },
    // Without psk_key_exchange_modes servers send no tickets (RFC 8446 §4.6.1).
    { type: X.psk_key_exchange_modes, data: encodePskModes([PSK_DHE_KE]) },
  );
  if (config.alpn.length) ext.push({ type: X.alpn, data: encodeAlpn(config.alpn) });
  if (cookie) ext.push({ type: X.cookie, data: encodeCookie(cookie) });
  return {
    type: HandshakeType.client_hello,
    legacyVersion: ProtocolVersion.TLS12,
    random,
    sessionId,
    cipherSuites: config.suites.map((s) => s.code),
    compressionMethods: Uint8Array.of(0),
    extensions: ext,
  };
}

/** Sends the first ClientHello and returns the state that waits for the server's answer. */
export function startClient(ctx: Context<ClientConfig>): State<ClientConfig> {
  const { config } = ctx;
  const random = config.random(32);
  const sessionId = config.middleboxCompat ? config.random(32) : new Uint8Array(0);
  const shares = config.keyShareGroups.map((g) => config.crypto.keyShare(g, config.random));
  const hello = buildClientHello(config, random, sessionId, shares);
  const transcript = new Transcript();
  ctx.send(hello, transcript);
  ctx.info.serverName = config.serverName;
  return new ExpectServerHello({ hello, shares, transcript, retried: false });
}
