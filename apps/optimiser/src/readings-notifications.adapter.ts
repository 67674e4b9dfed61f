import { Logger } from '@nestjs/common';
import { READINGS_CHANNEL } from '@ilot/timeseries';
import { Client } from 'pg';
import { Observable, Subject } from 'rxjs';

/** PostgreSQL LISTEN on the readings channel as an Observable of site ids; reconnects on loss. */
export class ReadingsNotificationsAdapter {
  private readonly logger = new Logger('ReadingsNotifications');
  private readonly subject = new Subject<string>();
  private client: Client | undefined;
  private stopped = false;

  constructor(private readonly databaseUrl: string) {}

  get committed$(): Observable<string> {
    return this.subject.asObservable();
  }

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', (message) => {
      if (message.channel === READINGS_CHANNEL && message.payload) this.subject.next(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN connection lost: ${error.message}`);
      this.reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${READINGS_CHANNEL}`);
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
