import {
  accCurveCommand,
  accImportCommand,
  accKeysCommand,
  accReconcileCommand,
  accSimulateCommand,
} from './acc.command';
import { accCreditCommand, accExportCommand, accInvoiceCommand, accStatementsCommand } from './acc-invoice.command';
import type { CommandOptionsSpec } from './args';
import { devicesProvisionCommand } from './devices-provision.command';
import { edgeCommand } from './edge.command';
import { generateSitesCommand } from './generate-sites.command';
import { optimiseCommand } from './optimise.command';
import { reportCommand } from './report.command';
import { openDataCommand } from './open-data.command';
import { simulateCommand } from './simulate.command';
import { tokenCommand } from './token.command';
import { validateCommand } from './validate.command';

/** One command of `ilot`: its name, one-line summary, usage and options, and what it runs. */
export interface CommandSpec extends CommandOptionsSpec {
  name: string;
  summary: string;
  usage: string;
  run(options: Map<string, string[]>, log: (line: string) => void): unknown;
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'validate',
    summary: 'checks a site file and says what it describes, or every problem with the device it is about',
    usage: 'ilot validate --site FILE',
    options: { site: {} },
    run: validateCommand,
  },
  {
    name: 'simulate',
    summary:
      'closed-loop replay on the shipped real profiles or your measured history: five battery strategies side by side',
    usage:
      'ilot simulate --site FILE --days N --out DIR [--start ISO] [--soc PCT] [--solver highs|javascript-lp-solver] [--effacement ID,START,END,REDUCTION_W]... [--subscribed-power KVA] [--history CSV] [--pv-forecast CSV] [--tempo-calendar CSV] [--tempo-seed N] [--battery-capex-eur-per-kwh EUR]',
    options: {
      site: {},
      days: {},
      out: {},
      start: {},
      soc: {},
      solver: {},
      effacement: { multiple: true },
      'subscribed-power': {},
      history: {},
      'pv-forecast': {},
      'tempo-calendar': {},
      'tempo-seed': {},
      'battery-capex-eur-per-kwh': {},
    },
    run: simulateCommand,
  },
  {
    name: 'optimise',
    summary:
      'plans offline from forecasts (CSV header ts,device,powerW: every meter and pv per slot) and writes the schedule',
    usage:
      'ilot optimise --site FILE --inputs CSV --start ISO --out FILE.json [--soc DEVICE=PCT]... [--solver highs|javascript-lp-solver] [--effacement ID,START,END,REDUCTION_W]... [--ev CHARGER,ENERGY_WH,DEPARTURE[,MAX_W]]...',
    options: {
      site: {},
      inputs: {},
      ev: { multiple: true },
      start: {},
      out: {},
      soc: { multiple: true },
      solver: {},
      effacement: { multiple: true },
    },
    run: optimiseCommand,
  },
  {
    name: 'report',
    summary: "a resident's month (the API's report) from the database (--database, else ILOT_DATABASE_URL)",
    usage: 'ilot report --site FILE --participant ID --month YYYY-MM [--format json|csv] [--database URL]',
    options: { site: {}, participant: {}, month: {}, format: {}, database: {} },
    run: reportCommand,
  },
  {
    name: 'open-data',
    summary:
      "the îlot's hourly open data (the API's), CSV or JSON with its Table Schema and licence, from the database",
    usage: 'ilot open-data --site FILE --from ISO --to ISO [--format csv|json] [--out FILE] [--database URL]',
    options: { site: {}, from: {}, to: {}, format: {}, out: {}, database: {} },
    run: openDataCommand,
  },
  {
    name: 'generate-sites',
    summary:
      'a folder of N îlots of varied sizes, one site file each, for ILOT_SITES_DIR (the same seed, the same fleet)',
    usage: 'ilot generate-sites --count N --out DIR [--seed S]',
    options: { count: {}, out: {}, seed: {} },
    run: generateSitesCommand,
  },
  {
    name: 'token',
    summary: 'a signed access token for the reports API (ILOT_TOKEN_SECRET from the environment), valid N days (31)',
    usage: 'ilot token --site FILE (--participant ID | --role operator) [--days N]',
    options: { site: {}, participant: {}, role: {}, days: {} },
    run: (options, log) => tokenCommand(options, log),
  },
  {
    name: 'edge',
    summary: "the building gateway: the devices' SunSpec Modbus, OCPP and Linky TIC to the îlot's MQTT (docs/edge.md)",
    usage: 'ilot edge --config FILE (deploy/edge/edge.example.yaml)',
    options: { config: {} },
    run: (options) => edgeCommand(options),
  },
  {
    name: 'devices provision',
    summary: 'broker credentials (password file, ACL, one password each, client certificates) for devices and services',
    usage:
      'ilot devices provision (--site FILE... | --sites-dir DIR) --out DIR [--rotate DEVICE]... [--ca-cert PEM --ca-key PEM]',
    options: {
      site: { multiple: true },
      'sites-dir': {},
      out: {},
      rotate: { multiple: true },
      'ca-cert': {},
      'ca-key': {},
    },
    run: devicesProvisionCommand,
  },
  {
    name: 'acc keys',
    summary: "an ACC operation's month key file for the distributor, validated, from the ledger (docs/acc.md)",
    usage: 'ilot acc keys --site FILE --month YYYY-MM --out DIR [--database URL]',
    options: { site: {}, month: {}, out: {}, database: {} },
    run: accKeysCommand,
  },
  {
    name: 'acc import',
    summary: "the distributor's month of an ACC operation (per PRM and step), checked line by line, into the database",
    usage: 'ilot acc import --site FILE --month YYYY-MM --file CSV [--database URL]',
    options: { site: {}, month: {}, file: {}, database: {} },
    run: accImportCommand,
  },
  {
    name: 'acc reconcile',
    summary: "the ledger against the distributor's figures, per participant: differences explained, above 2 % flagged",
    usage: 'ilot acc reconcile --site FILE --month YYYY-MM [--format text|json] [--database URL]',
    options: { site: {}, month: {}, format: {}, database: {} },
    run: accReconcileCommand,
  },
  {
    name: 'acc curve',
    summary: "a participant's gaps in the month filled from its Linky curve (Enedis Data Connect, with its consent)",
    usage: 'ilot acc curve --site FILE --month YYYY-MM --participant ID [--database URL] (ILOT_DATACONNECT_* set)',
    options: { site: {}, month: {}, participant: {}, database: {} },
    run: accCurveCommand,
  },
  {
    name: 'acc invoice',
    summary: "a reconciled month's invoices (PDF, Factur-X for businesses) in the register, issued once each",
    usage:
      'ilot acc invoice --site FILE --month YYYY-MM --out DIR [--accept-differences] [--database URL] (docs/acc.md)',
    options: { site: {}, month: {}, out: {}, 'accept-differences': { flag: true }, database: {} },
    run: accInvoiceCommand,
  },
  {
    name: 'acc credit',
    summary: 'a credit note cancelling an invoice of the register, with its reason (then invoice the month again)',
    usage: 'ilot acc credit --site FILE --number NUMBER --reason TEXT --out DIR [--database URL]',
    options: { site: {}, number: {}, reason: {}, out: {}, database: {} },
    run: accCreditCommand,
  },
  {
    name: 'acc statements',
    summary: "each producer's statement of a month: what it sold to whom, by the invoices in force (CSV)",
    usage: 'ilot acc statements --site FILE --month YYYY-MM --out DIR [--database URL]',
    options: { site: {}, month: {}, out: {}, database: {} },
    run: accStatementsCommand,
  },
  {
    name: 'acc export',
    summary: "a month's invoices and credit notes for the accountant (CSV, credit notes negative)",
    usage: 'ilot acc export --site FILE --month YYYY-MM [--out FILE] [--database URL]',
    options: { site: {}, month: {}, out: {}, database: {} },
    run: accExportCommand,
  },
  {
    name: 'acc simulate',
    summary:
      "a simulated month of an ACC operation: readings into the database, the key file and the distributor's file",
    usage:
      'ilot acc simulate --site FILE --month YYYY-MM --out DIR [--gap METER,FROM,TO]... [--sample-minutes 1|5|15] [--database URL]',
    options: { site: {}, month: {}, out: {}, gap: { multiple: true }, 'sample-minutes': {}, database: {} },
    run: accSimulateCommand,
  },
];
