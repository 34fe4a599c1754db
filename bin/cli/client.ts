/**
 * `rxtls client HOST:PORT`: sends stdin, prints what the server sends to
 * stdout and the negotiated parameters to stderr. Exits non-zero on any
 * handshake or verification failure, naming the alert.
 */
import { readFileSync } from 'node:fs';
import { fromEvent, switchMap, takeUntil } from 'rxjs';
import { connectTls } from '../../lib/node/connect-tls.js';
import { type ParsedArgs, UsageError, flag, hostPort, listOption, stringOption } from './args.js';
import { describeError, describeInfo } from './describe.js';
import { keylogWriter } from './keylog.js';

export function runClient(args: ParsedArgs): void {
  const { host, port } = hostPort(args.positional[0]);
  const caFile = stringOption(args, 'ca');
  const insecure = flag(args, 'insecure');
  if (!caFile && !insecure) throw new UsageError('give --ca FILE to verify the server (or --insecure to skip verification)');
  if (insecure) process.stderr.write('WARNING: --insecure: the server certificate is NOT verified\n');
  connectTls({
    host,
    port,
    servername: stringOption(args, 'servername'),
    ca: caFile ? readFileSync(caFile, 'utf8') : undefined,
    rejectUnauthorized: !insecure,
    ALPNProtocols: listOption(args, 'alpn'),
    keylog: keylogWriter(stringOption(args, 'keylog')),
  })
    .pipe(
      switchMap((channel) => {
        channel.handshake$.subscribe({ next: (info) => process.stderr.write(`${describeInfo(info)}\n`), error: () => {} });
        const stdinEnd$ = fromEvent(process.stdin, 'end');
        fromEvent<Buffer>(process.stdin, 'data')
          .pipe(takeUntil(stdinEnd$))
          .subscribe({ next: (chunk) => channel.next(chunk), complete: () => channel.complete() });
        return channel;
      }),
    )
    .subscribe({
      next: (chunk) => process.stdout.write(chunk),
      error: (e) => {
        process.stderr.write(`rxtls client: ${describeError(e)}\n`);
        process.exit(1);
      },
      complete: () => process.exit(0),
    });
}
