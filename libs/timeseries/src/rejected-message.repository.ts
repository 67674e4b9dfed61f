import { DataSource } from 'typeorm';
import { RejectedMessageEntity } from './entities';

/** Payloads are kept, truncated to this many characters. */
export const REJECTED_PAYLOAD_MAX_CHARS = 2048;

export interface RejectedMessage {
  receivedAt: Date;
  topic: string;
  reason: string;
  detail: string;
  payload: string;
}

/** PostgreSQL text cannot hold NUL characters: they are kept visible as U+FFFD. */
function storableText(text: string, maxChars: number): string {
  return text.slice(0, maxChars).replaceAll(String.fromCharCode(0), '\uFFFD');
}

export class RejectedMessageRepository {
  constructor(private readonly db: DataSource) {}

  async insertBatch(messages: readonly RejectedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.db.getRepository(RejectedMessageEntity).insert(
      messages.map((m) => ({
        ...m,
        topic: storableText(m.topic, 512),
        detail: storableText(m.detail, 512),
        payload: storableText(m.payload, REJECTED_PAYLOAD_MAX_CHARS),
      })),
    );
  }
}
