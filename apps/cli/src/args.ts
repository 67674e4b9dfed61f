import { closestMatch } from '@ilot/domain';
import { parseArgs as parseNodeArgs } from 'node:util';

/** A mistake in how the command was called: refused with the command's usage and exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** What a command takes: its options (each `--name VALUE`; `multiple` ones may repeat) and its usage text. */
export interface CommandOptionsSpec {
  /** Each option takes a value (`multiple`: may repeat), or is a `flag` that takes none. */
  options: Record<string, { multiple?: boolean; flag?: boolean }>;
}

/**
 * A command's arguments by Node's own parser (`util.parseArgs`, strict): `--name value` or `--name=value`, every
 * option known to the command or refused, with the closest known one suggested; `--help` (or `-h`) asks for the usage.
 */
export function parseCommandArgs(
  command: string,
  spec: CommandOptionsSpec,
  args: readonly string[],
): { help: true } | { help: false; options: Map<string, string[]> } {
  const known = Object.keys(spec.options);
  // A mistyped option is reported by name, before the parser's generic message; a single option given twice is
  // refused (the parser would keep the last one silently).
  const seen = new Set<string>();
  for (const arg of args) {
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0];
    if (name === 'help') continue;
    if (!known.includes(name))
      throw new UsageError(`unknown option --${name} for "ilot ${command}"${suggestion(name, known)}`);
    if (seen.has(name) && !spec.options[name].multiple) throw new UsageError(`--${name} is given twice`);
    seen.add(name);
  }
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          Object.entries(spec.options).map(([name, o]) => [
            name,
            o.flag ? { type: 'boolean' as const } : { type: 'string' as const, multiple: o.multiple ?? false },
          ]),
        ),
      },
    });
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError(plainParseError(error as Error));
  }
  if (parsed.values.help) return { help: true };
  const options = new Map<string, string[]>();
  for (const [name, value] of Object.entries(parsed.values))
    if (name !== 'help' && value !== undefined) options.set(name, ([] as unknown[]).concat(value).map(String));
  return { help: false, options };
}

export function required(options: Map<string, string[]>, name: string): string {
  const value = options.get(name)?.[0];
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** ` (did you mean --x?)` for the known name closest to `name`, when it is close. */
export function suggestion(name: string, known: readonly string[]): string {
  const best = closestMatch(name, known);
  return best ? ` (did you mean --${best}?)` : '';
}

/** Node's parse errors, without the advice about positionals that does not apply here. */
function plainParseError(error: Error): string {
  const message = error.message.split('. To specify a positional')[0];
  return message.replace(/^Option '(--[\w-]+)(?: <value>)?' argument missing$/, '$1 needs a value');
}

/** The database a command reads: `--database URL`, else ILOT_DATABASE_URL; a usage error without either. */
export function databaseUrl(options: Map<string, string[]>): string {
  const url = options.get('database')?.[0] ?? process.env.ILOT_DATABASE_URL;
  if (!url) throw new UsageError('--database URL (or ILOT_DATABASE_URL) is required');
  return url;
}
