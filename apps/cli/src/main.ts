import { SiteValidationError } from '@ilot/site';
import { parseArgs, UsageError } from './args';
import { simulateCommand } from './simulate.command';

const USAGE = `usage:
  ilot simulate --site FILE --days N --out DIR [--start ISO] [--soc PCT]
      closed-loop replay on the shipped real profiles: optimised plan, self-consumption rule and idle battery side by side
  ilot optimise ...   (coming with the optimiser issue)
  ilot report ...     (coming with the reports issue)`;

/** The `ilot` command line. Exit codes: 0 done, 1 failed, 2 usage or input error. */
export function runCli(argv: readonly string[], log: (line: string) => void = console.log): number {
  try {
    const { command, options } = parseArgs(argv);
    switch (command) {
      case 'simulate':
        simulateCommand(options, log);
        return 0;
      case undefined:
      case 'help':
      case '--help':
        log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SiteValidationError) {
      console.error(`ilot: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`ilot: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) process.exitCode = runCli(process.argv.slice(2));
