import { Logger } from '@nestjs/common';
import { parseSiteChange, SITE_CHANGES_CHANNEL, SiteChange } from '@ilot/timeseries';
import { Client } from 'pg';
import { Observable, Subject } from 'rxjs';

/** PostgreSQL LISTEN on the site-changes channel as an Observable of changes ({site, kind}); reconnects on loss. */
export class SiteChangesAdapter {
  private readonly logger = new Logger('SiteChanges');
  private readonly subject = new Subject<SiteChange>();
  private client: Client | undefined;
  private stopped = false;

  constructor(private readonly databaseUrl: string) {}

  get changes$(): Observable<SiteChange> {
    return this.subject.asObservable();
  }

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      const change = message.channel === SITE_CHANGES_CHANNEL ? parseSiteChange(message.payload) : undefined;
      if (change) this.subject.next(change);
    });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN connection lost: ${error.message}`);
      this.reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${SITE_CHANGES_CHANNEL}`);
    this.client = client;
  }

  private reconnectLater(): void {
    const old = this.client;
    this.client = undefined;
    old?.end().catch(() => undefined);
    if (this.stopped) return;
    setTimeout(
      () =>
        this.start().catch(
          (error: Error) => (this.logger.warn(`LISTEN reconnect failed: ${error.message}`), this.reconnectLater()),
        ),
      1000,
    ).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subject.complete();
    await this.client?.end().catch(() => undefined);
  }
}
