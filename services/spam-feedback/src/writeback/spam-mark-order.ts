import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { MONGO_DB } from '@mailbus/mongo-dal';

interface LatestSpamMark {
  /** The message record's id, with `:` and the copy's id for a copy other than the record's own. */
  _id: string;
  requestedAt: Date;
}

/**
 * The newest spam mark seen per message and copy. Marks can be handled out of order (two at a time, several
 * replicas, one waiting for a connection slot while the next goes through); a mark older than one
 * already seen is superseded, so the server ends where the user's last mark says.
 */
@Injectable()
export class SpamMarkOrder {
  private readonly latest: Collection<LatestSpamMark>;

  constructor(@Inject(MONGO_DB) db: Db) {
    this.latest = db.collection<LatestSpamMark>('spam_mark_order');
  }

  /** Records this mark as seen and tells whether a newer one of the same copy was seen before it. */
  async isSuperseded({ messageId, copyId = '', requestedAt }: { messageId: string; copyId?: string; requestedAt: Date }): Promise<boolean> {
    const before = await this.latest.findOneAndUpdate({ _id: copyId ? `${messageId}:${copyId}` : messageId }, { $max: { requestedAt } }, { upsert: true, returnDocument: 'before' });
    return before !== null && before.requestedAt.getTime() > requestedAt.getTime();
  }
}
