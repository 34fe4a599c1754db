import { readFileSync } from 'node:fs';
import { switchMap } from 'rxjs';
import { connectTls } from 'rxtls/node';

// One TLS 1.3 connection: send a request, print the answer until the server's close_notify.
connectTls({ host: '127.0.0.1', port: 8443, servername: 'localhost', ca: readFileSync('ca.pem'), ALPNProtocols: ['http/1.1'] })
  .pipe(
    switchMap((channel) => {
      channel.handshake$.subscribe((info) => console.error(info.version, info.suite, info.group, info.alpn));
      channel.next(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
      return channel; // plaintext chunks
    }),
  )
  .subscribe({ next: (chunk) => process.stdout.write(chunk), error: (e) => console.error('failed:', e.message) });
