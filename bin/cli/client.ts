/**
 * `rxtls client HOST:PORT`: sends stdin, prints what the server sends to
 * stdout and the negotiated parameters to stderr.
 *
 * Back-pressure both ways: stdin is read only while the channel has at most
 * 64 KiB waiting to be sent, and the channel is read only as fast as stdout
 * takes the bytes (a slow pipe slows the connection down, nothing piles up).
 *
 * Exit status: 0 once the server closed cleanly and stdout has been flushed;
 * 1 with a one-line message on any handshake, verification or connection
 * failure (naming the alert) and on a failed write to stdout (EPIPE); 2 on
 * a usage error. It never calls process.exit(): it stops reading stdin and
 * lets the event loop end, so nothing written is cut off.
 */
import { switchMap } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { connectTls } from '../../lib/node/connect-tls.js';
import { pacedRead } from '../../lib/rx/paced-read.js';
import { type CommandOptions, type ParsedArgs, UsageError, exclusive, flag, hostPort, listOption, versionOption, positionals, stringOption } from './args.js';
import { describeError, describeInfo } from './describe.js';
import { loadSession, saveSession } from './session-file.js';
import type { SessionTicket } from '../../lib/session/contract.js';
import { loadCa, readOptionFile, systemReason } from './files.js';
import { systemRootStore } from '../../lib/node/root-store.js';
import type { TrustStore } from '../../lib/x509/trust-store.js';
import { parseFingerprint, parsePin } from '../../lib/x509/pins.js';
import { keylogWriter } from './keylog.js';
import { KEYMAT_OPTIONS, describeKeymat, keymatOption } from './keymat.js';
import { pskOption } from './psk.js';
import { clientProcess } from './client-process.js';
import { finish, sendFrom, writeTo } from './stdio.js';
import { runUdpClient } from './udp.js';
import { clientCertificateOption } from './client-auth.js';

export const CLIENT_OPTIONS: CommandOptions = {
  values: ['servername', 'ca', 'pin', 'fingerprint', 'alpn', 'keylog', 'min-version', 'max-version', 'sess-in', 'sess-out', 'psk', 'mtu', 'cert', 'key', 'early-data', ...KEYMAT_OPTIONS],
  booleans: ['insecure', 'udp'],
};

export function runClient(args: ParsedArgs): void {
  if (flag(args, 'udp')) return runUdpClient(args);
  if (args.options.has('mtu')) throw new UsageError('--mtu needs --udp');
  const [target] = positionals(args, 1, 'HOST:PORT');
  const { host, port } = hostPort(target);
  exclusive(args, 'ca', 'insecure');
  exclusive(args, 'ca', 'fingerprint');
  exclusive(args, 'pin', 'insecure');
  exclusive(args, 'fingerprint', 'insecure');
  exclusive(args, 'pin', 'fingerprint');
  const caFile = stringOption(args, 'ca');
  const insecure = flag(args, 'insecure');
  const psk = pskOption(args);
  const pins = checked('pin', listOption(args, 'pin'), (list) => list.forEach(parsePin));
  const fingerprint = checked('fingerprint', stringOption(args, 'fingerprint'), parseFingerprint);
  const sessionIn = stringOption(args, 'sess-in');
  const sessionOut = stringOption(args, 'sess-out');
  const earlyData = earlyDataOption(args, sessionIn);
  const keymat = keymatOption(args);
  const options = {
    host,
    port,
    servername: stringOption(args, 'servername'),
    ca: caFile ? loadCa(caFile) : defaultRoots(insecure || psk !== undefined || fingerprint !== undefined),
    pins,
    fingerprint,
    rejectUnauthorized: !insecure,
    session: sessionIn ? { session: loadSession(sessionIn), earlyData: earlyData !== undefined } : undefined,
    minVersion: versionOption(args, 'min-version'),
    maxVersion: versionOption(args, 'max-version'),
    ALPNProtocols: listOption(args, 'alpn'),
    keylog: keylogWriter(stringOption(args, 'keylog')),
    psk,
    ...clientCertificateOption(args),
  };
  if (insecure) process.stderr.write('WARNING: --insecure: the server certificate is NOT verified\n');

  const { stdin, stdout, stderr } = process;
  const { connection, fail, stopReading, onStopInput } = clientProcess();

  connection.add(
    connectTls(options)
      .pipe(
        switchMap((channel) => {
          channel.handshake$.subscribe({
            next: (info) => stderr.write(`${describeInfo(info)}\n${keymat ? `${describeKeymat(channel, keymat)}\n` : ''}`),
            error: () => {},
          });
          // The newest ticket once the connection is over (TLS 1.3 tickets come after the handshake).
          if (sessionOut) channel.events$.subscribe({ complete: () => saveNewest(sessionOut, channel.info.tickets) });
          // Written before the handshake ends: out as 0-RTT data when the ticket allows, else after the handshake.
          if (earlyData) channel.next(earlyData);
          onStopInput(sendFrom(stdin, channel));
          return pacedRead(channel, (chunk) => writeTo(stdout, chunk));
        }),
      )
      .subscribe({
        error: (e) => fail(isConnectError(e) ? `cannot connect to ${target}: ${systemReason(e)}` : describeError(e)),
        complete: () => {
          stopReading();
          finish(stdout).catch((e) => fail(`cannot write to stdout: ${systemReason(e)}`));
        },
      }),
  );
}

/** --early-data F: the bytes to send as 0-RTT data, which needs a ticket (--sess-in). */
function earlyDataOption(args: ParsedArgs, sessionIn: string | undefined): Uint8Array | undefined {
  const file = stringOption(args, 'early-data');
  if (file === undefined) return undefined;
  if (!sessionIn) throw new UsageError('--early-data needs --sess-in (0-RTT data goes with a resumed session)');
  return new Uint8Array(readOptionFile('early-data', file));
}

/** `value` once `check` accepts it; its complaint becomes a usage error naming the option. */
function checked<T>(option: string, value: T | undefined, check: (v: T) => unknown): T | undefined {
  if (value === undefined) return undefined;
  try {
    check(value);
  } catch (e) {
    throw new UsageError(`--${option}: ${(e as Error).message}`);
  }
  return value;
}

/**
 * Without --ca the server is verified against Node's roots plus the system
 * bundle (/etc/ssl/certs/ca-certificates.crt and the like), as curl and
 * openssl do: a private CA installed on the machine is trusted too. Not with
 * --insecure, --fingerprint, or --psk alone (the key authenticates the server).
 */
function defaultRoots(otherwise: boolean): TrustStore | undefined {
  return otherwise ? undefined : systemRootStore().store;
}

/** The TCP connection could not be made (no TLS was spoken). */
function isConnectError(e: unknown): boolean {
  const syscall = (e as { syscall?: unknown })?.syscall;
  return !(e instanceof TlsError) && (syscall === 'connect' || syscall === 'getaddrinfo');
}

function saveNewest(file: string, tickets: readonly SessionTicket[]): void {
  const newest = tickets.at(-1);
  if (!newest) return void process.stderr.write('rxtls client: the server sent no session ticket; --sess-out not written\n');
  saveSession(file, newest);
}
