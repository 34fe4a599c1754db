/**
 * A small argument parser for the rxtls CLI: `--flag value`, `--flag=value`,
 * boolean flags and `-h`, with positional arguments kept in order. Every
 * command declares its options; anything else is a UsageError (exit 2).
 */

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/** The options a command accepts: `values` take an argument, `booleans` do not. */
export interface CommandOptions {
  values: readonly string[];
  booleans: readonly string[];
}

/** Accepted by every command: print the usage, or the version, and exit 0. */
const ALWAYS = ['help', 'version'];

export function parseArgs(argv: readonly string[], spec: CommandOptions): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const booleans = [...spec.booleans, ...ALWAYS];
  const set = (name: string, value: string | true) => {
    if (options.has(name)) throw new UsageError(`--${name} given twice`);
    options.set(name, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      options.set('help', true);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      set(name, true);
    } else if (spec.values.includes(name)) {
      if (eq >= 0) set(name, arg.slice(eq + 1));
      else {
        const value = argv[i + 1];
        // `--cert --key k` is a forgotten value, not a file named "--key" (write --cert=--key for that).
        if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
        set(name, value);
        i++;
      }
    } else {
      throw new UsageError(`unknown option --${name}`);
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
  if (v === '') throw new UsageError(`--${name} needs a value`);
  return v;
}

export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  return stringOption(args, name)?.split(',').filter(Boolean);
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** Throws a UsageError naming both flags when both are given. */
export function exclusive(args: ParsedArgs, a: string, b: string): void {
  if (args.options.has(a) && args.options.has(b)) throw new UsageError(`--${a} and --${b} cannot be used together`);
}

/** A TCP port number in [min, 65535], written in decimal; `where` names it in the error. */
export function parsePort(text: string, where: string, min = 0): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= min && port <= 65535)) throw new UsageError(`invalid ${where}: ${JSON.stringify(text)} is not a port number (${min} to 65535)`);
  return port;
}

/** `host:port` or `[v6]:port`. */
export function hostPort(text: string | undefined): { host: string; port: number } {
  const m = text?.match(/^(?:\[([^\]]+)\]|([^:]+)):([^:]*)$/);
  if (!m) throw new UsageError(`expected HOST:PORT, got ${text ?? 'nothing'}`);
  return { host: m[1] ?? m[2]!, port: parsePort(m[3]!, `port in ${text}`, 1) };
}

/** Throws unless there are exactly `count` positional arguments. */
export function positionals(args: ParsedArgs, count: number, what: string): string[] {
  if (args.positional.length > count) throw new UsageError(`unexpected argument ${args.positional[count]}`);
  if (args.positional.length < count) throw new UsageError(`missing ${what}`);
  return args.positional;
}

/** `--min-version` / `--max-version`: 1.2 or 1.3 (also as TLSv1.2 / TLSv1.3), as node's names. */
export function versionOption(args: ParsedArgs, name: string): 'TLSv1.2' | 'TLSv1.3' | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const m = v.match(/^(?:TLSv?)?1\.([23])$/i);
  if (!m) throw new UsageError(`invalid --${name}: "${v}" (1.2 or 1.3)`);
  return m[1] === '3' ? 'TLSv1.3' : 'TLSv1.2';
}
