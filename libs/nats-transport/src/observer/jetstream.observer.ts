/** How an event delivery ended: acknowledged, handed back for redelivery, or dead-lettered. */
export type HandledOutcome = 'ack' | 'retry' | 'dead_letter';

/**
 * Hooks for metrics, provided under JETSTREAM_OBSERVER. Called synchronously on the hot path: keep
 * them cheap. An observer that throws is logged and otherwise ignored.
 */
export interface JetStreamObserver {
  onHandled(e: { event: string; outcome: HandledOutcome; durationMs: number }): void;
  onPublished(e: { event: string; duplicate: boolean }): void;
}
