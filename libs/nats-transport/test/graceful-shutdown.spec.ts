import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_STREAM, durableConsumerName } from '@mailbus/contracts';
import { expectEventually } from '@mailbus/testing';
import { EventPublisher, JetStreamModule } from '../src';
import { deferred } from './fixtures/deferred';
import { eventsControllerFor } from './fixtures/test-app';
import { TestApps } from './fixtures/test-apps';
import { testEvent } from './fixtures/test-events';
import { startTestNats, type TestNats } from './fixtures/test-nats';

const SERVICE = 'router';
const GRACE_MS = 300;

describe(JetStreamModule.name, () => {
  let nats: TestNats;
  let publisher: EventPublisher;
  const apps = new TestApps(() => nats.url);
  const publisherApps = new TestApps(() => nats.url);

  beforeAll(async () => {
    nats = await startTestNats();
    publisher = (await publisherApps.start({ service: 'fetcher' })).get(EventPublisher);
  });

  afterEach(() => apps.closeAll());

  afterAll(async () => {
    await publisherApps.closeAll();
    await nats?.stop();
  });

  it('should hand a still-running event to the next instance and close within the grace period when the app stops', async () => {
    const def = testEvent('slow');
    const started = deferred();
    const release = deferred();
    const first = await apps.start({
      service: SERVICE,
      options: { shutdownGraceMs: GRACE_MS },
      controllers: [
        eventsControllerFor({
          def,
          handle: async () => {
            started.resolve();
            await release.promise;
          },
        }),
      ],
    });
    await publisher.publish(def, { value: 'slow-1' }, { msgId: 'slow-1' });
    await started.promise;

    const closing = performance.now();
    await apps.close(first);
    const closeMs = performance.now() - closing;

    expect(closeMs).toBeGreaterThanOrEqual(GRACE_MS - 10);
    expect(closeMs).toBeLessThan(GRACE_MS + 700);
    const redelivered: { msgId: string; deliveryCount: number }[] = [];
    await apps.start({ service: SERVICE, controllers: [eventsControllerFor({ def, handle: async (_event, { msgId, deliveryCount }) => void redelivered.push({ msgId, deliveryCount }) })] });
    // Well inside the 30 s ack wait: the event was handed back, not forgotten until the server timed it out.
    await expectEventually(() => expect(redelivered).toEqual([{ msgId: 'slow-1', deliveryCount: 2 }]), { timeoutMs: 5_000 });
    release.resolve();
  });

  it('should let an in-flight handler finish and ack its event when it completes within the grace period', async () => {
    const def = testEvent('finishing');
    const started = deferred();
    const release = deferred();
    const handled: string[] = [];
    const app = await apps.start({
      service: SERVICE,
      options: { shutdownGraceMs: 5_000 },
      controllers: [
        eventsControllerFor({
          def,
          handle: async (event) => {
            started.resolve();
            await release.promise;
            handled.push(event.value);
          },
        }),
      ],
    });
    const { seq } = await publisher.publish(def, { value: 'finishing-1' }, { msgId: 'finishing-1' });
    await started.promise;

    const closed = apps.close(app);
    release.resolve();
    await closed;

    expect(handled).toEqual(['finishing-1']);
    const info = await nats.jsm.consumers.info(EVENTS_STREAM.name, durableConsumerName({ service: SERVICE, event: def.name }));
    expect({ ackPending: info.num_ack_pending, pending: info.num_pending, ackFloor: info.ack_floor.stream_seq, redelivered: info.num_redelivered }).toEqual({
      ackPending: 0,
      pending: 0,
      ackFloor: seq,
      redelivered: 0,
    });
  });

  it('should close promptly when its consumers are idle', async () => {
    const app = await apps.start({ service: SERVICE, controllers: [eventsControllerFor({ def: testEvent('idle'), handle: async () => undefined })] });

    const closing = performance.now();
    await apps.close(app);

    expect(performance.now() - closing).toBeLessThan(1_000);
  });
});
