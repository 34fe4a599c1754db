#!/usr/bin/env node
/**
 * The rxtls command line:
 *   rxtls server --port P [--host 127.0.0.1] (--cert F --key F | --psk ID:HEX | both) [--alpn a,b] (--echo | --http) [--keylog F]
 *   rxtls client HOST:PORT [--servername N] [--ca F | --insecure | --fingerprint FP] [--pin sha256/B64,...]
               [--psk ID:HEX] [--alpn a,b] [--keylog F]
 *   (both: [--min-version 1.2|1.3] [--max-version 1.2|1.3]; or --udp [--mtu N] for DTLS 1.2)
 *   rxtls --help | -h | --version
 *
 * Exit status: 0 on success, 1 on a failure (one line on stderr), 2 on a
 * usage error (the message and the usage on stderr). No process.exit(): the
 * status is set and the event loop ends by itself, so output is never cut off.
 */
import { type CommandOptions, type ParsedArgs, UsageError, parseArgs } from './cli/args.js';
import { CLIENT_OPTIONS, runClient } from './cli/client.js';
import { CliError } from './cli/files.js';
import { SERVER_OPTIONS, runServer } from './cli/server.js';
import { packageVersion } from './cli/version.js';

const USAGE = `usage:
  rxtls server --port P [--host 127.0.0.1] --cert F --key F [--psk ID:HEX] [--alpn a,b] (--echo | --http) [--keylog F] [--max-early-data N]
               [--require-client-cert --client-ca F] [--min-version 1.2|1.3] [--max-version 1.2|1.3] [--keymatexport LABEL [--keymatexport-len N]]
  rxtls client HOST:PORT [--servername N] [--ca F | --insecure | --fingerprint FP] [--pin sha256/B64,...]
               [--cert F --key F] [--psk ID:HEX] [--alpn a,b] [--keylog F] [--early-data F]
               [--sess-out F] [--sess-in F] [--min-version 1.2|1.3] [--max-version 1.2|1.3]
               [--keymatexport LABEL [--keymatexport-len N]]
  rxtls server --udp --port P [--host 127.0.0.1] (--cert F --key F | --psk ID:HEX | both) --echo [--mtu N]
               [--require-client-cert --client-ca F] [--alpn a,b] [--keylog F]
  rxtls client --udp HOST:PORT [--servername N] [--ca F | --insecure] [--cert F --key F] [--psk ID:HEX] [--mtu N]
               [--alpn a,b] [--keylog F]
  rxtls --help | --version

server: serves TLS 1.3 and 1.2 on HOST:PORT (default host 127.0.0.1) until killed.
  --echo          send every byte back (reading pauses while 64 KiB wait to be sent)
  --http          answer each request with a page naming the negotiated parameters;
                  offers ALPN http/1.1 unless --alpn is given
  --psk ID:HEX    also accept the client naming identity ID with the key in hex: a TLS 1.3
                  external PSK, or the TLS 1.2 PSK suites; alone (no --cert/--key), only PSKs
  --max-early-data N
                  accept up to N bytes of TLS 1.3 0-RTT data from resuming clients (default
                  0); each ticket takes early data once; the size is logged on stderr, and
                  --echo echoes it (as 0.5-RTT data), --http reads the request from it
  --require-client-cert --client-ca F
                  mutual TLS: every client must present a certificate that chains to a
                  root in F, else its handshake fails; each connection logs the client's
                  certificate subject on stderr
client: sends stdin to the server and its answer to stdout; parameters go to stderr.
  --ca F          trusted roots (PEM); without it, Node's roots plus the system bundle
                  (/etc/ssl/certs/ca-certificates.crt or the like); --insecure skips verification
  --pin P,...     the verified chain must hold a key with one of these SPKI pins (sha256/BASE64)
  --fingerprint F the server certificate's fingerprint ("sha-256 AB:CD:...") instead of a CA:
                  no chain or name is checked (self-signed peers, WebRTC style)
  --servername N  SNI and the name the certificate must match (default: HOST)
  --cert F --key F
                  our certificate (chain, PEM) and its key, for servers that ask (mutual TLS)
  --sess-out F    save the session ticket the server sent (it holds the session's secret)
  --sess-in F     resume the session saved there (TLS 1.3 or 1.2)
  --psk ID:HEX    offer a PSK with identity ID and the key in hex (TLS 1.3 external PSK,
                  SHA-256, and the TLS 1.2 PSK suites); without --ca/--insecure only it
                  (the key authenticates the server)
  --early-data F  with --sess-in: send the bytes of F as TLS 1.3 0-RTT data, then stdin;
                  stderr says "early data: accepted|rejected" (rejected: sent again after
                  the handshake)
--min-version/--max-version limit the versions negotiated (default 1.2 to 1.3).
--udp: DTLS 1.2 over UDP instead of TLS over TCP (the server answers a stateless
  cookie exchange before it keeps anything for a client).
  server --echo   sends every datagram back as one datagram
  client          sends each line of stdin (newline included) as one datagram, a
                  longer line as several; prints each datagram received; at the end
                  of stdin sends close_notify and exits (DTLS has no half-close)
  --mtu N         largest datagram sent, headers included (default 1200)
Key-log lines go to --keylog F, or to $SSLKEYLOGFILE when set.
--keymatexport LABEL prints the keying material exported under LABEL (no context,
  --keymatexport-len bytes, default 20) as hex on stderr after each handshake.
Exit status: 0 ok, 1 failure (TLS alert, connection, file, broken pipe), 2 usage error.`;

const COMMANDS: Record<string, { options: CommandOptions; run: (args: ParsedArgs) => void }> = {
  server: { options: SERVER_OPTIONS, run: runServer },
  client: { options: CLIENT_OPTIONS, run: runClient },
};

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  const found = command === undefined ? undefined : Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  // `rxtls --help`, `rxtls server -h`: the options before or after the command.
  const args = parseArgs(found ? rest : argv, found?.options ?? { values: [], booleans: [] });
  if (args.options.has('help')) return void process.stdout.write(`${USAGE}\n`);
  if (args.options.has('version')) return void process.stdout.write(`rxtls ${packageVersion()}\n`);
  if (!found) throw new UsageError(command ? `unknown command ${command}` : 'no command');
  found.run(args);
}

const argv = process.argv.slice(2);
try {
  main(argv);
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`rxtls: ${e.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    const message = e instanceof CliError ? e.message : e instanceof Error ? e.message.split('\n')[0] : String(e);
    process.stderr.write(`rxtls ${argv[0]}: ${message}\n`);
    process.exitCode = 1;
  }
}
