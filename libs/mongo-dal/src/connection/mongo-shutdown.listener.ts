import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { MongoClient } from 'mongodb';
import { MONGO_CLIENT } from '../mongo.constants';

/** Closes the client last: onApplicationShutdown runs after every onModuleDestroy that may still write. */
@Injectable()
export class MongoShutdownListener implements OnApplicationShutdown {
  constructor(@Inject(MONGO_CLIENT) private readonly client: MongoClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
