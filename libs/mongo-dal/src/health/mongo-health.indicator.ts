import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { MONGO_DB } from '../mongo.constants';

export interface MongoHealthResult {
  ok: boolean;
  details?: string;
}

/** Readiness of MongoDB: a `ping` that must answer within a short time. Never throws. */
@Injectable()
export class MongoHealthIndicator {
  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  /** @example const { ok, details } = await mongoHealth.check(); */
  async check({ timeoutMs = 1500 }: { timeoutMs?: number } = {}): Promise<MongoHealthResult> {
    let timer: NodeJS.Timeout | undefined;
    // A race rather than the driver's timeout options: with the server gone, the driver would wait for
    // serverSelectionTimeoutMS (3 s), longer than a readiness probe may take.
    const timeout = new Promise<MongoHealthResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, details: `no ping answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const ping = this.db.command({ ping: 1 }).then(
      (): MongoHealthResult => ({ ok: true }),
      (error: Error): MongoHealthResult => ({ ok: false, details: error.message }),
    );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
