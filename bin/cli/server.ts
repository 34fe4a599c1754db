/**
 * `rxtls server`: serves TLS connections until killed, echoing (--echo) or
 * answering each request with a small page naming the negotiated
 * parameters (--http, like `openssl s_server -www`; offers ALPN http/1.1
 * unless --alpn says otherwise).
 *
 * The certificate and key are checked before listening (readable, parsable,
 * the key is the certificate's); a failure is one line naming the file, and
 * exit status 1, as is a failure to listen. A failing connection is a line
 * on stderr and the server goes on.
 */
import { EMPTY, type Observable, catchError, concat, filter, ignoreElements, mergeMap, takeUntil, tap } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { listenTls } from '../../lib/node/listen-tls.js';
import type { SecureChannel } from '../../lib/rx/secure-channel.js';
import { type CommandOptions, type ParsedArgs, UsageError, exclusive, flag, listOption, versionOption, parsePort, positionals, stringOption } from './args.js';
import { describeError, oneLine } from './describe.js';
import { echo } from './echo.js';
import { loadServerIdentity, systemReason } from './files.js';
import { keylogWriter } from './keylog.js';
import { KEYMAT_OPTIONS, describeKeymat, keymatOption } from './keymat.js';
import { pskLookup, pskOption } from './psk.js';
import { runUdpServer } from './udp.js';
import { clientAuthOption, describeClientCertificate } from './client-auth.js';

/** One stderr line per connection naming the client's certificate (and whether it verified). */
export function logClientCertificate(channel: SecureChannel): void {
  channel.handshake$.subscribe({ next: (info) => process.stderr.write(`${describeClientCertificate(info)}\n`), error: () => {} });
}

export const SERVER_OPTIONS: CommandOptions = {
  values: ['port', 'host', 'cert', 'key', 'alpn', 'keylog', 'min-version', 'max-version', 'psk', 'mtu', 'client-ca', 'max-early-data', ...KEYMAT_OPTIONS],
  booleans: ['echo', 'http', 'udp', 'require-client-cert'],
};

export function runServer(args: ParsedArgs): void {
  if (flag(args, 'udp')) return runUdpServer(args);
  if (args.options.has('mtu')) throw new UsageError('--mtu needs --udp');
  positionals(args, 0, '');
  const portText = stringOption(args, 'port');
  if (portText === undefined) throw new UsageError('--port P is required');
  const port = parsePort(portText, '--port');
  const certFile = stringOption(args, 'cert');
  const keyFile = stringOption(args, 'key');
  const psk = pskOption(args);
  // A PSK-only server serves the TLS 1.2 PSK suites alone; with a certificate too it serves both kinds.
  if ((!certFile || !keyFile) && !(psk && !certFile && !keyFile)) throw new UsageError('--cert F and --key F are required (or --psk ID:HEX alone)');
  exclusive(args, 'echo', 'http');
  const mode = flag(args, 'http') ? http : flag(args, 'echo') ? echo : undefined;
  if (!mode) throw new UsageError('choose --echo or --http');
  const host = stringOption(args, 'host') ?? '127.0.0.1';
  const keymat = keymatOption(args);
  const { cert, key } = certFile && keyFile ? loadServerIdentity(certFile, keyFile) : { cert: undefined, key: undefined };
  const clientAuth = clientAuthOption(args);
  let listening = false;
  listenTls({
    port,
    host,
    cert,
    key,
    ...clientAuth,
    minVersion: versionOption(args, 'min-version'),
    maxVersion: versionOption(args, 'max-version'),
    ALPNProtocols: listOption(args, 'alpn') ?? (mode === http ? ['http/1.1'] : undefined),
    keylog: keylogWriter(stringOption(args, 'keylog')),
    psk: psk && pskLookup(psk),
    session: { maxEarlyData: maxEarlyDataOption(args) },
    listeningObserver: {
      next: (a) => {
        listening = true;
        process.stderr.write(`listening on ${a.address}:${a.port}\n`);
      },
    },
  })
    .pipe(
      tap((channel) => {
        if (clientAuth.requestCert) logClientCertificate(channel);
        logEarlyData(channel);
        // 0-RTT data is echoed at once too, as 0.5-RTT data ahead of the handshake's end.
        if (mode === echo) channel.earlyData$.subscribe({ next: (chunk) => channel.next(chunk), error: () => {} });
        if (keymat) channel.handshake$.subscribe({ next: () => process.stderr.write(`${describeKeymat(channel, keymat)}\n`), error: () => {} });
      }),
      mergeMap((channel) =>
        mode(channel).pipe(
          catchError((e) => {
            process.stderr.write(`connection failed: ${describeError(e)}\n`);
            return EMPTY;
          }),
        ),
      ),
    )
    .subscribe({
      // Nothing is left to serve (the listener is closed): say why and let the loop end.
      error: (e) => {
        const why = listening
          ? `listener failed: ${systemReason(e)}`
          : (e as { syscall?: unknown })?.syscall !== undefined // listen, getaddrinfo (a bad --host)
            ? `cannot listen on ${host}:${port}: ${systemReason(e)}`
            : certFile
              ? `cannot use --cert ${certFile} with --key ${keyFile}: ${problem(e)}`
              : `cannot serve with --psk: ${problem(e)}`;
        process.stderr.write(`rxtls server: ${why}\n`);
        process.exitCode = 1;
      },
    });
}

/** --max-early-data N: a whole number of bytes (0, the default, refuses 0-RTT data). */
function maxEarlyDataOption(args: ParsedArgs): number | undefined {
  const text = stringOption(args, 'max-early-data');
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw new UsageError(`--max-early-data: expected a number of bytes, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Each accepted 0-RTT chunk's size: it may be a replay, so it is worth seeing. */
function logEarlyData(channel: SecureChannel): void {
  channel.earlyData$.subscribe({ next: (chunk) => process.stderr.write(`early data: ${chunk.length} bytes (replayable)\n`), error: () => {} });
}

/** What a configuration error says, without the alert name (no peer is involved). */
function problem(e: unknown): string {
  const message = oneLine(e instanceof Error ? e.message : String(e));
  return e instanceof TlsError ? message.replace(`${e.alert}: `, '') : message;
}

/** Longest request head read before answering 431. */
const MAX_HEAD = 16 * 1024;

/**
 * Reads one request head, answers with a page about the connection, then
 * close_notify; bytes after the head are ignored. Reading stops once our
 * close_notify is written (the socket is released after its FIN is out),
 * or when the peer closes first.
 */
function http(channel: SecureChannel): Observable<never> {
  const decoder = new TextDecoder();
  let head = '';
  let answered = false;
  const answer = (response: string) => {
    answered = true;
    channel.next(new TextEncoder().encode(response));
    channel.complete();
  };
  const closeNotifySent$ = channel.events$.pipe(filter((e) => e.type === 'alert' && e.alert === 'close_notify' && !e.fromPeer));
  // A request sent as 0-RTT data comes first, on earlyData$ (it completes when the handshake does).
  return concat(channel.earlyData$, channel).pipe(
    tap((chunk) => {
      if (answered) return;
      head += decoder.decode(chunk, { stream: true });
      if (head.includes('\r\n\r\n') || head.includes('\n\n')) answer(page(channel));
      else if (head.length > MAX_HEAD) answer(tooLarge());
    }),
    takeUntil(closeNotifySent$),
    ignoreElements(),
  );
}

function page(channel: SecureChannel): string {
  const i = channel.info;
  const body = [
    '<!doctype html><html><head><title>rxtls</title></head><body><pre>',
    `Protocol: ${i.version}`,
    `Cipher suite: ${i.suite}`,
    `Group: ${i.group}`,
    `Signature scheme: ${i.signatureScheme}`,
    ...(i.pskIdentity !== undefined ? [`PSK identity: ${i.pskIdentity}`] : []),
    ...(i.authorized !== undefined ? [describeClientCertificate(i)!.replace('client certificate', 'Client certificate')] : []),
    `ALPN: ${i.alpn ?? '(none)'}`,
    `Server name: ${i.serverName ?? '(none)'}`,
    `Resumed: ${i.resumed ? 'yes' : 'no'}`,
    '</pre></body></html>',
    '',
  ].join('\n');
  return response('200 OK', body, 'text/html; charset=utf-8');
}

function tooLarge(): string {
  return response('431 Request Header Fields Too Large', `request head longer than ${MAX_HEAD} bytes\n`, 'text/plain; charset=utf-8');
}

function response(status: string, body: string, type: string): string {
  const length = new TextEncoder().encode(body).length;
  return `HTTP/1.0 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${body}`;
}
