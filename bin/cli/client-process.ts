/**
 * What both client commands (TCP and --udp) do around their connection: one
 * failure path (a line on stderr, exit code 1, the connection torn down,
 * stdin no longer read) and the process-level stream errors routed to it.
 */
import { Subscription } from 'rxjs';
import { systemReason } from './files.js';

export interface ClientProcess {
  /** Holds the connection: unsubscribed on failure. */
  readonly connection: Subscription;
  /** Reports a failure once: a line on stderr, exit code 1, everything stopped. */
  fail(message: string): void;
  /** Stops reading stdin (the only thing that would keep the process alive once the connection is gone). */
  stopReading(): void;
  /** How to stop feeding stdin into the connection, once it is being fed. */
  onStopInput(stop: () => void): void;
}

export function clientProcess(): ClientProcess {
  const { stdin, stdout, stderr } = process;
  const connection = new Subscription();
  let stopInput = () => {};
  let failed = false;
  const stopReading = () => {
    stopInput();
    stdin.destroy();
  };
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    stderr.write(`rxtls client: ${message}\n`);
    process.exitCode = 1;
    connection.unsubscribe(); // tears the connection down if it is still up
    stopReading();
  };
  stdout.on('error', (e) => fail(`cannot write to stdout: ${systemReason(e)}`));
  stdin.on('error', (e) => fail(`cannot read stdin: ${systemReason(e)}`));
  stderr.on('error', () => {}); // nowhere left to complain
  return { connection, fail, stopReading, onStopInput: (stop) => (stopInput = stop) };
}
