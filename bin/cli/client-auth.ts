/**
 * Mutual TLS on the command line: `rxtls client --cert F --key F` presents a
 * certificate when the server asks; `rxtls server --require-client-cert
 * --client-ca F` asks every client for one that verifies against F.
 */
import type { SessionInfo } from '../../lib/session/contract.js';
import { X509Certificate } from 'node:crypto';
import { type ParsedArgs, UsageError, flag, stringOption } from './args.js';
import { loadServerIdentity, readOptionFile } from './files.js';

/** `--cert F --key F` on a client: checked like a server's (both files, the key is the certificate's). */
export function clientCertificateOption(args: ParsedArgs): { cert?: Buffer; key?: Buffer } {
  const certFile = stringOption(args, 'cert');
  const keyFile = stringOption(args, 'key');
  if (!certFile && !keyFile) return {};
  if (!certFile || !keyFile) throw new UsageError('--cert F and --key F go together (the client certificate and its key)');
  return loadServerIdentity(certFile, keyFile);
}

/** `--require-client-cert --client-ca F` on a server. */
export function clientAuthOption(args: ParsedArgs): { requestCert?: true; ca?: Buffer } {
  const required = flag(args, 'require-client-cert');
  const caFile = stringOption(args, 'client-ca');
  if (!required && !caFile) return {};
  if (!required) throw new UsageError('--client-ca F needs --require-client-cert');
  if (!caFile) throw new UsageError('--require-client-cert needs --client-ca F (the roots client certificates must chain to)');
  const ca = readOptionFile('client-ca', caFile);
  try {
    new X509Certificate(ca);
  } catch {
    throw new UsageError(`--client-ca ${caFile} holds no certificate (expected PEM "BEGIN CERTIFICATE" or DER)`);
  }
  return { requestCert: true, ca };
}

/** "client certificate: CN=alice (verified)" for a server's log, or undefined when none was asked for. */
export function describeClientCertificate(info: SessionInfo): string | undefined {
  if (info.authorized === undefined) return undefined;
  const leaf = info.peerCertificates[0];
  if (!leaf) return 'client certificate: none';
  const subject = new X509Certificate(leaf).subject.replace(/\n/g, ', ');
  return `client certificate: ${subject} (${info.authorized ? 'verified' : `not verified: ${info.authorizationError}`})`;
}
