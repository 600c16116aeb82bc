import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { MONGO_DB } from '@mailbus/mongo-dal';

interface LatestSpamMark {
  /** The message record's id. */
  _id: string;
  requestedAt: Date;
}

/**
 * The newest spam mark seen per message. Marks can be handled out of order (two at a time, several
 * replicas, one waiting for a connection slot while the next goes through); a mark older than one
 * already seen is superseded, so the server ends where the user's last mark says.
 */
@Injectable()
export class SpamMarkOrder {
  private readonly latest: Collection<LatestSpamMark>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.latest = db.collection<LatestSpamMark>('spam_mark_order');
  }

  /** Records this mark as seen and tells whether a newer one was seen before it. */
  async isSuperseded({ messageId, requestedAt }: { messageId: string; requestedAt: Date }): Promise<boolean> {
    const before = await this.latest.findOneAndUpdate({ _id: messageId }, { $max: { requestedAt } }, { upsert: true, returnDocument: 'before' });
    return before !== null && before.requestedAt.getTime() > requestedAt.getTime();
  }
}
