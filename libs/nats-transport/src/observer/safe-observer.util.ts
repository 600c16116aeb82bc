import { Logger } from '@nestjs/common';
import type { JetStreamObserver } from './jetstream.observer';

const logger = new Logger('JetStreamObserver');

/** Wraps an optional observer so that a missing or failing one never disturbs publishing or settlement. */
export function safeObserver(observer: JetStreamObserver | undefined | null): JetStreamObserver {
  const guard =
    <A>(call: (target: JetStreamObserver, arg: A) => void) =>
    (arg: A): void => {
      if (!observer) return;
      try {
        call(observer, arg);
      } catch (error) {
        logger.warn(`observer failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
  return { onHandled: guard((target, e) => target.onHandled(e)), onPublished: guard((target, e) => target.onPublished(e)) };
}
