import { SiteValidationError } from '@ilot/site';
import { parseArgs, UsageError } from './args';
import { InputsCsvError } from './inputs-csv';
import { optimiseCommand } from './optimise.command';
import { simulateCommand } from './simulate.command';
import { reportCommand } from './report.command';
import { tokenCommand } from './token.command';
import { PlanInputError } from '@ilot/optimiser';

const USAGE = `usage:
  ilot simulate --site FILE --days N --out DIR [--start ISO] [--soc PCT] [--solver highs|javascript-lp-solver] [--effacement ID,START,END,REDUCTION_W]...
      closed-loop replay on the shipped real profiles: optimised plan, self-consumption rule and idle battery side by side
  ilot optimise --site FILE --inputs CSV --start ISO --out FILE.json [--soc DEVICE=PCT]... [--solver highs|javascript-lp-solver]
      plans offline from forecasts (CSV header ts,device,powerW: every meter and pv per slot) and writes the schedule
  ilot report --site FILE --participant ID --month YYYY-MM [--format json|csv] [--database URL]
      a resident's month (the API's report) from the database (--database, else ILOT_DATABASE_URL)
  ilot token --site FILE (--participant ID | --role operator) [--days N]
      a signed access token for the reports API (ILOT_TOKEN_SECRET from the environment), valid N days (31)`;

/** The `ilot` command line. Exit codes: 0 done, 1 failed, 2 usage or input error. */
export async function runCli(argv: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  try {
    const { command, options } = parseArgs(argv);
    switch (command) {
      case 'simulate':
        await simulateCommand(options, log);
        return 0;
      case 'optimise':
        await optimiseCommand(options, log);
        return 0;
      case 'report':
        await reportCommand(options, log);
        return 0;
      case 'token':
        tokenCommand(options, log);
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
    if (
      error instanceof UsageError ||
      error instanceof SiteValidationError ||
      error instanceof InputsCsvError ||
      error instanceof PlanInputError
    ) {
      console.error(`ilot: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`ilot: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) void runCli(process.argv.slice(2)).then((code) => (process.exitCode = code));
