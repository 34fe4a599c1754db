import { readFileSync } from 'node:fs';
import { EMPTY, catchError, ignoreElements, mergeMap, take } from 'rxjs';
import { listenTls, pacedRead } from 'rxtls/node';

// An echo server with back-pressure: a client that writes and never reads makes it stop
// reading (while more than 64 KiB wait to be sent) instead of buffering without bound.
listenTls({ port: 8443, cert: readFileSync('server.pem'), key: readFileSync('server.key') })
  .pipe(
    mergeMap((channel) =>
      pacedRead(channel, (chunk) => {
        channel.next(chunk);
        return channel.bufferedAmount > 64 * 1024 ? channel.drain$.pipe(take(1), ignoreElements()) : EMPTY;
      }).pipe(catchError(() => EMPTY)), // one failing connection does not end the server
    ),
  )
  .subscribe();
