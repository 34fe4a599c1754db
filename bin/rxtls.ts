#!/usr/bin/env node
/**
 * The rxtls command line:
 *   rxtls server --port P [--host 127.0.0.1] --cert F --key F [--alpn a,b] (--echo | --http) [--keylog F]
 *   rxtls client HOST:PORT [--servername N] [--ca F | --insecure] [--alpn a,b] [--keylog F]
 */
import { UsageError, parseArgs } from './cli/args.js';
import { runClient } from './cli/client.js';
import { runServer } from './cli/server.js';

const USAGE = `usage:
  rxtls server --port P [--host 127.0.0.1] --cert F --key F [--alpn a,b] (--echo | --http) [--keylog F]
  rxtls client HOST:PORT [--servername N] [--ca F | --insecure] [--alpn a,b] [--keylog F]
Key-log lines go to --keylog F, or to $SSLKEYLOGFILE when set.`;

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, ['echo', 'http', 'insecure']);
  if (command === 'server') return runServer(args);
  if (command === 'client') return runClient(args);
  throw new UsageError(command ? `unknown command ${command}` : 'no command');
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e instanceof UsageError ? `${e.message}\n${USAGE}` : String(e)}\n`);
  process.exit(2);
}
