/**
 * A small argument parser for the rxtls CLI: `--flag value`, `--flag=value`
 * and boolean flags, with positional arguments kept in order.
 */

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], booleans: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) options.set(name, arg.slice(eq + 1));
    else if (booleans.includes(name)) options.set(name, true);
    else {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    }
  }
  return { positional, options };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  return stringOption(args, name)?.split(',').filter(Boolean);
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** `host:port` or `[v6]:port`. */
export function hostPort(text: string | undefined): { host: string; port: number } {
  const m = text?.match(/^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/);
  if (!m) throw new UsageError(`expected HOST:PORT, got ${text ?? 'nothing'}`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}
