/**
 * `rxtls server`: serves TLS connections until killed, echoing (--echo) or
 * answering each request with a small page naming the negotiated
 * parameters (--http, like `openssl s_server -www`).
 */
import { readFileSync } from 'node:fs';
import { EMPTY, catchError, mergeMap, type Observable, tap, filter, take, map, scan, takeWhile } from 'rxjs';
import { listenTls } from '../../lib/node/listen-tls.js';
import type { SecureChannel } from '../../lib/rx/secure-channel.js';
import { type ParsedArgs, UsageError, flag, listOption, stringOption } from './args.js';
import { describeError } from './describe.js';
import { keylogWriter } from './keylog.js';

export function runServer(args: ParsedArgs): void {
  const port = Number(stringOption(args, 'port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port P is required');
  const certFile = stringOption(args, 'cert');
  const keyFile = stringOption(args, 'key');
  if (!certFile || !keyFile) throw new UsageError('--cert F and --key F are required');
  const mode = flag(args, 'http') ? http : flag(args, 'echo') ? echo : undefined;
  if (!mode) throw new UsageError('choose --echo or --http');
  listenTls({
    port,
    host: stringOption(args, 'host') ?? '127.0.0.1',
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    ALPNProtocols: listOption(args, 'alpn'),
    keylog: keylogWriter(stringOption(args, 'keylog')),
    listeningObserver: { next: (a) => process.stderr.write(`listening on ${a.address}:${a.port}\n`) },
  })
    .pipe(
      mergeMap((channel) =>
        mode(channel).pipe(
          catchError((e) => {
            process.stderr.write(`connection failed: ${describeError(e)}\n`);
            return EMPTY;
          }),
        ),
      ),
    )
    .subscribe({ error: (e) => fatal(e) });
}

function fatal(e: unknown): void {
  process.stderr.write(`rxtls server: ${describeError(e)}\n`);
  process.exit(1);
}

/** Writes every chunk back; the peer's close_notify completes the channel and ours follows. */
function echo(channel: SecureChannel): Observable<unknown> {
  return channel.pipe(tap((chunk) => channel.next(chunk)));
}

/** Reads one request head, answers with a page about the connection, then close_notify. */
function http(channel: SecureChannel): Observable<unknown> {
  const decoder = new TextDecoder();
  return channel.pipe(
    scan((head, chunk) => head + decoder.decode(chunk, { stream: true }), ''),
    takeWhile((head) => !head.includes('\r\n\r\n') && !head.includes('\n\n'), true),
    filter((head) => head.includes('\r\n\r\n') || head.includes('\n\n')),
    take(1),
    map(() => {
      channel.next(new TextEncoder().encode(page(channel)));
      channel.complete();
    }),
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
    `ALPN: ${i.alpn ?? '(none)'}`,
    `Server name: ${i.serverName ?? '(none)'}`,
    '</pre></body></html>',
    '',
  ].join('\n');
  const length = new TextEncoder().encode(body).length;
  return `HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${body}`;
}
