import { Logger } from '@nestjs/common';
import { describeProblems } from '@ilot/domain';
import type { RejectReason } from '@ilot/protocol';
import { RejectedMessageRepository } from '@ilot/timeseries';
import { Counter, Registry } from 'prom-client';
import { LogThrottle } from './log-throttle';
import { retryUntilDone } from './retry';

/** The inbound topics of the product (docs/design.md, "MQTT topics"), as the `topic` label of refused messages. */
export type InboundTopic = 'telemetry' | 'status' | 'signals' | 'forecast' | 'ack' | 'http';

const REJECTED_METRIC = 'ilot_ingest_rejected_total';

/** `ilot_ingest_rejected_total{site,topic,reason}` in a registry, made once per process (several apps may share it). */
export function rejectedCounter(registry: Registry): Counter<'site' | 'topic' | 'reason'> {
  const existing = registry.getSingleMetric(REJECTED_METRIC);
  if (existing) return existing as Counter<'site' | 'topic' | 'reason'>;
  return new Counter({
    name: REJECTED_METRIC,
    help: 'Inbound messages refused, by topic and reason (each kept in rejected_messages)',
    labelNames: ['site', 'topic', 'reason'],
    registers: [registry],
  });
}

/**
 * The one way a refused inbound message is kept (docs/design.md, "Bad input"): counted, stored in `rejected_messages` with
 * its reason and the fields at fault (a transient database failure is retried until stored, so a PUBACK held for it
 * is sent only then, and abandoned once `close` is called: the broker redelivers), and logged at most once a second
 * per topic.
 */
export class InboundRejects {
  private readonly counter: Counter<'site' | 'topic' | 'reason'>;
  private readonly log: LogThrottle;
  private stopping = false;
  /** Refusals being stored, awaited by `close`. */
  private readonly writes = new Set<Promise<unknown>>();

  constructor(
    private readonly siteId: string,
    registry: Registry,
    private readonly repository: RejectedMessageRepository,
    logger = new Logger('InboundRejects'),
  ) {
    this.counter = rejectedCounter(registry);
    this.log = new LogThrottle(logger);
  }

  async keep(
    topic: string,
    kind: InboundTopic,
    payload: Buffer | string,
    receivedAt: Date,
    refusal: { reason: RejectReason; problems: readonly string[] },
    /** The site the message was for, when it is one served (a deployment of many îlots); else the one of the process. */
    siteId = this.siteId,
    /**
     * Keeps the message elsewhere (the ingester's spool, issue 30 §3) when the database fails: true once kept. It is
     * then refused and counted when it is processed again, not now (counted once).
     */
    spill?: () => Promise<boolean>,
  ): Promise<void> {
    const detail = describeProblems(refusal);
    this.log.warn(`refused:${kind}`, `${kind} message on ${topic} refused (${refusal.reason}): ${detail}`);
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const text = bytes.subarray(0, 4096).toString('utf8');
    const insert = () =>
      this.repository.insertBatch([{ receivedAt, topic, reason: refusal.reason, detail, payload: text }]);
    const count = () => this.counter.inc({ site: siteId, topic: kind, reason: refusal.reason });
    if (spill) {
      const first = await insert().then(
        () => true,
        () => false,
      );
      if (first) return count();
      if (await spill()) return;
    }
    count();
    const written = retryUntilDone(
      insert,
      1000,
      (error) => this.stopping || this.log.error('store', `a refused message could not be stored: ${error.message}`),
      () => this.stopping,
    ).finally(() => this.writes.delete(written));
    this.writes.add(written);
    await written;
  }

  /** At shutdown, before the database closes: what is being stored completes, a failed write is no longer retried. */
  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.writes);
  }
}
