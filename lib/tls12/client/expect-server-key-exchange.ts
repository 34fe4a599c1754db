/**
 * Client: the server's ECDHE ServerKeyExchange (RFC 8422 §5.4): its
 * ephemeral public value, signed with the certificate's key over both
 * randoms, which binds it to this handshake.
 */
import { isEcdheGroup } from '../../crypto/algorithms.js';
import type { GroupName, PublicKey, SignatureSchemeName } from '../../crypto/provider.js';
import { TlsError, illegalParameter, unexpectedMessage } from '../../errors.js';
import { tls12SchemeFits, tls12Verify } from '../signature.js';
import type { ClientConfig } from '../../tls13/config.js';
import type { Context, State } from '../../tls13/context.js';
import { NamedGroupCode, SignatureSchemeCode, nameOf } from '../../wire/enums.js';
import { Tls12HandshakeType } from '../../wire/tls12-enums.js';
import { type EcdheServerKeyExchange, type Tls12HandshakeMessage, ecdheSignedContent } from '../../wire/tls12-messages.js';
import { ExpectCertificateRequestOrDone, type KeyExchanged } from './expect-server-hello-done.js';
import { HELLO_REQUEST, type Negotiated } from './negotiated.js';

export class ExpectServerKeyExchange implements State<ClientConfig, Tls12HandshakeMessage> {
  readonly expects = [Tls12HandshakeType.server_key_exchange, HELLO_REQUEST];
  constructor(
    private readonly n: Negotiated,
    private readonly serverKey: PublicKey,
  ) {}

  handle(ctx: Context<ClientConfig>, msg: Tls12HandshakeMessage, raw: Uint8Array): State<ClientConfig, any> {
    if (msg.type === HELLO_REQUEST) return this;
    if (msg.type !== Tls12HandshakeType.server_key_exchange) throw unexpectedMessage(`expected ServerKeyExchange, got ${msg.type}`);
    // Decoded in the suite's shape (tls12/decode-options.ts): a certificate suite's is ECDHE.
    if (msg.kx !== 'ecdhe') throw new TlsError('internal_error', `ServerKeyExchange decoded for ${msg.kx} under a certificate suite`);
    const group = offeredGroup(ctx.config, msg.params.group);
    const scheme = offeredScheme(ctx.config, msg.scheme, this.serverKey);
    this.verifySignature(ctx, msg, scheme);
    const kx = agree(ctx.config, group, msg.params.point);
    Object.assign(ctx.info, { group, signatureScheme: scheme });
    this.n.transcript.add(raw);
    return new ExpectCertificateRequestOrDone(this.n, kx);
  }

  /** RFC 5246 §7.4.3: the signature covers ClientHello.random, ServerHello.random and the params. */
  private verifySignature(ctx: Context<ClientConfig>, msg: EcdheServerKeyExchange, scheme: SignatureSchemeName): void {
    const content = ecdheSignedContent(this.n.hello.random, this.n.serverRandom, msg.params);
    if (!tls12Verify(ctx.config.crypto, scheme, this.serverKey, content, msg.signature)) {
      throw new TlsError('decrypt_error', 'ServerKeyExchange signature is invalid');
    }
  }
}

/** RFC 8422 §5.4: the server picks one of the groups of our supported_groups (RFC 5489 §2: ECDHE_PSK too). */
export function offeredGroup(config: ClientConfig, code: number): GroupName {
  const group = nameOf(NamedGroupCode, code) as GroupName | undefined;
  // The hybrid is in our supported_groups for TLS 1.3 only: no TLS 1.2 server may pick it (a KEM has no ECDHE point).
  if (!group || !config.groups.includes(group) || !isEcdheGroup(group)) throw illegalParameter(`ServerKeyExchange uses group ${code}, which we did not offer for ECDHE`);
  return group;
}

/**
 * RFC 5246 §7.4.3: the signature algorithm is one of our signature_algorithms
 * and fits the certificate's key (an ECDSA scheme on any curve: tls12/signature.ts).
 */
function offeredScheme(config: ClientConfig, code: number, key: PublicKey): SignatureSchemeName {
  const scheme = nameOf(SignatureSchemeCode, code) as SignatureSchemeName | undefined;
  if (!scheme || !config.signatureSchemes.includes(scheme)) throw illegalParameter(`ServerKeyExchange signed with scheme 0x${code.toString(16).padStart(4, '0')}, which we did not offer`);
  if (!tls12SchemeFits(scheme, key)) throw illegalParameter(`ServerKeyExchange scheme ${scheme} does not fit the certificate's ${describeKey(key)} key`);
  return scheme;
}

function describeKey(key: PublicKey): string {
  if (key.kind === 'ec') return key.curve;
  if (key.kind === 'rsa') return key.pss ? 'RSASSA-PSS' : 'RSA';
  return key.kind === 'ed448' ? 'Ed448' : 'Ed25519';
}

/** Our ephemeral key for the server's group, and the premaster secret (RFC 8422 §5.10); a bad point is illegal_parameter. */
function agree(config: ClientConfig, group: GroupName, serverPoint: Uint8Array): KeyExchanged {
  const share = config.crypto.keyShare(group, config.random);
  return { message: { kx: 'ecdhe', point: share.publicKey }, premaster: share.sharedSecret(serverPoint) };
}
