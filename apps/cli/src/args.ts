export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** `--name value` pairs (repeatable ones collected) after the command word. */
export function parseArgs(argv: readonly string[]): { command: string | undefined; options: Map<string, string[]> } {
  const [command, ...rest] = argv;
  const options = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument "${flag}"`);
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    options.set(flag.slice(2), [...(options.get(flag.slice(2)) ?? []), value]);
    i++;
  }
  return { command, options };
}

export function required(options: Map<string, string[]>, name: string): string {
  const value = options.get(name)?.[0];
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}
