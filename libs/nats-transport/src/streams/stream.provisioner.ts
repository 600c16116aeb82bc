import type { LoggerService } from '@nestjs/common';
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import type { ResolvedJetStreamOptions } from '../jetstream-module.options';
import { desiredStreams, planStreamUpdate, type OwnedStreamConfig } from './stream-config.util';

/**
 * Creates the events and dead-letter streams, or brings existing ones in line with what mailbus needs.
 * Idempotent and safe to run from every replica at once; it never deletes a stream or its messages.
 * A setting the server refuses to change is logged and the existing stream kept: it still carries events.
 */
export class StreamProvisioner {
  constructor(private readonly deps: { jsm: JetStreamManager; options: ResolvedJetStreamOptions; logger: Pick<LoggerService, 'log' | 'warn' | 'error'> }) {}

  async ensureStreams(): Promise<void> {
    for (const desired of desiredStreams(this.deps.options)) await this.ensureStream(desired);
  }

  private async ensureStream(desired: OwnedStreamConfig): Promise<void> {
    const { jsm, logger } = this.deps;
    const existing = await this.info(desired.name);
    if (!existing) {
      try {
        await jsm.streams.add({ ...desired });
        logger.log(`created stream ${desired.name} (${desired.subjects.join(', ')})`);
        return;
      } catch (error) {
        // Another replica created it between our lookup and our add: fall through to the update check.
        const raced = await this.info(desired.name);
        if (!raced) throw error;
        return this.reconcile({ existing: raced, desired });
      }
    }
    return this.reconcile({ existing, desired });
  }

  private async reconcile({ existing, desired }: { existing: StreamInfo; desired: OwnedStreamConfig }): Promise<void> {
    const { jsm, logger } = this.deps;
    const plan = planStreamUpdate({ existing: existing.config, desired });
    for (const difference of plan.immutable) logger.warn(`stream ${desired.name}: ${difference}; this cannot be changed in place and is left as it is`);
    if (!plan.update) return;
    try {
      await jsm.streams.update(desired.name, plan.update);
      logger.log(`updated stream ${desired.name}: ${Object.keys(plan.update).join(', ')}`);
    } catch (error) {
      logger.error(
        `stream ${desired.name} could not be updated (${Object.keys(plan.update).join(', ')}): ${error instanceof Error ? error.message : String(error)}; keeping its current configuration`,
      );
    }
  }

  private async info(name: string): Promise<StreamInfo | undefined> {
    try {
      return await this.deps.jsm.streams.info(name);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
      throw error;
    }
  }
}
