import { ScaledClock } from '@ilot/domain';
import { generateSiteDocuments, type Site, validateSite } from '@ilot/site';
import { SimulatorRunner, startSimulatorRunners } from '@ilot/simulators';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AppProcess } from '../app-process';
import { MosquittoProcess } from '../mosquitto-process';
import { PostgresProcess } from '../postgres-process';
import { testPort } from '../services';

export type AppName = 'ingester-0' | 'ingester-1' | 'planner-0' | 'planner-1' | 'api' | 'metrics';
export const APP_NAMES: readonly AppName[] = ['ingester-0', 'ingester-1', 'planner-0', 'planner-1', 'api', 'metrics'];

/** How long an app of the soak may take to be ready after a start or a restart, ms. */
const SOAK_READY_WITHIN_MS = 120_000;

export interface SoakSettings {
  sites: number;
  seed: number;
  speedup: number;
  /** The simulated run's start, ISO 8601. */
  simStart: string;
  /** A device's telemetry period, simulated ms. */
  periodSimMs: number;
  /** The planners' lease, simulated s. */
  leaseTtlS: number;
  /** The metrics app's ledger job period, real s. */
  ledgerIntervalS: number;
  operatorToken: string;
  tokenSecret: string;
}

/**
 * The whole deployment of the soak (issue 30 §1), on real services: a PostgreSQL server and a Mosquitto (production
 * settings: persistence, deep queues) of its own, so that it can stop them; 2 ingesters (a shared subscription, a
 * spool each), 2 planners (leases), the API and the metrics app as the built apps in their own processes; the
 * simulated devices of `sites` generated îlots in this process, each its own MQTT session, on a scaled clock.
 */
export class SoakDeployment {
  readonly tag = randomBytes(3).toString('hex');
  readonly postgres = new PostgresProcess();
  readonly broker = new MosquittoProcess();
  readonly apps = new Map<AppName, AppProcess>();
  readonly sites: Site[];
  readonly sitesDir = mkdtempSync(join(tmpdir(), 'ilot-soak-sites-'));
  private readonly spoolRoot = mkdtempSync(join(tmpdir(), 'ilot-soak-spool-'));
  runners: SimulatorRunner[] = [];
  database!: TestDatabase;
  clock!: ScaledClock;
  private simStartReal = '';

  constructor(
    readonly settings: SoakSettings,
    private readonly onTelemetry: (
      siteId: string,
      deviceId: string,
      ts: string,
      state: 'sent' | 'acked' | 'failed',
    ) => void,
  ) {
    this.sites = generateSiteDocuments(settings.sites, settings.seed).map((document) => {
      const id = `${String(document.id)}-${this.tag}`;
      writeFileSync(join(this.sitesDir, `${id}.yaml`), stringify({ ...document, id }));
      return validateSite({ ...document, id });
    });
  }

  /** Starts the services, the apps (the first one migrates the database), then the simulated devices. */
  async start(): Promise<void> {
    if (!PostgresProcess.available()) throw new Error('the soak needs PostgreSQL’s programs (/usr/lib/postgresql)');
    this.postgres.start();
    await this.broker.start();
    this.database = await createTestDatabase('ilot_soak', this.postgres.url);
    this.simStartReal = new Date(Date.now() + 20_000).toISOString();
    this.clock = new ScaledClock(
      Date.parse(this.simStartReal),
      Date.parse(this.settings.simStart),
      this.settings.speedup,
    );
    for (const name of APP_NAMES) {
      // A restart on a machine the whole deployment keeps busy (load 10 on 2 CPUs) takes 20-31 s (the month run of
      // 2026-12-07 saw the api ready after 31 s once, failing a 30-s wait): the time away is reported, the wait bounded.
      const app = new AppProcess(kindOf(name), this.env(name), [], SOAK_READY_WITHIN_MS);
      this.apps.set(name, app);
      await app.start();
    }
    this.runners = await startSimulatorRunners(this.sites, this.clock, (site) => ({
      mqttUrl: this.broker.url,
      protocolVersion: 5,
      periodSimMs: this.settings.periodSimMs,
      onTelemetry: (deviceId, ts, state) => this.onTelemetry(site.id, deviceId, ts, state),
    }));
  }

  private env(name: AppName): Record<string, string> {
    const s = this.settings;
    const common = {
      ILOT_MQTT_URL: this.broker.url,
      ILOT_DATABASE_URL: this.database.url,
      ILOT_SITES_DIR: this.sitesDir,
      ILOT_SPEEDUP: String(s.speedup),
      ILOT_SIM_START: s.simStart,
      ILOT_SIM_START_REAL: this.simStartReal,
      ILOT_HTTP_PORT: String(testPort()),
      ILOT_OPERATOR_TOKEN: s.operatorToken,
      ILOT_TOKEN_SECRET: s.tokenSecret,
    };
    const [kind, n] = name.split('-');
    if (kind === 'ingester') {
      const spool = join(this.spoolRoot, name);
      mkdirSync(spool, { recursive: true });
      return {
        ...common,
        ILOT_INGEST_CLIENT_ID: `soak-${this.tag}-${n}`,
        ILOT_INGEST_SHARE_GROUP: `soak-${this.tag}`,
        ILOT_INGEST_SPOOL_DIR: spool,
        // Gaps in the devices' seq looked for every second, settled after 10 s (real): a run's faults last seconds.
        ILOT_INGEST_SEQ_CHECK_S: '1',
        ILOT_INGEST_SEQ_SETTLE_S: '10',
      };
    }
    if (kind === 'planner')
      return { ...common, ILOT_PLANNER_ID: `planner-${n}`, ILOT_LEASE_TTL_S: String(s.leaseTtlS) };
    if (kind === 'metrics') return { ...common, ILOT_LEDGER_INTERVAL_S: String(s.ledgerIntervalS) };
    return common;
  }

  app(name: AppName): AppProcess {
    return this.apps.get(name)!;
  }

  /** kill -9, then started again at once with the same identity (client id, spool, planner id, port). */
  async killAndRestart(name: AppName): Promise<void> {
    await this.app(name).kill9();
    await this.app(name).start();
  }

  /** SIGSTOP for `realMs`, then SIGCONT: the process neither runs nor answers meanwhile (its connections stay open). */
  async pause(name: AppName, realMs: number): Promise<void> {
    const pid = this.app(name).pid!;
    process.kill(pid, 'SIGSTOP');
    await sleep(realMs);
    process.kill(pid, 'SIGCONT');
  }

  /** Mosquitto stopped (its persistence written) and started again on the same state after `realMs`. */
  async restartBroker(realMs: number): Promise<void> {
    await this.broker.stop();
    await sleep(realMs);
    await this.broker.start();
  }

  /** PostgreSQL stopped as a crash (`immediate`: no checkpoint, clients cut), started again after `realMs`. */
  async restartPostgres(realMs: number): Promise<void> {
    this.postgres.stop('immediate');
    await sleep(realMs);
    this.postgres.start();
  }

  /** Stops the simulated devices (cleanly), then the apps, the broker, and drops nothing (the caller reads first). */
  async stopDevices(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
  }

  /** Stops everything; each app's output (every life of it) is left in `logDir`, as the broker's. */
  async stopAll(logDir?: string): Promise<void> {
    for (const app of this.apps.values()) await app.stop().catch(() => undefined);
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const [name, app] of this.apps) writeFileSync(join(logDir, `${name}.log`), app.output);
      writeFileSync(join(logDir, 'mosquitto.log'), this.broker.output);
    }
    await this.broker.stop().catch(() => undefined);
    try {
      this.postgres.stop('fast');
    } catch {
      // already stopped
    }
  }
}

function kindOf(name: AppName): 'ingestion' | 'optimiser' | 'metrics' | 'api' {
  if (name.startsWith('ingester')) return 'ingestion';
  if (name.startsWith('planner')) return 'optimiser';
  return name as 'metrics' | 'api';
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
