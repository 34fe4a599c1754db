/**
 * `rxtls client --udp` and `rxtls server --udp`: DTLS 1.2 over UDP with
 * connectDtls/listenDtls. Message boundaries matter here: the client sends
 * each line of stdin (newline included) as one datagram, cutting a line
 * longer than one datagram's room (the channel's dataMtu) into several;
 * it writes each datagram it receives to stdout as it comes. The server
 * echoes each datagram back as one datagram (--echo).
 *
 * DTLS has no half-close: at the end of stdin the client sends
 * close_notify and exits; datagrams still on their way are lost. The
 * server's close_notify ends the client too.
 */
import { EMPTY, catchError, concatMap, firstValueFrom, mergeMap, switchMap, tap } from 'rxjs';
import { TlsError } from '../../lib/errors.js';
import { connectDtls } from '../../lib/node/connect-dtls.js';
import { listenDtls } from '../../lib/node/listen-dtls.js';
import type { DatagramChannel } from '../../lib/rx/datagram-channel.js';
import { type ParsedArgs, UsageError, flag, hostPort, listOption, parsePort, positionals, stringOption } from './args.js';
import { describeError, describeInfo, oneLine } from './describe.js';
import { loadCa, loadServerIdentity, systemReason } from './files.js';
import { keylogWriter } from './keylog.js';
import { pskLookup, pskOption } from './psk.js';
import { clientProcess } from './client-process.js';
import { finish, writeTo } from './stdio.js';
import type { Readable } from 'node:stream';
import { clientAuthOption, clientCertificateOption } from './client-auth.js';

/** Options of the TCP commands that mean nothing over DTLS, or that the DTLS commands do not take yet (pins, fingerprints). */
const TCP_ONLY = ['sess-in', 'sess-out', 'min-version', 'max-version', 'http', 'keymatexport', 'keymatexport-len', 'pin', 'fingerprint'];

function refuseTcpOnly(args: ParsedArgs): void {
  for (const name of TCP_ONLY) if (args.options.has(name)) throw new UsageError(`--${name} cannot be used with --udp`);
}

/** `--mtu N`: the largest datagram sent, headers included. */
function mtuOption(args: ParsedArgs): number | undefined {
  const text = stringOption(args, 'mtu');
  if (text === undefined) return undefined;
  const mtu = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(mtu >= 64 && mtu <= 65507)) throw new UsageError(`invalid --mtu: ${JSON.stringify(text)} (64 to 65507 bytes)`);
  return mtu;
}

export function runUdpClient(args: ParsedArgs): void {
  refuseTcpOnly(args);
  const [target] = positionals(args, 1, 'HOST:PORT');
  const { host, port } = hostPort(target);
  const caFile = stringOption(args, 'ca');
  const insecure = flag(args, 'insecure');
  if (caFile && insecure) throw new UsageError('--ca and --insecure cannot be used together');
  const psk = pskOption(args);
  // With only a PSK the PSK suites are offered alone: the key authenticates the server.
  if (!caFile && !insecure && !psk) throw new UsageError('give --ca FILE to verify the server (or --insecure to skip verification, or --psk ID:HEX)');
  const options = {
    host,
    port,
    servername: stringOption(args, 'servername'),
    ca: caFile ? loadCa(caFile) : undefined,
    rejectUnauthorized: !insecure,
    psk,
    ALPNProtocols: listOption(args, 'alpn'),
    keylog: keylogWriter(stringOption(args, 'keylog')),
    mtu: mtuOption(args),
    ...clientCertificateOption(args),
  };
  if (insecure) process.stderr.write('WARNING: --insecure: the server certificate is NOT verified\n');

  const { stdin, stdout, stderr } = process;
  const { connection, fail, stopReading, onStopInput } = clientProcess();

  connection.add(
    connectDtls(options)
      .pipe(
        switchMap((channel) => {
          channel.events$.subscribe((e) => {
            if (e.type === 'large_packet') stderr.write(`rxtls client: a ${e.size}-byte datagram was not sent (room: ${e.room})\n`);
          });
          // stdin is read once the handshake is done: only then is a datagram's room (dataMtu) known.
          firstValueFrom(channel.handshake$).then(
            (info) => {
              stderr.write(`${describeInfo(info)}\n`);
              onStopInput(sendLines(stdin, channel));
            },
            () => {},
          );
          // A datagram channel cannot be paused (datagrams keep coming): a slow stdout queues them here.
          return channel.pipe(concatMap((datagram) => writeTo(stdout, datagram)));
        }),
      )
      .subscribe({
        error: (e) => fail(isSetupError(e) ? `cannot reach ${target}: ${systemReason(e)}` : describeError(e)),
        complete: () => {
          stopReading();
          finish(stdout).catch((e) => fail(`cannot write to stdout: ${systemReason(e)}`));
        },
      }),
  );
}

/** The UDP socket could not be set up (no DTLS was spoken). */
function isSetupError(e: unknown): boolean {
  const syscall = (e as { syscall?: unknown })?.syscall;
  return !(e instanceof TlsError) && typeof syscall === 'string';
}

/**
 * Sends each line of `input` (newline included) as one datagram, a longer
 * one as several of at most `channel.dataMtu` bytes; what follows the last
 * newline goes at the end, then close_notify. Reading pauses while 64 KiB
 * wait in the channel. Returns a function that stops reading.
 */
export function sendLines(input: Readable, channel: DatagramChannel, highWaterMark = 64 * 1024): () => void {
  let pending: Buffer = Buffer.alloc(0);
  let waiting: { unsubscribe(): void } | undefined;
  const send = (bytes: Buffer) => {
    const room = channel.dataMtu;
    for (let i = 0; i < bytes.length; i += room) channel.next(bytes.subarray(i, i + room));
  };
  const onData = (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (let nl = pending.indexOf(10); nl >= 0; nl = pending.indexOf(10)) {
      send(pending.subarray(0, nl + 1));
      pending = pending.subarray(nl + 1);
    }
    if (waiting || channel.bufferedAmount <= highWaterMark) return;
    input.pause();
    waiting = channel.drain$.subscribe(() => {
      waiting?.unsubscribe();
      waiting = undefined;
      input.resume();
    });
  };
  const onEnd = () => {
    if (pending.length) send(pending);
    channel.complete();
  };
  input.on('data', onData);
  input.once('end', onEnd);
  return () => {
    waiting?.unsubscribe();
    input.off('data', onData);
    input.off('end', onEnd);
    input.pause();
  };
}

export function runUdpServer(args: ParsedArgs): void {
  refuseTcpOnly(args);
  positionals(args, 0, '');
  const portText = stringOption(args, 'port');
  if (portText === undefined) throw new UsageError('--port P is required');
  const port = parsePort(portText, '--port');
  const certFile = stringOption(args, 'cert');
  const keyFile = stringOption(args, 'key');
  const psk = pskOption(args);
  // A PSK-only server serves the PSK suites alone; with a certificate too it serves both kinds.
  if ((!certFile || !keyFile) && !(psk && !certFile && !keyFile)) throw new UsageError('--cert F and --key F are required (or --psk ID:HEX alone)');
  if (!flag(args, 'echo')) throw new UsageError('choose --echo (the only --udp mode)');
  const host = stringOption(args, 'host') ?? '127.0.0.1';
  const { cert, key } = certFile && keyFile ? loadServerIdentity(certFile, keyFile) : { cert: undefined, key: undefined };
  const clientAuth = clientAuthOption(args);
  let listening = false;
  listenDtls({
    port,
    host,
    cert,
    key,
    ...clientAuth,
    mtu: mtuOption(args),
    psk: psk && pskLookup(psk),
    ALPNProtocols: listOption(args, 'alpn'),
    keylog: keylogWriter(stringOption(args, 'keylog')),
    listeningObserver: {
      next: (a) => {
        listening = true;
        process.stderr.write(`listening on ${a.address}:${a.port} (udp)\n`);
      },
    },
  })
    .pipe(
      mergeMap((channel) =>
        channel.pipe(
          // Echo: each datagram back as one datagram.
          tap((datagram) => channel.next(datagram)),
          catchError((e) => {
            process.stderr.write(`peer failed: ${describeError(e)}\n`);
            return EMPTY;
          }),
        ),
      ),
    )
    .subscribe({
      error: (e) => {
        const why = listening
          ? `listener failed: ${systemReason(e)}`
          : (e as { syscall?: unknown })?.syscall !== undefined
            ? `cannot listen on ${host}:${port} (udp): ${systemReason(e)}`
            : certFile
              ? `cannot use --cert ${certFile} with --key ${keyFile}: ${oneLine(e instanceof Error ? e.message : String(e))}`
              : `cannot serve with --psk: ${oneLine(e instanceof Error ? e.message : String(e))}`;
        process.stderr.write(`rxtls server: ${why}\n`);
        process.exitCode = 1;
      },
    });
}
