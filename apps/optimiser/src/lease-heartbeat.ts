import { Worker } from 'node:worker_threads';
import { workerScript } from './worker-script';

/** What the heartbeat thread is given. */
export interface HeartbeatSettings {
  /** The database (its own connection). */
  url: string;
  holder: string;
  /** The lease's length, îlot time ms. */
  ttlMs: number;
  /** How often it renews, real ms (a third of the lease). */
  everyMs: number;
  /** The main thread silent this long (real ms), it stops renewing: a stuck process lets its leases lapse. */
  maxSilenceMs: number;
  /** The îlot's clock when it is scaled (a simulation); absent, the system's. */
  clock?: { originRealMs: number; originSimMs: number; speedup: number };
}

/** What it says after each renewal: its time from due to done (real ms), a failure, or that the main thread is silent. */
export type HeartbeatReport =
  { tookMs: number; timerLateMs: number } | { error: string } | { silentMs: number } | { stopped: true };

/**
 * The leases' heartbeat in a thread of its own (lease-heartbeat.worker.ts): the main thread says which sites it holds
 * (`hold`, at every round: also its sign of life) and hears each renewal's outcome.
 */
export class LeaseHeartbeat {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;

  constructor(settings: HeartbeatSettings, onReport: (report: HeartbeatReport) => void) {
    this.worker = new Worker(workerScript('lease-heartbeat.worker.js'), { workerData: settings });
    this.worker.unref();
    this.worker.on('message', onReport);
    this.worker.on('error', (error) => onReport({ error: `heartbeat thread failed: ${error.message}` }));
  }

  /** The sites held now; also says the main thread is alive. */
  hold(sites: readonly string[]): void {
    this.worker.postMessage({ sites: [...sites] });
  }

  /** Stops renewing (before the leases are handed back at shutdown), its connection closed. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((done) => {
      const timeout = setTimeout(() => void this.worker.terminate().then(() => done()), 5000);
      this.worker.on('message', (report: HeartbeatReport) => {
        if ('stopped' in report) {
          clearTimeout(timeout);
          void this.worker.terminate().then(() => done());
        }
      });
      this.worker.postMessage({ stop: true });
    });
    return this.stopped;
  }
}
