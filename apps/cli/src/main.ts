import { SiteValidationError } from '@ilot/site';
import { PlanInputError } from '@ilot/optimiser';
import { parseCommandArgs, suggestion, UsageError } from './args';
import { COMMANDS, CommandSpec } from './commands';
import { InputsCsvError } from './inputs-csv';

const OVERVIEW = `usage: ilot COMMAND [OPTIONS]   (ilot help COMMAND, or ilot COMMAND --help, for its options)

${COMMANDS.map((c) => `  ${c.name.padEnd(17)} ${c.summary}`).join('\n')}`;

function usageOf(command: CommandSpec): string {
  return `usage: ${command.usage}\n  ${command.summary}`;
}

/** The `ilot` command line. Exit codes: 0 done, 1 failed, 2 usage or input error. */
export async function runCli(argv: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  // Two-word commands (`ilot devices provision`) are named by both words.
  const twoWords = argv.length >= 2 && COMMANDS.some((c) => c.name === `${argv[0]} ${argv[1]}`);
  const [name, ...args] = twoWords ? [`${argv[0]} ${argv[1]}`, ...argv.slice(2)] : argv;
  if (name === undefined) {
    console.error(OVERVIEW);
    return 2;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = args.length ? args.join(' ') : undefined;
    if (topic === undefined) return (log(OVERVIEW), 0);
    const command = COMMANDS.find((c) => c.name === topic);
    if (!command) return refuse(`unknown command "${topic}"${commandSuggestion(topic)}`, OVERVIEW);
    return (log(usageOf(command)), 0);
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return refuse(`unknown command "${name}"${commandSuggestion(name)}`, OVERVIEW);
  try {
    const parsed = parseCommandArgs(command.name, command, args);
    if (parsed.help) return (log(usageOf(command)), 0);
    await command.run(parsed.options, log);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) return refuse(error.message, usageOf(command));
    // Bad input files: their own precise message, without the usage (it is not how the command was called).
    if (error instanceof SiteValidationError || error instanceof InputsCsvError || error instanceof PlanInputError) {
      console.error(`ilot ${command.name}: ${error.message}`);
      return 2;
    }
    console.error(`ilot ${command.name}: ${(error as Error).message}`);
    return 1;
  }
}

function refuse(message: string, usage: string): number {
  console.error(`ilot: ${message}\n\n${usage}`);
  return 2;
}

function commandSuggestion(name: string): string {
  return suggestion(
    name,
    COMMANDS.map((c) => c.name),
  ).replace('--', '');
}

if (require.main === module) void runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
