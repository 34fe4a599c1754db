/** Key logging for the CLI: --keylog FILE, else $SSLKEYLOGFILE, else none. */
import { appendFileSync } from 'node:fs';

export function keylogWriter(file: string | undefined): ((line: string) => void) | undefined {
  const target = file ?? process.env.SSLKEYLOGFILE;
  if (!target) return undefined;
  return (line) => appendFileSync(target, `${line}\n`, { mode: 0o600 });
}
