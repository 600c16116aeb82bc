import type { LoggerService } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { planConsumerUpdate } from './consumer-config.util';

/**
 * Creates a durable consumer or updates it to the handler's settings. Idempotent, safe to run from every
 * replica at once, never deletes: the consumer's position in the stream is what lets a stopped service
 * catch up on everything it missed.
 */
export class ConsumerProvisioner {
  constructor(private readonly deps: { jsm: JetStreamManager; stream: string; logger: Pick<LoggerService, 'log' | 'warn'> }) {}

  async ensure(desired: ConsumerConfig): Promise<void> {
    const { jsm, stream, logger } = this.deps;
    const durable = desired.durable_name ?? '';
    let existing = await this.info(durable);
    if (!existing) {
      try {
        await jsm.consumers.add(stream, desired);
        logger.log(`created consumer ${durable} on ${stream} for ${desired.filter_subject}`);
        return;
      } catch (error) {
        // Another replica created it between our lookup and our add.
        existing = await this.info(durable);
        if (!existing) throw error;
      }
    }
    const plan = planConsumerUpdate({ existing: existing.config, desired });
    for (const difference of plan.immutable) logger.warn(`consumer ${durable}: ${difference}; this cannot be changed in place and is left as it is`);
    if (!plan.update) return;
    await jsm.consumers.update(stream, durable, plan.update);
    logger.log(`updated consumer ${durable}: ${Object.keys(plan.update).join(', ')}`);
  }

  private async info(durable: string): Promise<ConsumerInfo | undefined> {
    try {
      return await this.deps.jsm.consumers.info(this.deps.stream, durable);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw error;
    }
  }
}
